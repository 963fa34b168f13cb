"""crowd.directories.active: at least one active directory, or nobody can log in."""

from __future__ import annotations

from atlas_health.testing.harness import analyse, evidence, findings_of, only, outcome_of, run_check
from atlas_health.testing.instances import error
from checks.crowd.directories_active import CrowdDirectoriesActive
from checks.finding import Severity
from checks.runner import OutcomeStatus
from collectors.facts.crowd import CrowdFacts
from collectors.model import ErrorKind
from tests.checks.crowd.factory import crowd, internal, ldap


def test_active_directories_are_ok():
    finding = only(
        run_check(CrowdDirectoriesActive, crowd(internal(), ldap(), ldap("Old LDAP", active=False)))
    )
    assert finding.severity is Severity.OK
    assert finding.message == "2 active directories: Crowd internal, Corporate LDAP."
    assert evidence(finding)["Old LDAP"] == "inactive"


def test_all_inactive_is_critical():
    inst = crowd(internal(active=False), ldap(active=False))
    finding = only(run_check(CrowdDirectoriesActive, inst))
    assert (finding.severity, finding.title) == (Severity.CRITICAL, "Crowd has no active directory")
    assert "all 2 directories are inactive" in finding.message


def test_no_directory_at_all_is_critical():
    finding = only(run_check(CrowdDirectoriesActive, crowd(crowd=CrowdFacts(directories=[]))))
    assert finding.severity is Severity.CRITICAL
    assert "no directory is configured" in finding.message
    assert evidence(finding)["directories"] == 0


def test_not_collected_is_skipped_with_the_calls_error():
    failed = crowd(
        crowd=CrowdFacts(directories=None),
        errors=[error("crowd.directories", ErrorKind.FORBIDDEN, "HTTP 403: permission denied")],
    )
    outcome = outcome_of(analyse(failed), "crowd.directories.active")
    assert outcome.status is OutcomeStatus.SKIPPED
    assert outcome.reason == "crowd directories not collected: HTTP 403: permission denied"


def test_through_the_runner():
    inst = crowd(internal(active=False))
    assert only(findings_of(analyse(inst), "crowd.directories.active")).severity is Severity.CRITICAL
