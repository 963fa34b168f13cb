"""A hand-built run for report tests: two customers, a Jira DC cluster, Confluence Cloud, Bitbucket Server.

Acme's findings cover every severity, a node-level finding, a crashed and a timed-out check, a skipped
check and limits hit; Globex is there to prove a report never shows another customer's data.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from checks.finding import Category, Evidence, Finding, Severity, fingerprint
from checks.runner import Analysis, CheckOutcome, OutcomeStatus, sort_findings
from collectors.model import (
    App,
    Cluster,
    ClusterNode,
    CollectionError,
    Deployment,
    ErrorKind,
    InstanceSnapshot,
    License,
    Product,
    ServerInfo,
    Snapshot,
)

CUSTOMER = "Acme Corp & Söhne"
OTHER_CUSTOMER = "Globex"
STARTED = datetime(2025, 3, 4, 12, 0, 0, tzinfo=UTC)
GENERATED = datetime(2025, 3, 4, 12, 5, 30, tzinfo=UTC)
TOOL_VERSION = "0.1.0"


def _at(seconds: float) -> datetime:
    return STARTED + timedelta(seconds=seconds)


def jira_dc() -> InstanceSnapshot:
    return InstanceSnapshot(
        customer=CUSTOMER,
        instance="jira-prod",
        product=Product.JIRA,
        deployment=Deployment.DATACENTER,
        url="https://jira.acme.example",
        started_at=_at(0),
        finished_at=_at(14.2),
        server_info=ServerInfo(
            version="9.12.4",
            version_numbers=[9, 12, 4],
            build_number="9120004",
            deployment_type="Server",
            base_url="https://jira.acme.example",
        ),
        cluster=Cluster(
            clustered=True,
            nodes=[
                ClusterNode(node_id="node1", state="ACTIVE", alive=True, ip="10.0.0.11", version="9.12.4"),
                ClusterNode(node_id="node2", state="ACTIVE", alive=True, ip="10.0.0.12", version="9.12.4"),
                ClusterNode(node_id="node3", state="OFFLINE", alive=False, ip="10.0.0.13", version="9.12.4"),
            ],
        ),
        licenses=[
            License(
                application="jira-software",
                license_type="COMMERCIAL",
                expiry=datetime(2025, 6, 30, tzinfo=UTC),
                seats_used=480,
                seats_allowed=500,
            ),
            License(
                application="jira-servicedesk", license_type="COMMERCIAL", seats_used=20, seats_allowed=25
            ),
        ],
        apps=[
            App(
                key="com.example.timesheets",
                name="Timesheets | Pro",
                version="4.2.1",
                vendor="Example Ltd",
                enabled=True,
            ),
            App(
                key="com.example.diagrams", name="Diagrams", version="1.0.0", vendor="Draw Co", enabled=False
            ),
        ],
    )


def confluence_cloud() -> InstanceSnapshot:
    return InstanceSnapshot(
        customer=CUSTOMER,
        instance="wiki",
        product=Product.CONFLUENCE,
        deployment=Deployment.CLOUD,
        url="https://acme.atlassian.net/wiki",
        started_at=_at(0),
        finished_at=_at(3.5),
        server_info=ServerInfo(
            version="1000.0.0-cloud", deployment_type="Cloud", base_url="https://acme.atlassian.net/wiki"
        ),
        apps=[],
    )


def bitbucket_server() -> InstanceSnapshot:
    return InstanceSnapshot(
        customer=CUSTOMER,
        instance="bitbucket",
        product=Product.BITBUCKET,
        deployment=Deployment.SERVER,
        url="https://git.acme.example",
        started_at=_at(0),
        finished_at=_at(120.0),
        errors=[
            CollectionError(
                call="license", kind=ErrorKind.BUDGET_EXCEEDED, message="instance budget of 120 s exhausted"
            ),
            CollectionError(
                call="apps", kind=ErrorKind.BUDGET_EXCEEDED, message="instance budget of 120 s exhausted"
            ),
        ],
        server_info=ServerInfo(version="8.9.10", build_number="8009010"),
        cluster=Cluster(clustered=False, nodes=[]),
    )


def globex_jira() -> InstanceSnapshot:
    return InstanceSnapshot(
        customer=OTHER_CUSTOMER,
        instance="globex-jira",
        product=Product.JIRA,
        deployment=Deployment.SERVER,
        url="https://jira.globex.example",
        started_at=_at(0),
        finished_at=_at(2),
    )


def snapshot() -> Snapshot:
    return Snapshot(
        tool_version=TOOL_VERSION,
        started_at=STARTED,
        finished_at=_at(121),
        instances=[jira_dc(), confluence_cloud(), bitbucket_server(), globex_jira()],
        limits_hit=[
            "jira-prod: atlassian-jira.log read capped at 50 MiB",
            "globex-jira: secret-project log read capped at 50 MiB",
        ],
    )


def finding(
    check: str,
    severity: Severity,
    target: str,
    title: str,
    message: str,
    *,
    customer: str = CUSTOMER,
    category: Category = Category.AVAILABILITY,
    evidence: list[Evidence] | None = None,
    recommendation: str = "",
    references: list[str] | None = None,
) -> Finding:
    return Finding(
        check=check,
        severity=severity,
        category=category,
        customer=customer,
        target=target,
        title=title,
        message=message,
        evidence=evidence or [],
        recommendation=recommendation,
        references=references or [],
        fingerprint=fingerprint(check, customer, target),
    )


NODE_OFFLINE = finding(
    "jira.cluster.nodes",
    Severity.CRITICAL,
    "jira-prod/node3",
    "Cluster node node3 is offline",
    "node3 has been OFFLINE since 11:42 UTC; the cluster runs on 2 of 3 nodes.",
    evidence=[
        Evidence(label="state", value="OFFLINE", source="GET /rest/api/2/cluster/nodes", time=_at(1.2)),
        Evidence(label="alive", value=False, source="GET /rest/api/2/cluster/nodes", time=_at(1.2)),
    ],
    recommendation="Check the node's logs and restart it, or remove it from the load balancer.",
    references=[
        "https://confluence.atlassian.com/adminjiraserver/jira-data-center-monitoring-952624278.html"
    ],
)
INDEX_BEHIND = finding(
    "jira.index.consistency",
    Severity.CRITICAL,
    "jira-prod",
    "Search index is 12% behind the database",
    "The index holds 105600 issues, the database 120000.\nSearches miss recent issues.",
    category=Category.INTEGRITY,
    evidence=[
        Evidence(
            label="issues in database",
            value=120000,
            source="GET /rest/api/2/index/summary",
            time=datetime(2025, 3, 4, 12, 0, 2, tzinfo=UTC),
        ),
        Evidence(
            label="issues in index",
            value=105600,
            source="GET /rest/api/2/index/summary",
            time=datetime(2025, 3, 4, 12, 0, 2, tzinfo=UTC),
        ),
        Evidence(label="ratio", value=0.88),
    ],
    recommendation="Run a background re-index from Administration > System > Indexing.",
    references=[
        "https://confluence.atlassian.com/jirakb/jira-index-consistency-1234.html",
        "KB-1234 (internal)",
        "javascript:alert(1)",
    ],
)
SEATS = finding(
    "license.seats",
    Severity.WARNING,
    "jira-prod",
    "Jira Software licence 96% used",
    "480 of 500 seats are taken.",
    category=Category.LICENSING,
    evidence=[Evidence(label="seats used", value=480), Evidence(label="seats allowed", value=500)],
    recommendation="Plan a tier upgrade before the next hiring round.",
)
APPS_DISABLED = finding(
    "apps.disabled",
    Severity.WARNING,
    "wiki",
    "1 app is disabled",
    "An app that is installed but disabled still costs licence money.",
    category=Category.CONFIGURATION,
)
CRASHED = finding(
    "license.expiry",
    Severity.UNKNOWN,
    "bitbucket",
    "Licence expiry: check failed",
    "KeyError: 'expiry'",
    category=Category.LICENSING,
    recommendation="This is a defect or a limit of the check, not of the instance: report it with the bundle.",
)
TIMED_OUT = finding(
    "jira.apps.health",
    Severity.UNKNOWN,
    "jira-prod",
    "App health: check timed out",
    "the check did not finish within its 5 s budget",
    category=Category.CONFIGURATION,
)
LTS = finding(
    "product.version.lts",
    Severity.INFO,
    "bitbucket",
    "Bitbucket 8.9.10 is a Long Term Support release",
    "Supported until 2025-11.",
    category=Category.CONFIGURATION,
)
JIRA_UP = finding(
    "product.status", Severity.OK, "jira-prod", "Jira is RUNNING", "GET /status answered RUNNING."
)
WIKI_UP = finding(
    "product.status", Severity.OK, "wiki", "Confluence is RUNNING", "GET /status answered RUNNING."
)
GLOBEX = finding(
    "product.status",
    Severity.CRITICAL,
    "globex-jira",
    "Globex secret outage",
    "down",
    customer=OTHER_CUSTOMER,
)

ACME_FINDINGS = [NODE_OFFLINE, INDEX_BEHIND, SEATS, APPS_DISABLED, CRASHED, TIMED_OUT, LTS, JIRA_UP, WIKI_UP]


def _outcome(
    check: str,
    target: str,
    status: OutcomeStatus = OutcomeStatus.RAN,
    reason: str | None = None,
    customer: str = CUSTOMER,
    findings: int = 1,
) -> CheckOutcome:
    return CheckOutcome(
        check=check, customer=customer, target=target, status=status, reason=reason, findings=findings
    )


def analysis() -> Analysis:
    outcomes = [
        _outcome("product.status", "jira-prod"),
        _outcome("jira.cluster.nodes", "jira-prod"),
        _outcome("jira.index.consistency", "jira-prod"),
        _outcome("license.seats", "jira-prod"),
        _outcome(
            "jira.apps.health",
            "jira-prod",
            OutcomeStatus.TIMED_OUT,
            "the check did not finish within its 5 s budget",
        ),
        _outcome(
            "host.disk.free", "jira-prod", OutcomeStatus.SKIPPED, "no SSH access configured", findings=0
        ),
        _outcome("product.status", "wiki"),
        _outcome("apps.disabled", "wiki"),
        _outcome("license.expiry", "bitbucket", OutcomeStatus.CRASHED, "KeyError: 'expiry'"),
        _outcome("product.version.lts", "bitbucket"),
        _outcome(
            "apps.disabled",
            "bitbucket",
            OutcomeStatus.SKIPPED,
            "apps not collected: instance budget of 120 s exhausted",
            findings=0,
        ),
        _outcome("product.status", "globex-jira", customer=OTHER_CUSTOMER),
    ]
    # Deliberately not sorted: the report must sort.
    return Analysis(findings=[*reversed(ACME_FINDINGS), GLOBEX], outcomes=outcomes)


def sorted_acme_findings() -> list[Finding]:
    return sort_findings(ACME_FINDINGS)
