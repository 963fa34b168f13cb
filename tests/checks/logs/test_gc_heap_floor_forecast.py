"""logs.gc.heap_floor_forecast: days until a node's heap floor reaches the heap, from the service's
history of floors plus this run's GC log (node1's floor is 2,000 MB of an 8,192 MB heap)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from atlas_health.testing.harness import evidence, only, registry
from atlas_health.testing.history import daily, history
from atlas_health.testing.logs import analysis, gc_summary, heap_points, logs_snapshot, run_logs_check
from checks.base import SkipCheck
from checks.finding import Severity
from checks.forecasting.series import NO_HISTORY
from checks.logs.gc_heap_floor_forecast import LogsGcHeapFloorForecast
from checks.runner import OutcomeStatus, run_checks
from collectors.history_model import HEAP_FLOOR_MB, HEAP_MAX_MB

LOGS_NOW = analysis().last_at  # the logs' "now": their last event
assert LOGS_NOW is not None
LIMIT_MB = 8192 * 0.9


def floors(per_day: float, node: str = "node1", days: int = 10, floor_now: float = 2000.0):
    return (HEAP_FLOOR_MB, node, daily(lambda d: floor_now - per_day * d, days, until=LOGS_NOW))


def forecast(*series, logs=None, **thresholds):
    subject = (logs or analysis()).model_copy(update={"history": history(*series)})
    return run_logs_check(LogsGcHeapFloorForecast, subject, **thresholds)


@pytest.mark.parametrize(
    ("per_day", "expected"),
    [(500, Severity.OK), (1000, Severity.WARNING), (3000, Severity.CRITICAL)],
)
def test_a_steadily_rising_floor_gives_the_exact_days_and_their_severity(per_day, expected):
    days = (LIMIT_MB - 2000) / per_day
    findings = forecast(floors(per_day))
    finding = only(findings)
    assert finding.severity is expected
    if expected is Severity.OK:
        assert finding.title == "No heap floor reaches the heap soon"
        assert finding.target == "logs"
        assert f"node1 there in about {days:.1f} days" in finding.message
        assert "node2 too little history (1 point over 0.0 days)" in finding.message
        assert evidence(finding)["node1: days until the limit"] == round(days, 1)
        return
    facts = evidence(finding)
    assert finding.target == "logs/node1"
    assert finding.title == f"Heap floor on node1 reaches 90 % of the heap in about {days:.0f} days"
    assert f"What survives GC on node1 is 2,000 MB and grows {per_day:,} MB a day" in finding.message
    assert f"reaches 7,373 MB (90 % of the heap) in about {days:.1f} days" in finding.message
    assert facts["days until the limit"] == round(days, 1)
    assert facts["limit MB"] == round(LIMIT_MB)
    assert facts["slope MB per day"] == per_day
    assert (facts["points"], facts["points fitted"]) == (11, 11)
    assert "node1.zip!application-logs/atlassian-jira-gc-2026-11-26.log" in finding.evidence[0].source


def test_a_restart_starts_a_new_trend():
    # the floor climbed 400 MB a day to 7,000 MB, a restart six days ago emptied it, 200 MB a day since
    before = daily(lambda d: 7000 - 400 * d, 8, until=LOGS_NOW - timedelta(days=6))
    after = daily(lambda d: 2000 - 200 * d, 6, until=LOGS_NOW)
    finding = only(forecast((HEAP_FLOOR_MB, "node1", before + after)))
    facts = evidence(finding)
    assert finding.severity is Severity.OK
    assert facts["node1: days until the limit"] == round((LIMIT_MB - 2000) / 200, 1)
    assert facts["node1: fitted from"] == "after a cleanup"


def test_the_limit_share_can_be_changed():
    finding = only(forecast(floors(1000), limit_percent=100))
    assert evidence(finding)["limit MB"] == 8192
    assert evidence(finding)["days until the limit"] == round((8192 - 2000) / 1000, 1)


def test_the_heap_size_comes_from_the_history_when_the_gc_log_does_not_say():
    points = [p.model_copy(update={"total_mb": None}) for p in heap_points()]
    logs = analysis(gc=[gc_summary("node1", heap_after=points)])
    sizes = (HEAP_MAX_MB, "node1", daily(lambda d: 4096.0, 10, until=LOGS_NOW))
    finding = only(forecast(floors(500), sizes, logs=logs))
    assert evidence(finding)["limit MB"] == round(4096 * 0.9)
    with pytest.raises(SkipCheck, match="nothing to forecast: no node with a known heap size"):
        forecast(floors(500), logs=logs)


def test_no_history_skips_through_the_runner_and_so_does_no_gc_log():
    outcomes = run_checks(logs_snapshot(analysis()), registry()).outcomes
    outcome = next(o for o in outcomes if o.check == "logs.gc.heap_floor_forecast")
    assert (outcome.status, outcome.reason) == (OutcomeStatus.SKIPPED, NO_HISTORY)
    no_gc = analysis(gc=None, history=history(floors(500)))
    outcomes = run_checks(logs_snapshot(no_gc), registry()).outcomes
    outcome = next(o for o in outcomes if o.check == "logs.gc.heap_floor_forecast")
    assert outcome.status is OutcomeStatus.SKIPPED
    assert (outcome.reason or "").startswith("no GC log was analysed")
