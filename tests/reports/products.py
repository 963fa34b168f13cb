"""A hand-built run with one instance of every product, each with its own facts, for the product sections.

Jira DC (index and replication queues), Confluence DC (ATST), Bitbucket DC (search index down, mail,
a mirror), Bamboo (paused, agents offline, builds and deployments queued), Crowd (a failed LDAP sync),
Fisheye/Crucible (a stopped repository), Jira Cloud (products, rate limit), Bitbucket Cloud
(workspaces, a 429) and an unreachable Crowd. The values are distinctive so tests can find them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from checks.finding import Severity
from checks.runner import Analysis, CheckOutcome, OutcomeStatus
from collectors.facts.bamboo import (
    BambooAgent,
    BambooFacts,
    BambooQueue,
    BambooServer,
    QueuedBuild,
    QueuedDeployment,
)
from collectors.facts.bitbucket import BitbucketFacts, MailServer, Mirror, SearchIndex
from collectors.facts.cloud import CloudFacts, CloudProduct, CloudWorkspace, RateLimitSeen
from collectors.facts.crowd import CrowdDirectory, CrowdFacts, DirectorySync
from collectors.facts.fecru import FecruFacts, FecruRepository, RepositoryIndexing
from collectors.model import (
    CollectionError,
    CurrentUser,
    Deployment,
    ErrorKind,
    HealthCheckResult,
    HealthChecks,
    IndexSummary,
    InstanceSnapshot,
    Product,
    ProductStatus,
    ReplicationQueue,
    ServerInfo,
    Snapshot,
)
from reports.context import build_health_check
from reports.model import HealthCheckReport
from tests.reports import estate

CUSTOMER = "Initech"
STARTED = datetime(2025, 3, 4, 12, 0, 0, tzinfo=UTC)
SCRIPT = "<script>alert(1)</script>"


def _at(minutes: float) -> datetime:
    return STARTED + timedelta(minutes=minutes)


def _instance(
    name: str,
    product: Product,
    deployment: Deployment = Deployment.DATACENTER,
    *,
    version: str | None = "9.12.4",
    **parts: object,
) -> InstanceSnapshot:
    return InstanceSnapshot(
        customer=CUSTOMER,
        instance=name,
        product=product,
        deployment=deployment,
        url=f"https://{name}.initech.example",
        started_at=STARTED,
        finished_at=_at(0.1),
        status=ProductStatus(state="RUNNING", http_status=200),
        server_info=ServerInfo(version=version) if version else None,
        current_user=CurrentUser(authenticated=True, username="svc-health", display_name="Health Bot"),
        **parts,  # type: ignore[arg-type]
    )


def _atst(*failing: str) -> HealthChecks:
    statuses = [
        HealthCheckResult(name="Database collation", healthy=True),
        HealthCheckResult(name="Cluster cache replication", healthy=True),
    ]
    statuses += [HealthCheckResult(name=name, healthy=False, failure_reason="bad") for name in failing]
    return HealthChecks(source="troubleshooting", statuses=statuses)


def jira() -> InstanceSnapshot:
    return _instance(
        "jira",
        Product.JIRA,
        health_checks=_atst(),
        index=IndexSummary(
            index_readable=True,
            count_in_database=120720,
            count_in_index=118004,
            last_updated_in_database=_at(-1),
            last_updated_in_index=_at(-9),
            replication_queues=[ReplicationQueue(name="node2", queue_size=4321, last_consumed_time=_at(-30))],
        ),
    )


def confluence() -> InstanceSnapshot:
    return _instance("wiki", Product.CONFLUENCE, version="9.2.3", health_checks=_atst("Thread limit"))


def bitbucket() -> InstanceSnapshot:
    return _instance(
        "git",
        Product.BITBUCKET,
        version="9.4.2",
        health_checks=_atst(),
        bitbucket=BitbucketFacts(
            index=SearchIndex(available=False, message="OpenSearch is unreachable at search.initech:9200"),
            mail=MailServer(
                configured=True,
                hostname="smtp.initech.example",
                port=587,
                protocol="SMTP",
                sender_address="bitbucket@initech.example",
            ),
            mirrors=[
                Mirror(
                    id="m-1",
                    name="Mirror Sydney",
                    state="AUTHORIZED",
                    enabled=True,
                    version="9.4.1",
                    last_seen=_at(-2),
                )
            ],
        ),
    )


def bamboo() -> InstanceSnapshot:
    agents = [
        BambooAgent(id=str(i), name=f"agent-{i}", online=i <= 2, enabled=i != 6, busy=i == 1)
        for i in range(1, 7)
    ]
    return _instance(
        "ci",
        Product.BAMBOO,
        version="10.2.1",
        health_checks=_atst(),
        bamboo=BambooFacts(
            server=BambooServer(state="PAUSED", reindex_in_progress=False),
            agents=agents,
            queue=BambooQueue(
                size=40,
                builds=[
                    QueuedBuild(build_result_key="PROJ-PLAN-77", queued_at=_at(-12)),
                    QueuedBuild(build_result_key="PROJ-PLAN-71", queued_at=_at(-45)),
                ],
            ),
            deployment_queue=[QueuedDeployment(version_name="release-3.1", queued_at=_at(-5))],
        ),
    )


def crowd() -> InstanceSnapshot:
    return _instance(
        "sso",
        Product.CROWD,
        version="6.1.2",
        health_checks=_atst(),
        crowd=CrowdFacts(
            directories=[
                CrowdDirectory(name="Crowd internal", type="INTERNAL", active=True, synchronizable=False),
                CrowdDirectory(
                    name="Corporate LDAP",
                    type="CONNECTOR",
                    description="Microsoft Active Directory",
                    active=True,
                    synchronizable=True,
                    last_sync=DirectorySync(
                        state="FAILURE",
                        mode="INCREMENTAL",
                        started_at=_at(-61),
                        finished_at=_at(-60),
                        duration_ms=12345,
                        failure_message=f"LDAP: error code 49 {SCRIPT}",
                    ),
                ),
            ]
        ),
    )


def fecru() -> InstanceSnapshot:
    return _instance(
        "fisheye",
        Product.FECRU,
        version="4.8.15",
        health_checks=_atst(),
        fecru=FecruFacts(
            repositories=[
                FecruRepository(
                    name="alpha",
                    type="git",
                    enabled=True,
                    state="RUNNING",
                    indexing=RepositoryIndexing(indexing_percent=100.0),
                ),
                FecruRepository(
                    name="zeta-legacy",
                    type="svn",
                    enabled=True,
                    state="STOPPED",
                    indexing=RepositoryIndexing(
                        stopped=True, failed=True, message="svn: E170013 Unable to connect"
                    ),
                ),
            ]
        ),
    )


def jira_cloud() -> InstanceSnapshot:
    return _instance(
        "jira-cloud",
        Product.JIRA,
        Deployment.CLOUD,
        version="1001.0.0-SNAPSHOT",
        cloud=CloudFacts(
            products=[
                CloudProduct(key="jira-software", name="Jira Software", plan="PREMIUM", user_count=842)
            ],
            rate_limits=[
                RateLimitSeen(
                    url="https://x/rest/api/3/myself", at=_at(0), status_code=200, limit=100, remaining=93
                ),
                RateLimitSeen(
                    url="https://x/rest/api/3/serverInfo", at=_at(0), status_code=200, limit=100, remaining=37
                ),
            ],
        ),
    )


def bitbucket_cloud() -> InstanceSnapshot:
    return _instance(
        "bitbucket-cloud",
        Product.BITBUCKET,
        Deployment.CLOUD,
        version=None,
        cloud=CloudFacts(
            workspaces=[
                CloudWorkspace(slug="initech-eng", name="Initech Engineering", is_private=True, members=57)
            ],
            rate_limits=[
                RateLimitSeen(
                    url="https://x/2.0/user",
                    at=_at(0),
                    status_code=429,
                    retry_after_s=30,
                    near_limit=True,
                    reason="user rate limit",
                )
            ],
        ),
    )


def crowd_down() -> InstanceSnapshot:
    inst = _instance("sso-dr", Product.CROWD, version=None)
    return inst.model_copy(
        update={
            "status": None,
            "current_user": None,
            "errors": [
                CollectionError(
                    call="status",
                    kind=ErrorKind.CONNECTION_REFUSED,
                    message="connection refused by 127.0.0.1:9",
                )
            ],
        }
    )


def bamboo_unauthorized() -> InstanceSnapshot:
    inst = _instance("ci-old", Product.BAMBOO, version="9.2.1")
    failures = [
        CollectionError(call=call, kind=ErrorKind.UNAUTHORIZED, message="HTTP 401 Unauthorized")
        for call in (
            "health_checks",
            "bamboo.server",
            "bamboo.agents",
            "bamboo.queue",
            "bamboo.deployment_queue",
        )
    ]
    return inst.model_copy(update={"current_user": None, "errors": failures})


def all_products() -> list[InstanceSnapshot]:
    return [
        jira(),
        confluence(),
        bitbucket(),
        bamboo(),
        crowd(),
        fecru(),
        jira_cloud(),
        bitbucket_cloud(),
        crowd_down(),
        bamboo_unauthorized(),
    ]


def report(instances: list[InstanceSnapshot] | None = None) -> HealthCheckReport:
    chosen = all_products() if instances is None else instances
    snapshot = Snapshot(tool_version="0.1.0", started_at=STARTED, finished_at=_at(1), instances=chosen)
    outcomes = [
        CheckOutcome(
            check="instance.status",
            customer=CUSTOMER,
            target=i.instance,
            status=OutcomeStatus.RAN,
            findings=1,
        )
        for i in chosen
    ]
    findings = [
        estate.finding("instance.status", Severity.OK, i.instance, "Up", "Up", customer=CUSTOMER)
        for i in chosen
    ]
    return build_health_check(
        snapshot,
        Analysis(findings=findings, outcomes=outcomes),
        CUSTOMER,
        generated_at=_at(2),
        tz="UTC",
        tool_version="0.1.0",
    )
