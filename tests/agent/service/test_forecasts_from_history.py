"""The forecast checks fed the way the service feeds them: a week of runs' figures kept in the service
database (SQLite, and PostgreSQL with the server marker), attached to the next run's snapshot, then
every check run over it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine

from agent.service.history import claim_slot, finish_run
from agent.service.history_attach import attach_history
from agent.service.run_metrics import samples
from atlas_health.testing.hosts import filesystem, host
from atlas_health.testing.instances import CUSTOMER, NOW, instance, license_
from atlas_health.testing.logs import analysis, gc_summary, heap_points, logs_snapshot
from checks.finding import Severity
from checks.registry import load_registry
from checks.runner import Analysis, OutcomeStatus, run_checks
from collectors.model import Snapshot
from tests.agent.service.alert_helpers import engine  # noqa: F401 - fixture

FORECASTS = ("host.disk.forecast", "instance.license.seats_forecast", "logs.gc.heap_floor_forecast")


def estate(days_ago: int) -> Snapshot:
    """The estate ``days_ago`` days before NOW: disk use, seats and heap floor all rising steadily."""
    disk = filesystem("/var/atlassian", 500, 300 + 25 * days_ago, ["home"])  # 25 GiB a day
    seats = license_("jira-software", seats_used=450 - 5 * days_ago, seats_allowed=500)  # 5 a day
    floor = heap_points(floor_mb=5000 - 400 * days_ago)  # 400 MB a day, of 8,192 MB
    at = NOW - timedelta(days=days_ago)
    return logs_snapshot(
        analysis(gc=[gc_summary("node1", heap_after=floor)], last_at=at),
        instances=(instance(licenses=[seats], started_at=at),),
        hosts=(host(filesystems=[disk], started_at=at),),
    ).model_copy(update={"started_at": at})


def record(engine: Engine, days_ago: int) -> None:  # noqa: F811
    """One earlier run of the service: its figures stored with it, at its start."""
    at = NOW - timedelta(days=days_ago)
    run_id = claim_slot(
        engine, job="nightly", schedule="nightly", customer=CUSTOMER, scheduled_for=at, worker="w", now=at
    )
    assert run_id is not None
    metrics = samples(estate(days_ago), CUSTOMER)
    finish_run(engine, run_id, status="done", findings=[], metrics=metrics, now=at + timedelta(minutes=5))


def forecasts(engine: Engine) -> Analysis:  # noqa: F811
    attached = attach_history(estate(0), engine, since=NOW - timedelta(days=30))
    return run_checks(attached, load_registry(include_plugins=False))


def test_a_week_of_runs_gives_the_three_forecasts_with_their_exact_days(engine: Engine) -> None:  # noqa: F811
    for days_ago in range(7, 0, -1):
        record(engine, days_ago)
    found = {f.check: f for f in forecasts(engine).findings if f.check in FORECASTS}
    assert {check: (f.severity, f.title) for check, f in found.items()} == {
        "host.disk.forecast": (Severity.WARNING, "/var/atlassian fills in about 12 days"),
        "instance.license.seats_forecast": (
            Severity.WARNING,
            "Jira Software licence runs out of seats in about 10 days",
        ),
        "logs.gc.heap_floor_forecast": (
            Severity.WARNING,
            "Heap floor on node1 reaches 90 % of the heap in about 6 days",
        ),
    }
    days = {
        check: next(e.value for e in f.evidence if e.label == "days until the limit")
        for check, f in found.items()
    }
    assert days == {
        "host.disk.forecast": 12.0,
        "instance.license.seats_forecast": 10.0,
        "logs.gc.heap_floor_forecast": round((8192 * 0.9 - 5000) / 400, 1),
    }
    points = {check: next(e.value for e in f.evidence if e.label == "points") for check, f in found.items()}
    assert set(points.values()) == {8}  # seven runs kept, and this one


def test_a_service_without_earlier_runs_says_it_has_too_little_history(engine: Engine) -> None:  # noqa: F811
    outcomes = {o.check: o for o in forecasts(engine).outcomes if o.check in FORECASTS}
    assert set(outcomes) == set(FORECASTS)
    for outcome in outcomes.values():
        assert outcome.status is OutcomeStatus.SKIPPED
        assert (outcome.reason or "").startswith(
            "not enough history yet: a forecast needs 5 points over 3 days"
        )
