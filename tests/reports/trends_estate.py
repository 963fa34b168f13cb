"""A run the service made with history attached: a host whose /data fills steadily (and was cleaned
up once), an instance whose response time and seats grow; each with 14 daily earlier runs."""

from __future__ import annotations

from datetime import timedelta

from collectors.history_model import (
    DISK_SIZE,
    DISK_USED,
    RESPONSE_MS,
    SEATS_ALLOWED,
    SEATS_USED,
    History,
    MetricPoint,
    MetricSeries,
)
from collectors.hosts.model import Filesystem, HostSnapshot
from collectors.model import CallRecord, License, Snapshot
from tests.reports import estate

GIB = 1024**3
DAYS = 14
SIZE = 500 * GIB
DATA_NOW = 300 * GIB  # grows 5 GiB a day
SEATS_NOW = 480


def _series(metric: str, key: str, value_days_ago: list[tuple[int, float]]) -> MetricSeries:
    return MetricSeries(
        metric=metric,
        key=key,
        points=[MetricPoint(at=estate.STARTED - timedelta(days=d), value=v) for d, v in value_days_ago],
    )


def _daily(now: float, per_day: float) -> list[tuple[int, float]]:
    return [(d, now - per_day * d) for d in range(DAYS, 0, -1)]


def host(with_history: bool = True) -> HostSnapshot:
    history = History(
        since=estate.STARTED - timedelta(days=30),
        series=[
            _series(DISK_USED, "/data", _daily(DATA_NOW, 5 * GIB)),
            _series(DISK_SIZE, "/data", [(d, SIZE) for d in range(DAYS, 0, -1)]),
            _series(DISK_USED, "/", [(2, 10 * GIB)]),  # one earlier point: no trend line, still drawn
        ],
    )
    return HostSnapshot(
        customer=estate.CUSTOMER,
        name="jira-host-1",
        address="10.0.0.5:22",
        method="ssh",
        instance="jira-prod",
        started_at=estate.STARTED,
        finished_at=estate.STARTED + timedelta(seconds=20),
        connected=True,
        filesystems=[
            Filesystem(mount="/data", size=SIZE, used=DATA_NOW, available=SIZE - DATA_NOW),
            Filesystem(mount="/", size=50 * GIB, used=11 * GIB, available=39 * GIB),
            Filesystem(mount="/boot", size=GIB, used=GIB // 4, available=GIB // 2),  # no history: no chart
        ],
        history=history if with_history else None,
    )


def snapshot(with_history: bool = True) -> Snapshot:
    base = estate.snapshot()
    jira = estate.jira_dc()
    calls = [
        CallRecord(
            call=f"c{i}", url="https://jira.example.com/x", started_at=estate.STARTED, elapsed_ms=ms, ok=True
        )
        for i, ms in enumerate((100.0, 140.0, 900.0))
    ]
    history = History(
        since=estate.STARTED - timedelta(days=30),
        series=[
            _series(RESPONSE_MS, "", _daily(140.0, 2.0)),
            _series(SEATS_USED, "jira-software", _daily(SEATS_NOW, 3.0)),
            _series(SEATS_ALLOWED, "jira-software", [(d, 500.0) for d in range(DAYS, 0, -1)]),
        ],
    )
    licences = [License(application="jira-software", seats_used=SEATS_NOW, seats_allowed=500)]
    jira = jira.model_copy(
        update={"calls": calls, "licenses": licences, "history": history if with_history else None}
    )
    instances = [jira if i.instance == jira.instance else i for i in base.instances]
    return base.model_copy(update={"instances": instances, "hosts": [host(with_history)]})
