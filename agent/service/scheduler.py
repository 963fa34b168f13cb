"""The schedules as APScheduler 3 jobs, kept in the service's database so that a restart (or the
standby taking over) continues the same slots: a missed slot still runs once within its misfire grace,
and a slot is never run twice (the Work claims each (job, customer, scheduled_for) before it runs).

The stored jobs name their function by reference (``agent.service.scheduler:run_scheduled_job``), as the
job store pickles them; that function finds the running ``ServiceScheduler`` of this process and hands
it the job and the slot's scheduled time, which the executor below passes along (APScheduler 3 itself
calls a job's function without it).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.executors.base import run_job
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Engine

from agent.config.service_schema import Schedule
from agent.service.crontab import crontab_trigger
from agent.service.events import JobSpec
from agent.service.models import JOBS_TABLE

log = logging.getLogger(__name__)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
OUTBOX_SECONDS = 15.0
HOUSEKEEPING_SECONDS = 3600.0
STORED = "default"  # the job store in the database: the schedules' jobs
INTERNAL = "internal"  # a memory job store and its own executor: outbox and housekeeping
JOB_FUNCTION = f"{__name__}:run_scheduled_job"

_slot = threading.local()  # the scheduled time of the slot this executor thread runs
_active: ServiceScheduler | None = None  # the one started in this process, if any


def run_scheduled_job(job_id: str) -> None:
    """The function of every stored job: run ``job_id``'s current slot on this process's scheduler."""
    scheduler = _active
    scheduled_for: datetime | None = getattr(_slot, "run_time", None)
    if scheduler is None or scheduled_for is None:
        log.warning("job %s fired outside a running service scheduler; ignored", job_id)
        return
    scheduler.run_slot(job_id, scheduled_for.astimezone(UTC))


def _run_slots(job: Any, jobstore_alias: str, run_times: list[datetime], logger_name: str) -> list[Any]:
    events: list[Any] = []
    for run_time in run_times:
        _slot.run_time = run_time
        try:
            events.extend(run_job(job, jobstore_alias, [run_time], logger_name))
        finally:
            _slot.run_time = None
    return events


class SlotExecutor(ThreadPoolExecutor):
    """A thread pool that tells the job function which scheduled time it runs for."""

    def _do_submit_job(self, job: Any, run_times: list[datetime]) -> None:
        def callback(future: Any) -> None:
            exc = future.exception()
            if exc is not None:
                self._run_job_error(job.id, exc, exc.__traceback__)
            else:
                self._run_job_success(job.id, future.result())

        self._pool.submit(
            _run_slots, job, job._jobstore_alias, run_times, self._logger.name
        ).add_done_callback(callback)


def every_trigger(seconds: float) -> IntervalTrigger:
    """Every ``seconds``, on multiples of the period since the epoch: a restart keeps the same slots."""
    return IntervalTrigger(seconds=seconds, start_date=EPOCH, timezone=UTC)


def trigger_for(schedule: Schedule, timezone: str) -> Any:
    if schedule.every_seconds is not None:
        return every_trigger(schedule.every_seconds)
    assert schedule.cron is not None  # the schema requires one of them
    return crontab_trigger(schedule.cron, timezone)


def period_seconds(trigger: Any, after: datetime) -> float:
    """The gap between the trigger's first two fire times after ``after`` (a cron's current period)."""
    first = trigger.get_next_fire_time(None, after)
    if first is None:
        return float("inf")
    second = trigger.get_next_fire_time(first, first + timedelta(microseconds=1))
    return float("inf") if second is None else (second - first).total_seconds()


@dataclass(frozen=True)
class JobState:
    """What /healthz needs of one stored job."""

    job_id: str
    next_run_time: datetime | None
    period_s: float
    every: bool
    last_finished: datetime | None
    running_since: datetime | None


class ServiceScheduler:
    """One process's scheduler: the stored jobs of ``specs`` plus the outbox and housekeeping jobs.

    ``run_job(spec, scheduled_for)`` runs one slot; ``deliver_outbox()`` and ``housekeeping()`` are the
    internal jobs. Started by the leader only; a new one is built each time leadership is taken.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        timezone: str,
        run_job: Callable[[JobSpec, datetime], None],
        deliver_outbox: Callable[[], None],
        housekeeping: Callable[[], None],
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        workers: int = 10,
    ) -> None:
        self.timezone = timezone
        self._run_job = run_job
        self._now = now
        self._specs: dict[str, JobSpec] = {}
        self._lock = threading.Condition()
        self._running: dict[str, datetime] = {}
        self._last_finished: dict[str, datetime] = {}
        self._scheduler = BackgroundScheduler(
            jobstores={
                STORED: SQLAlchemyJobStore(engine=engine, tablename=JOBS_TABLE),
                INTERNAL: MemoryJobStore(),
            },
            executors={STORED: SlotExecutor(workers), INTERNAL: ThreadPoolExecutor(2)},
            job_defaults={"coalesce": True, "max_instances": 1},
            timezone=UTC,
        )
        self._internal = [
            ("outbox", OUTBOX_SECONDS, deliver_outbox),
            ("housekeeping", HOUSEKEEPING_SECONDS, housekeeping),
        ]

    # -- life cycle ------------------------------------------------------------------------------

    def start(self, specs: Iterable[JobSpec]) -> None:
        """Start with the jobs of ``specs``; stored jobs whose trigger is unchanged keep their next slot."""
        global _active
        _active = self
        self._scheduler.start(paused=True)
        self.sync(specs)
        for name, seconds, func in self._internal:
            self._scheduler.add_job(
                _logged(name, func),
                IntervalTrigger(seconds=seconds, timezone=UTC),
                id=name,
                name=name,
                jobstore=INTERNAL,
                executor=INTERNAL,
                misfire_grace_time=None,
            )
        self._scheduler.resume()

    def stop(self) -> None:
        """Take no new jobs; running ones go on (see ``wait_idle``)."""
        global _active
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        if _active is self:
            _active = None

    @property
    def running(self) -> bool:
        return bool(self._scheduler.running)

    def wait_idle(self, timeout: float) -> list[str]:
        """Wait up to ``timeout`` seconds for running jobs; return those still running ("job@slot")."""
        with self._lock:
            self._lock.wait_for(lambda: not self._running, timeout=timeout)
            return [f"{job_id}@{slot.isoformat()}" for job_id, slot in self._running.items()]

    # -- jobs --------------------------------------------------------------------------------------

    def sync(self, specs: Iterable[JobSpec]) -> list[str]:
        """Make the stored jobs those of ``specs``: add, change or remove. Returns what changed."""
        wanted = {spec.job_id: spec for spec in specs}
        stored = {job.id: job for job in self._scheduler.get_jobs(jobstore=STORED)}
        changes: list[str] = []
        for job_id, spec in wanted.items():
            trigger = trigger_for(spec.schedule, self.timezone)
            grace = max(1, int(spec.schedule.misfire_grace_seconds))
            existing = stored.get(job_id)
            if (
                existing is not None
                and existing.func_ref == JOB_FUNCTION
                and repr(existing.trigger) == repr(trigger)
            ):
                if existing.misfire_grace_time != grace:
                    self._scheduler.modify_job(job_id, jobstore=STORED, misfire_grace_time=grace)
                continue
            self._scheduler.add_job(
                JOB_FUNCTION,
                trigger,
                id=job_id,
                name=job_id,
                kwargs={"job_id": job_id},
                jobstore=STORED,
                executor=STORED,
                replace_existing=True,
                coalesce=True,
                max_instances=1,
                misfire_grace_time=grace,
            )
            changes.append(f"{'changed' if existing is not None else 'added'} {job_id}")
        for job_id in stored.keys() - wanted.keys():
            self._scheduler.remove_job(job_id, jobstore=STORED)
            changes.append(f"removed {job_id}")
        self._specs = wanted
        for change in changes:
            log.info("schedule %s", change)
        return changes

    def run_slot(self, job_id: str, scheduled_for: datetime) -> None:
        spec = self._specs.get(job_id)
        if spec is None:
            log.warning("job %s is no longer configured; slot %s skipped", job_id, scheduled_for.isoformat())
            return
        with self._lock:
            self._running[job_id] = scheduled_for
        try:
            self._run_job(spec, scheduled_for)
        finally:
            with self._lock:
                self._running.pop(job_id, None)
                self._last_finished[job_id] = self._now()
                self._lock.notify_all()

    def job_states(self) -> list[JobState]:
        now = self._now()
        states = []
        for job in self._scheduler.get_jobs(jobstore=STORED):
            spec = self._specs.get(job.id)
            with self._lock:
                running = self._running.get(job.id)
                last = self._last_finished.get(job.id)
            states.append(
                JobState(
                    job_id=job.id,
                    next_run_time=job.next_run_time,
                    period_s=period_seconds(job.trigger, now),
                    every=spec is not None and spec.schedule.every is not None,
                    last_finished=last,
                    running_since=running,
                )
            )
        return states


def _logged(name: str, func: Callable[[], None]) -> Callable[[], None]:
    def run() -> None:
        try:
            func()
        except Exception:
            log.exception("%s failed", name)

    run.__name__ = name
    return run
