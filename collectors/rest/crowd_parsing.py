"""Crowd payloads -> snapshot parts: the directories and their last synchronisation.

Two shapes are accepted, since no public example of the answer was found:

- Crowd 4.3+ ``/rest/admin/1.0/directory/detailed`` (DetailedDirectoryData in Crowd's javadoc): paged
  ``{"values": [{"id", "displayName", "directoryType", "descriptiveName", "active", "synchronizable",
  "synchronizationData": {"status": SUCCESS|FAILURE|IN_PROGRESS|UNKNOWN, "startDate", "endDate",
  "synchronizationType": FULL|INCREMENTAL}}]}``, or a bare list;
- the synchronisation information of the embedded API (DirectorySynchronisationInformation):
  ``{"name", "type", "active", "synchronisationInformation": {"lastRound": {"startTime", "durationMs",
  "statusKey", "statusParameters"}, "activeRound": {...}}}``.

A failure message is read where either shape carries one; Crowd 7 names the reasons of a round
``fullSyncFailureReason`` and ``incrementalSyncFailureReason``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from collectors.facts.crowd import CrowdDirectory, DirectorySync
from collectors.rest.parsing import ShapeError, _bool, _first, _int, _str, as_items, parse_time

# Directory types Crowd synchronises on a schedule (cached remote directories).
SYNCHRONISED_TYPES = frozenset({"CONNECTOR", "CROWD", "AZURE_AD"})
_MESSAGE_KEYS = (
    "failureReason",
    "fullSyncFailureReason",
    "incrementalSyncFailureReason",
    "errorMessage",
    "statusMessage",
    "message",
)
_SYNC_INFO_KEYS = ("synchronisationInformation", "synchronizationInformation", "syncInfo")


def parse_directories(payload: Any) -> list[CrowdDirectory]:
    directories = []
    for item in as_items(payload, "directories", "values", "directories"):
        name = _str(_first(item, "displayName", "name"))
        if name is None:
            raise ShapeError("a directory has no displayName or name")
        kind = _str(_first(item, "directoryType", "type"))
        sync_info = _first(item, *_SYNC_INFO_KEYS)
        if isinstance(item.get("synchronizationData"), dict):
            last_sync = _detailed_sync(item["synchronizationData"])
        elif isinstance(sync_info, dict):
            last_sync = _round_sync(sync_info)
        else:
            last_sync = None
        synchronizable = _bool(item.get("synchronizable"))
        if synchronizable is None:
            synchronizable = isinstance(sync_info, dict) or (kind or "").upper() in SYNCHRONISED_TYPES
        directories.append(
            CrowdDirectory(
                id=_str(item.get("id")),
                name=name,
                type=kind,
                description=_str(_first(item, "descriptiveName", "description")),
                active=_bool(item.get("active")),
                synchronizable=synchronizable,
                last_sync=last_sync,
            )
        )
    return directories


def _message(*sources: Mapping[str, Any]) -> str | None:
    for source in sources:
        text = _str(_first(source, *_MESSAGE_KEYS))
        if text:
            return text
    return None


def _detailed_sync(data: Mapping[str, Any]) -> DirectorySync | None:
    """synchronizationData: status, startDate, endDate (epoch ms), synchronizationType."""
    state = _str(data.get("status"))
    started = parse_time(data.get("startDate"))
    finished = parse_time(data.get("endDate"))
    if state is None and started is None:
        return None  # the directory was never synchronised
    duration = _int(data.get("durationMs"))
    if duration is None and started is not None and finished is not None:
        duration = int((finished - started) / timedelta(milliseconds=1))
    return DirectorySync(
        state=state.upper() if state else None,
        mode=_str(data.get("synchronizationType")),
        started_at=started,
        finished_at=finished,
        duration_ms=duration,
        failure_message=_message(data),
    )


def _round_state(status_key: str | None) -> str:
    key = (status_key or "").upper()
    if "FAIL" in key:
        return "FAILURE"
    if "ABORT" in key:
        return "ABORTED"
    if "SUCCESS" in key or "COMPLETE" in key or "FINISHED" in key:
        return "SUCCESS"
    return "UNKNOWN"


def _round_sync(info: Mapping[str, Any]) -> DirectorySync | None:
    """{"lastRound": {...}, "activeRound": {...}}: a running round wins over the last finished one."""
    active = info.get("activeRound")
    last = info.get("lastRound")
    if isinstance(active, dict):
        return DirectorySync(state="IN_PROGRESS", started_at=parse_time(active.get("startTime")))
    if not isinstance(last, dict):
        return None
    started = parse_time(last.get("startTime"))
    duration = _int(_first(last, "durationMs", "duration"))
    state = _round_state(_str(last.get("statusKey")))
    message = _message(last)
    parameters = last.get("statusParameters")
    if message is None and state == "FAILURE" and isinstance(parameters, list) and parameters:
        message = "; ".join(str(p) for p in parameters if p is not None) or None
    return DirectorySync(
        state=state,
        mode=_str(_first(last, "synchronisationMode", "mode")),
        started_at=started,
        finished_at=started + timedelta(milliseconds=duration) if started and duration is not None else None,
        duration_ms=duration,
        failure_message=message,
    )
