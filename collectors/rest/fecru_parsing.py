"""Fisheye/Crucible payloads -> server info and repository facts.

Two listings exist and both are accepted: the admin API (``/rest-service-fecru/admin/repositories``,
paged ``{"values": [...]}``, with ``enabled`` and, in newer versions, ``started`` or ``state``) and the
older FishEye repositories service (``{"repository": [{"name", "enabled", "repositoryState"}]}``).
"""

from __future__ import annotations

from typing import Any

from collectors.facts.fecru import FecruRepository, RepositoryIndexing
from collectors.model import ServerInfo
from collectors.rest.parsing import ShapeError, _bool, _first, _str, as_object

_LIST_KEYS = ("values", "repository", "repositories", "repoData", "repositoryData")


def parse_server_info(payload: Any) -> ServerInfo:
    """/rest-service-fecru/server-v1: isFishEye, isCrucible, version {releaseNumber, buildDate}."""
    data = as_object(payload, "Fisheye/Crucible server info")
    version_info = _first(data, "version", "versionInfo")
    if isinstance(version_info, dict):
        version = _str(_first(version_info, "releaseNumber", "version"))
        build_date = _str(version_info.get("buildDate"))
    else:
        version = _str(_first(data, "releaseNumber", "version"))
        build_date = _str(data.get("buildDate"))
    if version is None and "isFishEye" not in data and "isCrucible" not in data:
        raise ShapeError("server info has no version, isFishEye or isCrucible")
    products = [name for key, name in (("isFishEye", "Fisheye"), ("isCrucible", "Crucible")) if data.get(key)]
    numbers = [int(p) for p in (version or "").split(".")[:3] if p.isdigit()]
    return ServerInfo(
        version=version,
        version_numbers=numbers,
        build_date=build_date,
        server_title="/".join(products) or None,
    )


def _items(payload: Any) -> list[dict[str, Any]]:
    value = payload
    for _ in range(2):  # {"repositories": {"repoData": [...]}} nests once more
        if isinstance(value, dict):
            value = next((value[k] for k in _LIST_KEYS if isinstance(value.get(k), list | dict)), None)
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        raise ShapeError("expected a list of repositories (under values or repository)")
    return [item for item in value if isinstance(item, dict)]


def _state(item: dict[str, Any], enabled: bool | None) -> str | None:
    state = _str(_first(item, "state", "repositoryState", "status"))
    if state is not None:
        return state.upper()
    if enabled is False:
        return "DISABLED"
    started = _bool(_first(item, "started", "running"))
    if started is None:
        return None
    return "RUNNING" if started else "STOPPED"


def parse_repositories(payload: Any) -> list[FecruRepository]:
    repositories = []
    for item in _items(payload):
        name = _str(_first(item, "name", "key"))
        if name is None:
            raise ShapeError("a repository has no name")
        enabled = _bool(item.get("enabled"))
        repositories.append(
            FecruRepository(
                name=name, type=_str(item.get("type")), enabled=enabled, state=_state(item, enabled)
            )
        )
    return repositories


def is_last_page(payload: Any) -> bool:
    if not isinstance(payload, dict) or "values" not in payload:
        return True
    return _bool(payload.get("lastPage")) is not False


def _percent(value: Any) -> float | None:
    """A progress figure as sent (Fisheye's RepositoryIndexingStatus gives doubles)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        return float(value)
    except ValueError:
        return None


def parse_indexing(payload: Any) -> RepositoryIndexing:
    """indexing-status-v1/status/{repository}: RepositoryIndexingStatus (scanning and indexing
    progress, stopped) plus, where given, a failure flag and message."""
    data = as_object(payload, "repository indexing status")
    fields = ("stopped", "isStopped", "scanningPercentage", "indexingPercentage", "failed", "error")
    if not any(k in data for k in fields):
        raise ShapeError("indexing status has no stopped, scanning or indexing fields")
    message = _str(_first(data, "message", "errorMessage", "lastError", "error"))
    failed = _bool(_first(data, "failed", "isFailed"))
    if failed is None and isinstance(data.get("error"), str):
        failed = bool(data["error"].strip())
    return RepositoryIndexing(
        stopped=_bool(_first(data, "stopped", "isStopped")),
        failed=failed,
        scanning_percent=_percent(_first(data, "scanningPercentage", "scanningPercent")),
        indexing_percent=_percent(_first(data, "indexingPercentage", "indexingPercent")),
        message=message,
    )
