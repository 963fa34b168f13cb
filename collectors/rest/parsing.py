"""Payload -> model helpers, tolerant of the shape variants seen across product versions.

Each parser takes decoded JSON and returns a model part, or raises ``ShapeError`` when the payload is
valid JSON but not the thing we asked for (a list instead of an object, no recognisable fields).
Missing optional fields are simply ``None``; unparseable dates are ``None``, not errors. Nothing
here redacts: the instance collector redacts the finished snapshot in one pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from collectors.model import (
    App,
    ClusterNode,
    CurrentUser,
    HealthCheckResult,
    HealthChecks,
    IndexSummary,
    License,
    ProductStatus,
    ReplicationQueue,
    ServerInfo,
)

# Epoch values above this are milliseconds (1e11 s is the year 5138; 1e11 ms is 1973).
_EPOCH_MS_THRESHOLD = 100_000_000_000


class ShapeError(ValueError):
    """Valid JSON that is not what the endpoint should answer."""


# --- scalar helpers -------------------------------------------------------------------------------


def parse_time(value: Any) -> datetime | None:
    """Epoch (ms or s, number or digit string) or ISO 8601 -> aware UTC datetime; else None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if text.lstrip("-").isdigit():
            return parse_time(int(text))
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            return None  # e.g. Jira's "10/Jan/24": display strings are not worth guessing
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    if isinstance(value, int | float):
        seconds = value / 1000 if abs(value) >= _EPOCH_MS_THRESHOLD else value
        try:
            return datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    return None


def _str(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    return str(value)


def _int(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def _first(data: Mapping[str, Any], *keys: str) -> Any:
    """The first of ``keys`` present with a non-null value (field names vary across versions)."""
    for key in keys:
        if data.get(key) is not None:
            return data[key]
    return None


def as_object(payload: Any, what: str) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise ShapeError(f"expected a JSON object for {what}, got {_kind(payload)}")
    return payload


def as_items(payload: Any, what: str, *keys: str) -> list[dict[str, Any]]:
    """A list of objects, either the payload itself or under one of ``keys`` (paged wrappers)."""
    items = payload
    if isinstance(payload, dict):
        items = next((payload[k] for k in keys if isinstance(payload.get(k), list)), None)
        if items is None:
            raise ShapeError(f"expected a list for {what} (under {'/'.join(keys)}), got an object")
    if not isinstance(items, list):
        raise ShapeError(f"expected a list for {what}, got {_kind(payload)}")
    return [item for item in items if isinstance(item, dict)]


_KINDS: dict[type, str] = {dict: "an object", list: "a list", str: "a string"}


def _kind(payload: Any) -> str:
    return _KINDS.get(type(payload), type(payload).__name__)


def parse_count(payload: Any, what: str) -> int:
    """Confluence licence counters: {"count": n} (older versions: a bare number)."""
    value = payload.get("count") if isinstance(payload, dict) else payload
    count = _int(value)
    if count is None:
        raise ShapeError(f"expected a count for {what}")
    return count


# --- status, server info, user ---------------------------------------------------------------------


def parse_status(payload: Any, http_status: int | None = None) -> ProductStatus:
    data = as_object(payload, "status")
    state = _str(_first(data, "state", "status"))  # Bamboo charts read "status", the KB says "state"
    if state is None:
        raise ShapeError("status answer has neither 'state' nor 'status'")
    return ProductStatus(state=state, http_status=http_status, raw=data)


def parse_server_info(payload: Any) -> ServerInfo:
    data = as_object(payload, "server info")
    if not any(k in data for k in ("version", "buildNumber", "baseUrl")):
        raise ShapeError("server info has no version, buildNumber or baseUrl")
    numbers = data.get("versionNumbers") or data.get("versions") or []
    return ServerInfo(
        version=_str(data.get("version")),
        version_numbers=[n for n in (_int(v) for v in numbers) if n is not None]
        if isinstance(numbers, list)
        else [],
        build_number=_str(data.get("buildNumber")),
        build_date=_str(data.get("buildDate")),
        deployment_type=_str(data.get("deploymentType")),
        base_url=_str(data.get("baseUrl")),
        server_title=_str(_first(data, "serverTitle", "deploymentTitle")),
        server_time=_str(data.get("serverTime")),
    )


def parse_current_user(payload: Any) -> CurrentUser:
    data = as_object(payload, "current user")
    username = _str(_first(data, "name", "username"))
    account_id = _str(data.get("accountId"))
    # Confluence answers an unauthenticated request with 200 {"type": "anonymous"}.
    anonymous = data.get("type") == "anonymous"
    if not anonymous and username is None and account_id is None and data.get("key") is None:
        raise ShapeError("current user has no name, username, key or accountId")
    return CurrentUser(
        authenticated=not anonymous,
        username=username,
        display_name=_str(data.get("displayName")),
        account_id=account_id,
    )


# --- ATST health checks, UPM apps -----------------------------------------------------------------


def parse_health_checks(payload: Any, source: str) -> HealthChecks:
    statuses = as_items(payload, "health checks", "statuses")
    results = []
    for status in statuses:
        healthy = _bool(_first(status, "isHealthy", "healthy"))
        key = _str(status.get("completeKey"))
        name = _str(status.get("name")) or key
        if healthy is None or name is None:
            raise ShapeError("a health check status has no name or no isHealthy")
        results.append(
            HealthCheckResult(
                key=key,
                name=name,
                description=_str(status.get("description")),
                healthy=healthy,
                failure_reason=_str(status.get("failureReason")),
                severity=_str(status.get("severity")),
                documentation=_str(status.get("documentation")),
                tag=_str(status.get("tag")),
                node_id=_str(status.get("nodeId")),
                application=_str(status.get("application")),
                time=parse_time(status.get("time")),
            )
        )
    return HealthChecks(source=source, statuses=results)


def parse_apps(payload: Any) -> list[App]:
    """User-installed apps only; system plugins are the product's own business."""
    apps = []
    for plugin in as_items(payload, "UPM plugins", "plugins"):
        if _bool(plugin.get("userInstalled")) is not True:
            continue
        key = _str(plugin.get("key"))
        if key is None:
            raise ShapeError("a UPM plugin has no key")
        vendor = plugin.get("vendor")
        restart = _str(plugin.get("restartState"))
        apps.append(
            App(
                key=key,
                name=_str(plugin.get("name")),
                version=_str(plugin.get("version")),
                vendor=_str(vendor.get("name")) if isinstance(vendor, dict) else _str(vendor),
                enabled=_bool(plugin.get("enabled")) is True,
                user_installed=True,
                unloadable=_bool(plugin.get("unloadable")) is True,
                unrecognised_module_types=_bool(plugin.get("unrecognisedModuleTypes")) is True,
                restart_required=None if restart is None or restart.lower() == "none" else restart,
            )
        )
    return apps


# --- licences ---------------------------------------------------------------------------------------


def parse_application_roles(payload: Any) -> list[License]:
    """Jira application roles -> one License per product role with its seats (platform roles skipped)."""
    licenses = []
    for role in as_items(payload, "application roles", "values"):
        if _bool(role.get("platform")) is True:
            continue
        key = _str(role.get("key"))
        if key is None:
            raise ShapeError("an application role has no key")
        seats = _int(role.get("numberOfSeats"))
        unlimited = _bool(role.get("hasUnlimitedSeats")) is True or seats == -1
        licenses.append(
            License(
                application=key,
                name=_str(role.get("name")),
                seats_used=_int(role.get("userCount")),
                seats_allowed=None if unlimited else seats,
                unlimited_seats=unlimited,
            )
        )
    return licenses


def _license_validity(data: Mapping[str, Any]) -> bool | None:
    valid = _bool(data.get("valid"))
    if valid is not None:
        return valid and _bool(data.get("expired")) is not True
    expired = _bool(data.get("expired"))
    return None if expired is None else not expired


def _license_type(data: Mapping[str, Any]) -> str | None:
    kind = _str(data.get("licenseType"))
    if kind is None and _bool(data.get("evaluation")) is True:
        return "EVALUATION"
    return kind


def apply_jira_license(seats: License, payload: Any) -> License:
    """Add a role's licence details (plugins/applications/.../license). rawLicense is never read."""
    data = as_object(payload, "application licence")
    if not any(k in data for k in ("expiryDate", "licenseType", "maximumNumberOfUsers", "valid")):
        raise ShapeError("application licence has no expiryDate, licenseType or maximumNumberOfUsers")
    max_users = _int(data.get("maximumNumberOfUsers"))
    update: dict[str, Any] = {
        "license_type": _license_type(data),
        "expiry": parse_time(data.get("expiryDate")),
        "maintenance_expiry": parse_time(data.get("maintenanceExpiryDate")),
        "valid": _license_validity(data),
        "sen": _str(data.get("supportEntitlementNumber")),
    }
    if seats.seats_allowed is None and not seats.unlimited_seats and max_users is not None:
        update["seats_allowed"] = None if max_users < 0 else max_users
        update["unlimited_seats"] = max_users < 0
    return seats.model_copy(update=update)


def parse_cloud_plans(payload: Any) -> dict[str, str | None]:
    """Jira Cloud /instance/license -> {application id: plan}."""
    apps = as_items(payload, "instance licence", "applications")
    return {str(a["id"]): _str(a.get("plan")) for a in apps if a.get("id") is not None}


def parse_confluence_license(details: Any) -> License:
    """Confluence license/details; seats come from the separate counters (with_confluence_counts)."""
    data = as_object(details, "licence details")
    if not any(k in data for k in ("expiryDate", "licenseType", "maxUsers", "expired")):
        raise ShapeError("licence details have no expiryDate, licenseType or maxUsers")
    max_users = _int(data.get("maxUsers"))
    unlimited = (max_users is not None and max_users < 0) or any(
        _bool(data.get(k)) is True for k in ("unlimitedNumberOfUsers", "unlimitedUsers")
    )
    return License(
        application="confluence",
        name="Confluence",
        license_type=_license_type(data),
        expiry=parse_time(data.get("expiryDate")),
        maintenance_expiry=parse_time(data.get("maintenanceExpiryDate")),
        seats_allowed=None if unlimited else max_users,
        unlimited_seats=unlimited,
        valid=_license_validity(data),
        sen=_str(data.get("supportEntitlementNumber")),
    )


def with_confluence_counts(license: License, users: int | None, max_users: int | None) -> License:
    """Add license/userCount and license/maxUsers (-1: unlimited) to the details."""
    update: dict[str, Any] = {"seats_used": users}
    if max_users is not None:
        unlimited = max_users < 0 or license.unlimited_seats
        update |= {"seats_allowed": None if unlimited else max_users, "unlimited_seats": unlimited}
    return license.model_copy(update=update)


# --- cluster, index ---------------------------------------------------------------------------------


def parse_cluster_nodes(payload: Any) -> list[ClusterNode]:
    """Jira: a bare list; Confluence 9.5+: {"results": [...]}; Confluence ZDU: {"nodes": [...]}."""
    nodes = []
    for node in as_items(payload, "cluster nodes", "results", "nodes", "values"):
        node_id = _str(_first(node, "nodeId", "id", "name"))
        if node_id is None:
            raise ShapeError("a cluster node has no nodeId, id or name")
        nodes.append(
            ClusterNode(
                node_id=node_id,
                state=_str(node.get("state")),
                alive=_bool(node.get("alive")),
                ip=_str(_first(node, "ip", "ipAddress", "address")),
                version=_str(_first(node, "nodeVersion", "version")),
                build_number=_str(_first(node, "nodeBuildNumber", "buildNumber")),
                last_state_change=parse_time(node.get("lastStateChangeTimestamp")),
            )
        )
    return nodes


def parse_index_summary(payload: Any) -> IndexSummary:
    data = as_object(payload, "index summary")
    issue_index = data.get("issueIndex")
    if not isinstance(issue_index, dict):
        raise ShapeError("index summary has no issueIndex object")
    queues = data.get("replicationQueues")
    return IndexSummary(
        node_id=_str(data.get("nodeId")),
        report_time=parse_time(data.get("reportTime")),
        index_readable=_bool(issue_index.get("indexReadable")),
        count_in_database=_int(issue_index.get("countInDatabase")),
        count_in_index=_int(issue_index.get("countInIndex")),
        count_in_archive=_int(issue_index.get("countInArchive")),
        last_updated_in_database=parse_time(issue_index.get("lastUpdatedInDatabase")),
        last_updated_in_index=parse_time(issue_index.get("lastUpdatedInIndex")),
        replication_queues=[
            _replication_queue(name, queue)
            for name, queue in (queues.items() if isinstance(queues, dict) else [])
            if isinstance(queue, dict)
        ],
    )


def _replication_queue(name: str, queue: Mapping[str, Any]) -> ReplicationQueue:
    consumed = queue.get("lastConsumedOperation")
    queued = queue.get("lastOperationInQueue")
    consumed = consumed if isinstance(consumed, dict) else {}
    queued = queued if isinstance(queued, dict) else {}
    return ReplicationQueue(
        name=name,
        queue_size=_int(queue.get("queueSize")),
        last_consumed_id=_int(consumed.get("id")),
        last_consumed_time=parse_time(consumed.get("replicationTime")),
        last_queued_id=_int(queued.get("id")),
        last_queued_time=parse_time(queued.get("replicationTime")),
    )
