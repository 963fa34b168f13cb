"""instance.api.rate_limit: throttled-and-retried calls and calls that never got through."""

from __future__ import annotations

import pytest

from atlas_health.testing.harness import analyse, findings_of, only, outcome_of, run_check
from atlas_health.testing.instances import call, error, instance, unreachable
from checks.finding import Severity
from checks.instance.api_rate_limit import InstanceApiRateLimit
from checks.runner import OutcomeStatus, SkipCheck
from collectors.model import ErrorKind


def test_no_throttling_is_ok():
    finding = only(run_check(InstanceApiRateLimit, instance()))
    assert finding.severity is Severity.OK
    assert "429" in finding.message


def test_retried_calls_are_info_with_the_wait():
    calls = [
        call("license", 2300, attempts=2, retry_after_waited_s=2.0),
        call("apps", 5400, attempts=3, retry_after_waited_s=5.0),
        call("index", 100),
    ]
    finding = only(run_check(InstanceApiRateLimit, instance(calls=calls)))
    assert finding.severity is Severity.INFO
    assert finding.message.startswith("2 calls were throttled (429) and retried after Retry-After")
    assert "7.0 s" in finding.message and "license, apps" in finding.message
    assert {e.label: e.value for e in finding.evidence} == {"license attempts": 2, "apps attempts": 3}


def test_calls_that_never_got_through_are_a_warning_naming_them():
    calls = [call("health_checks", 31_000, status_code=429, attempts=3, retry_after_waited_s=30.0)]
    errors = [error("health_checks", ErrorKind.RATE_LIMITED, "HTTP 429 after 3 attempts", status_code=429)]
    findings = run_check(InstanceApiRateLimit, instance(calls=calls, errors=errors))
    by_severity = {f.severity: f for f in findings}
    assert set(by_severity) == {Severity.WARNING, Severity.INFO}
    assert "health_checks" in by_severity[Severity.WARNING].message
    assert len({f.fingerprint for f in findings}) == 2


def test_unreachable_skips():
    with pytest.raises(SkipCheck):
        run_check(InstanceApiRateLimit, unreachable())


def test_through_the_runner():
    calls = [call("apps", 1200, attempts=2, retry_after_waited_s=1.0)]
    assert (
        only(findings_of(analyse(instance(calls=calls)), "instance.api.rate_limit")).severity is Severity.INFO
    )
    assert outcome_of(analyse(unreachable()), "instance.api.rate_limit").status is OutcomeStatus.SKIPPED
