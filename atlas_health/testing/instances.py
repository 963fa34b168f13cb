"""Snapshots for check tests: healthy by default, so a test states only what matters.

``instance()`` builds a Jira Data Center instance (or Confluence, with ``product=``) on which every
built-in check passes: RUNNING, authenticated, fast calls, healthy ATST, licences far from expiry and
seats, a two-node cluster, a consistent index, enabled apps, and the newest feature release of the
end-of-life table. Keyword arguments replace whole fields; the small builders below make the parts.
All times hang off ``NOW``, the collection time a check sees as ``ctx.now``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from checks.end_of_life import load_end_of_life
from checks.scopes.instance import FIELD_CALLS
from collectors.model import (
    App,
    CallRecord,
    Cluster,
    ClusterNode,
    CollectionError,
    CurrentUser,
    ErrorKind,
    HealthCheckResult,
    HealthChecks,
    IndexSummary,
    InstanceSnapshot,
    License,
    ProductStatus,
    ReplicationQueue,
    ServerInfo,
    Snapshot,
)
from collectors.products import Deployment, Product

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
CUSTOMER = "acme"

_PATHS = {
    (Product.JIRA, "status"): "/status",
    (Product.JIRA, "server_info"): "/rest/api/2/serverInfo",
    (Product.JIRA, "current_user"): "/rest/api/2/myself",
    (Product.JIRA, "health_checks"): "/rest/troubleshooting/1.0/check",
    (Product.JIRA, "license"): "/rest/plugins/applications/1.0/installed/jira-software/license",
    (Product.JIRA, "cluster"): "/rest/api/2/cluster/nodes",
    (Product.JIRA, "index"): "/rest/api/2/index/summary",
    (Product.JIRA, "apps"): "/rest/plugins/1.0/",
    (Product.CONFLUENCE, "status"): "/status",
    (Product.CONFLUENCE, "server_info"): "/rest/api/server-information",
    (Product.CONFLUENCE, "current_user"): "/rest/api/user/current",
    (Product.CONFLUENCE, "health_checks"): "/rest/troubleshooting/1.0/check",
    (Product.CONFLUENCE, "license"): "/rest/license/1.0/license/details",
    (Product.CONFLUENCE, "cluster"): "/rest/api/cluster/nodes",
    (Product.CONFLUENCE, "apps"): "/rest/plugins/1.0/",
}

BASE_URLS = {Product.JIRA: "https://jira.acme.test", Product.CONFLUENCE: "https://wiki.acme.test"}


def newest_version(product: Product) -> str:
    """The newest feature release in the end-of-life table, as a full version: "11.3.0"."""
    releases = load_end_of_life().releases.get(product.value)
    return f"{releases[-1].version}.0" if releases else "9.0.0"


def call(
    name: str,
    ms: float = 120.0,
    *,
    status_code: int | None = 200,
    product: Product = Product.JIRA,
    at: datetime | None = None,
    **kwargs: Any,
) -> CallRecord:
    path = _PATHS.get((product, name), f"/rest/{name}")
    return CallRecord(
        call=name,
        url=BASE_URLS.get(product, "https://app.acme.test") + path,
        started_at=at or NOW,
        elapsed_ms=ms,
        status_code=status_code,
        ok=status_code is not None and status_code < 400,
        **kwargs,
    )


def error(
    call_name: str,
    kind: ErrorKind,
    message: str | None = None,
    *,
    status_code: int | None = None,
    at: datetime | None = None,
) -> CollectionError:
    return CollectionError(
        call=call_name,
        kind=kind,
        message=message or f"{kind.value.replace('_', ' ')} on {call_name}",
        status_code=status_code,
        at=at or NOW,
    )


def license_(application: str = "jira-software", **kwargs: Any) -> License:
    values: dict[str, Any] = {
        "name": "Jira Software" if application == "jira-software" else application.title(),
        "license_type": "COMMERCIAL",
        "expiry": NOW + timedelta(days=365),
        "maintenance_expiry": NOW + timedelta(days=365),
        "seats_used": 150,
        "seats_allowed": 500,
        "valid": True,
        "sen": "SEN-1234567",
    }
    values.update(kwargs)
    return License(application=application, **values)


def node(node_id: str, **kwargs: Any) -> ClusterNode:
    values: dict[str, Any] = {
        "state": "ACTIVE",
        "alive": True,
        "ip": f"10.0.0.{10 + int(''.join(c for c in node_id if c.isdigit()) or 0)}",
        "version": newest_version(Product.JIRA),
    }
    values.update(kwargs)
    return ClusterNode(node_id=node_id, **values)


def atst(name: str, *, healthy: bool = True, severity: str | None = None, **kwargs: Any) -> HealthCheckResult:
    values: dict[str, Any] = {
        "key": f"com.atlassian.troubleshooting.plugin-jira:{name.lower().replace(' ', '')}",
        "failure_reason": f"{name} is fine." if healthy else f"{name} failed.",
        "severity": severity or ("undefined" if healthy else "major"),
        "time": NOW - timedelta(minutes=5),
    }
    values.update(kwargs)
    return HealthCheckResult(name=name, healthy=healthy, **values)


def app(key: str, **kwargs: Any) -> App:
    values: dict[str, Any] = {
        "name": key.rsplit(".", 1)[-1].title(),
        "version": "1.0.0",
        "vendor": "Acme",
        "enabled": True,
    }
    values.update(kwargs)
    return App(key=key, **values)


def queue(name: str, *, lag_s: float = 0.0, size: int | None = 0) -> ReplicationQueue:
    consumed = NOW - timedelta(seconds=2)
    return ReplicationQueue(
        name=name,
        queue_size=size,
        last_consumed_id=1000,
        last_consumed_time=consumed,
        last_queued_id=1000 + (size or 0),
        last_queued_time=consumed + timedelta(seconds=lag_s),
    )


def index_summary(**kwargs: Any) -> IndexSummary:
    values: dict[str, Any] = {
        "node_id": "node1",
        "report_time": NOW,
        "index_readable": True,
        "count_in_database": 120_720,
        "count_in_index": 120_720,
        "count_in_archive": 0,
        "last_updated_in_database": NOW - timedelta(seconds=3),
        "last_updated_in_index": NOW - timedelta(seconds=3),
        "replication_queues": [queue("node2")],
    }
    values.update(kwargs)
    return IndexSummary(**values)


def _defaults(product: Product, deployment: Deployment) -> dict[str, Any]:
    version = newest_version(product)
    numbers = [int(p) for p in version.split(".")]
    is_jira = product is Product.JIRA
    fields: dict[str, Any] = {
        "status": ProductStatus(state="RUNNING", http_status=200, raw={"state": "RUNNING"}),
        "server_info": ServerInfo(
            version=version,
            version_numbers=numbers,
            build_number="".join(f"{n:02d}" for n in numbers),
            deployment_type="Server",
            base_url=BASE_URLS.get(product, "https://app.acme.test"),
        ),
        "current_user": CurrentUser(authenticated=True, username="svc-health", display_name="Health Agent"),
        "health_checks": HealthChecks(
            source="troubleshooting",
            statuses=[atst("Embedded database"), atst("License Expiry"), atst("Cluster Index Replication")],
        ),
        "licenses": [license_("jira-software" if is_jira else "confluence")],
        "cluster": Cluster(
            clustered=True,
            nodes=[node("node1", version=version), node("node2", version=version)],
        ),
        "index": index_summary() if is_jira else None,
        "apps": [app("com.acme.reports"), app("com.acme.workflows")],
    }
    if deployment is not Deployment.DATACENTER:
        fields["cluster"] = None
        if fields["index"] is not None:
            fields["index"] = index_summary(replication_queues=[])
    if deployment is Deployment.CLOUD:
        fields["health_checks"] = None
    return fields


def instance(
    product: Product = Product.JIRA,
    deployment: Deployment = Deployment.DATACENTER,
    **overrides: Any,
) -> InstanceSnapshot:
    """A healthy instance; ``overrides`` replace whole InstanceSnapshot fields."""
    fields = _defaults(product, deployment)
    # the logical call names the collector records (the licences come from the "license" call)
    collected = [FIELD_CALLS.get(name, name) for name, value in fields.items() if value is not None]
    data: dict[str, Any] = {
        "customer": CUSTOMER,
        "instance": "jira-prod" if product is Product.JIRA else f"{product.value}-prod",
        "product": product,
        "deployment": deployment,
        "url": BASE_URLS.get(product, "https://app.acme.test"),
        "started_at": NOW,
        "finished_at": NOW + timedelta(seconds=4),
        "calls": [call(name, 100.0 + 10 * i, product=product) for i, name in enumerate(collected)],
        "errors": [],
        **fields,
    }
    data.update(overrides)
    return InstanceSnapshot(**data)


def unreachable(
    kind: ErrorKind = ErrorKind.CONNECTION_REFUSED,
    message: str = "Connection refused (jira.acme.test:443)",
    **overrides: Any,
) -> InstanceSnapshot:
    """An instance whose /status failed at the transport level: nothing else was collected."""
    data: dict[str, Any] = {
        "status": None,
        "server_info": None,
        "current_user": None,
        "health_checks": None,
        "licenses": None,
        "cluster": None,
        "index": None,
        "apps": None,
        "calls": [call("status", 15.0, status_code=None, error=kind)],
        "errors": [error("status", kind, message)],
    }
    data.update(overrides)
    return instance(**data)


def snapshot(*instances: InstanceSnapshot) -> Snapshot:
    return Snapshot(
        tool_version="test",
        started_at=NOW,
        finished_at=NOW + timedelta(seconds=5),
        instances=list(instances),
    )
