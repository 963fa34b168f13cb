"""The configuration of hosts: the machines a customer's products run on, and the budgets to read them.

Every key is documented in config.example.yaml. Secrets by reference only: a key's passphrase comes
from an environment variable or a file, never from the configuration itself.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from collectors.hosts.target import DEFAULT_KNOWN_HOSTS

if TYPE_CHECKING:
    from agent.config.schema import Customer

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")
_ENV = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_USER = re.compile(r"^[a-z_][a-z0-9_.-]{0,31}\$?$", re.I)
_ADDRESS = re.compile(r"^[A-Za-z0-9.:_\[\]-]{1,253}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _absolute(value: str) -> str:
    if not value.startswith("/") or "\0" in value or "\n" in value:
        raise ValueError(f"{value!r} must be an absolute path on the host, e.g. /opt/atlassian/jira")
    return value.rstrip("/") or "/"


class SshLogin(_Strict):
    """How to reach and log in to a machine over SSH (a host, or the jump host in front of it)."""

    address: str
    port: int = Field(default=22, ge=1, le=65535)
    user: str
    key_file: Path | None = None  # relative to the configuration file
    key_passphrase_env: str | None = None
    key_passphrase_file: Path | None = None
    use_agent: bool = False  # the SSH agent of the user running atlas-health (SSH_AUTH_SOCK)
    known_hosts: Path | None = None  # default: settings.hosts.known_hosts
    trust_on_first_use: bool = False

    @field_validator("address")
    @classmethod
    def _address(cls, value: str) -> str:
        if not _ADDRESS.match(value):
            raise ValueError(f"{value!r} is not a host name or IP address")
        return value

    @field_validator("user")
    @classmethod
    def _user(cls, value: str) -> str:
        if not _USER.match(value):
            raise ValueError(f"{value!r} is not a valid user name")
        return value

    @field_validator("key_passphrase_env")
    @classmethod
    def _env(cls, value: str | None) -> str | None:
        if value is not None and not _ENV.match(value):
            raise ValueError(f"{value!r} is not a valid environment variable name")
        return value

    @model_validator(mode="after")
    def _one_way_in(self) -> SshLogin:
        if self.key_file is None and not self.use_agent:
            raise ValueError("give key_file, or use_agent: true to use the SSH agent")
        if self.key_passphrase_env is not None and self.key_passphrase_file is not None:
            raise ValueError("give at most one of key_passphrase_env or key_passphrase_file")
        if self.key_file is None and (self.key_passphrase_env or self.key_passphrase_file):
            raise ValueError("a key passphrase needs key_file")
        return self


class Host(_Strict):
    """One machine of a customer: over SSH, or ``connection: local`` for the agent's own machine."""

    name: str
    connection: Literal["ssh", "local"] = "ssh"
    ssh: SshLogin | None = None
    jump: SshLogin | None = None
    instance: str | None = None  # the configured instance it serves
    node: str | None = None  # the cluster node id it runs
    install_dir: str | None = None
    home_dir: str | None = None
    shared_home_dir: str | None = None
    index_dir: str | None = None
    attachments_dir: str | None = None
    log_dirs: list[str] = Field(default_factory=list)
    sudo_user: str | None = None  # read the product's files as this user (sudo -n -u USER)
    thresholds: dict[str, dict[str, int | float]] = Field(default_factory=dict)

    @field_validator("name")
    @classmethod
    def _valid_name(cls, value: str) -> str:
        if not _NAME.match(value):
            raise ValueError(f"host name {value!r} must be letters, digits, '.', '_' or '-' (at most 63)")
        return value

    @field_validator("install_dir", "home_dir", "shared_home_dir", "index_dir", "attachments_dir")
    @classmethod
    def _paths(cls, value: str | None) -> str | None:
        return None if value is None else _absolute(value)

    @field_validator("log_dirs")
    @classmethod
    def _log_dirs(cls, value: list[str]) -> list[str]:
        return [_absolute(v) for v in value]

    @field_validator("sudo_user")
    @classmethod
    def _sudo(cls, value: str | None) -> str | None:
        if value is not None and not _USER.match(value):
            raise ValueError(f"{value!r} is not a valid user name")
        return value

    @model_validator(mode="after")
    def _connection(self) -> Host:
        if self.connection == "ssh" and self.ssh is None:
            raise ValueError("an SSH host needs ssh: {address, user, key_file or use_agent}")
        if self.connection == "local" and (self.ssh is not None or self.jump is not None):
            raise ValueError("a local host is read on the agent's own machine: remove ssh and jump")
        return self


class HostLogSettings(_Strict):
    window_hours: float = Field(default=24.0, gt=0, le=24 * 90)
    max_mb_per_host: float = Field(default=200.0, gt=0, le=100_000)


class HostSettings(_Strict):
    connect_timeout_seconds: float = Field(default=10.0, gt=0, le=300)
    command_timeout_seconds: float = Field(default=20.0, gt=0, le=600)
    host_budget_seconds: float = Field(default=300.0, gt=0, le=7200)
    output_cap_mb: float = Field(default=8.0, gt=0, le=1024)
    concurrency: int = Field(default=16, ge=1, le=256)
    known_hosts: Path = DEFAULT_KNOWN_HOSTS
    oom_lookback_hours: float = Field(default=168.0, gt=0, le=24 * 90)
    logs: HostLogSettings = Field(default_factory=HostLogSettings)


def check_customer_hosts(customer: Customer) -> Customer:
    """Host names unique and distinct from instance names (both are finding targets); instances exist."""
    instances = {i.name for i in customer.instances}
    seen: set[str] = set()
    for host in customer.hosts:
        if host.name in seen:
            raise ValueError(f"host name {host.name!r} is used twice in customer {customer.name!r}")
        if host.name in instances:
            raise ValueError(
                f"host name {host.name!r} is also an instance name in customer "
                f"{customer.name!r}: findings name their target, so choose another"
            )
        if host.instance is not None and host.instance not in instances:
            known = ", ".join(sorted(instances))
            raise ValueError(
                f"host {host.name!r} serves instance {host.instance!r}, which customer "
                f"{customer.name!r} does not have (it has: {known})"
            )
        seen.add(host.name)
    return customer
