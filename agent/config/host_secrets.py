"""Host configuration checks that need more than the schema: threshold references, key files and
passphrases (read from the environment or a file, never from the configuration).

Problems come back as (key path, message) so the loader reports them with their line like the rest.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from agent.config.hosts_schema import SshLogin
from agent.config.schema import Config
from agent.config.secret_file_mode import warn_if_others_can_read
from agent.config.secret_files import read_secret_file
from checks.registry import Registry
from collectors.hosts.key_file import read_key_file
from collectors.regular_file import RefusedFile

Problem = tuple[tuple[str | int, ...], str]


@dataclass(frozen=True, repr=False)
class HostSecrets:
    """Resolved passphrases of a host's key and its jump host's key. ``repr`` never shows them."""

    passphrase: str | None = None
    jump_passphrase: str | None = None

    def __repr__(self) -> str:
        return "HostSecrets(***)"


def host_reference_problems(config: Config, registry: Registry) -> list[Problem]:
    """Per-host thresholds must name host checks and their thresholds, so a typo never keeps a default."""
    problems: list[Problem] = []
    for c_index, customer in enumerate(config.customers):
        for h_index, host in enumerate(customer.hosts):
            base = ("customers", c_index, "hosts", h_index, "thresholds")
            for check_id, values in host.thresholds.items():
                registered = registry.get(check_id)
                if registered is None or registered.scope.name != "host":
                    problems.append(
                        (
                            (*base, check_id),
                            f"{check_id!r} is not a host check; see `atlas-health checks list`",
                        )
                    )
                    continue
                for name in values:
                    if name not in registered.meta.thresholds:
                        allowed = ", ".join(sorted(registered.meta.thresholds)) or "none"
                        problems.append(
                            (
                                (*base, check_id, name),
                                f"check {check_id!r} has no threshold {name!r} (it has: {allowed})",
                            )
                        )
    return problems


def _passphrase(
    login: SshLogin, path: tuple[str | int, ...], env: Mapping[str, str], base_dir: Path
) -> tuple[str | None, list[Problem]]:
    problems: list[Problem] = []
    if login.key_file is not None:
        key = login.key_file if login.key_file.is_absolute() else base_dir / login.key_file
        try:  # read now, so that a FIFO or a device is refused here with its line, not in the run
            read_key_file(key.expanduser())
        except RefusedFile as exc:
            problems.append(((*path, "key_file"), f"key file {key} {exc.problem}"))
        except FileNotFoundError:
            problems.append(((*path, "key_file"), f"key file {key} does not exist"))
        except OSError as exc:
            problems.append(((*path, "key_file"), f"cannot read key file {key}: {exc.strerror or exc}"))
        else:
            warn_if_others_can_read(key.expanduser(), "key file")
    if login.key_passphrase_env is not None:
        value = env.get(login.key_passphrase_env)
        if not value:
            name = login.key_passphrase_env
            problems.append(
                (
                    (*path, "key_passphrase_env"),
                    f"environment variable {name} is not set (export it before running)",
                )
            )
        return value or None, problems
    if login.key_passphrase_file is not None:
        file = login.key_passphrase_file
        file = file if file.is_absolute() else base_dir / file
        try:
            value = read_secret_file(file).strip()
        except RefusedFile as exc:
            problems.append(((*path, "key_passphrase_file"), f"passphrase file {file} {exc.problem}"))
            return None, problems
        except OSError as exc:
            problem = f"cannot read passphrase file {file}: {exc.strerror or exc}"
            problems.append(((*path, "key_passphrase_file"), problem))
            return None, problems
        except UnicodeDecodeError:
            problems.append(((*path, "key_passphrase_file"), f"passphrase file {file} is not UTF-8 text"))
            return None, problems
        warn_if_others_can_read(file, "passphrase file")
        return value or None, problems
    return None, problems


def resolve_host_secrets(
    config: Config, env: Mapping[str, str], base_dir: Path
) -> tuple[dict[tuple[str, str], HostSecrets], list[Problem]]:
    resolved: dict[tuple[str, str], HostSecrets] = {}
    problems: list[Problem] = []
    for c_index, customer in enumerate(config.customers):
        for h_index, host in enumerate(customer.hosts):
            base = ("customers", c_index, "hosts", h_index)
            secret = jump_secret = None
            if host.ssh is not None:
                secret, found = _passphrase(host.ssh, (*base, "ssh"), env, base_dir)
                problems += found
            if host.jump is not None:
                jump_secret, found = _passphrase(host.jump, (*base, "jump"), env, base_dir)
                problems += found
            resolved[(customer.name, host.name)] = HostSecrets(secret, jump_secret)
    return resolved, problems
