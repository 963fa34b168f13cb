"""crowd.directories.stale: hours since each active cached directory's last synchronisation started."""

from __future__ import annotations

from datetime import timedelta

import pytest

from atlas_health.testing.harness import analyse, evidence, findings_of, only, outcome_of, run_check
from atlas_health.testing.instances import error
from checks.crowd.directories_stale import CrowdDirectoriesStale
from checks.finding import Severity
from checks.runner import OutcomeStatus
from collectors.facts.crowd import CrowdFacts
from collectors.model import ErrorKind
from tests.checks.crowd.factory import crowd, internal, ldap, sync


@pytest.mark.parametrize(
    ("hours", "severity"),
    [
        pytest.param(0.5, Severity.OK, id="recent"),
        pytest.param(23.9, Severity.OK, id="just-below-24"),
        pytest.param(24, Severity.WARNING, id="warning-at-24"),
        pytest.param(71.9, Severity.WARNING, id="just-below-72"),
        pytest.param(72, Severity.CRITICAL, id="critical-at-72"),
        pytest.param(24 * 10, Severity.CRITICAL, id="ten-days"),
    ],
)
def test_age_of_the_last_sync(hours, severity):
    finding = only(run_check(CrowdDirectoriesStale, crowd(ldap(last_sync=sync(ago=timedelta(hours=hours))))))
    assert finding.severity is severity
    if severity is not Severity.OK:
        assert finding.title == "Directory Corporate LDAP is stale"
        assert evidence(finding)["hours since sync start"] == round(hours, 1)
        assert "new staff, leavers, group changes" in finding.message


def test_three_days_reads_as_days():
    finding = only(
        run_check(CrowdDirectoriesStale, crowd(ldap(last_sync=sync(ago=timedelta(days=3, minutes=20)))))
    )
    assert "last synchronised 3.0 days ago" in finding.message
    assert "critical from 72 hours" in finding.message


def test_a_sync_running_for_a_day_is_stuck():
    running = sync(ago=timedelta(hours=30), state="IN_PROGRESS", finished_at=None, duration_ms=None)
    finding = only(run_check(CrowdDirectoriesStale, crowd(ldap(last_sync=running))))
    assert (finding.severity, finding.title) == (Severity.WARNING, "Directory Corporate LDAP sync is stuck")
    assert "has been synchronising for 30 hours" in finding.message


def test_never_synchronised_is_a_warning():
    finding = only(run_check(CrowdDirectoriesStale, crowd(ldap(last_sync=None))))
    assert (finding.severity, finding.title) == (
        Severity.WARNING,
        "Directory Corporate LDAP has never synchronised",
    )


def test_inactive_and_internal_directories_are_not_judged():
    old = sync(ago=timedelta(days=30))
    finding = only(run_check(CrowdDirectoriesStale, crowd(internal(), ldap(active=False, last_sync=old))))
    assert (finding.severity, finding.title) == (Severity.OK, "No active directory to synchronise")


def test_thresholds_can_be_overridden():
    inst = crowd(ldap(last_sync=sync(ago=timedelta(hours=30))))
    assert only(run_check(CrowdDirectoriesStale, inst, warning_hours=48)).severity is Severity.OK
    assert only(run_check(CrowdDirectoriesStale, inst, critical_hours=12)).severity is Severity.CRITICAL


def test_ok_names_each_directory_and_its_age():
    finding = only(run_check(CrowdDirectoriesStale, crowd()))
    assert finding.message == "1 directory synchronised within 24 hours: Corporate LDAP 0.3 h ago."


def test_not_collected_is_skipped_with_the_calls_error():
    failed = crowd(
        crowd=CrowdFacts(directories=None),
        errors=[error("crowd.directories", ErrorKind.MALFORMED_JSON, "malformed JSON at character 10")],
    )
    outcome = outcome_of(analyse(failed), "crowd.directories.stale")
    assert outcome.status is OutcomeStatus.SKIPPED
    assert "malformed JSON" in outcome.reason


def test_through_the_runner():
    stale = crowd(ldap(last_sync=sync(ago=timedelta(days=4))))
    assert only(findings_of(analyse(stale), "crowd.directories.stale")).severity is Severity.CRITICAL
