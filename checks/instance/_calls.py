"""What the collector called and how it went, in the words findings need.

Helpers shared by the instance and Jira checks (no checks here):

- ``source``: the "GET /path" an evidence item cites, taken from the recorded call when there is one
  and from the documented endpoint of the product otherwise;
- ``describe_call``: a human name for a logical call ("the licence", "the index summary");
- ``unreachable``: the transport failure of ``/status`` after which nothing else was called;
- ``aware``, ``day``, ``moment``, ``days_between``: timezone-safe date arithmetic and formatting
  (collectors produce aware datetimes; a naive one is taken as UTC rather than crash a check).
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

from checks.scopes.instance import FIELD_CALLS, TRANSPORT_FAILURES
from collectors.model import CollectionError, InstanceSnapshot
from collectors.products import Product

# Documented endpoints behind the logical calls, per product, for evidence when no call was recorded.
_ENDPOINTS: dict[str, dict[Product | None, str]] = {
    "status": {Product.BAMBOO: "/rest/api/latest/status", None: "/status"},
    "server_info": {
        Product.JIRA: "/rest/api/2/serverInfo",
        Product.CONFLUENCE: "/rest/api/server-information",
        Product.BITBUCKET: "/rest/api/1.0/application-properties",
        Product.BAMBOO: "/rest/api/latest/info",
        Product.CROWD: "/rest/admin/1.0/server-info",
        Product.FECRU: "/rest-service-fecru/server-v1",
    },
    "current_user": {
        Product.JIRA: "/rest/api/2/myself",
        Product.CONFLUENCE: "/rest/api/user/current",
        Product.BITBUCKET: "/rest/api/1.0/application-properties",  # its X-AUSERNAME header
        Product.BAMBOO: "/rest/api/latest/currentUser",
        Product.CROWD: "/rest/admin/1.0/server-info",
    },
    "health_checks": {None: "/rest/troubleshooting/1.0/check"},
    "licenses": {
        Product.JIRA: "/rest/plugins/applications/1.0/installed/jira-software/license",
        Product.CONFLUENCE: "/rest/license/1.0/license/details",
        Product.BITBUCKET: "/rest/api/1.0/admin/license",
    },
    "cluster": {
        Product.JIRA: "/rest/api/2/cluster/nodes",
        Product.CONFLUENCE: "/rest/api/cluster/nodes",
        Product.BITBUCKET: "/rest/api/1.0/admin/cluster",
    },
    "index": {Product.JIRA: "/rest/api/2/index/summary"},
    "apps": {None: "/rest/plugins/1.0/"},
    "bitbucket.index": {None: "/rest/indexing/latest/status"},
    "bitbucket.mail": {None: "/rest/api/1.0/admin/mail-server"},
    "bitbucket.mirrors": {None: "/rest/mirroring/1.0/mirrorServers"},
    "crowd.directories": {None: "/rest/admin/1.0/directory/detailed"},
    "bamboo.server": {None: "/rest/api/latest/server"},
    "bamboo.agents": {None: "/rest/api/latest/agent/remote"},
    "bamboo.queue": {None: "/rest/api/latest/queue?expand=queuedBuilds"},
    "bamboo.deployment_queue": {None: "/rest/api/latest/queue/deployment"},
    "fecru.repositories": {None: "/rest-service-fecru/admin/repositories"},
    "cloud.products": {Product.CONFLUENCE: "/rest/api/settings/systemInfo"},
    "cloud.workspaces": {None: "/2.0/user/permissions/workspaces"},
}

_ALIASES = {"license": "licenses", "licence": "licenses", "health": "health_checks", "nodes": "cluster"}

# Human names for logical calls, used in "Could not read <what>".
_NAMES = {
    "status": "the status endpoint",
    "server_info": "the server info (version and build)",
    "current_user": "the current user",
    "health_checks": "the ATST health checks",
    "licenses": "the licence",
    "cluster": "the cluster nodes",
    "index": "the index summary",
    "apps": "the installed apps",
    "bitbucket.index": "the search index status",
    "bitbucket.mail": "the mail server configuration",
    "bitbucket.mirrors": "the mirrors",
    "crowd.directories": "the directories",
}


def _base_call(call: str) -> str:
    """``license:jira-software`` and ``licenses`` are the same logical call for naming purposes."""
    head = call.split(":", 1)[0].split("/", 1)[0]
    return _ALIASES.get(head, head)


def describe_call(call: str) -> str:
    base = _base_call(call)
    name = _NAMES.get(base)
    if name is None:
        return f"'{call}'"
    qualifier = call.split(":", 1)[1] if ":" in call else ""
    return f"{name} ({qualifier})" if qualifier else name


def _path(url: str, base_url: str) -> str:
    path = urlsplit(url).path or "/"
    base_path = urlsplit(base_url).path.rstrip("/")
    if base_path and path.startswith(base_path + "/"):
        path = path[len(base_path) :]
    return path


def source(inst: InstanceSnapshot, call: str, *, health_source: str | None = None) -> str:
    """The request behind a logical call (or the snapshot field it fills), as evidence cites it:
    ``GET /rest/api/2/index/summary``. The first recorded call of that name wins."""
    call = FIELD_CALLS.get(call, call)
    record = inst.call(call)
    if record is not None:
        return f"{record.method} {_path(record.url, inst.url)}"
    error = inst.error_for(call)
    if error is not None and error.url:
        return f"GET {_path(error.url, inst.url)}"
    base = _base_call(call)
    if base == "health_checks" and health_source == "supportHealthCheck":
        return "GET /rest/supportHealthCheck/1.0/check"
    endpoints = _ENDPOINTS.get(base, {})
    path = endpoints.get(inst.product) or endpoints.get(None)
    return f"GET {path}" if path else f"call '{call}'"


def product_name(inst: InstanceSnapshot) -> str:
    """How people call the product: "Jira", "Confluence"."""
    return inst.product.label


def unreachable(inst: InstanceSnapshot) -> CollectionError | None:
    """The /status transport failure (refused, DNS, TLS, timeout, connection), if there was one."""
    error = inst.error_for("status")
    if error is not None and error.kind in TRANSPORT_FAILURES:
        return error
    return None


def aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def day(moment: datetime) -> str:
    """2026-11-26 (the date in UTC)."""
    return aware(moment).astimezone(UTC).strftime("%Y-%m-%d")


def moment(value: datetime) -> str:
    """2026-11-26 10:00 UTC."""
    return aware(value).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def days_between(start: datetime, end: datetime) -> float:
    """Signed days from start to end (negative when end is earlier)."""
    return (aware(end) - aware(start)).total_seconds() / 86400


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``1 call``, ``3 calls``, ``2 licences``."""
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{count} {word}"
