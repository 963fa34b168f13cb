"""What the host collectors are told: hosts with resolved secrets, and the budgets of a run.

Built by the agent from the validated configuration; collectors never read configuration files or
the environment, so tests, the demo and the benchmark drive them directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from collectors.model import Product

# The agent's own known_hosts, used when a host names none of the customer's.
DEFAULT_KNOWN_HOSTS = Path("~/.config/atlas-health/known_hosts")


@dataclass(frozen=True, repr=False)
class SshEndpoint:
    """Where and as whom to log in; a jump host is one of these too."""

    address: str
    port: int = 22
    user: str = "root"
    key_file: Path | None = None  # None: use the SSH agent
    key_passphrase: str | None = None
    use_agent: bool = False
    known_hosts: Path = DEFAULT_KNOWN_HOSTS
    trust_on_first_use: bool = False

    @property
    def display(self) -> str:
        return f"{self.address}:{self.port}"

    def __repr__(self) -> str:  # never the passphrase
        return f"SshEndpoint({self.user}@{self.display}, key_file={self.key_file}, agent={self.use_agent})"


@dataclass(frozen=True)
class ProductDirs:
    """The product's directories on the host; absolute POSIX paths, each optional."""

    install: str | None = None
    home: str | None = None
    shared_home: str | None = None
    index: str | None = None
    attachments: str | None = None
    logs: tuple[str, ...] = ()  # extra log folders beyond the product's usual ones

    def roles(self) -> list[tuple[str, str]]:
        """(role, path) for every configured directory, the ones checks watch first."""
        pairs = [
            ("home", self.home),
            ("shared_home", self.shared_home),
            ("index", self.index),
            ("attachments", self.attachments),
            ("install", self.install),
        ]
        found = [(role, path) for role, path in pairs if path]
        found += [("logs", path) for path in self.logs]
        return found


@dataclass(frozen=True)
class HostTarget:
    customer: str
    name: str
    local: bool = False  # the agent's own machine, read with psutil instead of SSH
    ssh: SshEndpoint | None = None
    jump: SshEndpoint | None = None
    instance: str | None = None
    node: str | None = None
    product: Product | None = None
    dirs: ProductDirs = field(default_factory=ProductDirs)
    sudo_user: str | None = None  # read the product's files as this user (sudo -n -u)
    known_secrets: tuple[str, ...] = field(default=(), repr=False)  # masked literally wherever they appear

    @property
    def address(self) -> str:
        return "local" if self.local or self.ssh is None else self.ssh.display


@dataclass(frozen=True)
class ThreadDumpRequest:
    count: int = 3
    interval_s: float = 10.0


@dataclass(frozen=True)
class HostCollectOptions:
    """Budgets for one run over the hosts (DESIGN: budgets everywhere)."""

    connect_timeout_s: float = 10.0  # TCP connect and SSH handshake
    banner_timeout_s: float = 15.0
    auth_timeout_s: float = 15.0
    command_timeout_s: float = 20.0  # each command
    output_cap_bytes: int = 8 * 1024 * 1024  # each command's stdout (stderr keeps 64 KiB)
    host_budget_s: float = 300.0  # wall-clock for everything on one host, thread dumps included
    host_concurrency: int = 16
    config_file_cap_bytes: int = 256 * 1024
    thread_dumps: ThreadDumpRequest | None = None  # None: no dumps (take them on request only)
    log_window_hours: float = 24.0
    log_cap_bytes: int = 200 * 1024 * 1024  # per host, decompressed, written to the bundle
    log_spool: Path | None = None  # where fetched logs are streamed to; None: list them only
    oom_lookback_hours: float = 7 * 24.0
