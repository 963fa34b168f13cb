"""fecru.repositories: running, stopped, failing to index, disabled, not collected; reachability."""

from __future__ import annotations

import pytest

from atlas_health.testing.harness import analyse, evidence, only, outcome_of, run_check
from atlas_health.testing.instances import error
from checks.fecru.repositories import FecruRepositories
from checks.finding import Severity
from checks.instance.status import InstanceStatus
from checks.runner import OutcomeStatus
from collectors.facts.fecru import RepositoryIndexing
from collectors.model import ErrorKind, ProductStatus
from tests.checks.fecru.factory import fecru, repository

FAILED = RepositoryIndexing(
    stopped=True,
    failed=True,
    scanning_percent=37.0,
    indexing_percent=12.0,
    message="svn: E170013: Unable to connect",
)


def test_running_repositories_are_ok():
    finding = only(run_check(FecruRepositories, fecru()))
    assert finding.severity is Severity.OK
    assert finding.message == "All 3 enabled repositories are running; 1 disabled."


@pytest.mark.parametrize("state", ["STOPPED", "STOPPING", "STARTING", "UNKNOWN"])
def test_enabled_but_not_running_warns(state):
    inst = fecru([repository("core"), repository("legacy", type="svn", state=state)])
    finding = only(run_check(FecruRepositories, inst))
    assert finding.severity is Severity.WARNING and finding.title == f"Repository legacy is {state.lower()}"
    assert evidence(finding)["repository"] == "legacy"


def test_stopped_with_failed_indexing_carries_the_message():
    finding = only(
        run_check(FecruRepositories, fecru([repository("legacy", state="STOPPED", indexing=FAILED)]))
    )
    assert "indexing failed: svn: E170013: Unable to connect" in finding.message
    assert evidence(finding)["scanning percent"] == 37.0


def test_running_but_failing_to_index_warns():
    inst = fecru([repository("core", indexing=RepositoryIndexing(failed=True, message="disk full"))])
    finding = only(run_check(FecruRepositories, inst))
    assert finding.title == "Repository core is failing to index" and "disk full" in finding.message


def test_one_finding_per_repository_and_disabled_ones_are_left_alone():
    inst = fecru(
        [
            repository("a", state="STOPPED"),
            repository("b", state="STOPPED"),
            repository("old", enabled=False, state="DISABLED", indexing=FAILED),
        ]
    )
    findings = run_check(FecruRepositories, inst)
    assert sorted(f.title for f in findings) == ["Repository a is stopped", "Repository b is stopped"]
    assert len({f.fingerprint for f in findings}) == 2


def test_not_collected_is_skipped_with_the_error():
    inst = fecru(None)
    inst.fecru.repositories = None
    inst.errors.append(error("fecru.repositories", ErrorKind.FORBIDDEN, "HTTP 403: permission denied"))
    outcome = outcome_of(analyse(inst), "fecru.repositories")
    assert outcome.status is OutcomeStatus.SKIPPED and "HTTP 403" in outcome.reason


def test_reachable_through_the_server_info_probe():
    probe = ProductStatus(state="RUNNING", http_status=200, raw={"probe": "/rest-service-fecru/server-v1"})
    finding = only(run_check(InstanceStatus, fecru(status=probe)))
    assert finding.severity is Severity.OK and finding.title == "Fisheye/Crucible is running"
    down = fecru(status=None, errors=[error("status", ErrorKind.CONNECTION_REFUSED, "connection refused")])
    assert only(run_check(InstanceStatus, down)).severity is Severity.CRITICAL
