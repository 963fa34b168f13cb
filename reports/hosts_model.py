"""The host part of a health-check report: each machine, its filesystems, JVMs, dumps and logs.

Part of the report's documented schema (reports/health-check-report.schema.json); the same
conventions hold: sizes in bytes, null is "not collected", an empty list is "collected, none".
"""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, NonNegativeInt

from checks.finding import Severity


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_serialization_defaults_required=True)


class ReportFilesystem(_Model):
    """A filesystem of the host; ``roles`` names the product directories it holds."""

    mount: str
    fstype: str | None
    size: int | None = Field(description="Bytes.")
    available: int | None = Field(description="Bytes free for unprivileged users.")
    used_percent: float | None = Field(description="Share of the size in use, 0-100.")
    inodes_used_percent: float | None = Field(description="Share of the inodes in use; null: no inode table.")
    roles: list[str] = Field(description="home, shared_home, index, attachments, logs, install.")


class ReportJvm(_Model):
    """A Java process on the host (found by command line)."""

    pid: int
    product: str | None = Field(description="The Atlassian product it runs, when its command line says.")
    role: str = Field(description="product: the configured product's JVM; other: another JVM on the host.")
    user: str | None
    java_version: str | None
    xms: int | None = Field(description="-Xms in bytes (the last one on the command line).")
    xmx: int | None = Field(description="-Xmx in bytes (the last one wins); null: not set.")
    garbage_collector: str | None = Field(description="G1, Parallel, ZGC, ...; null: the JVM's default.")
    gc_logging: bool
    uptime_s: float | None
    threads: int | None
    open_files: int | None
    max_open_files: int | None = Field(description="Soft limit; null: unlimited or not read.")
    max_processes: int | None = Field(description="Soft nproc limit (threads of all the user's processes).")


class ReportHotStack(_Model):
    frames: list[str] = Field(description="Top frames, innermost first.")
    occurrences: NonNegativeInt = Field(description="How often the stack was seen across the dumps.")
    threads: NonNegativeInt = Field(description="How many distinct threads showed it.")


class ReportThreadDumps(_Model):
    """What the thread dumps of one JVM show (the dumps themselves are in the bundle)."""

    pid: int = Field(description="0: not known (dump files from jstack name no pid).")
    dumps: NonNegativeInt
    span_s: float = Field(description="Seconds from the first dump to the last.")
    files: list[str] = Field(
        default_factory=list, description="The files the dumps were read from, when given to analyze."
    )
    states: dict[str, int] = Field(description="Threads by state in the last dump.")
    pools: dict[str, int] = Field(description="Threads by pool in the last dump (http, scheduler, ...).")
    busy_pools: dict[str, int] = Field(description="Threads by pool in the last dump that were not idle.")
    db_connection_waits: NonNegativeInt = Field(description="Threads waiting for a database connection.")
    stuck: list[str] = Field(description="Threads on the same frames in every dump.")
    deadlocks: list[list[str]] = Field(description="Deadlocked threads, one list per cycle.")
    hottest: list[ReportHotStack]


class ReportLogFile(_Model):
    path: str
    kind: str = Field(description="application, security, access, catalina, gc or other.")
    size: int
    modified: AwareDatetime
    status: str = Field(description="listed, fetched, partial, skipped or failed.")
    bundle_path: str | None = Field(description="Where the (redacted) file is in the snapshot bundle.")
    fetched_bytes: int
    cut: str | None = Field(description="What was left out and why.")


class ReportHost(_Model):
    """One machine of the customer, as collected over SSH or on the agent's own machine."""

    name: str = Field(description="The host name from the configuration; findings use it as target.")
    address: str = Field(description='"host:port", or "local".')
    method: str = Field(description="ssh or local.")
    instance: str | None = Field(description="The configured instance the host serves.")
    node: str | None = Field(description="The cluster node id it runs.")
    overall: Severity = Field(description="The worst severity among the findings on this host.")
    worst_finding: str | None = Field(description="Title of the worst finding; null when overall is ok.")
    connected: bool
    collected_at: AwareDatetime
    collection_errors: NonNegativeInt
    os: str | None
    kernel: str | None
    uptime_s: float | None
    cpus: int | None
    load: list[float] | None = Field(description="Load averages over 1, 5 and 15 minutes.")
    memory_total: int | None
    memory_available: int | None
    swap_total: int | None
    swap_used: int | None
    clock_offset_s: float | None = Field(description="The host's clock minus the agent's, in seconds.")
    filesystems: list[ReportFilesystem] | None
    jvms: list[ReportJvm] | None
    oom_kills: int | None = Field(description="OOM-killer events in the kernel log; null: not readable.")
    thread_dumps: list[ReportThreadDumps] | None = Field(description="null: no dumps were taken.")
    logs_fetched: bool = Field(description="Whether the log files were fetched into a bundle or only listed.")
    logs: list[ReportLogFile] | None
