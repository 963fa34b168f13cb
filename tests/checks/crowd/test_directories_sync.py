"""crowd.directories.sync: the last synchronisation of each cached directory, by its state."""

from __future__ import annotations

import pytest

from atlas_health.testing.harness import analyse, evidence, findings_of, only, outcome_of, run_check
from atlas_health.testing.instances import error, instance
from checks.crowd.directories_sync import CrowdDirectoriesSync
from checks.finding import Severity
from checks.runner import OutcomeStatus
from collectors.facts.crowd import CrowdFacts
from collectors.model import ErrorKind
from tests.checks.crowd.factory import crowd, internal, ldap, sync

REFUSED = "javax.naming.CommunicationException: ldap.acme.test:636 [Root exception is Connection refused]"


def test_successful_sync_is_ok():
    finding = only(run_check(CrowdDirectoriesSync, crowd()))
    assert finding.severity is Severity.OK
    assert (
        finding.message == "The last synchronisation of 1 directory succeeded or is running: Corporate LDAP."
    )


def test_running_sync_is_ok():
    finding = only(run_check(CrowdDirectoriesSync, crowd(ldap(last_sync=sync(state="IN_PROGRESS")))))
    assert finding.severity is Severity.OK


def test_failed_sync_of_an_active_directory_is_critical_with_the_reason():
    failed = ldap(last_sync=sync(state="FAILURE", failure_message=REFUSED))
    finding = only(run_check(CrowdDirectoriesSync, crowd(internal(), failed)))
    assert finding.severity is Severity.CRITICAL
    assert finding.title == "Directory Corporate LDAP failed to synchronise"
    assert REFUSED in finding.message
    assert evidence(finding)["failure"] == REFUSED
    assert evidence(finding)["duration s"] == 42.0
    assert "Synchronise now" in finding.recommendation


def test_failed_sync_without_a_reason_says_so():
    finding = only(run_check(CrowdDirectoriesSync, crowd(ldap(last_sync=sync(state="FAILURE")))))
    assert "(Crowd gave no reason)" in finding.message


def test_failed_sync_of_an_inactive_directory_is_a_warning():
    failed = ldap(active=False, last_sync=sync(state="FAILURE", failure_message=REFUSED))
    finding = only(run_check(CrowdDirectoriesSync, crowd(internal(), failed)))
    assert finding.severity is Severity.WARNING
    assert "inactive" in finding.message


@pytest.mark.parametrize("state", ["ABORTED", "UNKNOWN"])
def test_aborted_or_unknown_is_a_warning(state):
    finding = only(run_check(CrowdDirectoriesSync, crowd(ldap(last_sync=sync(state=state)))))
    assert finding.severity is Severity.WARNING
    assert f"ended as {state}" in finding.message


def test_one_finding_per_failing_directory():
    findings = run_check(
        CrowdDirectoriesSync,
        crowd(
            ldap("LDAP Europe", last_sync=sync(state="FAILURE")),
            ldap("LDAP Asia", last_sync=sync(state="FAILURE")),
            ldap("LDAP Americas"),
        ),
    )
    assert [f.title for f in findings] == [
        "Directory LDAP Europe failed to synchronise",
        "Directory LDAP Asia failed to synchronise",
    ]
    assert len({f.fingerprint for f in findings}) == 2


def test_internal_directories_only_is_ok():
    finding = only(run_check(CrowdDirectoriesSync, crowd(internal())))
    assert (finding.severity, finding.title) == (Severity.OK, "No directory synchronisation to judge")


def test_not_collected_is_skipped_with_the_calls_error():
    failed = crowd(
        crowd=CrowdFacts(directories=None),
        errors=[error("crowd.directories", ErrorKind.UNAUTHORIZED, "HTTP 401: credentials were rejected")],
    )
    outcome = outcome_of(analyse(failed), "crowd.directories.sync")
    assert outcome.status is OutcomeStatus.SKIPPED
    assert outcome.reason == "crowd directories not collected: HTTP 401: credentials were rejected"


def test_through_the_runner_and_only_for_crowd():
    failed = crowd(ldap(last_sync=sync(state="FAILURE")))
    assert only(findings_of(analyse(failed), "crowd.directories.sync")).severity is Severity.CRITICAL
    assert outcome_of(analyse(instance()), "crowd.directories.sync") is None
