"""instance.license.expiry: days left per licence, evaluation licences, ended maintenance."""

from __future__ import annotations

from datetime import timedelta

import pytest

from atlas_health.testing.harness import analyse, evidence, findings_of, only, outcome_of, run_check
from atlas_health.testing.instances import NOW, instance, license_, unreachable
from checks.finding import Category, Severity
from checks.instance.license_expiry import InstanceLicenseExpiry
from checks.runner import CheckSettings, OutcomeStatus


def expiring(days: float, **kw):
    return instance(licenses=[license_(expiry=NOW + timedelta(days=days), **kw)])


@pytest.mark.parametrize(
    ("days", "severity", "words"),
    [
        pytest.param(365, Severity.OK, "valid until 2027-11-26 (365 days)", id="a-year-left"),
        pytest.param(31, Severity.OK, "31 days", id="just-outside-warning"),
        pytest.param(30, Severity.WARNING, "in 30 days", id="warning-at-30"),
        pytest.param(8, Severity.WARNING, "in 8 days", id="warning-at-8"),
        pytest.param(7, Severity.CRITICAL, "in 7 days", id="critical-at-7"),
        pytest.param(-3, Severity.CRITICAL, "expired on 2026-11-23, 3 days before", id="expired"),
    ],
)
def test_days_left(days, severity, words):
    finding = only(run_check(InstanceLicenseExpiry, expiring(days)))
    assert finding.severity is severity
    assert words in finding.message
    assert finding.category is Category.LICENSING
    assert evidence(finding)["days left"] == pytest.approx(days)


def test_perpetual_licence_is_ok():
    finding = only(run_check(InstanceLicenseExpiry, instance(licenses=[license_(expiry=None)])))
    assert finding.severity is Severity.OK
    assert "perpetual" in finding.message and "2027-11-26" in finding.message


def test_ended_maintenance_is_info_about_upgrades():
    lic = license_(expiry=None, maintenance_expiry=NOW - timedelta(days=40))
    finding = only(run_check(InstanceLicenseExpiry, instance(licenses=[lic])))
    assert finding.severity is Severity.INFO
    assert "ended on 2026-10-17" in finding.message
    assert "releases built after that date" in finding.message


def test_evaluation_licences_say_so():
    finding = only(run_check(InstanceLicenseExpiry, expiring(12, license_type="EVALUATION")))
    assert finding.severity is Severity.WARNING
    assert "evaluation licence" in finding.message
    assert "evaluation" in finding.recommendation


def test_invalid_licence_is_critical():
    finding = only(run_check(InstanceLicenseExpiry, instance(licenses=[license_(valid=False)])))
    assert finding.severity is Severity.CRITICAL
    assert "invalid" in finding.message


def test_an_expired_licence_that_is_also_invalid_says_expired():
    finding = only(run_check(InstanceLicenseExpiry, expiring(-3, valid=False)))
    assert finding.title == "Jira Software licence has expired"


def test_one_finding_per_licence_with_its_own_fingerprint():
    licenses = [
        license_("jira-software", expiry=NOW + timedelta(days=200)),
        license_("jira-servicedesk", name="Jira Service Management", expiry=NOW + timedelta(days=5)),
    ]
    findings = run_check(InstanceLicenseExpiry, instance(licenses=licenses))
    assert [(f.title, f.severity) for f in findings] == [
        ("Jira Software licence is valid", Severity.OK),
        ("Jira Service Management licence expires in 5 days", Severity.CRITICAL),
    ]
    assert len({f.fingerprint for f in findings}) == 2


def test_no_licence_reported_is_a_warning():
    assert only(run_check(InstanceLicenseExpiry, instance(licenses=[]))).severity is Severity.WARNING


def test_threshold_override():
    inst = expiring(45)
    assert only(run_check(InstanceLicenseExpiry, inst)).severity is Severity.OK
    assert only(run_check(InstanceLicenseExpiry, inst, warning_days=60)).severity is Severity.WARNING
    settings = CheckSettings(
        instance_thresholds={"acme/jira-prod": {"instance.license.expiry": {"critical_days": 50}}}
    )
    finding = only(findings_of(analyse(inst, settings=settings), "instance.license.expiry"))
    assert finding.severity is Severity.CRITICAL
    assert "critical from 50 days" in finding.message


def test_runner_skips_it_when_the_licence_was_not_collected():
    outcome = outcome_of(analyse(unreachable()), "instance.license.expiry")
    assert outcome.status is OutcomeStatus.SKIPPED
    assert outcome.reason == "instance unreachable (Connection refused (jira.acme.test:443))"
