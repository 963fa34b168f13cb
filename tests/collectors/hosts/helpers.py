"""Building host targets for the tests: the test sshd's endpoint, and short budgets."""

from __future__ import annotations

from pathlib import Path

from collectors.hosts.target import HostCollectOptions, HostTarget, ProductDirs, SshEndpoint
from tests.collectors.hosts.fake_product import FakeInstall
from tests.collectors.hosts.sshd import Sshd

# Short budgets: a test that goes wrong fails in seconds.
FAST = HostCollectOptions(
    connect_timeout_s=5.0,
    banner_timeout_s=5.0,
    auth_timeout_s=5.0,
    command_timeout_s=10.0,
    host_budget_s=120.0,
)


def endpoint(server: Sshd, key: Path, known_hosts: Path, **changes: object) -> SshEndpoint:
    values: dict[str, object] = {
        "address": "127.0.0.1",
        "port": server.port,
        "user": server.user,
        "key_file": key,
        "known_hosts": known_hosts,
    }
    values.update(changes)
    return SshEndpoint(**values)  # type: ignore[arg-type]


def target(
    name: str, ssh: SshEndpoint | None, install: FakeInstall | None = None, **changes: object
) -> HostTarget:
    values: dict[str, object] = {"customer": "acme", "name": name, "ssh": ssh}
    if install is not None:
        values["dirs"] = ProductDirs(install=str(install.install), home=str(install.home))
    values.update(changes)
    return HostTarget(**values)  # type: ignore[arg-type]
