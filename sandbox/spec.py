"""How a simulated instance is described: product, shape, and the faults injected into it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from collectors.model import Deployment, Product


class Fault(StrEnum):
    DOWN = "down"  # nothing listens on the port: connection refused
    SLOW = "slow"  # every answer waits `slow_ms` (on top of `latency_ms`)
    UNAUTHORIZED = "unauthorized"  # 401 on every authenticated endpoint
    RATE_LIMITED = "rate_limited"  # 429 + Retry-After for the first `rate_limit_count` REST calls
    SERVER_ERROR = "server_error"  # 500 on every REST endpoint (not /status)
    HTML_LOGIN = "html_login"  # 200 text/html login page on every REST endpoint (SSO / expired session)
    MALFORMED_JSON = "malformed_json"  # 200 application/json with a truncated body on REST endpoints
    TLS_UNTRUSTED = "tls_untrusted"  # served over HTTPS with a self-signed certificate
    LICENSE_EXPIRED = "license_expired"  # licence expired 3 days before now
    LICENSE_EXPIRING = "license_expiring"  # licence expires in 5 days
    SEATS_FULL = "seats_full"  # users at the licence limit
    ATST_FAILING = "atst_failing"  # several ATST checks fail (critical, major, warning)
    ATST_LEGACY_ONLY = "atst_legacy_only"  # only the old /rest/supportHealthCheck/1.0 answers
    INDEX_LAGGING = "index_lagging"  # Jira: index behind the database, replication queue backed up
    NODE_OFFLINE = "node_offline"  # DC: the last node is OFFLINE and not alive
    APP_FAILED = "app_failed"  # one user-installed app disabled, another failed to load
    BITBUCKET_SEATS_NEAR_LIMIT = "bitbucket_seats_near_limit"  # Bitbucket: users at 95 % of the limit
    BITBUCKET_INDEX_DOWN = "bitbucket_index_down"  # Bitbucket: the search server is unavailable (503)
    CROWD_SYNC_FAILED = "crowd_sync_failed"  # Crowd: the LDAP directory's last sync failed, with a message
    CROWD_SYNC_STALE = "crowd_sync_stale"  # Crowd: the LDAP directory last synchronised 3 days ago
    BAMBOO_PAUSED = "bamboo_paused"  # Bamboo: the server is paused (status and server state PAUSED)
    BAMBOO_AGENTS_OFFLINE = "bamboo_agents_offline"  # Bamboo: 4 of the 6 remote agents are offline
    BAMBOO_NO_AGENTS_ONLINE = "bamboo_no_agents_online"  # Bamboo: every remote agent is offline
    BAMBOO_QUEUE_BACKLOG = "bamboo_queue_backlog"  # Bamboo: 40 queued builds, the oldest for 45 minutes
    BAMBOO_LEGACY_STATUS = "bamboo_legacy_status"  # Bamboo: {"status": ...} instead of {"state": ...}
    FECRU_REPO_STOPPED = "fecru_repo_stopped"  # Fisheye/Crucible: a repository stopped, its indexing failed
    # 429s with Atlassian Cloud's headers (Retry-After, X-RateLimit-*, RateLimit-Reason) for the first
    # `rate_limit_count` REST calls, on any deployment
    CLOUD_RATE_LIMITED = "cloud_rate_limited"

    @property
    def product(self) -> Product | None:
        """The product a product fault is for (its value starts with the product's); None: any product."""
        head = self.value.split("_", 1)[0]
        return next((p for p in Product if p.value == head), None)


@dataclass
class InstanceSpec:
    name: str
    product: Product
    deployment: Deployment = Deployment.DATACENTER
    version: str = "9.12.2"
    context_path: str = ""  # e.g. "/confluence": the base URL then ends with it
    nodes: int = 2  # cluster size for Data Center; Server and Cloud are never clustered
    state: str = "RUNNING"  # what /status says: RUNNING, STARTING, MAINTENANCE, ERROR, FIRST_RUN, ...
    faults: set[Fault] = field(default_factory=set)
    latency_ms: int = 0  # added to every answer
    slow_ms: int = 3000  # extra delay under Fault.SLOW
    retry_after_s: int = 1  # Retry-After under Fault.RATE_LIMITED
    rate_limit_count: int = 1  # how many REST calls get a 429 before answers resume; -1 means all
    token: str | None = None  # accepted Bearer token; default derived from the name
    username: str = "svc-health"  # accepted basic-auth user (Cloud: an e-mail address)
    password: str | None = None  # accepted basic-auth password; default derived from the name
    license_days: int = 400  # days from now to licence expiry without a licence fault
    seats_allowed: int = 500
    seats_used: int = 312
    issues: int = 120_720  # Jira: issues in the database
    base_url: str | None = None  # Jira: the baseUrl serverInfo reports; default the real URL

    def accepted_token(self) -> str:
        return self.token or f"sandbox-token-{self.name}"

    def accepted_password(self) -> str:
        return self.password or f"sandbox-password-{self.name}"
