"""The cross-product checks on Crowd: status, credentials, version support; and a healthy Crowd overall."""

from __future__ import annotations

import pytest

from atlas_health.testing.harness import analyse, only, outcome_of, run_check
from checks.finding import Severity
from checks.instance.credentials import InstanceCredentials
from checks.instance.status import InstanceStatus
from checks.instance.version_support import InstanceVersionSupport
from checks.runner import OutcomeStatus
from collectors.model import CurrentUser, ProductStatus, ServerInfo
from tests.checks.crowd.factory import crowd


def running(version: str) -> ServerInfo:
    return ServerInfo(version=version, version_numbers=[int(p) for p in version.split(".")])


@pytest.mark.parametrize(
    ("version", "severity", "words"),
    [
        pytest.param("7.2.3", Severity.OK, "Crowd 7.2.3 is supported until 2028-05-17", id="lts"),
        pytest.param("6.2.6", Severity.WARNING, "reaches end of life on 2026-12-18, in 22 days", id="ending"),
        pytest.param("6.1.7", Severity.CRITICAL, "reached end of life on 2026-09-27", id="past"),
    ],
)
def test_version_support(version, severity, words):
    finding = only(run_check(InstanceVersionSupport, crowd(server_info=running(version))))
    assert finding.severity is severity
    assert words in finding.message


def test_version_support_names_the_crowd_lts():
    finding = only(run_check(InstanceVersionSupport, crowd(server_info=running("6.2.6"))))
    assert "The Long Term Support release to move to is Crowd 7.2" in finding.message


def test_status_and_credentials():
    status = ProductStatus(state="RUNNING", http_status=200, raw={"state": "RUNNING"})
    assert only(run_check(InstanceStatus, crowd(status=status))).title == "Crowd is running"
    user = CurrentUser(authenticated=True, username="crowd-admin")
    assert only(run_check(InstanceCredentials, crowd(current_user=user))).message == (
        "The API authenticated the agent as crowd-admin."
    )


def test_healthy_crowd_passes_every_check_and_skips_the_licence():
    analysis = analyse(crowd())
    ran = {o.check: o for o in analysis.outcomes}
    for check in (
        "crowd.directories.sync",
        "crowd.directories.stale",
        "crowd.directories.active",
        "instance.version.support",
        "instance.status",
        "instance.credentials",
    ):
        assert ran[check].status is OutcomeStatus.RAN, ran[check]
    assert outcome_of(analysis, "instance.license.expiry").status is OutcomeStatus.SKIPPED
    assert not any(c.startswith(("jira.", "bitbucket.")) for c in ran)
    not_ok = [(f.check, f.severity, f.title) for f in analysis.findings if f.severity is not Severity.OK]
    assert not_ok == []
