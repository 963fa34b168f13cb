"""instance.apps.state: user-installed apps that failed to load, are disabled or need a restart."""

from __future__ import annotations

import pytest

from atlas_health.testing.harness import analyse, findings_of, only, outcome_of, run_check
from atlas_health.testing.instances import app, instance
from checks.finding import Severity
from checks.instance.apps_state import InstanceAppsState
from checks.runner import OutcomeStatus


def test_all_enabled_is_ok_with_the_count():
    finding = only(
        run_check(
            InstanceAppsState,
            instance(apps=[app("a.one"), app("a.two"), app("sys", user_installed=False, enabled=False)]),
        )
    )
    assert finding.severity is Severity.OK
    assert finding.message == "All 2 user-installed apps are enabled and loaded."


@pytest.mark.parametrize(
    ("changes", "severity", "words"),
    [
        pytest.param({"unloadable": True}, Severity.CRITICAL, "failed to load", id="unloadable"),
        pytest.param(
            {"unloadable": True, "enabled": False},
            Severity.CRITICAL,
            "failed to load",
            id="unloadable-and-disabled",
        ),
        pytest.param({"enabled": False}, Severity.WARNING, "installed but disabled", id="disabled"),
        pytest.param({"restart_required": "install"}, Severity.INFO, "needs a restart", id="restart"),
    ],
)
def test_app_problems(changes, severity, words):
    broken = app("com.acme.tempo", name="Timesheets", version="17.2.0", vendor="Acme", **changes)
    finding = only(run_check(InstanceAppsState, instance(apps=[app("com.acme.ok"), broken])))
    assert finding.severity is severity
    assert words in finding.message
    assert "Timesheets 17.2.0 by Acme" in finding.message


def test_system_apps_are_ignored():
    finding = only(
        run_check(
            InstanceAppsState, instance(apps=[app("com.atlassian.x", user_installed=False, enabled=False)])
        )
    )
    assert finding.message == "No user-installed apps."


def test_one_finding_per_app():
    findings = run_check(InstanceAppsState, instance(apps=[app("a", enabled=False), app("b", enabled=False)]))
    assert len({f.fingerprint for f in findings}) == 2


def test_through_the_runner():
    assert (
        only(findings_of(analyse(instance(apps=[app("a", unloadable=True)])), "instance.apps.state")).severity
        is Severity.CRITICAL
    )
    assert outcome_of(analyse(instance(apps=None)), "instance.apps.state").status is OutcomeStatus.SKIPPED
