"""logs.access.errors and logs.access.latency: per product, over the window and the worst bucket."""

from __future__ import annotations

import pytest

from atlas_health.testing.harness import evidence, findings_of, only, registry
from atlas_health.testing.logs import (
    access_minutes,
    access_summary,
    analysis,
    at,
    endpoint,
    logs_snapshot,
    run_logs_check,
)
from checks.finding import Severity
from checks.logs.access_errors import LogsAccessErrors
from checks.logs.access_latency import LogsAccessLatency
from checks.runner import CheckSettings, SkipCheck, run_checks
from collectors.logs.model import Talker


def one(cls, summary, **thresholds):
    return only(run_logs_check(cls, analysis(access=[summary]), **thresholds))


# logs.access.errors


def test_few_5xx_are_ok():
    finding = only(run_logs_check(LogsAccessErrors, analysis()))
    assert finding.check == "logs.access.errors"
    assert (finding.severity, finding.target) == (Severity.OK, "logs")
    assert finding.message.startswith(
        "The Jira access logs: 12 of 96,000 requests (0.01 %) got a 5xx answer between 2026-11-26 06:00 UTC and "
        "2026-11-26 09:59 UTC (warning from 1 %, critical from 5 %)"
    )


def test_a_window_rate_from_1_pct_is_a_warning_naming_failing_endpoints_and_clients():
    summary = access_summary(
        status_5xx=1_440,
        per_minute=access_minutes(status_5xx=6),
        busiest_endpoints=[
            endpoint("/rest/api/2/search", "POST", errors_5xx=900),
            endpoint("/browse/{key}", errors_5xx=300),
        ],
        top_clients=[Talker(name="10.0.0.99", requests=20_000, errors_5xx=1_000)],
    )
    finding = one(LogsAccessErrors, summary)
    assert finding.severity is Severity.WARNING
    assert finding.title == "Jira access logs show 1.5 % server errors"
    assert finding.message == (
        "The Jira access logs: 1,440 of 96,000 requests (1.50 %) got a 5xx answer between 2026-11-26 06:00 UTC "
        "and 2026-11-26 09:59 UTC (warning from 1 %, critical from 5 %); the worst minute, at 2026-11-26 06:00 UTC, "
        "had 1.5 % of 400 requests failing (warning from 5 %). Most failing: POST /rest/api/2/search (900), "
        "GET /browse/{key} (300)."
    )
    facts = evidence(finding)
    assert facts["5xx %"] == 1.5
    assert facts["5xx on POST /rest/api/2/search"] == 900
    assert facts["5xx to 10.0.0.99"] == 1_000
    assert facts["requests"] == 96_000


def test_a_window_rate_from_5_pct_is_critical():
    assert one(LogsAccessErrors, access_summary(status_5xx=4_800)).severity is Severity.CRITICAL


def test_a_burst_in_one_bucket_is_judged_with_its_own_thresholds_and_time():
    burst = access_summary(per_minute=access_minutes(m130={"status_5xx": 40}))  # 10 % of one minute
    finding = one(LogsAccessErrors, burst)
    assert finding.severity is Severity.WARNING
    assert finding.title == "Jira access logs show a burst of server errors"
    assert "the worst minute, at 2026-11-26 08:10 UTC, had 10.0 % of 400 requests failing" in finding.message
    worst = next(e for e in finding.evidence if e.label.startswith("worst minute"))
    assert (worst.value, worst.time) == (10.0, at(130))
    outage = access_summary(status_5xx=1_440, per_minute=access_minutes(m130={"status_5xx": 200}))
    finding = one(LogsAccessErrors, outage)  # 1.5 % over the window, half of one minute failing
    assert finding.severity is Severity.CRITICAL
    assert finding.title == "Jira access logs show a burst of server errors"


def test_buckets_and_windows_with_too_few_requests_are_not_judged():
    night = access_summary(per_minute=access_minutes(m5={"requests": 3, "status_5xx": 3}))
    assert one(LogsAccessErrors, night).severity is Severity.OK
    tiny = access_summary(requests=20, status_5xx=5, per_minute=access_minutes(requests=0)[:1])
    finding = one(LogsAccessErrors, tiny)
    assert finding.severity is Severity.OK
    assert "fewer than 100 requests to judge" in finding.message
    assert one(LogsAccessErrors, tiny, min_requests=10).severity is Severity.CRITICAL


def test_error_thresholds_come_from_the_settings():
    summary = access_summary(status_5xx=500)  # 0.52 %
    assert one(LogsAccessErrors, summary).severity is Severity.OK
    settings = CheckSettings(thresholds={"logs.access.errors": {"warning_pct": 0.5}})
    result = run_checks(logs_snapshot(analysis(access=[summary])), registry(), settings)
    assert only(findings_of(result, "logs.access.errors")).severity is Severity.WARNING


def test_one_finding_per_product_and_none_for_an_empty_log():
    wiki = access_summary(product="confluence", nodes=["wiki1"], status_5xx=9_600)
    findings = run_logs_check(
        LogsAccessErrors,
        analysis(
            access=[access_summary(), wiki, access_summary(product="bitbucket", requests=0, per_minute=[])]
        ),
    )
    assert [(f.title, f.severity) for f in findings] == [
        ("Few server errors", Severity.OK),
        ("Confluence access logs show 10.0 % server errors", Severity.CRITICAL),
    ]
    assert findings[0].fingerprint != findings[1].fingerprint
    with pytest.raises(SkipCheck, match="no request in the window"):
        run_logs_check(LogsAccessErrors, analysis(access=[]))


# logs.access.latency


def test_quick_answers_are_ok():
    finding = only(run_logs_check(LogsAccessLatency, analysis()))
    assert finding.check == "logs.access.latency"
    assert finding.severity is Severity.OK
    assert finding.message.startswith(
        "The Jira access logs: p95 900 ms and p99 2,500 ms over 96,000 requests between 2026-11-26 06:00 UTC and "
        "2026-11-26 09:59 UTC (p95 warning from 2,000 ms, critical from 10,000 ms)"
    )


def test_a_slow_p95_is_a_warning_naming_the_slowest_endpoints():
    summary = access_summary(
        p95_ms=3_500.0,
        slowest_endpoints=[
            endpoint("/secure/Dashboard.jspa", p95_ms=9_000.0, count=800, max_ms=40_000.0),
            endpoint("/rest/api/2/search", "POST", p95_ms=4_000.0, count=3_000),
        ],
    )
    finding = one(LogsAccessLatency, summary)
    assert finding.severity is Severity.WARNING
    assert finding.title == "Jira access logs show slow responses (p95 3,500 ms)"
    assert (
        "Slowest endpoints: GET /secure/Dashboard.jspa (p95 9,000 ms, 800 requests), POST /rest/api/2/search "
        "(p95 4,000 ms, 3,000 requests)."
    ) in finding.message
    assert evidence(finding)["GET /secure/Dashboard.jspa p95 ms (800 requests, max 40,000 ms)"] == 9_000.0


def test_p95_from_10_s_or_p99_from_30_s_is_critical():
    assert one(LogsAccessLatency, access_summary(p95_ms=10_000.0)).severity is Severity.CRITICAL
    assert one(LogsAccessLatency, access_summary(p99_ms=45_000.0)).severity is Severity.CRITICAL
    assert one(LogsAccessLatency, access_summary(p99_ms=12_000.0)).severity is Severity.WARNING


def test_a_slow_bucket_counts_only_with_enough_requests():
    slow = access_summary(per_minute=access_minutes(m200={"p95_ms": 15_000.0}))
    finding = one(LogsAccessLatency, slow)
    assert finding.severity is Severity.WARNING
    assert (
        "the slowest minute, at 2026-11-26 09:20 UTC, had p95 15,000 ms over 400 requests" in finding.message
    )
    quiet = access_summary(per_minute=access_minutes(m200={"p95_ms": 60_000.0, "requests": 5}))
    assert one(LogsAccessLatency, quiet).severity is Severity.OK
    assert one(LogsAccessLatency, quiet, min_requests=5).severity is Severity.CRITICAL


def test_latency_thresholds_come_from_the_settings_and_notes_are_passed_on():
    summary = access_summary(
        notes=[
            "node1.zip!tomcat-logs/access_log.2026-11-26: durations look like "
            "microseconds (Tomcat 10 %D); read as milliseconds"
        ]
    )
    assert one(LogsAccessLatency, summary, p95_warning_ms=500).severity is Severity.WARNING
    finding = one(LogsAccessLatency, summary)
    assert finding.message.endswith(
        "Note: node1.zip!tomcat-logs/access_log.2026-11-26: durations look like "
        "microseconds (Tomcat 10 %D); read as milliseconds"
    )
    assert evidence(finding)["note"].startswith("node1.zip!tomcat-logs/access_log")


def test_latency_is_skipped_without_timed_requests():
    with pytest.raises(SkipCheck, match="no timed request"):
        run_logs_check(LogsAccessLatency, analysis(access=[access_summary(p95_ms=None)]))
