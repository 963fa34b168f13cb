"""/healthz's verdict from the scheduler's state at a given time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from agent.service.health import judge
from agent.service.scheduler import JobState

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
STARTED = NOW - timedelta(hours=1)


def job(
    next_in: float, *, every: bool = True, period: float = 60, finished_ago: float | None = 30, running=False
):
    return JobState(
        job_id="quick",
        next_run_time=NOW + timedelta(seconds=next_in),
        period_s=period,
        every=every,
        last_finished=None if finished_ago is None else NOW - timedelta(seconds=finished_ago),
        running_since=NOW - timedelta(seconds=5) if running else None,
    )


def verdict(jobs, role="leader", running=True, started=STARTED):
    return judge(role=role, scheduler_running=running, jobs=jobs, now=NOW, started_at=started, worker="h:1")


def test_a_leader_on_time_is_ok():
    health = verdict([job(30)])
    assert (health.http_status, health.body()["status"], health.reasons) == (200, "ok", [])


def test_a_standby_is_healthy_and_says_so():
    health = verdict([], role="standby", running=False, started=None)
    assert (health.http_status, health.body()["status"]) == (200, "standby")


def test_a_stopped_scheduler_fails():
    health = verdict([job(30)], running=False)
    assert health.http_status == 503
    assert health.body() == {
        "status": "failing",
        "role": "leader",
        "worker": "h:1",
        "reasons": ["the scheduler is not running"],
    }


def test_a_slot_late_by_more_than_its_period_fails():
    assert verdict([job(-59)]).http_status == 200
    health = verdict([job(-61)])
    assert health.http_status == 503
    assert "job quick is overdue" in health.reasons[0]


def test_an_every_job_without_a_finished_run_for_two_periods_fails():
    assert verdict([job(30, finished_ago=119)]).http_status == 200
    health = verdict([job(30, finished_ago=121)])
    assert health.http_status == 503 and "has not finished a run for 121s" in health.reasons[0]
    # a run in progress, a cron job, and a scheduler started less than two periods ago are not judged so
    assert verdict([job(30, finished_ago=121, running=True)]).http_status == 200
    assert verdict([job(30, finished_ago=121, every=False)]).http_status == 200
    assert verdict([job(30, finished_ago=None)], started=NOW - timedelta(seconds=100)).http_status == 200
    assert verdict([job(30, finished_ago=None)]).http_status == 503
