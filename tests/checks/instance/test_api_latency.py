"""instance.api.latency: median and slowest REST call, thresholds, retry waits."""

from __future__ import annotations

import pytest

from atlas_health.testing.harness import analyse, evidence, findings_of, only, run_check
from atlas_health.testing.instances import call, instance, unreachable
from checks.finding import Severity
from checks.instance.api_latency import InstanceApiLatency, percentile, response_ms
from checks.runner import CheckSettings, SkipCheck
from collectors.model import ErrorKind


def timed(*ms: float, **kw):
    return instance(calls=[call(f"call{i}", value) for i, value in enumerate(ms)], **kw)


@pytest.mark.parametrize(
    ("times", "severity"),
    [
        pytest.param((100, 200, 300), Severity.OK, id="fast"),
        pytest.param((900, 999, 5000), Severity.OK, id="one-slow-call-does-not-move-the-median"),
        pytest.param((1000, 1200, 1500), Severity.WARNING, id="warning-at-threshold"),
        pytest.param((2900, 3000, 3100), Severity.CRITICAL, id="critical"),
    ],
)
def test_median_against_thresholds(times, severity):
    finding = only(run_check(InstanceApiLatency, timed(*times)))
    assert finding.severity is severity
    assert evidence(finding)["median ms"] == sorted(times)[1]


def test_evidence_names_the_slowest_call_and_each_call():
    finding = only(run_check(InstanceApiLatency, timed(100, 4200, 300)))
    ev = evidence(finding)
    assert ev["max ms (call1)"] == 4200
    assert ev["p95 ms"] == 4200
    assert ev["call0 ms"] == 100 and ev["call2 ms"] == 300
    assert "median response time is 300 ms over 3 calls (slowest: call1, 4,200 ms)" in finding.message
    slowest = next(e for e in finding.evidence if e.label == "max ms (call1)")
    assert slowest.source == "GET /rest/call1"


def test_retry_after_waits_are_not_response_time():
    retried = call("licenses", 6200, attempts=2, retry_after_waited_s=6.0)
    assert response_ms(retried) == pytest.approx(200)
    finding = only(run_check(InstanceApiLatency, instance(calls=[retried, call("apps", 300)])))
    assert finding.severity is Severity.OK
    assert evidence(finding)["max ms (apps)"] == 300


def test_calls_without_an_answer_are_not_timed():
    calls = [call("status", 20_000, status_code=None, error=ErrorKind.TIMEOUT), call("apps", 150)]
    finding = only(run_check(InstanceApiLatency, instance(calls=calls)))
    assert evidence(finding)["calls timed"] == 1
    assert finding.severity is Severity.OK


def test_no_answered_call_skips():
    with pytest.raises(SkipCheck, match="no call got an HTTP answer"):
        run_check(InstanceApiLatency, unreachable())


def test_percentile_is_nearest_rank():
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95) == 10
    assert percentile([5], 95) == 5
    assert percentile(list(range(1, 101)), 95) == 95


def test_threshold_override_directly_and_through_settings():
    inst = timed(400, 500, 600)
    assert only(run_check(InstanceApiLatency, inst)).severity is Severity.OK
    assert only(run_check(InstanceApiLatency, inst, warning_ms=450)).severity is Severity.WARNING
    settings = CheckSettings(thresholds={"instance.api.latency": {"warning_ms": 300, "critical_ms": 500}})
    finding = only(findings_of(analyse(inst, settings=settings), "instance.api.latency"))
    assert finding.severity is Severity.CRITICAL
    assert "500 ms" in finding.message
