"""What was seen on one host: the machine, its filesystems, the product's JVMs, dumps and log files.

The same conventions as the rest of the Snapshot: ``None`` means "not collected" (the call failed,
its error is in ``errors``), an empty list means "collected, and there was nothing". Every text read
from the host (command lines, configuration files, thread dumps, log lines) is redacted before it is
stored here. Sizes are bytes, durations seconds, times timezone-aware.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from collectors.history_model import History

# Product names are collectors.model.Product values ("jira", "confluence", ...), kept as text here
# because collectors/model.py imports this module for Snapshot.hosts.


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class HostErrorKind(StrEnum):
    """Why something could not be read from a host. Checks key their findings on these."""

    UNKNOWN_HOST_KEY = "unknown_host_key"  # not in known_hosts and trust on first use is off
    CHANGED_HOST_KEY = "changed_host_key"  # known_hosts holds a different key: refused, always
    KNOWN_HOSTS = "known_hosts"  # the known_hosts file cannot be read or written
    AUTH_FAILED = "auth_failed"  # key refused, no usable key, passphrase wrong
    KEY_FILE = "key_file"  # the configured private key cannot be read
    CONNECTION_REFUSED = "connection_refused"
    DNS = "dns"
    UNREACHABLE = "unreachable"  # connect timeout, no route to host
    BANNER = "banner"  # TCP connected but no SSH banner in time (firewall, proxy, overloaded sshd)
    SSH = "ssh"  # any other SSH protocol failure
    COMMAND_TIMEOUT = "command_timeout"
    COMMAND_FAILED = "command_failed"  # non-zero exit with no more specific reason
    PERMISSION_DENIED = "permission_denied"
    NOT_FOUND = "not_found"  # a file, directory or program that is not there
    UNEXPECTED_OUTPUT = "unexpected_output"  # the command ran but its output could not be parsed
    BUDGET_EXCEEDED = "budget_exceeded"  # the host's time budget ran out before this call
    COLLECTOR = "collector"  # a defect of ours, recorded instead of crashing the run


# Kinds after which nothing else was collected from the host.
CONNECT_KINDS = frozenset(
    {
        HostErrorKind.UNKNOWN_HOST_KEY,
        HostErrorKind.CHANGED_HOST_KEY,
        HostErrorKind.KNOWN_HOSTS,
        HostErrorKind.AUTH_FAILED,
        HostErrorKind.KEY_FILE,
        HostErrorKind.CONNECTION_REFUSED,
        HostErrorKind.DNS,
        HostErrorKind.UNREACHABLE,
        HostErrorKind.BANNER,
        HostErrorKind.SSH,
    }
)


class HostError(_Model):
    """One failed call on a host, recorded as data."""

    call: str  # logical call: "connect", "memory", "jvm.limits", "thread_dumps", "logs", ...
    kind: HostErrorKind
    message: str  # one line, redacted
    via: str | None = None  # the jump host the failure happened on, if it was the jump host
    key_type: str | None = None  # host key errors: the key the server presented ...
    fingerprint: str | None = None  # ... as OpenSSH shows it: "SHA256:..."
    expected_fingerprint: str | None = None  # changed key: the one known_hosts holds
    known_hosts: str | None = None  # the file that was consulted
    at: datetime | None = None


class CommandRecord(_Model):
    """One command run on the host (every one, failed or not): for the report and for budgets."""

    call: str
    command: str  # the command line as run (redacted), for the customer's own audit
    started_at: datetime
    elapsed_ms: float
    exit_status: int | None = None  # None: no exit status (timed out, channel closed)
    stdout_bytes: int = 0  # as received, before any cut
    truncated: bool = False  # the output cap was reached; the rest was discarded
    timed_out: bool = False


class OsInfo(_Model):
    name: str | None = None  # "Debian GNU/Linux 12 (bookworm)"
    kernel: str | None = None  # "6.1.0-18-amd64"
    architecture: str | None = None  # "x86_64"
    hostname: str | None = None


class CpuInfo(_Model):
    logical_cpus: int | None = None
    load_1m: float | None = None
    load_5m: float | None = None
    load_15m: float | None = None


class MemoryInfo(_Model):
    total: int
    available: int  # what the kernel can hand out without swapping (MemAvailable), not "free"
    swap_total: int = 0
    swap_used: int = 0


class Filesystem(_Model):
    mount: str
    device: str | None = None
    fstype: str | None = None
    size: int | None = None
    used: int | None = None
    available: int | None = None  # for unprivileged users (the product's), not counting root's reserve
    inodes_total: int | None = None  # 0 on filesystems without a fixed inode table (btrfs, XFS on some)
    inodes_used: int | None = None
    roles: list[str] = Field(default_factory=list)  # product paths it holds: "home", "index", ...


class ProductPath(_Model):
    """A product directory from the configuration, and the filesystem it lives on."""

    role: str  # home, shared_home, index, attachments, logs, install
    path: str
    mount: str | None = None  # None: the path does not exist or could not be resolved


class Limit(_Model):
    soft: int | None = None  # None: unlimited
    hard: int | None = None


class JvmProcess(_Model):
    """A Java process: found by its command line, never by its name."""

    pid: int
    user: str | None = None
    product: str | None = None  # which Atlassian product it runs, when the command line says
    role: str = "other"  # "product" (the configured product's JVM) or "other" (another JVM on the box)
    main: str | None = None  # main class or -jar file
    arguments: list[str] = Field(default_factory=list)  # the JVM options (redacted), in order
    executable: str | None = None
    java_home: str | None = None
    java_version: str | None = None  # "17.0.10"
    java_vendor: str | None = None
    xms: int | None = None  # the last -Xms wins, as in the JVM
    xmx: int | None = None  # the last -Xmx wins; None: not set (the JVM takes a share of RAM)
    max_ram_percentage: float | None = None
    garbage_collector: str | None = None  # G1, Parallel, ZGC, Shenandoah, CMS, Serial; None: JVM default
    gc_logging: bool = False
    gc_log_option: str | None = None  # the flag that turns it on, e.g. "-Xlog:gc*:file=..."
    started_at: datetime | None = None
    uptime_s: float | None = None
    rss: int | None = None
    threads: int | None = None
    open_files: int | None = None
    max_open_files: Limit | None = None
    max_processes: Limit | None = None  # nproc: counts the threads of every process of the user
    user_threads: int | None = None  # threads of all processes of the same user (what nproc limits)


class OomEvent(_Model):
    """The kernel's OOM killer ended a process."""

    at: datetime | None = None
    pid: int | None = None
    process: str | None = None
    rss_kb: int | None = None
    line: str  # the kernel's own line (redacted)


class ClockReading(_Model):
    """The host's clock against the agent's, measured over the connection."""

    host_time: datetime
    offset_s: float  # host minus agent; positive: the host is ahead
    uncertainty_s: float  # half the round trip of the measurement


class ThreadDump(_Model):
    pid: int
    taken_at: datetime
    tool: str  # "jcmd" or "jstack"
    text: str  # the dump as the JVM wrote it (redacted)
    truncated: bool = False
    file: str | None = None  # the file it was read from, for dumps given to analyze rather than taken


class ConfigFile(_Model):
    """A product configuration file, kept for the consultant (redacted: passwords never leave)."""

    role: str  # dbconfig, server_xml, setenv, confluence_cfg, bitbucket_properties
    path: str
    content: str | None = None  # None: not readable (see errors)
    truncated: bool = False


class LogFile(_Model):
    path: str
    kind: str  # application, security, access, catalina, gc, other
    size: int
    modified: datetime
    compressed: bool = False
    status: str = "listed"  # listed, fetched, partial, skipped, failed
    bundle_path: str | None = None  # where it sits in the bundle, relative to the bundle folder
    fetched_bytes: int = 0  # bytes written to the bundle (decompressed)
    cut: str | None = None  # what was left out and why, in one sentence


class LogCollection(_Model):
    since: datetime  # start of the time window
    cap_bytes: int  # the most this host's logs may add to the bundle
    fetched: bool  # False: only listed (no bundle was being written)
    method: str | None = None  # "sftp" or "exec" (cat through the shell)
    files: list[LogFile] = Field(default_factory=list)


class HostSnapshot(_Model):
    """What was collected from one configured host (over SSH, or the agent's own machine)."""

    customer: str
    name: str  # the host's name in the configuration; findings use it as their target
    address: str  # "host:port", or "local"
    method: str  # "ssh" or "local"
    instance: str | None = None  # the configured instance it serves
    node: str | None = None  # the cluster node id it runs
    product: str | None = None
    started_at: datetime
    finished_at: datetime
    connected: bool = False
    commands: list[CommandRecord] = Field(default_factory=list)
    errors: list[HostError] = Field(default_factory=list)
    limits_hit: list[str] = Field(default_factory=list)  # caps and budgets that cut collection short

    os: OsInfo | None = None
    uptime_s: float | None = None
    cpu: CpuInfo | None = None
    memory: MemoryInfo | None = None
    filesystems: list[Filesystem] | None = None
    product_paths: list[ProductPath] | None = None
    jvms: list[JvmProcess] | None = None
    oom_events: list[OomEvent] | None = None
    clock: ClockReading | None = None
    thread_dumps: list[ThreadDump] | None = None  # None: not requested or not taken
    config_files: list[ConfigFile] | None = None
    logs: LogCollection | None = None
    history: History | None = None  # the service's earlier figures of this host (disk use)

    def error_for(self, call: str) -> HostError | None:
        return next((e for e in self.errors if e.call == call), None)

    def connect_error(self) -> HostError | None:
        """The failure that kept everything else from being collected, if there was one."""
        return next((e for e in self.errors if e.kind in CONNECT_KINDS), None)

    def product_jvms(self) -> list[JvmProcess]:
        return [j for j in self.jvms or [] if j.role == "product"]
