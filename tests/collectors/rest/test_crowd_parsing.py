"""Crowd directory payloads -> facts, for both shapes the collector accepts (no public example exists)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from collectors.rest.crowd_parsing import parse_directories
from collectors.rest.parsing import ShapeError

START = 1_790_000_000_000  # epoch ms
AT = datetime.fromtimestamp(START / 1000, UTC)


def detailed(**sync: object) -> dict[str, object]:
    """Crowd 4.3+ DetailedDirectoryData."""
    return {
        "id": 98305,
        "displayName": "Corporate LDAP",
        "directoryType": "CONNECTOR",
        "descriptiveName": "Microsoft Active Directory",
        "active": True,
        "synchronizable": True,
        "synchronizationData": {
            "status": "SUCCESS", "startDate": START, "endDate": START + 42_000, "synchronizationType": "FULL",
            **sync,
        },
    }  # fmt: skip


def test_detailed_shape_paged_or_bare():
    for payload in ({"values": [detailed()], "isLastPage": True}, [detailed()]):
        (directory,) = parse_directories(payload)
        assert (directory.id, directory.name, directory.type, directory.active) == (
            "98305",
            "Corporate LDAP",
            "CONNECTOR",
            True,
        )
        sync = directory.last_sync
        assert sync is not None
        assert (sync.state, sync.mode, sync.started_at, sync.duration_ms) == ("SUCCESS", "FULL", AT, 42_000)
        assert sync.failure_message is None


def test_detailed_failure_reads_any_known_reason_key():
    for key in ("failureReason", "fullSyncFailureReason", "incrementalSyncFailureReason"):
        (directory,) = parse_directories([detailed(status="failure", **{key: "LDAP: error code 49"})])
        assert directory.last_sync is not None
        assert (directory.last_sync.state, directory.last_sync.failure_message) == (
            "FAILURE",
            "LDAP: error code 49",
        )


def test_detailed_never_synchronised_and_in_progress():
    never = detailed()
    never["synchronizationData"] = {"status": None, "startDate": None, "endDate": None}
    assert parse_directories([never])[0].last_sync is None
    running = parse_directories([detailed(status="IN_PROGRESS", endDate=None)])[0].last_sync
    assert running is not None and (running.state, running.finished_at, running.duration_ms) == (
        "IN_PROGRESS",
        None,
        None,
    )


def test_internal_directory_without_sync_data():
    internal = {"id": 1, "displayName": "Internal", "directoryType": "INTERNAL", "active": True,
                "synchronizable": False, "synchronizationData": None}  # fmt: skip
    (directory,) = parse_directories({"values": [internal]})
    assert (directory.synchronizable, directory.last_sync) == (False, None)


def rounds(**last: object) -> dict[str, object]:
    """The embedded API's DirectorySynchronisationInformation around a directory."""
    return {
        "name": "Corporate LDAP",
        "type": "CONNECTOR",
        "active": True,
        "synchronisationInformation": {
            "lastRound": {
                "startTime": START,
                "durationMs": 42_000,
                "statusKey": "SUCCESS_INCREMENTAL",
                **last,
            },
            "activeRound": None,
        },
    }


def test_rounds_shape_success():
    (directory,) = parse_directories({"directories": [rounds()]})
    assert directory.synchronizable is True  # it has sync information
    sync = directory.last_sync
    assert sync is not None and (sync.state, sync.started_at, sync.duration_ms) == ("SUCCESS", AT, 42_000)
    assert sync.finished_at == datetime.fromtimestamp((START + 42_000) / 1000, UTC)


@pytest.mark.parametrize(
    ("key", "state"),
    [
        ("FAILURE", "FAILURE"),
        ("directory.caching.sync.failure", "FAILURE"),
        ("ABORTED", "ABORTED"),
        ("directory.caching.sync.completed.FULL", "SUCCESS"),
        ("STARTED", "UNKNOWN"),
    ],
)
def test_rounds_status_keys(key, state):
    sync = parse_directories([rounds(statusKey=key)])[0].last_sync
    assert sync is not None and sync.state == state


def test_rounds_failure_message_from_reason_or_parameters():
    with_reason = parse_directories([rounds(statusKey="FAILURE", incrementalSyncFailureReason="timeout")])
    assert with_reason[0].last_sync is not None and with_reason[0].last_sync.failure_message == "timeout"
    with_parameters = parse_directories(
        [rounds(statusKey="FAILURE", statusParameters=["Connection refused"])]
    )
    assert with_parameters[0].last_sync is not None
    assert with_parameters[0].last_sync.failure_message == "Connection refused"


def test_rounds_active_round_wins():
    payload = rounds()
    payload["synchronisationInformation"]["activeRound"] = {"startTime": START}  # type: ignore[index]
    sync = parse_directories([payload])[0].last_sync
    assert sync is not None and (sync.state, sync.started_at) == ("IN_PROGRESS", AT)


def test_type_decides_synchronizable_when_nothing_else_does():
    assert parse_directories([{"name": "Remote", "type": "CROWD"}])[0].synchronizable is True
    assert parse_directories([{"name": "Local", "type": "INTERNAL"}])[0].synchronizable is False


@pytest.mark.parametrize("payload", [{"values": [{"id": 1}]}, {"errors": []}, "nope"])
def test_not_directories(payload):
    with pytest.raises(ShapeError):
        parse_directories(payload)
