"""host.disk.forecast: days until a filesystem is full, from the service's history plus this run."""

from __future__ import annotations

from datetime import timedelta

import pytest

from atlas_health.testing.harness import evidence, only, registry
from atlas_health.testing.history import daily, history
from atlas_health.testing.hosts import GIB, filesystem, host, run_host_check
from atlas_health.testing.instances import NOW, instance, snapshot
from checks.base import SkipCheck
from checks.finding import Severity
from checks.forecasting.series import NO_HISTORY
from checks.host.disk_forecast import HostDiskForecast
from checks.runner import OutcomeStatus, run_checks
from collectors.history_model import DISK_SIZE, DISK_USED, MetricPoint

HOME = "/var/atlassian"  # 500 GiB, 200 GiB used and 300 GiB available in the test host


def growing(per_day_gib: float, days: int = 10, mount: str = HOME, used_now_gib: float = 200):
    return (DISK_USED, mount, daily(lambda d: (used_now_gib - per_day_gib * d) * GIB, days))


def forecast(*series, **thresholds):
    return run_host_check(HostDiskForecast, host(history=history(*series)), **thresholds)


@pytest.mark.parametrize(
    ("per_day_gib", "days", "expected"),
    [
        (20, 15.0, Severity.OK),  # 300 GiB left at 20 a day
        (25, 12.0, Severity.WARNING),  # within 14 days
        (100, 3.0, Severity.CRITICAL),  # within 3 days
    ],
)
def test_steady_growth_gives_the_exact_days_and_their_severity(per_day_gib, days, expected):
    finding = only(forecast(growing(per_day_gib)))
    assert finding.severity is expected
    if expected is Severity.OK:
        assert finding.title == "No filesystem fills soon"
        assert (
            f"{HOME} full in about {days:.1f} days (95 % range {days:.1f} to {days:.1f} days)"
            in finding.message
        )
        assert "/ too little history (1 point over 0.0 days)" in finding.message
        return
    facts = evidence(finding)
    assert finding.title == f"{HOME} fills in about {days:.0f} days"
    assert finding.target == "jira-node1"
    assert facts["days until the limit"] == days
    assert facts["days range (95 %)"] == f"{days:.1f} to {days:.1f}"
    assert facts["slope bytes per day"] == per_day_gib * GIB
    assert facts["limit bytes"] == 500 * GIB
    assert facts["points"] == facts["points fitted"] == 11
    assert facts["first point bytes"] == (200 - 10 * per_day_gib) * GIB
    assert facts["last point bytes"] == 200 * GIB
    first = next(e for e in finding.evidence if e.label == "first point bytes")
    assert first.time == NOW - timedelta(days=10)
    assert facts["fitted from"] == "the first point"
    assert "holds the home, logs" in finding.message
    assert f"grows {per_day_gib:.1f} GiB a day over the last 10.0 days" in finding.message


def test_after_a_cleanup_only_the_growth_since_counts():
    # 300 GiB used 15 days ago growing 20 a day to 480, cleaned to 150 five days ago, 10 a day since
    before = daily(lambda d: (300 + 20 * (10 - d)) * GIB, 10, until=NOW - timedelta(days=5))
    after = daily(lambda d: (200 - 10 * d) * GIB, 5)
    finding = only(forecast((DISK_USED, HOME, before + after)))
    facts = evidence(finding)
    assert finding.severity is Severity.OK  # 300 GiB left at 10 a day: 30 days, not 15
    assert f"{HOME} full in about 30.0 days" in finding.message
    assert facts[f"{HOME}: fitted from"] == "after a cleanup"
    fitted_from = next(e for e in finding.evidence if e.label == f"{HOME}: fitted from")
    assert fitted_from.time == NOW - timedelta(days=5)
    assert facts[f"{HOME}: points fitted"] == 6
    assert facts[f"{HOME}: points"] == 16
    assert "/: points" not in facts  # no forecast for / (no history): only in the message


def test_the_usable_size_excludes_root_s_reserve():
    # 100 GiB disk, 5 GiB reserved for root: 60 used, 35 available -> full at 95 GiB
    fs = filesystem(HOME, 100, 35, ["home"], used=60 * GIB)
    subject = host(filesystems=[fs], history=history(growing(5, used_now_gib=60)))
    finding = only(run_host_check(HostDiskForecast, subject))
    assert finding.severity is Severity.WARNING
    assert evidence(finding)["limit bytes"] == 95 * GIB
    assert evidence(finding)["days until the limit"] == 7.0


def test_a_few_spikes_in_the_history_do_not_move_the_forecast():
    points = daily(lambda d: (200 - 25 * d) * GIB, 10)
    points[3] = MetricPoint(at=points[3].at, value=490 * GIB)  # a big export written and removed
    points[6] = MetricPoint(at=points[6].at, value=1 * GIB)  # a misread figure
    finding = only(forecast((DISK_USED, HOME, points)))
    assert evidence(finding)["days until the limit"] == 12.0


@pytest.mark.parametrize("per_day_gib", [0, -5])
def test_a_flat_or_shrinking_filesystem_does_not_fill(per_day_gib):
    finding = only(forecast(growing(per_day_gib)))
    assert finding.severity is Severity.OK
    assert f"{HOME} not rising" in finding.message


def test_thresholds_can_be_changed():
    finding = only(forecast(growing(20), warning_days=20))
    assert finding.severity is Severity.WARNING
    assert "; warning within 20 days, critical within 3." in finding.message


def test_no_history_skips_the_check_saying_the_service_keeps_it():
    with pytest.raises(SkipCheck, match="no history"):
        run_host_check(HostDiskForecast, host())
    analysis = run_checks(snapshot(instance()).model_copy(update={"hosts": [host()]}), registry())
    outcome = next(o for o in analysis.outcomes if o.check == "host.disk.forecast")
    assert (outcome.status, outcome.reason) == (OutcomeStatus.SKIPPED, NO_HISTORY)


def test_too_little_history_skips_naming_what_there_was():
    short = growing(25, days=2)  # 3 points over 2 days
    with pytest.raises(SkipCheck) as skipped:
        forecast(short)
    assert str(skipped.value) == (
        "not enough history yet: a forecast needs 5 points over 3 days after the last cleanup "
        "(had /: 1 point over 0.0 days; /var/atlassian: 3 points over 2.0 days)"
    )


def test_history_later_than_this_run_and_other_metrics_are_left_out():
    later = [MetricPoint(at=NOW + timedelta(days=d), value=10 * GIB) for d in (1, 2)]
    sizes = (DISK_SIZE, HOME, daily(lambda d: 500 * GIB, 10))
    finding = only(forecast(growing(25), (DISK_USED, "/elsewhere", later), sizes))
    assert evidence(finding)["days until the limit"] == 12.0
    series = growing(25)
    finding = only(forecast((DISK_USED, HOME, [*series[2], *later])))
    assert evidence(finding)["points"] == 11


def test_a_filesystem_of_size_0_is_left_out():
    empty = filesystem("/proc-like", 0, 0, ["home"], used=0)
    subject = host(
        filesystems=[empty, filesystem(HOME, 500, 300, ["home"])],
        history=history(growing(25), (DISK_USED, "/proc-like", daily(lambda d: 0.0, 10))),
    )
    finding = only(run_host_check(HostDiskForecast, subject))
    assert finding.title == f"{HOME} fills in about 12 days"
    with pytest.raises(SkipCheck, match="nothing to forecast: no filesystem"):
        run_host_check(HostDiskForecast, host(filesystems=[empty], history=history()))


def test_the_runner_gives_the_finding_with_history_attached():
    subject = host(history=history(growing(100)))
    analysis = run_checks(snapshot(instance()).model_copy(update={"hosts": [subject]}), registry())
    found = [f for f in analysis.findings if f.check == "host.disk.forecast"]
    assert [(f.severity, f.title) for f in found] == [(Severity.CRITICAL, f"{HOME} fills in about 3 days")]
