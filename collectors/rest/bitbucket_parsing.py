"""Bitbucket (Server / Data Center) payloads -> snapshot parts.

Shapes follow Bitbucket's REST API (application-properties, admin/license, admin/cluster, the rolling
upgrade resource /rest/zdu/cluster, admin/mail-server, mirroring's mirrorServers) and the search plugin's
/rest/indexing/latest/status ({"status": "IDLE" | "INDEXING"}); fields that vary are read tolerantly.
The licence's own key (the "license" field) is never read.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from collectors.facts.bitbucket import MailServer, Mirror, SearchIndex
from collectors.model import ClusterNode, CurrentUser, License, ServerInfo
from collectors.rest.parsing import (
    ShapeError,
    _bool,
    _first,
    _int,
    _str,
    as_items,
    as_object,
    parse_cluster_nodes,
    parse_time,
)

USER_HEADER = "X-AUSERNAME"  # set by Bitbucket on every authenticated answer; absent when anonymous
# Index states that mean the search server cannot be used (the documented ones are IDLE and INDEXING).
_INDEX_DOWN_STATES = frozenset({"UNAVAILABLE", "ERROR", "FAILED", "DOWN", "DISCONNECTED"})


def _version_numbers(version: str | None) -> list[int]:
    match = re.match(r"^\s*(\d+)\.(\d+)(?:\.(\d+))?", version or "")
    return [int(n) for n in match.groups() if n is not None] if match else []


def parse_application_properties(payload: Any) -> ServerInfo:
    """{"version", "buildNumber", "buildDate", "displayName"}; it answers anonymously."""
    data = as_object(payload, "application properties")
    version = _str(data.get("version"))
    if version is None and data.get("buildNumber") is None:
        raise ShapeError("application properties have no version or buildNumber")
    return ServerInfo(
        version=version,
        version_numbers=_version_numbers(version),
        build_number=_str(data.get("buildNumber")),
        build_date=_str(data.get("buildDate")),
        server_title=_str(data.get("displayName")),
    )


def current_user_from(headers: Mapping[str, str]) -> CurrentUser:
    """Who Bitbucket says the request ran as. Without X-AUSERNAME the request counted as anonymous.

    Bitbucket has no "myself" resource, and its applinks whoami servlet stopped naming the owner of a
    personal access token (8.19.14+), so the header of an answer is what names the user.
    """
    username = headers.get(USER_HEADER)
    if not username:
        return CurrentUser(authenticated=False)
    return CurrentUser(authenticated=True, username=username)


def parse_license(payload: Any) -> list[License]:
    """admin/license: expiry, maintenance expiry, users against the limit (status.currentNumberOfUsers)."""
    data = as_object(payload, "licence")
    if not any(k in data for k in ("expiryDate", "maintenanceExpiryDate", "maximumNumberOfUsers", "status")):
        raise ShapeError("licence has no expiryDate, maintenanceExpiryDate, maximumNumberOfUsers or status")
    status = found if isinstance(found := data.get("status"), dict) else {}
    max_users = _int(data.get("maximumNumberOfUsers"))
    unlimited = _bool(data.get("unlimitedNumberOfUsers")) is True or (max_users is not None and max_users < 0)
    days_left = _int(data.get("numberOfDaysBeforeExpiry"))
    expiry = parse_time(data.get("expiryDate"))
    valid = None if expiry is None and days_left is None else (days_left is None or days_left > 0)
    return [
        License(
            application="bitbucket",
            name="Bitbucket",
            license_type=_str(_first(data, "licenseType", "type")),
            expiry=expiry,
            maintenance_expiry=parse_time(data.get("maintenanceExpiryDate")),
            seats_used=_int(_first(status, "currentNumberOfUsers", "numberOfUsers")),
            seats_allowed=None if unlimited else max_users,
            unlimited_seats=unlimited,
            valid=valid,
            sen=_str(data.get("supportEntitlementNumber")),
        )
    ]


def parse_zdu_nodes(payload: Any) -> list[ClusterNode]:
    """/rest/zdu/cluster: {"state", "nodes": [{"id", "name", "ipAddress", "state", "version", ...}]}.

    Node states: STARTING, ACTIVE, DRAINING, TERMINATING, OFFLINE, ERROR.
    """
    data = as_object(payload, "rolling upgrade cluster")
    if not isinstance(data.get("nodes"), list):
        raise ShapeError("rolling upgrade cluster has no nodes list")
    return parse_cluster_nodes(data)


def parse_admin_cluster(payload: Any) -> list[ClusterNode]:
    """admin/cluster: {"localNode", "nodes": [{"id", "name", "address": {"hostName"}, ...}], "running"}.

    It lists the nodes connected to the cluster, without a state: a listed node is alive; a node that is
    down is simply missing (the rolling upgrade resource, asked first, names it).
    """
    data = as_object(payload, "cluster")
    nodes = data.get("nodes")
    if not isinstance(nodes, list):
        local = data.get("localNode")
        nodes = [local] if isinstance(local, dict) else None
    if nodes is None:
        raise ShapeError("cluster has neither nodes nor localNode")
    parsed = []
    for node in (n for n in nodes if isinstance(n, dict)):
        node_id = _str(_first(node, "id", "name"))
        if node_id is None:
            raise ShapeError("a cluster node has no id or name")
        address = found if isinstance(found := node.get("address"), dict) else {}
        parsed.append(
            ClusterNode(
                node_id=node_id,
                alive=True,
                ip=_str(_first(address, "hostName", "address")),
                version=_str(_first(node, "buildVersion", "version")),
            )
        )
    return parsed


def parse_index_status(payload: Any) -> SearchIndex:
    data = as_object(payload, "search index status")
    state = _str(_first(data, "status", "state"))
    available = _bool(_first(data, "available", "healthy"))
    if state is None and available is None:
        raise ShapeError("search index status has neither 'status' nor 'available'")
    if available is None:
        available = (state or "").upper() not in _INDEX_DOWN_STATES
    return SearchIndex(available=available, state=state, message=_str(data.get("message")), http_status=200)


def index_unavailable(payload: Any, http_status: int) -> SearchIndex:
    """A JSON error answer of the index resource: the search server is down, in the product's words."""
    messages = []
    if isinstance(payload, dict):
        errors = payload.get("errors")
        if isinstance(errors, list):
            messages = [str(e["message"]) for e in errors if isinstance(e, dict) and e.get("message")]
        elif isinstance(payload.get("message"), str):
            messages = [payload["message"]]
    return SearchIndex(available=False, message="; ".join(messages) or None, http_status=http_status)


def parse_mail_server(payload: Any) -> MailServer:
    """The mail configuration; its password is never read."""
    data = as_object(payload, "mail server")
    hostname = _str(_first(data, "hostname", "host"))
    return MailServer(
        configured=hostname is not None,
        hostname=hostname,
        port=_int(data.get("port")),
        protocol=_str(data.get("protocol")),
        sender_address=_str(_first(data, "senderAddress", "sender")),
    )


def parse_mirrors(payload: Any) -> list[Mirror]:
    """mirrorServers (paged {"values": [...]}): id, name, baseUrl, enabled, lastSeenDate, ..."""
    mirrors = []
    for item in as_items(payload, "mirror servers", "values"):
        mirror_id = _str(_first(item, "id", "name"))
        if mirror_id is None:
            raise ShapeError("a mirror server has no id or name")
        mirrors.append(
            Mirror(
                id=mirror_id,
                name=_str(item.get("name")),
                base_url=_str(item.get("baseUrl")),
                enabled=_bool(item.get("enabled")),
                state=_str(_first(item, "state", "status")),
                mirror_type=_str(item.get("mirrorType")),
                version=_str(_first(item, "productVersion", "version")),
                last_seen=parse_time(item.get("lastSeenDate")),
            )
        )
    return mirrors
