"""instance.license.seats_forecast: days until a licence's seats run out, from the service's history."""

from __future__ import annotations

from datetime import timedelta

import pytest

from atlas_health.testing.harness import analyse, evidence, findings_of, only, outcome_of, run_check
from atlas_health.testing.history import daily, history
from atlas_health.testing.instances import NOW, instance, license_
from checks.base import SkipCheck
from checks.finding import Severity
from checks.forecasting.series import NO_HISTORY
from checks.instance.license_seats_forecast import InstanceLicenseSeatsForecast
from checks.runner import OutcomeStatus
from collectors.history_model import SEATS_ALLOWED, SEATS_USED

APP = "jira-software"


def seats(per_day: float, days: int = 14, used_now: int = 450, app: str = APP):
    return (SEATS_USED, app, daily(lambda d: used_now - per_day * d, days))


def subject(*series, licenses=None):
    licenses = licenses or [license_(APP, seats_used=450, seats_allowed=500)]
    return instance(licenses=licenses, history=history(*series))


@pytest.mark.parametrize(
    ("per_day", "days", "expected"),
    [
        (1, 50.0, Severity.OK),  # 50 seats left at 1 a day
        (5, 10.0, Severity.WARNING),  # within 30 days
        (10, 5.0, Severity.CRITICAL),  # within 7 days
    ],
)
def test_steady_growth_gives_the_exact_days_and_their_severity(per_day, days, expected):
    finding = only(run_check(InstanceLicenseSeatsForecast, subject(seats(per_day))))
    assert finding.severity is expected
    assert finding.target == "jira-prod"
    if expected is Severity.OK:
        assert finding.title == "No licence runs out of seats soon"
        assert f"{APP} full in about {days:.1f} days" in finding.message
        assert evidence(finding)[f"{APP}: days until the limit"] == days
        return
    facts = evidence(finding)
    assert finding.title == f"Jira Software licence runs out of seats in about {days:.0f} days"
    assert finding.message.startswith(
        f"The Jira Software licence has 450 of 500 seats in use and gains {per_day:.1f} a day over the last "
        f"14.0 days: full in about {days:.1f} days (95 % range {days:.1f} to {days:.1f} days)"
    )
    assert facts["days until the limit"] == days
    assert facts["slope seats per day"] == per_day
    assert facts["limit seats"] == 500
    assert (facts["first point seats"], facts["last point seats"], facts["points"]) == (
        450 - 14 * per_day,
        450,
        15,
    )


def test_users_deactivated_in_bulk_start_a_new_trend():
    # 480 in use two weeks ago, 498 a week later (3 a day: full in 1 day); then 62 users deactivated,
    # 436 a week ago and 2 a day since: 450 now, full in 25 days
    before = daily(lambda d: 480 + 3 * (7 - d), 7, until=NOW - timedelta(days=7))
    after = daily(lambda d: 450 - 2 * d, 7)
    finding = only(run_check(InstanceLicenseSeatsForecast, subject((SEATS_USED, APP, before + after))))
    facts = evidence(finding)
    assert finding.severity is Severity.WARNING
    assert (facts["days until the limit"], facts["fitted from"], facts["points fitted"]) == (
        25.0,
        "after a cleanup",
        8,
    )


def test_seat_counts_that_step_up_now_and_then_still_forecast():
    # one more user every other day, as whole numbers: 443 two weeks ago, 450 now
    steps = (SEATS_USED, APP, daily(lambda d: 450 - (d + 1) // 2, 14))
    finding = only(run_check(InstanceLicenseSeatsForecast, subject(steps), warning_days=120))
    facts = evidence(finding)
    assert finding.severity is Severity.WARNING
    assert facts["slope seats per day"] == 0.5
    assert 90 <= facts["days until the limit"] <= 110


def test_unlimited_licences_are_left_out_and_alone_skip():
    unlimited = license_("jira-servicedesk", seats_used=4000, seats_allowed=None, unlimited_seats=True)
    with pytest.raises(SkipCheck, match="nothing to forecast: no licence with a user limit"):
        run_check(
            InstanceLicenseSeatsForecast, subject(seats(5, app="jira-servicedesk"), licenses=[unlimited])
        )
    both = [license_(APP, seats_used=450, seats_allowed=500), unlimited]
    finding = only(run_check(InstanceLicenseSeatsForecast, subject(seats(5), licenses=both)))
    assert finding.title.startswith("Jira Software licence runs out of seats")


def test_a_limit_missing_now_comes_from_the_history():
    lic = license_(APP, seats_used=450, seats_allowed=None)
    allowed = (SEATS_ALLOWED, APP, daily(lambda d: 500, 14))
    finding = only(run_check(InstanceLicenseSeatsForecast, subject(seats(5), allowed, licenses=[lic])))
    assert evidence(finding)["limit seats"] == 500


def test_no_history_skips_through_the_runner():
    analysis = analyse(instance())
    outcome = outcome_of(analysis, "instance.license.seats_forecast")
    assert outcome is not None
    assert (outcome.status, outcome.reason) == (OutcomeStatus.SKIPPED, NO_HISTORY)
    assert findings_of(analysis, "instance.license.seats_forecast") == []


def test_with_history_the_runner_gives_the_finding():
    analysis = analyse(subject(seats(10)))
    found = findings_of(analysis, "instance.license.seats_forecast")
    assert [(f.severity, f.title) for f in found] == [
        (Severity.CRITICAL, "Jira Software licence runs out of seats in about 5 days")
    ]
