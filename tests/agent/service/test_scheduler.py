"""The scheduler: aligned slots, the slot's own time handed to the work, and a restart that keeps the
stored slots (a missed one runs once; a run one is not run again)."""

from __future__ import annotations

import pickle
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, MetaData, Table, select, update

from agent.config.service_schema import Schedule
from agent.service.events import JobSpec
from agent.service.models import JOBS_TABLE
from agent.service.scheduler import EPOCH, ServiceScheduler, every_trigger, period_seconds, trigger_for
from agent.service.store import open_service_db

QUICK = JobSpec("quick", Schedule(name="quick", every="10s"), ("acme",))
NIGHTLY = JobSpec("nightly", Schedule(name="nightly", cron="0 2 * * *"), ("acme", "globex"))


def test_every_slots_are_multiples_of_the_period_since_the_epoch():
    trigger = every_trigger(300)
    for now in (datetime(2026, 6, 1, 10, 0, 1, tzinfo=UTC), datetime(2026, 6, 1, 10, 4, 59, tzinfo=UTC)):
        assert trigger.get_next_fire_time(None, now) == datetime(2026, 6, 1, 10, 5, tzinfo=UTC)
    slot = trigger.get_next_fire_time(None, datetime(2026, 6, 1, 10, 7, tzinfo=UTC))
    assert (slot - EPOCH).total_seconds() % 300 == 0
    assert trigger.get_next_fire_time(slot, slot) == slot + timedelta(minutes=5)


def test_cron_schedules_run_in_the_configured_zone():
    trigger = trigger_for(NIGHTLY.schedule, "America/New_York")
    at = trigger.get_next_fire_time(None, datetime(2026, 1, 10, 12, 0, tzinfo=UTC))
    assert at.astimezone(UTC) == datetime(2026, 1, 11, 7, 0, tzinfo=UTC)
    assert period_seconds(trigger, datetime(2026, 1, 10, tzinfo=UTC)) == 86400


class Recorder:
    def __init__(self) -> None:
        self.runs: list[tuple[str, datetime]] = []
        self.ran = threading.Event()

    def __call__(self, spec: JobSpec, scheduled_for: datetime) -> None:
        self.runs.append((spec.job_id, scheduled_for))
        self.ran.set()


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    opened = open_service_db(f"sqlite:///{tmp_path / 'service.sqlite'}", tmp_path)
    yield opened
    opened.dispose()


def service_scheduler(engine: Engine, recorder: Recorder) -> ServiceScheduler:
    return ServiceScheduler(
        engine, timezone="UTC", run_job=recorder, deliver_outbox=lambda: None, housekeeping=lambda: None
    )


def stored_next_run(engine: Engine, job_id: str, next_run_time: datetime | None = None) -> datetime:
    """The stored job's next run time, after setting it when given (as a service that stopped at
    that point would have left it): read and written in APScheduler's job table itself."""
    table = Table(JOBS_TABLE, MetaData(), autoload_with=engine)
    with engine.begin() as connection:
        blob = connection.execute(select(table.c.job_state).where(table.c.id == job_id)).scalar_one()
        state = pickle.loads(blob)
        if next_run_time is not None:
            state["next_run_time"] = next_run_time
            connection.execute(
                update(table)
                .where(table.c.id == job_id)
                .values(job_state=pickle.dumps(state), next_run_time=next_run_time.timestamp())
            )
    return state["next_run_time"]


def latest_slot(period: float) -> datetime:
    now = datetime.now(UTC)
    return EPOCH + timedelta(seconds=((now - EPOCH).total_seconds() // period) * period)


def test_a_missed_slot_runs_once_after_a_restart_with_its_own_time(engine):
    first = Recorder()
    scheduler = service_scheduler(engine, first)
    scheduler.start([QUICK, NIGHTLY])
    slot = stored_next_run(engine, "quick")
    assert (slot - EPOCH).total_seconds() % 10 == 0
    scheduler.stop()

    missed = latest_slot(10)  # the service was down at the slot: within the misfire grace
    stored_next_run(engine, "quick", missed)
    second = Recorder()
    restarted = service_scheduler(engine, second)
    restarted.start([QUICK, NIGHTLY])  # same triggers: the stored next run is kept, not recomputed
    try:
        assert second.ran.wait(10)
        assert second.runs[0] == ("quick", missed)
    finally:
        restarted.stop()
    assert restarted.wait_idle(10) == []
    # the slot that ran is behind the stored schedule: a third start does not run it again
    assert stored_next_run(engine, "quick") == missed + timedelta(seconds=10)
    assert [r for r in second.runs if r == ("quick", missed)] == [("quick", missed)]


def test_reload_adds_changes_and_removes_jobs(engine):
    scheduler = service_scheduler(engine, Recorder())
    scheduler.start([QUICK, NIGHTLY])
    try:
        slot = stored_next_run(engine, "nightly")
        changed = JobSpec("quick", Schedule(name="quick", every="20s"), ("acme",))
        weekly = JobSpec("weekly", Schedule(name="weekly", cron="0 3 * * 0"), ("acme",))
        changes = scheduler.sync([changed, NIGHTLY, weekly])
        assert sorted(changes) == ["added weekly", "changed quick"]
        assert stored_next_run(engine, "nightly") == slot  # unchanged: its next slot is kept
        assert sorted(scheduler.sync([weekly])) == ["removed nightly", "removed quick"]
        assert scheduler.sync([weekly]) == []
        assert {s.job_id for s in scheduler.job_states()} == {"weekly"}
        weekly_next = stored_next_run(engine, "weekly")
        assert weekly_next.astimezone(UTC).weekday() == 6  # Sunday, as cron's 0 means
    finally:
        scheduler.stop()


def test_a_slot_of_a_job_no_longer_configured_is_not_run(engine):
    recorder = Recorder()
    scheduler = service_scheduler(engine, recorder)
    scheduler.start([QUICK])
    try:
        scheduler.run_slot("gone", datetime(2026, 6, 1, tzinfo=UTC))
        assert recorder.runs == []
        scheduler.run_slot("quick", datetime(2026, 6, 1, tzinfo=UTC))
        assert recorder.runs == [("quick", datetime(2026, 6, 1, tzinfo=UTC))]
        assert [s.last_finished is not None for s in scheduler.job_states()] == [True]
    finally:
        scheduler.stop()
