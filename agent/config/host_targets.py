"""Turn the validated host configuration into what the host collectors take."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from agent.config.host_secrets import HostSecrets
from agent.config.hosts_schema import Host, HostSettings, SshLogin
from agent.config.loader import LoadedConfig
from agent.config.targets import select_customers
from collectors.hosts.target import (
    HostCollectOptions,
    HostTarget,
    ProductDirs,
    SshEndpoint,
    ThreadDumpRequest,
)

MIB = 1024 * 1024


def _relative(path: Path, base: Path) -> Path:
    expanded = path.expanduser()
    return expanded if expanded.is_absolute() else base / expanded


def _endpoint(login: SshLogin, passphrase: str | None, settings: HostSettings, base: Path) -> SshEndpoint:
    return SshEndpoint(
        address=login.address,
        port=login.port,
        user=login.user,
        key_file=_relative(login.key_file, base) if login.key_file else None,
        key_passphrase=passphrase,
        use_agent=login.use_agent,
        known_hosts=_relative(login.known_hosts or settings.known_hosts, base),
        trust_on_first_use=login.trust_on_first_use,
    )


def _dirs(host: Host) -> ProductDirs:
    return ProductDirs(
        install=host.install_dir,
        home=host.home_dir,
        shared_home=host.shared_home_dir,
        index=host.index_dir,
        attachments=host.attachments_dir,
        logs=tuple(host.log_dirs),
    )


def host_targets(loaded: LoadedConfig, customers: Iterable[str] = ()) -> list[HostTarget]:
    config = loaded.config
    chosen = set(select_customers(config, customers))
    settings = config.settings.hosts
    targets = []
    for customer in config.customers:
        if customer.name not in chosen:
            continue
        products = {i.name: i.product for i in customer.instances}
        # the customer's API secrets, masked wherever a host shows them (URLs in logs, setenv.sh)
        known = tuple(
            c.secret for (owner, _), c in loaded.credentials.items() if owner == customer.name and c.secret
        )
        for host in customer.hosts:
            secrets = loaded.host_secrets.get((customer.name, host.name), HostSecrets())
            passphrases = tuple(p for p in (secrets.passphrase, secrets.jump_passphrase) if p)
            base = loaded.base_dir
            ssh = _endpoint(host.ssh, secrets.passphrase, settings, base) if host.ssh else None
            jump = _endpoint(host.jump, secrets.jump_passphrase, settings, base) if host.jump else None
            targets.append(
                HostTarget(
                    customer=customer.name,
                    name=host.name,
                    local=host.connection == "local",
                    ssh=ssh,
                    jump=jump,
                    instance=host.instance,
                    node=host.node,
                    product=products.get(host.instance) if host.instance else None,
                    dirs=_dirs(host),
                    sudo_user=host.sudo_user,
                    known_secrets=known + passphrases,
                )
            )
    return targets


def host_collect_options(
    settings: HostSettings, thread_dumps: ThreadDumpRequest | None = None, log_spool: Path | None = None
) -> HostCollectOptions:
    return HostCollectOptions(
        connect_timeout_s=settings.connect_timeout_seconds,
        banner_timeout_s=settings.connect_timeout_seconds,
        auth_timeout_s=settings.connect_timeout_seconds,
        command_timeout_s=settings.command_timeout_seconds,
        output_cap_bytes=int(settings.output_cap_mb * MIB),
        host_budget_s=settings.host_budget_seconds,
        host_concurrency=settings.concurrency,
        thread_dumps=thread_dumps,
        log_window_hours=settings.logs.window_hours,
        log_cap_bytes=int(settings.logs.max_mb_per_host * MIB),
        log_spool=log_spool,
        oom_lookback_hours=settings.oom_lookback_hours,
    )
