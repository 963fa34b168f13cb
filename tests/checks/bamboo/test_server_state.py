"""bamboo.server.state: running, paused, waiting for a restart, reindexing, not collected."""

from __future__ import annotations

import pytest

from atlas_health.testing.harness import analyse, only, outcome_of, run_check
from atlas_health.testing.instances import error
from checks.bamboo.server_state import BambooServerState
from checks.finding import Severity
from checks.runner import OutcomeStatus
from collectors.facts.bamboo import BambooServer
from collectors.model import ErrorKind
from tests.checks.bamboo.factory import bamboo


def test_running_is_ok():
    finding = only(run_check(BambooServerState, bamboo()))
    assert finding.severity is Severity.OK and "RUNNING" in finding.message


@pytest.mark.parametrize(
    ("state", "title"),
    [
        ("PAUSED", "Bamboo server is paused"),
        ("PAUSING", "Bamboo server is paused"),
        ("READY_FOR_RESTART", "Bamboo server is waiting for a restart"),
        ("STARTING", "Bamboo server state is STARTING"),
    ],
)
def test_not_running_warns(state, title):
    finding = only(
        run_check(BambooServerState, bamboo(server=BambooServer(state=state, reindex_in_progress=False)))
    )
    assert finding.severity is Severity.WARNING and finding.title == title


def test_reindex_is_info_next_to_the_state():
    findings = run_check(
        BambooServerState, bamboo(server=BambooServer(state="RUNNING", reindex_in_progress=True))
    )
    assert [(f.severity, f.title) for f in findings] == [(Severity.INFO, "Bamboo is reindexing")]
    paused = run_check(
        BambooServerState, bamboo(server=BambooServer(state="PAUSED", reindex_in_progress=True))
    )
    assert [f.severity for f in paused] == [Severity.WARNING, Severity.INFO]


def test_not_collected_is_skipped_with_the_error():
    inst = bamboo(server=None)
    inst.errors.append(error("bamboo.server", ErrorKind.FORBIDDEN, "HTTP 403: permission denied"))
    outcome = outcome_of(analyse(inst), "bamboo.server.state")
    assert outcome.status is OutcomeStatus.SKIPPED and "HTTP 403" in outcome.reason
