"""The long-running `serve` process: hold or wait for the lead, schedule while leading, answer
/healthz and /metrics always, and obey signals.

- SIGTERM, SIGINT: take no new jobs; running ones get ``service.shutdown_grace`` to finish; exit 0
  (what was still running is logged: its slot stays claimed as running and is marked interrupted by
  the next leader).
- SIGHUP: read the configuration file again; an invalid one is refused with each error logged and the
  running one kept; a valid one gets a new Work and the jobs are planned again.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from agent.service import history
from agent.service.health import Health, judge
from agent.service.leader import Leadership, leadership_for
from agent.service.metrics import ServiceMetrics
from agent.service.plan import plan_jobs
from agent.service.preflight import service_problems
from agent.service.scheduler import ServiceScheduler

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from agent.config.loader import LoadedConfig
    from agent.service.events import JobSpec
    from agent.service.work import Work, WorkFactory

log = logging.getLogger(__name__)

POLL_SECONDS = 2.0  # a standby tries for the lead this often
VERIFY_SECONDS = 5.0  # the leader checks that it still holds the lead this often


def utcnow() -> datetime:
    return datetime.now(UTC)


def default_worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def reload_from_file(loaded: LoadedConfig, env: Mapping[str, str]) -> LoadedConfig:
    """``loaded``'s file read again (raises ConfigError)."""
    from agent.config.loader import load_config
    from checks.registry import load_registry

    return load_config(Path(loaded.source), registry=load_registry(), env=env)


@dataclass
class _WorkInUse:
    """A Work and how many jobs use it: a replaced one is closed once its last job is done."""

    work: Work
    users: int = 0
    retired: bool = False


class Daemon:
    def __init__(
        self,
        loaded: LoadedConfig,
        *,
        work_factory: WorkFactory,
        now: Callable[[], datetime] = utcnow,
        worker: str | None = None,
        env: Mapping[str, str] | None = None,
        reload: Callable[[LoadedConfig, Mapping[str, str]], LoadedConfig] = reload_from_file,
        poll_seconds: float = POLL_SECONDS,
        verify_seconds: float = VERIFY_SECONDS,
        serve_http: bool = True,
    ) -> None:
        self.serve_http = serve_http
        self.loaded = loaded
        self.work_factory = work_factory
        self.now = now
        self.worker = worker or default_worker()
        self.env = dict(os.environ if env is None else env)
        self._reload_config = reload
        self.poll_seconds = poll_seconds
        self.verify_seconds = verify_seconds
        self.metrics = ServiceMetrics()
        self.abandoned: list[str] = []  # jobs still running when the grace ran out
        self._wake = threading.Event()
        self._stop_requested = False
        self._reload_requested = False
        self._lock = threading.Lock()
        self._engine: Engine | None = None
        self._leadership: Leadership | None = None
        self._scheduler: ServiceScheduler | None = None
        self._work: _WorkInUse | None = None
        self._role = "starting"
        self._leading_since: datetime | None = None

    # -- signals -----------------------------------------------------------------------------------

    def install_signal_handlers(self) -> None:
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        signal.signal(signal.SIGHUP, self._on_signal)

    def _on_signal(self, number: int, _frame: FrameType | None) -> None:
        if number == signal.SIGHUP:
            self.request_reload()
        else:
            self.request_stop()

    def request_stop(self) -> None:
        self._stop_requested = True
        self._wake.set()

    def request_reload(self) -> None:
        self._reload_requested = True
        self._wake.set()

    # -- the main loop -------------------------------------------------------------------------------

    def run_until_stopped(self) -> int:
        """Open the database, serve /healthz and /metrics, lead or wait until a stop is requested;
        0 when stopped as asked. Raises LedgerUnavailableError or OSError (listen) at start."""
        from agent.service.http import HttpServer, build_app
        from agent.service.store import open_service_db

        ledger = self.loaded.config.ledger
        engine = open_service_db(ledger.url, self.loaded.base_dir, ledger.busy_timeout_seconds)
        service = self.loaded.config.service
        http = None
        if self.serve_http and service is not None:
            host, port = service.listen_address
            http = HttpServer(build_app(self.health, self.metrics.render), host, port)
            http.start()
        try:
            return self._run(engine)
        finally:
            if http is not None:
                http.stop()
            if not self.abandoned:
                engine.dispose()

    def _run(self, engine: Engine) -> int:
        self._engine = engine
        self._leadership = leadership_for(engine)
        self._role = "standby"
        self.metrics.set_leader(False)
        log.info("waiting for the lead as %s", self.worker)
        last_verified = time.monotonic()
        while not self._stop_requested:
            if self._reload_requested:
                self._reload_requested = False
                self._reload()
            if self._leadership.held:
                if time.monotonic() - last_verified >= self.verify_seconds:
                    last_verified = time.monotonic()
                    if not self._leadership.still_held():
                        self._lose_lead()
            elif self._leadership.try_acquire():
                last_verified = time.monotonic()
                self._take_lead()
            self._wake.wait(self.poll_seconds)
            self._wake.clear()
        return self._shutdown()

    def _take_lead(self) -> None:
        assert self._engine is not None
        log.info("took the lead as %s", self.worker)
        self._role = "leader"
        self.metrics.set_leader(True)
        self.on_lead_taken()
        self._set_work(self.work_factory(self.loaded, self._engine, self.worker, self.now))
        self._scheduler = self._new_scheduler()
        self._scheduler.start(plan_jobs(self.loaded.config))
        self._leading_since = self.now()

    def on_lead_taken(self) -> None:
        """Called once each time this process takes the lead, before its scheduler starts: runs a
        dead leader left ``running`` become ``interrupted`` (only the leader runs jobs, so any run
        still marked running belongs to a process that is gone)."""
        log.info("leader %s starts scheduling", self.worker)
        if self._engine is None:
            return
        interrupted = history.mark_interrupted(self._engine, self.worker, self.now(), any_worker=True)
        if interrupted:
            log.warning("%d run(s) left running by a stopped service marked interrupted", interrupted)

    def _lose_lead(self) -> None:
        log.error("lost the lead: scheduling stops; waiting to take it again")
        if self._scheduler is not None:
            self._scheduler.stop()
            self._scheduler = None
        self._role = "standby"
        self._leading_since = None
        self.metrics.set_leader(False)
        self._set_work(None)

    def _new_scheduler(self) -> ServiceScheduler:
        assert self._engine is not None
        return ServiceScheduler(
            self._engine,
            timezone=self.loaded.config.settings.timezone,
            run_job=self._run_job,
            deliver_outbox=self._deliver_outbox,
            housekeeping=self._housekeeping,
            now=self.now,
        )

    def _shutdown(self) -> int:
        grace = self._grace()
        log.info("stopping: no new jobs; running ones have %.0fs to finish", grace)
        if self._scheduler is not None:
            self._scheduler.stop()
            self.abandoned = self._scheduler.wait_idle(grace)
            for job in self.abandoned:
                log.warning(
                    "abandoned job %s: still running after the %.0fs grace", job, grace, extra={"job": job}
                )
        if not self.abandoned:
            self._set_work(None)
        if self._leadership is not None:
            self._leadership.release()
        self._role = "stopped"
        self.metrics.set_leader(False)
        log.info("stopped")
        return 0

    def _grace(self) -> float:
        service = self.loaded.config.service
        return service.shutdown_grace_seconds if service is not None else 60.0

    # -- reload ----------------------------------------------------------------------------------------

    def _reload(self) -> None:
        from agent.config.loader import ConfigError

        log.info("reloading %s", self.loaded.source)
        try:
            loaded = self._reload_config(self.loaded, self.env)
        except ConfigError as exc:
            for issue in exc.issues:
                log.error("reload refused: %s", issue.render(exc.source))
            log.error(
                "reload refused: %d configuration error(s); keeping the running configuration",
                len(exc.issues),
            )
            return
        serving = self.loaded.config.service.listen if self.loaded.config.service else None
        errors, warnings = service_problems(loaded, self.env, serving=serving)
        for warning in warnings:
            log.warning("%s", warning)
        if errors:
            for error in errors:
                log.error("reload refused: %s", error)
            log.error("reload refused: %d error(s); keeping the running configuration", len(errors))
            return
        new_service = loaded.config.service
        if new_service is not None and new_service.listen != serving:
            log.warning("service.listen changed to %s: it takes effect at the next start", new_service.listen)
        self.loaded = loaded
        if self._scheduler is not None and self._engine is not None:
            self._set_work(self.work_factory(loaded, self._engine, self.worker, self.now))
            self._scheduler.timezone = loaded.config.settings.timezone
            changes = self._scheduler.sync(plan_jobs(loaded.config))
            log.info("configuration reloaded: %s", ", ".join(changes) or "schedules unchanged")
        else:
            log.info("configuration reloaded (standby: used when this process takes the lead)")

    # -- the work, shared by the scheduler's threads -----------------------------------------------------

    def _set_work(self, work: Work | None) -> None:
        with self._lock:
            old, self._work = self._work, (_WorkInUse(work) if work is not None else None)
            if old is not None:
                old.retired = True
                if old.users:
                    return
        if old is not None:
            _close(old.work)

    def _use_work(self) -> _WorkInUse | None:
        with self._lock:
            if self._work is not None:
                self._work.users += 1
            return self._work

    def _done_with(self, used: _WorkInUse) -> None:
        with self._lock:
            used.users -= 1
            close = used.retired and used.users == 0
        if close:
            _close(used.work)

    def _run_job(self, spec: JobSpec, scheduled_for: datetime) -> None:
        used = self._use_work()
        if used is None:
            return
        extra = {"job": spec.job_id, "scheduled_for": scheduled_for.isoformat()}
        try:
            log.info("job %s: slot %s starts", spec.job_id, scheduled_for.isoformat(), extra=extra)
            result = used.work.run_job(spec, scheduled_for)
            self.metrics.observe_sweep(result)
            statuses = ", ".join(f"{r.customer} {r.status}" for r in result.runs) or "no customers"
            log.info(
                "job %s: slot %s done in %.1fs: %s",
                spec.job_id,
                scheduled_for.isoformat(),
                result.duration_s,
                statuses,
                extra={**extra, "duration_s": round(result.duration_s, 3)},
            )
        except Exception:
            log.exception("job %s: slot %s failed", spec.job_id, scheduled_for.isoformat(), extra=extra)
        finally:
            self._done_with(used)

    def _deliver_outbox(self) -> None:
        used = self._use_work()
        if used is None:
            return
        try:
            report = used.work.deliver_outbox()
            self.metrics.observe_delivery(report)
            if report.sent or report.failed:
                log.info("outbox: sent %s, failed %s, %d pending", report.sent, report.failed, report.pending)
        finally:
            self._done_with(used)

    def _housekeeping(self) -> None:
        used = self._use_work()
        if used is None:
            return
        try:
            used.work.housekeeping()
        finally:
            self._done_with(used)

    # -- /healthz ---------------------------------------------------------------------------------------

    def health(self) -> Health:
        scheduler = self._scheduler
        try:
            jobs = scheduler.job_states() if scheduler is not None else []
        except Exception as exc:  # the job store's database is unreachable
            return Health("failing", [f"cannot read the schedule: {' '.join(str(exc).split())[:200]}"], {})
        return judge(
            role=self._role,
            scheduler_running=scheduler is not None and scheduler.running,
            jobs=jobs,
            now=self.now(),
            started_at=self._leading_since,
            worker=self.worker,
        )


def _close(work: Work) -> None:
    try:
        work.close()
    except Exception:
        log.exception("closing the previous work failed")
