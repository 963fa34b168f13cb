"""Each instance's own section of the report: the product-specific facts a person wants to read.

``ProductFacts`` sits on every ``TargetSummary`` (``facts``); ``product_facts`` builds it from an
InstanceSnapshot. Only the part of the instance's product (and, on Cloud, the ``cloud`` part) is
filled; the others stay null. A part that was expected but not collected is named in ``unavailable``
with the failure of its call.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, NonNegativeInt

from checks.scopes.instance import TRANSPORT_FAILURES
from collectors.facts.bamboo import BambooQueue, QueuedDeployment
from collectors.facts.cloud import CloudFacts, RateLimitSeen
from collectors.facts.fecru import FecruRepository
from collectors.model import Deployment, InstanceSnapshot, Product


class _Model(BaseModel):
    # The same conventions as reports.model (not imported from there: that module imports this one).
    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_serialization_defaults_required=True)


class HealthCheckTally(_Model):
    """The instance's own ATST health checks (Data Center and Server)."""

    passed: NonNegativeInt = Field(description="Health checks that reported healthy.")
    failing: list[str] = Field(description="Names of the health checks that reported a problem.")


# --- Jira -----------------------------------------------------------------------------------------


class ReplicationQueueFacts(_Model):
    name: str = Field(description="The peer node the queue feeds.")
    queue_size: int | None
    last_consumed_time: AwareDatetime | None


class JiraSection(_Model):
    """Jira's index, from /rest/api/2/index/summary of the node that answered."""

    index_readable: bool | None
    issues_in_database: int | None
    issues_in_index: int | None
    last_updated_in_database: AwareDatetime | None
    last_updated_in_index: AwareDatetime | None
    replication_queues: list[ReplicationQueueFacts] = Field(description="Data Center only; empty on Server.")


# --- Bitbucket ------------------------------------------------------------------------------------


class SearchIndexFacts(_Model):
    available: bool = Field(description="Whether the search server answered.")
    state: str | None = Field(description="IDLE (up to date), INDEXING, ... as Bitbucket says it.")
    message: str | None = Field(description="Bitbucket's explanation when search is unavailable.")


class MailServerFacts(_Model):
    configured: bool
    hostname: str | None
    port: int | None
    protocol: str | None = Field(description="SMTP or SMTPS.")
    sender_address: str | None


class MirrorFacts(_Model):
    name: str = Field(description="The mirror's name, or its id when it has none.")
    state: str | None
    enabled: bool | None
    version: str | None = Field(description="The Bitbucket version the mirror runs.")
    last_seen: AwareDatetime | None = Field(description="The mirror's last contact with the upstream.")


class BitbucketSection(_Model):
    search_index: SearchIndexFacts | None = Field(description="null: not collected (see unavailable).")
    mail_server: MailServerFacts | None = Field(description="null: not collected (see unavailable).")
    mirrors: list[MirrorFacts] | None = Field(
        description="Smart Mirrors; null where mirroring does not apply (Server) or was not collected."
    )


# --- Bamboo ---------------------------------------------------------------------------------------


class AgentTally(_Model):
    """Bamboo's remote agents."""

    total: NonNegativeInt
    online: NonNegativeInt
    offline: NonNegativeInt
    busy: NonNegativeInt = Field(description="Online agents building right now.")
    disabled: NonNegativeInt
    offline_agents: list[str] = Field(description="Names of the offline agents.")


class QueueFacts(_Model):
    """A build or deployment queue and its oldest entry."""

    size: NonNegativeInt = Field(description="How many are queued (the product's own count).")
    oldest: str | None = Field(description="The oldest entry with a queued time (result key or version).")
    oldest_queued_at: AwareDatetime | None = Field(description="null: the answer carries no queued times.")
    oldest_age_minutes: float | None = Field(description="How long the oldest had waited at collection.")


class BambooSection(_Model):
    server_state: str | None = Field(description="RUNNING, PAUSING, PAUSED, ...; null: not collected.")
    reindex_in_progress: bool | None
    agents: AgentTally | None = Field(description="null: not collected (see unavailable).")
    build_queue: QueueFacts | None = Field(description="null: not collected (see unavailable).")
    deployment_queue: QueueFacts | None = Field(description="null: not collected (see unavailable).")


# --- Crowd ----------------------------------------------------------------------------------------


class DirectoryFacts(_Model):
    name: str
    type: str | None = Field(description="INTERNAL, CONNECTOR (LDAP), CROWD, AZURE_AD, DELEGATING, CUSTOM.")
    description: str | None
    active: bool | None
    synchronizable: bool | None = Field(description="A cached remote directory, synchronised on a schedule.")
    sync_state: str | None = Field(description="SUCCESS, FAILURE, ABORTED, IN_PROGRESS; null: never synced.")
    sync_mode: str | None = Field(description="FULL or INCREMENTAL.")
    sync_finished_at: AwareDatetime | None = Field(description="When the last sync ended (or started).")
    sync_duration_s: float | None
    sync_failure: str | None = Field(description="Crowd's reason for a failed sync.")


class CrowdSection(_Model):
    directories: list[DirectoryFacts] | None = Field(description="null: not collected (see unavailable).")


# --- Fisheye/Crucible -----------------------------------------------------------------------------


class RepositoryFacts(_Model):
    name: str
    type: str | None = Field(description="git, svn, hg, p4, cvs.")
    enabled: bool | None
    state: str | None = Field(description="RUNNING, STARTING, STOPPING, STOPPED, DISABLED, UNKNOWN.")
    indexing_stopped: bool | None = Field(description="null: the indexing status was not read.")
    indexing_failed: bool | None
    indexing_percent: float | None
    message: str | None = Field(description="The error Fisheye reports for a failed or stopped scan.")


class FecruSection(_Model):
    repositories: list[RepositoryFacts] | None = Field(
        description="Problems first (stopped, failing, not running), then by name; null: not collected."
    )


# --- Cloud ----------------------------------------------------------------------------------------


class CloudProductFacts(_Model):
    key: str = Field(description="jira-software, jira-servicedesk, confluence, bitbucket, ...")
    name: str | None
    plan: str | None = Field(description="FREE, STANDARD, PREMIUM, ENTERPRISE.")
    user_count: int | None


class WorkspaceFacts(_Model):
    """A Bitbucket Cloud workspace the credentials can see."""

    slug: str
    name: str | None
    private: bool | None
    members: int | None


class RateLimitFacts(_Model):
    """The rate-limit headers the site sent while the agent collected."""

    answers: NonNegativeInt = Field(description="Answers that carried rate-limit headers.")
    limit: int | None = Field(description="X-RateLimit-Limit of the answer with the least headroom.")
    lowest_remaining: int | None = Field(description="The lowest X-RateLimit-Remaining seen.")
    headroom_percent: float | None = Field(description="lowest_remaining as a share of limit.")
    near_limit: bool = Field(description="Whether any answer said X-RateLimit-NearLimit.")
    throttled: NonNegativeInt = Field(description="Answers that were 429 (rate limited).")
    retry_after_s: float | None = Field(description="Retry-After of the last 429.")
    reason: str | None = Field(description="RateLimit-Reason of the last 429.")


class CloudSection(_Model):
    products: list[CloudProductFacts] | None = Field(description="Licensed products; null: not given.")
    workspaces: list[WorkspaceFacts] | None = Field(description="Bitbucket Cloud only.")
    rate_limit: RateLimitFacts | None = Field(description="null: not collected.")


# --- the section ----------------------------------------------------------------------------------


class ProductFacts(_Model):
    """What the instance's product says beyond version and status: its section of the report."""

    state: str | None = Field(description="What /status said (RUNNING, MAINTENANCE, ...); null: no answer.")
    user: str | None = Field(description="Who the configured credentials authenticated as.")
    health_checks: HealthCheckTally | None = Field(description="ATST; null: not collected or not on Cloud.")
    not_collected: str | None = Field(
        description="Why nothing beyond /status was collected (the instance was unreachable); else null."
    )
    unavailable: dict[str, str] = Field(
        description="Parts of this product's section that were not collected, by call name, with why."
    )
    jira: JiraSection | None = None
    bitbucket: BitbucketSection | None = None
    bamboo: BambooSection | None = None
    crowd: CrowdSection | None = None
    fecru: FecruSection | None = None
    cloud: CloudSection | None = Field(default=None, description="Cloud sites only.")


# --- building -------------------------------------------------------------------------------------

# The parts each product's section shows, as dotted snapshot fields (their call names).
_PARTS: dict[Product, tuple[str, ...]] = {
    Product.JIRA: ("index",),
    Product.CONFLUENCE: (),
    Product.BITBUCKET: ("bitbucket.index", "bitbucket.mail", "bitbucket.mirrors"),
    Product.BAMBOO: ("bamboo.server", "bamboo.agents", "bamboo.queue", "bamboo.deployment_queue"),
    Product.CROWD: ("crowd.directories",),
    Product.FECRU: ("fecru.repositories",),
}
_CLOUD_PARTS: dict[Product, tuple[str, ...]] = {Product.BITBUCKET: ("cloud.workspaces",)}
_SERVER_PARTS = ("health_checks",)
NOT_GIVEN = "not given by this product or deployment"
# Calls whose failure leaves a part empty, where they differ from the part's own name.
_CALLS = {"cloud.products": ("cloud.products", "license")}
# Parts that are simply absent, without an error, where they do not apply (mirrors on Server).
_OPTIONAL = frozenset({"bitbucket.mirrors"})


def product_facts(inst: InstanceSnapshot, zone: ZoneInfo) -> ProductFacts:
    """The section of ``inst``, every timestamp in ``zone``."""
    cloud = inst.deployment is Deployment.CLOUD
    status_error = inst.error_for("status")
    unreachable = status_error is not None and status_error.kind in TRANSPORT_FAILURES
    user = inst.current_user
    checks = inst.health_checks
    if cloud:
        parts = _CLOUD_PARTS.get(inst.product, ("cloud.products",))
    else:
        parts = (*_SERVER_PARTS, *_PARTS[inst.product])
    unavailable = {} if unreachable else _unavailable(inst, parts)
    return ProductFacts(
        state=inst.status.state if inst.status else None,
        user=(user.display_name or user.username or user.account_id) if user and user.authenticated else None,
        health_checks=None
        if checks is None
        else HealthCheckTally(
            passed=sum(1 for s in checks.statuses if s.healthy),
            failing=[s.name for s in checks.statuses if not s.healthy],
        ),
        not_collected=f"the instance was unreachable ({status_error.message})"
        if unreachable and status_error is not None
        else None,
        unavailable=unavailable,
        jira=_jira(inst, zone) if inst.product is Product.JIRA and not cloud else None,
        bitbucket=_bitbucket(inst, zone) if inst.product is Product.BITBUCKET and not cloud else None,
        bamboo=_bamboo(inst, zone) if inst.product is Product.BAMBOO else None,
        crowd=_crowd(inst, zone) if inst.product is Product.CROWD else None,
        fecru=_fecru(inst) if inst.product is Product.FECRU else None,
        cloud=_cloud(inst.cloud) if cloud else None,
    )


def _lookup(inst: InstanceSnapshot, part: str) -> object | None:
    value: object | None = inst
    for name in part.split("."):
        value = getattr(value, name, None)
    return value


def _unavailable(inst: InstanceSnapshot, parts: tuple[str, ...]) -> dict[str, str]:
    """The parts left empty, each with the failure of its call, worded for the report."""
    missing = {}
    for part in parts:
        if _lookup(inst, part) is not None:
            continue
        error = next((e for c in _CALLS.get(part, (part,)) if (e := inst.error_for(c)) is not None), None)
        if error is not None:
            missing[part] = f"not collected: {error.message}"
        elif part not in _OPTIONAL:
            missing[part] = NOT_GIVEN
    return missing


def _local(moment: datetime | None, zone: ZoneInfo) -> datetime | None:
    """``moment`` in the report's zone; a naive time from a collector is taken as UTC."""
    if moment is None:
        return None
    if moment.tzinfo is None or moment.utcoffset() is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone)


def _minutes_since(moment: datetime, now: datetime) -> float:
    return round(max(0.0, (_aware(now) - _aware(moment)).total_seconds() / 60), 1)


_Queued = TypeVar("_Queued")


def _first_queued(
    items: Sequence[_Queued], queued_at: Callable[[_Queued], datetime | None]
) -> _Queued | None:
    """The item that has waited longest, of those that say when they were queued."""
    timed = [(_aware(at), item) for item in items if (at := queued_at(item)) is not None]
    return min(timed, key=lambda pair: pair[0])[1] if timed else None


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _jira(inst: InstanceSnapshot, zone: ZoneInfo) -> JiraSection | None:
    index = inst.index
    if index is None:
        return None
    return JiraSection(
        index_readable=index.index_readable,
        issues_in_database=index.count_in_database,
        issues_in_index=index.count_in_index,
        last_updated_in_database=_local(index.last_updated_in_database, zone),
        last_updated_in_index=_local(index.last_updated_in_index, zone),
        replication_queues=[
            ReplicationQueueFacts(
                name=q.name, queue_size=q.queue_size, last_consumed_time=_local(q.last_consumed_time, zone)
            )
            for q in index.replication_queues
        ],
    )


def _bitbucket(inst: InstanceSnapshot, zone: ZoneInfo) -> BitbucketSection:
    facts = inst.bitbucket
    index = facts.index if facts else None
    mail = facts.mail if facts else None
    mirrors = facts.mirrors if facts else None
    return BitbucketSection(
        search_index=None
        if index is None
        else SearchIndexFacts(available=index.available, state=index.state, message=index.message),
        mail_server=None
        if mail is None
        else MailServerFacts(
            configured=mail.configured,
            hostname=mail.hostname,
            port=mail.port,
            protocol=mail.protocol,
            sender_address=mail.sender_address,
        ),
        mirrors=None
        if mirrors is None
        else [
            MirrorFacts(
                name=m.name or m.id,
                state=m.state,
                enabled=m.enabled,
                version=m.version,
                last_seen=_local(m.last_seen, zone),
            )
            for m in mirrors
        ],
    )


def _bamboo(inst: InstanceSnapshot, zone: ZoneInfo) -> BambooSection:
    facts = inst.bamboo
    server = facts.server if facts else None
    agents = facts.agents if facts else None
    tally = None
    if agents is not None:
        offline = [a for a in agents if not a.online]
        tally = AgentTally(
            total=len(agents),
            online=len(agents) - len(offline),
            offline=len(offline),
            busy=sum(1 for a in agents if a.online and a.busy),
            disabled=sum(1 for a in agents if a.enabled is False),
            offline_agents=[a.name or a.id for a in offline],
        )
    return BambooSection(
        server_state=server.state if server else None,
        reindex_in_progress=server.reindex_in_progress if server else None,
        agents=tally,
        build_queue=_build_queue(facts.queue if facts else None, inst.started_at, zone),
        deployment_queue=_deployment_queue(facts.deployment_queue if facts else None, inst.started_at, zone),
    )


def _build_queue(queue: BambooQueue | None, now: datetime, zone: ZoneInfo) -> QueueFacts | None:
    if queue is None:
        return None
    oldest = _first_queued(queue.builds, lambda b: b.queued_at)
    return QueueFacts(
        size=max(queue.size, len(queue.builds)),
        oldest=(oldest.build_result_key or oldest.plan_key) if oldest else None,
        oldest_queued_at=_local(oldest.queued_at, zone) if oldest else None,
        oldest_age_minutes=_minutes_since(oldest.queued_at, now) if oldest and oldest.queued_at else None,
    )


def _deployment_queue(
    queue: list[QueuedDeployment] | None, now: datetime, zone: ZoneInfo
) -> QueueFacts | None:
    if queue is None:
        return None
    oldest = _first_queued(queue, lambda d: d.queued_at)
    return QueueFacts(
        size=len(queue),
        oldest=(oldest.version_name or oldest.deployment_result_id) if oldest else None,
        oldest_queued_at=_local(oldest.queued_at, zone) if oldest else None,
        oldest_age_minutes=_minutes_since(oldest.queued_at, now) if oldest and oldest.queued_at else None,
    )


def _crowd(inst: InstanceSnapshot, zone: ZoneInfo) -> CrowdSection:
    directories = inst.crowd.directories if inst.crowd else None
    if directories is None:
        return CrowdSection(directories=None)
    listed = []
    for d in directories:
        sync = d.last_sync
        listed.append(
            DirectoryFacts(
                name=d.name,
                type=d.type,
                description=d.description,
                active=d.active,
                synchronizable=d.synchronizable,
                sync_state=sync.state if sync else None,
                sync_mode=sync.mode if sync else None,
                sync_finished_at=_local((sync.finished_at or sync.started_at) if sync else None, zone),
                sync_duration_s=round(sync.duration_ms / 1000, 1)
                if sync and sync.duration_ms is not None
                else None,
                sync_failure=sync.failure_message if sync else None,
            )
        )
    return CrowdSection(directories=listed)


def _repository_has_problem(repo: FecruRepository) -> bool:
    indexing = repo.indexing
    stopped = repo.enabled is not False and (repo.state or "RUNNING").upper() not in ("RUNNING", "DISABLED")
    return stopped or bool(indexing and (indexing.stopped or indexing.failed))


def _fecru(inst: InstanceSnapshot) -> FecruSection:
    repositories = inst.fecru.repositories if inst.fecru else None
    if repositories is None:
        return FecruSection(repositories=None)
    ordered = sorted(repositories, key=lambda r: (not _repository_has_problem(r), r.name.casefold(), r.name))
    return FecruSection(
        repositories=[
            RepositoryFacts(
                name=r.name,
                type=r.type,
                enabled=r.enabled,
                state=r.state,
                indexing_stopped=r.indexing.stopped if r.indexing else None,
                indexing_failed=r.indexing.failed if r.indexing else None,
                indexing_percent=r.indexing.indexing_percent if r.indexing else None,
                message=r.indexing.message if r.indexing else None,
            )
            for r in ordered
        ]
    )


def _headroom(seen: RateLimitSeen) -> float | None:
    if seen.remaining is None or not seen.limit:
        return None
    return 100 * seen.remaining / seen.limit


def _rate_limit(seen: list[RateLimitSeen] | None) -> RateLimitFacts | None:
    if seen is None:
        return None
    throttled = [s for s in seen if s.status_code == 429]
    last = throttled[-1] if throttled else None
    with_share = [s for s in seen if _headroom(s) is not None]
    lowest = min(with_share, key=lambda s: (_headroom(s), s.at), default=None)
    limited = [s for s in seen if s.limit is not None]
    return RateLimitFacts(
        answers=len(seen),
        limit=lowest.limit if lowest else (limited[0].limit if limited else None),
        lowest_remaining=lowest.remaining if lowest else None,
        headroom_percent=round(_headroom(lowest) or 0.0, 1) if lowest else None,
        near_limit=any(s.near_limit for s in seen),
        throttled=len(throttled),
        retry_after_s=last.retry_after_s if last else None,
        reason=last.reason if last else None,
    )


def _cloud(facts: CloudFacts | None) -> CloudSection:
    if facts is None:
        return CloudSection(products=None, workspaces=None, rate_limit=None)
    return CloudSection(
        products=None
        if facts.products is None
        else [
            CloudProductFacts(key=p.key, name=p.name, plan=p.plan, user_count=p.user_count)
            for p in facts.products
        ],
        workspaces=None
        if facts.workspaces is None
        else [
            WorkspaceFacts(slug=w.slug, name=w.name, private=w.is_private, members=w.members)
            for w in facts.workspaces
        ],
        rate_limit=_rate_limit(facts.rate_limits),
    )
