"""What log analysis found: the ``logs`` part of a Snapshot.

Logs are streamed, never held whole: everything here is an aggregate (counts, per-minute series,
percentiles, capped samples), so its size depends on the time span and the number of distinct
problems, not on the gigabytes read. Every sample line is redacted before it is stored. Times are
timezone-aware UTC; a log line without an offset is read in the zone the user gave (UTC by default).
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

# Defined apart, so that finding and reading logs loads no pydantic; re-exported here.
from collectors.history_model import History
from collectors.logs.kinds import FileProblem as FileProblem
from collectors.logs.kinds import LogKind as LogKind


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LogFileSummary(_Model):
    """One file that was read (a zip member or a gzip counts as one file)."""

    path: str  # as the user would find it: "node1.zip!application-logs/atlassian-jira.log.1"
    node: str
    kind: LogKind
    size_bytes: int  # bytes read (uncompressed)
    lines: int = 0
    events: int = 0  # lines that open an event (a timestamped line; continuations belong to it)
    unparsed_lines: int = 0  # lines that fit no format of the kind: counted, never fatal
    first_at: datetime | None = None
    last_at: datetime | None = None
    problem: FileProblem | None = None
    problem_detail: str | None = None  # one line: what was wrong and what was still read
    # Not read: the same file (or the same bytes) as this one, which was read instead; a note says so.
    duplicate_of: str | None = None
    notes: list[str] = Field(default_factory=list)  # how the file was read, e.g. "GC times are uptimes only"


class LogSample(_Model):
    at: datetime | None
    node: str
    file: str
    text: str  # the event's first line, and the matching line when it is a continuation; redacted


class MinuteCount(_Model):
    at: datetime  # start of the minute (or of the bucket: see LogAnalysis.bucket_s)
    count: int


class NodeCount(_Model):
    """How often something happened on one node, and when: the per-node view incidents are told from."""

    node: str
    count: int
    first_at: datetime | None = None
    last_at: datetime | None = None
    per_minute: list[MinuteCount] = Field(default_factory=list)


class SignatureHit(_Model):
    """A knowledge-base signature that matched at least once in the window."""

    signature: str  # the signature id
    count: int
    # The knowledge-base entry's words, as they were when the logs were scanned.
    title: str = ""
    severity: str = "warning"  # info, warning or critical
    cause: str = ""  # cause class: memory, database, threads, authentication, index, os, plugins, ...
    explanation: str = ""
    recommendation: str = ""
    kb: str | None = None  # KB article or bug link
    first_at: datetime | None = None
    last_at: datetime | None = None
    nodes: list[str] = Field(default_factory=list)
    files: list[str] = Field(default_factory=list)
    samples: list[LogSample] = Field(default_factory=list)  # the first few, redacted
    per_minute: list[MinuteCount] = Field(default_factory=list)
    by_node: list[NodeCount] = Field(default_factory=list)  # each node's count, first, last and series


class LevelMinute(_Model):
    """Events that opened in one bucket, by level (INFO and below are total minus the others)."""

    at: datetime
    total: int = 0
    warn: int = 0
    error: int = 0
    fatal: int = 0


class NodeLevels(_Model):
    """One node's events by level, per bucket."""

    node: str
    per_minute: list[LevelMinute] = Field(default_factory=list)


class ExceptionGroup(_Model):
    """Exceptions grouped by their root cause type (the last ``Caused by:`` of the event)."""

    root_cause: str  # e.g. "java.sql.SQLTransientConnectionException"
    count: int
    first_at: datetime | None = None
    last_at: datetime | None = None
    nodes: list[str] = Field(default_factory=list)
    thrown_as: list[str] = Field(default_factory=list)  # the outermost types seen, most frequent first
    sample: str | None = None  # root cause line, redacted
    by_node: list[NodeCount] = Field(default_factory=list)


class RestartEvent(_Model):
    """A product start or stop seen in the logs (from signatures marked as restart markers)."""

    at: datetime | None
    node: str
    signature: str
    text: str


class GcPause(_Model):
    at: datetime | None
    pause_ms: float
    kind: str  # "Pause Young (Normal) (G1 Evacuation Pause)", "Full GC (Ergonomics)", ...
    full: bool = False


class GcLine(_Model):
    """One line of a GC log, kept as evidence."""

    at: datetime | None
    file: str
    line: str


class GcMinute(_Model):
    at: datetime
    pauses: int
    pause_ms: float  # total stop-the-world time in the bucket
    share: float  # pause time / bucket length, 0..1


class HeapPoint(_Model):
    at: datetime
    after_mb: float  # heap occupancy after the collection
    total_mb: float | None = None


class GcSummary(_Model):
    """One node's GC log(s) over the window."""

    node: str
    files: list[str] = Field(default_factory=list)
    format: str  # "jdk8" or "unified"
    collector: str | None = None  # G1, Parallel, CMS, ZGC, Shenandoah, Serial, when it shows
    pauses: int = 0
    full_gcs: int = 0
    p50_ms: float | None = None
    p95_ms: float | None = None
    max_ms: float | None = None
    total_pause_s: float = 0.0
    span_s: float | None = None  # first to last GC event
    overhead: float | None = None  # total pause / span, 0..1
    longest: list[GcPause] = Field(default_factory=list)  # the ten longest, longest first
    per_minute: list[GcMinute] = Field(default_factory=list)
    heap_after: list[HeapPoint] = Field(default_factory=list)  # downsampled to at most a few hundred points
    # Least-squares slope of the heap floor (the minimum after-GC occupancy per bucket): a steadily
    # rising floor over hours suggests a leak.
    heap_floor_slope_mb_per_h: float | None = None
    # Safepoint stops (-XX:+PrintGCApplicationStoppedTime, -Xlog:safepoint), counted apart from the
    # pauses: they include every GC pause and the non-GC safepoints as well.
    safepoints: int = 0
    safepoint_total_s: float = 0.0
    safepoint_max_ms: float | None = None
    # G1 evacuation failures (to-space exhausted / overflow, Evacuation Failure): no free region to copy
    # live objects into, the warning before a Full GC; the first few lines as evidence.
    evacuation_failures: int = 0
    evacuation_samples: list[GcLine] = Field(default_factory=list)


class AccessMinute(_Model):
    at: datetime
    requests: int
    status_4xx: int = 0
    status_5xx: int = 0
    status_401: int = 0  # counted in status_4xx too: logins refused (a directory down, an attack)
    p50_ms: float | None = None
    p95_ms: float | None = None
    p99_ms: float | None = None


class EndpointStats(_Model):
    method: str
    endpoint: str  # templated: /browse/{key}, /rest/api/2/issue/{id}
    count: int
    mean_ms: float
    p95_ms: float | None = None
    max_ms: float
    errors_5xx: int = 0


class Talker(_Model):
    """A user or client address, with how much it asked for."""

    name: str
    requests: int
    total_ms: float = 0.0  # server time it consumed
    errors_5xx: int = 0


class NodeAccess(_Model):
    """One node's share of a product's access logs, per bucket."""

    node: str
    per_minute: list[AccessMinute] = Field(default_factory=list)


class UserErrors(_Model):
    """A user (or, for anonymous requests, the client address) who got server errors in one bucket."""

    at: datetime
    user: str
    node: str
    errors: int  # 5xx answers


class AccessSummary(_Model):
    """The Tomcat or Bitbucket access logs of one product, all nodes together."""

    product: str | None = None
    nodes: list[str] = Field(default_factory=list)
    requests: int = 0
    status_4xx: int = 0
    status_5xx: int = 0
    p50_ms: float | None = None
    p95_ms: float | None = None
    p99_ms: float | None = None
    per_minute: list[AccessMinute] = Field(default_factory=list)
    slowest_endpoints: list[EndpointStats] = Field(default_factory=list)  # by p95, top 15
    busiest_endpoints: list[EndpointStats] = Field(default_factory=list)  # by count, top 15
    top_users: list[Talker] = Field(default_factory=list)
    top_clients: list[Talker] = Field(default_factory=list)
    per_node: list[NodeAccess] = Field(default_factory=list)
    # Who got 5xx, and when: capped (limits_hit says so), so distinct users hurt in any window can be
    # counted afterwards.
    error_users: list[UserErrors] = Field(default_factory=list)
    # Latencies are read as milliseconds (Tomcat <= 9 %D, Bitbucket durationMs); a note says when a
    # file's numbers look like microseconds (Tomcat 10 %D).
    notes: list[str] = Field(default_factory=list)


class AuthFailures(_Model):
    name: str  # the user or the address
    failed: int
    passed: int = 0
    first_at: datetime | None = None
    last_at: datetime | None = None
    others: list[str] = Field(default_factory=list)  # the addresses of a user, or the users of an address


class AuthBurst(_Model):
    """Failed logins close together: many users from one place (brute force), one address guessing
    one account's password again and again (password guessing), or one user steadily failing from the
    same few places (a service or integration with a stale password)."""

    kind: str  # "brute-force", "password-guessing" or "stale-password"
    subject: str  # user for stale-password, address for brute-force and password-guessing
    start: datetime
    end: datetime
    failures: int
    users: list[str] = Field(default_factory=list)
    addresses: list[str] = Field(default_factory=list)
    nodes: list[str] = Field(default_factory=list)


class LoginMinute(_Model):
    at: datetime
    failed: int = 0
    passed: int = 0


class NodeLogins(_Model):
    node: str
    per_minute: list[LoginMinute] = Field(default_factory=list)


class AuthCell(_Model):
    """Failed logins of one user from one address on one node in one bucket."""

    at: datetime
    user: str
    address: str
    node: str
    failed: int


class SecuritySummary(_Model):
    failed: int = 0
    passed: int = 0
    per_minute_failed: list[MinuteCount] = Field(default_factory=list)
    by_user: list[AuthFailures] = Field(default_factory=list)  # most failures first, top 20
    by_address: list[AuthFailures] = Field(default_factory=list)
    bursts: list[AuthBurst] = Field(default_factory=list)
    per_node: list[NodeLogins] = Field(default_factory=list)
    cells: list[AuthCell] = Field(default_factory=list)  # capped like the burst detection's cells


class ThreadDumpFile(_Model):
    """A thread-dump file given among the logs, as read (redacted): the thread-dump analysis parses it."""

    path: str
    node: str
    text: str
    truncated: bool = False  # larger than the limit: the part read is here


class LogAnalysis(_Model):
    """What the logs of one customer said over one window."""

    customer: str
    since: datetime | None = None  # the window asked for (None: open)
    until: datetime | None = None
    first_at: datetime | None = None  # the events actually seen
    last_at: datetime | None = None
    bucket_s: int = 60  # width of every per-minute series; wider when the span is long
    engine: str  # "hyperscan" or "re": which matcher scanned the application logs
    bytes_read: int = 0
    elapsed_s: float = 0.0
    files: list[LogFileSummary] = Field(default_factory=list)
    nodes: list[str] = Field(default_factory=list)
    signatures: list[SignatureHit] = Field(default_factory=list)  # most severe handled by checks
    levels: list[LevelMinute] = Field(default_factory=list)
    node_levels: list[NodeLevels] = Field(default_factory=list)
    exceptions: list[ExceptionGroup] = Field(default_factory=list)  # top 20 by count
    restarts: list[RestartEvent] = Field(default_factory=list)
    gc: list[GcSummary] | None = None  # None: no GC log was given
    access: list[AccessSummary] | None = None  # None: no access log was given
    security: SecuritySummary | None = None  # None: no security log was given
    # The dumps' text stays out of reports and JSON: what they say is in the thread-dump analysis.
    thread_dumps: list[ThreadDumpFile] = Field(default_factory=list, exclude=True)
    limits_hit: list[str] = Field(default_factory=list)
    history: History | None = None  # the service's earlier figures of these logs (heap floor per node)
