"""The Snapshot: everything one run saw, when and from where.

Collectors produce it, checks read it, bundles store it. Every part is a pydantic model so that a
snapshot round-trips through JSON unchanged: `analyze` on a stored bundle must see exactly what the
live run saw. A field left at ``None`` means "not collected" (the matching call failed or does not
apply); an empty list means "collected, and there was nothing".
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from collectors.facts.bamboo import BambooFacts
from collectors.facts.bitbucket import BitbucketFacts
from collectors.facts.cloud import CloudFacts
from collectors.facts.crowd import CrowdFacts
from collectors.facts.fecru import FecruFacts
from collectors.history_model import History
from collectors.hosts.model import HostSnapshot
from collectors.logs.model import LogAnalysis

# Re-exported: callers take the product enums from the model they describe.
from collectors.products import Deployment as Deployment
from collectors.products import Product as Product

SNAPSHOT_SCHEMA_VERSION = 1


class ErrorKind(StrEnum):
    """Why a call did not give usable data. Checks key their messages on these."""

    CONNECTION_REFUSED = "connection_refused"
    DNS = "dns"
    TLS = "tls"
    TIMEOUT = "timeout"
    CONNECTION = "connection"  # reset, aborted, proxy error: any other transport failure
    UNAUTHORIZED = "unauthorized"  # 401
    FORBIDDEN = "forbidden"  # 403
    NOT_FOUND = "not_found"  # 404
    NOT_CLUSTERED = "not_clustered"  # 405 / "not clustered" answers of cluster endpoints
    RATE_LIMITED = "rate_limited"  # 429 still failing after the allowed Retry-After waits
    SERVER_ERROR = "server_error"  # 5xx
    CLIENT_ERROR = "client_error"  # any other 4xx
    HTML_INSTEAD_OF_JSON = "html_instead_of_json"  # login page, SSO interstitial, proxy page
    MALFORMED_JSON = "malformed_json"
    UNEXPECTED_SHAPE = "unexpected_shape"  # valid JSON, but not the fields we expect
    BUDGET_EXCEEDED = "budget_exceeded"  # the instance's time budget ran out before this call
    RESPONSE_TOO_LARGE = "response_too_large"  # over the size cap, on the wire or decompressed
    CROSS_HOST_REDIRECT = "cross_host_redirect"  # a redirect to another host, not followed


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False)


class CollectionError(_Model):
    """One failed call, recorded as data (DESIGN: failure is data)."""

    call: str  # logical call name, e.g. "status", "license"
    kind: ErrorKind
    message: str  # one line, redacted
    url: str | None = None  # redacted
    status_code: int | None = None
    at: datetime | None = None


class CallRecord(_Model):
    """Timing and outcome of one HTTP call (kept for every call, failed or not)."""

    call: str
    method: str = "GET"
    url: str  # redacted
    started_at: datetime
    elapsed_ms: float
    status_code: int | None = None
    ok: bool
    attempts: int = 1  # > 1 when 429 answers were retried after Retry-After
    retry_after_waited_s: float = 0.0
    error: ErrorKind | None = None


class ProductStatus(_Model):
    """The unauthenticated `/status` answer (Bamboo: `/rest/api/latest/status`)."""

    state: str | None = None  # RUNNING, STARTING, STOPPING, FIRST_RUN, MAINTENANCE, ERROR, PAUSED, ...
    http_status: int | None = None
    raw: dict[str, Any] = Field(default_factory=dict)


class ServerInfo(_Model):
    version: str | None = None
    version_numbers: list[int] = Field(default_factory=list)
    build_number: str | None = None
    build_date: str | None = None
    deployment_type: str | None = None  # as the product says it: "Server", "Cloud", ...
    base_url: str | None = None
    server_title: str | None = None
    server_time: str | None = None


class CurrentUser(_Model):
    """Who the configured credentials authenticate as (proves they work)."""

    authenticated: bool
    username: str | None = None
    display_name: str | None = None
    account_id: str | None = None  # Cloud


class HealthCheckResult(_Model):
    """One ATST (or legacy STP) instance-health status."""

    key: str | None = None  # completeKey
    name: str
    description: str | None = None
    healthy: bool
    failure_reason: str | None = None
    severity: str | None = None  # ATST's own: undefined, minor, warning, major, critical, disabled
    documentation: str | None = None
    tag: str | None = None
    node_id: str | None = None
    application: str | None = None
    time: datetime | None = None


class HealthChecks(_Model):
    source: str  # "troubleshooting" or "supportHealthCheck"
    statuses: list[HealthCheckResult] = Field(default_factory=list)


class License(_Model):
    """One licence: Jira has one per application (Software, Service Management, ...)."""

    application: str  # e.g. "jira-software", "jira-servicedesk", "confluence"
    name: str | None = None  # display name
    license_type: str | None = None  # COMMERCIAL, EVALUATION, ACADEMIC, DEVELOPER, ...
    expiry: datetime | None = None  # None: perpetual (subscription-less) licence
    maintenance_expiry: datetime | None = None
    seats_used: int | None = None
    seats_allowed: int | None = None
    unlimited_seats: bool = False
    valid: bool | None = None
    sen: str | None = None  # support entitlement number (not a secret)


class ClusterNode(_Model):
    node_id: str
    state: str | None = None  # ACTIVE, PASSIVE, ACTIVATING, PASSIVATING, OFFLINE, ...
    alive: bool | None = None
    ip: str | None = None
    version: str | None = None
    build_number: str | None = None
    last_state_change: datetime | None = None


class Cluster(_Model):
    clustered: bool
    nodes: list[ClusterNode] = Field(default_factory=list)


class ReplicationQueue(_Model):
    name: str  # the peer node the queue feeds
    queue_size: int | None = None
    last_consumed_id: int | None = None
    last_consumed_time: datetime | None = None
    last_queued_id: int | None = None
    last_queued_time: datetime | None = None


class IndexSummary(_Model):
    """Jira `/rest/api/2/index/summary` of the node that answered."""

    node_id: str | None = None
    report_time: datetime | None = None
    index_readable: bool | None = None
    count_in_database: int | None = None
    count_in_index: int | None = None
    count_in_archive: int | None = None
    last_updated_in_database: datetime | None = None
    last_updated_in_index: datetime | None = None
    replication_queues: list[ReplicationQueue] = Field(default_factory=list)


class App(_Model):
    """A user-installed app as UPM reports it."""

    key: str
    name: str | None = None
    version: str | None = None
    vendor: str | None = None
    enabled: bool
    user_installed: bool = True
    unloadable: bool = False  # UPM could not load it (failed to start)
    unrecognised_module_types: bool = False
    restart_required: str | None = None  # UPM restartState other than "none"


class InstanceSnapshot(_Model):
    """What was collected from one configured product instance."""

    customer: str
    instance: str
    product: Product
    deployment: Deployment
    url: str  # redacted base URL
    started_at: datetime
    finished_at: datetime
    calls: list[CallRecord] = Field(default_factory=list)
    errors: list[CollectionError] = Field(default_factory=list)

    status: ProductStatus | None = None
    server_info: ServerInfo | None = None
    current_user: CurrentUser | None = None
    health_checks: HealthChecks | None = None
    licenses: list[License] | None = None
    cluster: Cluster | None = None
    index: IndexSummary | None = None
    apps: list[App] | None = None
    bamboo: BambooFacts | None = None
    fecru: FecruFacts | None = None
    cloud: CloudFacts | None = None
    bitbucket: BitbucketFacts | None = None
    crowd: CrowdFacts | None = None
    history: History | None = None  # the service's earlier figures (availability, response, seats)

    def error_for(self, call: str) -> CollectionError | None:
        """The recorded failure of a logical call, if it failed."""
        return next((e for e in self.errors if e.call == call), None)

    def call(self, name: str) -> CallRecord | None:
        return next((c for c in self.calls if c.call == name), None)


class Snapshot(_Model):
    """One run's collection across the configured estate."""

    schema_version: int = SNAPSHOT_SCHEMA_VERSION
    tool_version: str
    started_at: datetime
    finished_at: datetime
    instances: list[InstanceSnapshot] = Field(default_factory=list)
    hosts: list[HostSnapshot] = Field(default_factory=list)  # the machines, over SSH or the agent's own
    logs: list[LogAnalysis] = Field(default_factory=list)  # one per customer whose logs were analysed
    limits_hit: list[str] = Field(default_factory=list)  # budgets that cut collection short

    def customers(self) -> list[str]:
        seen: dict[str, None] = {}
        for inst in self.instances:
            seen.setdefault(inst.customer, None)
        for logs in self.logs:  # a log-only analysis has no instances
            seen.setdefault(logs.customer, None)
        return list(seen)

    def for_customer(self, customer: str) -> list[InstanceSnapshot]:
        return [i for i in self.instances if i.customer == customer]
