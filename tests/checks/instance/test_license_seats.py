"""instance.license.seats: users in use against the licence's user limit."""

from __future__ import annotations

import pytest

from atlas_health.testing.harness import analyse, evidence, findings_of, only, outcome_of, run_check
from atlas_health.testing.instances import error, instance, license_
from checks.finding import Severity
from checks.instance.license_seats import InstanceLicenseSeats
from checks.runner import OutcomeStatus, SkipCheck
from collectors.model import ErrorKind


@pytest.mark.parametrize(
    ("used", "allowed", "severity", "words"),
    [
        pytest.param(150, 500, Severity.OK, "150 of 500 users (30 %)", id="room"),
        pytest.param(449, 500, Severity.OK, "51 seats left", id="just-below-90"),
        pytest.param(450, 500, Severity.WARNING, "50 seats left", id="warning-at-90"),
        pytest.param(500, 500, Severity.CRITICAL, "no further user", id="full"),
        pytest.param(612, 500, Severity.CRITICAL, "612 of 500 users", id="over"),
    ],
)
def test_seats(used, allowed, severity, words):
    inst = instance(licenses=[license_(seats_used=used, seats_allowed=allowed)])
    finding = only(run_check(InstanceLicenseSeats, inst))
    assert finding.severity is severity
    assert words in finding.message
    assert evidence(finding)["seats used"] == used


def test_unlimited_is_ok():
    inst = instance(licenses=[license_(seats_allowed=None, unlimited_seats=True, seats_used=9000)])
    finding = only(run_check(InstanceLicenseSeats, inst))
    assert finding.severity is Severity.OK
    assert "unlimited" in finding.message and "9,000" in finding.message


def test_unknown_use_is_unknown():
    inst = instance(licenses=[license_(seats_used=None, seats_allowed=250)])
    assert only(run_check(InstanceLicenseSeats, inst)).severity is Severity.UNKNOWN


def test_licences_without_a_limit_are_skipped():
    inst = instance(licenses=[license_(seats_allowed=None, seats_used=None)])
    with pytest.raises(SkipCheck, match="no licence reports a user limit"):
        run_check(InstanceLicenseSeats, inst)


def test_warning_percent_override():
    inst = instance(licenses=[license_(seats_used=400, seats_allowed=500)])
    assert only(run_check(InstanceLicenseSeats, inst, warning_percent=75)).severity is Severity.WARNING


def test_through_the_runner():
    inst = instance(licenses=[license_(seats_used=500, seats_allowed=500)])
    assert only(findings_of(analyse(inst), "instance.license.seats")).severity is Severity.CRITICAL
    failed = instance(
        licenses=None, errors=[error("license", ErrorKind.FORBIDDEN, "HTTP 403", status_code=403)]
    )
    outcome = outcome_of(analyse(failed), "instance.license.seats")
    assert outcome.status is OutcomeStatus.SKIPPED
    assert outcome.reason == "licenses not collected: HTTP 403"
