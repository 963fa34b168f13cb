"""What an incident investigation concluded: the ``incident`` of a post-incident report.

Every time is timezone-aware UTC, already corrected by each node's measured clock offset where one
was known. Every cause carries the evidence it rests on; every impact figure says whether it was
measured (counted in the evidence) or estimated (extrapolated, or counted from capped tables).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# The closed list of cause classes; ``checks/data/incident_causes.yaml`` explains each.
CauseClass = Literal[
    "jvm-heap-exhausted",
    "gc-thrashing",
    "native-threads-exhausted",
    "fd-exhausted",
    "db-pool-exhausted",
    "db-unreachable",
    "db-slow",
    "disk-full",
    "http-threads-saturated",
    "stuck-requests",
    "directory-unavailable",
    "auth-attack",
    "credential-failure",
    "licence-expired",
    "app-failure",
    "index-corruption",
    "cluster-node-lost",
    "cache-replication",
    "mail-queue",
    "scm-overload",
    "agents-offline",
    "host-oom-killer",
    "host-starvation",
    "clock-skew",
    "proxy-or-network",
    "deploy-or-restart",
]
EventSeverity = Literal["info", "warning", "critical"]
Basis = Literal["measured", "estimated", "unknown"]
ActionType = Literal["prevent", "detect", "mitigate"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IncidentEvidence(_Model):
    """One fact behind a cause: a line, a count or a figure, with where and when it was seen."""

    at: datetime | None
    node: str | None
    source: str  # "application log", "access log", "security log", "gc log", "thread dump", "host", "rest"
    text: str  # redacted; printed as text, never as markup


class IncidentCause(_Model):
    cause: CauseClass
    confidence: float = Field(ge=0.0, le=1.0)
    severity: Literal["warning", "critical"]
    title: str  # the cause class's plain name: "The authentication directory was unreachable"
    summary: str  # this incident's story of it, with its numbers
    explanation: str = ""  # the expert explanation kept with the cause class
    nodes: list[str] = Field(default_factory=list)
    first_seen: datetime | None = None
    evidence: list[IncidentEvidence] = Field(default_factory=list)
    explains: list[str] = Field(default_factory=list)  # the symptoms it accounts for
    references: list[str] = Field(default_factory=list)  # KB articles


class TimelineEvent(_Model):
    """Something that happened, once or as a storm: 5,000 identical errors are one event with a count."""

    at: datetime  # = first
    node: str | None
    source: str
    kind: str  # signature, exception, errors, 5xx, latency, failed-logins, gc, restart, thread-dump, host
    severity: EventSeverity
    summary: str
    count: int = 1
    first: datetime
    last: datetime
    detail: list[str] = Field(default_factory=list)  # sample lines, redacted


class Figure(_Model):
    """One impact figure, and how it was obtained."""

    value: float | None
    unit: str  # "s", "requests", "%", "ms", "users", "nodes"
    basis: Basis
    how: str  # one sentence: counted from what, extrapolated how, or why it is unknown


class Impact(_Model):
    duration_s: Figure
    requests: Figure  # requests served during the window
    baseline_requests: Figure  # what the baseline rate before the window predicts for the same span
    failed_requests: Figure  # 5xx during the window
    baseline_failed_requests: Figure  # 5xx the baseline error rate predicts for the same span
    peak_error_rate: Figure  # highest share of 5xx in one bucket, all nodes together, in %
    p95_ms_before: Figure
    p95_ms_during: Figure
    users_with_errors: Figure  # distinct users (or addresses, for anonymous requests) that got a 5xx
    users_failed_login: Figure  # distinct users with a failed login during the window
    nodes_affected: list[str] = Field(default_factory=list)


class IncidentAction(_Model):
    type: ActionType
    text: str
    verification: str  # how to know it worked
    cause: CauseClass | None = None


class Incident(_Model):
    customer: str
    found: bool  # False: nothing abnormal in the evidence (no window, no cause)
    start: datetime | None = None
    end: datetime | None = None  # None while not recovered by the end of the evidence
    peak: datetime | None = None
    ongoing: bool = False
    window: Literal["given", "found"] = "found"
    evidence_from: datetime | None = None  # the span the evidence covers
    evidence_to: datetime | None = None
    first_signal: datetime | None = None  # the earliest abnormal evidence: start minus this is time to detect
    recovered_at: datetime | None = None  # the first bucket back at baseline after the peak
    nodes: list[str] = Field(default_factory=list)
    causes: list[IncidentCause] = Field(default_factory=list)  # most likely first; empty: nothing found
    timeline: list[TimelineEvent] = Field(default_factory=list)
    impact: Impact | None = None
    actions: list[IncidentAction] = Field(default_factory=list)
    clock_offsets_s: dict[str, float] = Field(default_factory=dict)  # node -> correction applied
    unknowns: list[str] = Field(default_factory=list)  # what the evidence could not tell, and why
