"""bamboo.queue.backlog and bamboo.queue.age: short, long, old, untimed and uncollected queues."""

from __future__ import annotations

import pytest

from atlas_health.testing.harness import analyse, evidence, only, outcome_of, run_check
from atlas_health.testing.instances import error
from checks.bamboo.queue_age import BambooQueueAge
from checks.bamboo.queue_backlog import BambooQueueBacklog
from checks.finding import Severity
from checks.runner import OutcomeStatus
from collectors.facts.bamboo import BambooQueue
from collectors.model import ErrorKind
from tests.checks.bamboo.factory import bamboo, queued


@pytest.mark.parametrize(
    ("count", "severity"),
    [
        (0, Severity.OK),
        (9, Severity.OK),
        (10, Severity.WARNING),
        (29, Severity.WARNING),
        (30, Severity.CRITICAL),
    ],
)
def test_backlog_thresholds(count, severity):
    finding = only(run_check(BambooQueueBacklog, bamboo(queue=queued(count))))
    assert finding.severity is severity


def test_backlog_counts_the_whole_queue_and_names_busy_plans():
    queue = queued(25)
    finding = only(run_check(BambooQueueBacklog, bamboo(queue=BambooQueue(size=40, builds=queue.builds))))
    assert finding.severity is Severity.CRITICAL and finding.title == "40 builds queued in Bamboo"
    assert evidence(finding)["plans queued most"].startswith("PLAN-0 (9)")


@pytest.mark.parametrize(
    ("minutes", "severity"),
    [
        (3, Severity.OK),
        (14, Severity.OK),
        (15, Severity.WARNING),
        (45, Severity.WARNING),
        (61, Severity.CRITICAL),
    ],
)
def test_age_thresholds(minutes, severity):
    finding = only(run_check(BambooQueueAge, bamboo(queue=queued(4, oldest_minutes=minutes))))
    assert finding.severity is severity
    assert evidence(finding)["minutes queued"] == pytest.approx(minutes, abs=0.1)


def test_empty_queue_is_ok_and_untimed_queue_is_skipped():
    assert only(run_check(BambooQueueAge, bamboo(queue=queued(0)))).message == "The build queue is empty."
    outcome = outcome_of(analyse(bamboo(queue=queued(3, timed=False))), "bamboo.queue.age")
    assert outcome.status is OutcomeStatus.SKIPPED and "no queued times" in outcome.reason


def test_queue_not_collected_skips_both():
    inst = bamboo(queue=None)
    inst.errors.append(error("bamboo.queue", ErrorKind.SERVER_ERROR, "HTTP 500: server error"))
    analysis = analyse(inst)
    for check in ("bamboo.queue.backlog", "bamboo.queue.age"):
        outcome = outcome_of(analysis, check)
        assert outcome.status is OutcomeStatus.SKIPPED and "HTTP 500" in outcome.reason
