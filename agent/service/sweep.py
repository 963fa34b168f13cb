"""The service's work: run one slot of a job for its customers (collect once, check, keep history,
judge alerts, keep reports or write statements), deliver the outbox, prune old history.

Every customer's slot is claimed in the database before anything runs, so a restarted service or a
second one on the same database never runs a slot twice. A failure of one customer's part is
recorded as that run's error; the others and the service go on.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import Engine

from agent.config.loader import LoadedConfig
from agent.config.service_schema import CustomerService, ServiceConfig
from agent.files import OutputError
from agent.ledger.service import Ledger
from agent.ledger.terms import customer_terms
from agent.service import history
from agent.service.alerts import record_verdict
from agent.service.channels import Sender, build_senders
from agent.service.checks_run import run_schedule_checks
from agent.service.events import CustomerRun, DeliveryReport, JobSpec, SweepResult, Verdict
from agent.service.history_attach import attach_history
from agent.service.hours_watch import balance_verdict
from agent.service.outbox import deliver_due
from agent.service.quiet import muted
from agent.service.report_files import KeptReport, keep_reports
from agent.service.run_metrics import samples
from agent.service.run_summary import summarise
from agent.service.statements import write_statements
from agent.service.verdict import verdict_from_analysis
from checks.registry import Registry, load_registry
from checks.runner import Analysis
from collectors.model import Snapshot

log = logging.getLogger(__name__)


class ServiceWork:
    """The ``Work`` the scheduler drives, for one loaded configuration."""

    def __init__(
        self,
        loaded: LoadedConfig,
        engine: Engine,
        worker: str,
        now: Callable[[], datetime],
        *,
        registry: Registry | None = None,
        senders: dict[str, Sender] | None = None,
    ) -> None:
        if loaded.config.service is None:
            raise ValueError("the configuration has no service section")
        self.loaded = loaded
        self.service: ServiceConfig = loaded.config.service
        self.engine = engine
        self.worker = worker
        self.now = now
        self.registry = registry if registry is not None else load_registry()
        self.senders = (
            senders
            if senders is not None
            else build_senders(self.service.alerts, loaded.base_dir, dict(os.environ))
        )
        self.ledger = Ledger(engine, recorded_by=f"atlas-health serve ({worker})", clock=now)

    # -- the Work protocol ---------------------------------------------------------------------

    def run_job(self, spec: JobSpec, scheduled_for: datetime) -> SweepResult:
        started_at = self.now()
        clock = time.perf_counter()
        claimed: dict[str, int] = {}
        runs: list[CustomerRun] = []
        for customer in spec.customers:
            run_id = history.claim_slot(
                self.engine,
                job=spec.job_id,
                schedule=spec.schedule.name,
                customer=customer,
                scheduled_for=scheduled_for,
                worker=self.worker,
                now=started_at,
            )
            if run_id is None:
                log.info("%s at %s for %s already ran; skipped", spec.job_id, scheduled_for, customer)
                runs.append(CustomerRun(customer, None, "skipped"))
            else:
                claimed[customer] = run_id
        if claimed:
            if spec.schedule.statement:
                runs.extend(self._statements(claimed))
            else:
                runs.extend(self._checks(spec, claimed))
        firing = history.firing_counts(self.engine)
        return SweepResult(
            job_id=spec.job_id,
            scheduled_for=scheduled_for,
            started_at=started_at,
            duration_s=time.perf_counter() - clock,
            runs=runs,
            alerts_firing={c: firing.get(c, 0) for c in spec.customers},
        )

    def deliver_outbox(self) -> DeliveryReport:
        return deliver_due(self.engine, self.senders, now=self.now(), worker=self.worker)

    def housekeeping(self) -> None:
        pruned = history.prune(self.engine, now=self.now(), retention_days=self.service.retention_days)
        if any(pruned.values()):
            log.info("pruned history older than %d days: %s", self.service.retention_days, pruned)

    def close(self) -> None:
        """Nothing to release: the engine belongs to the daemon."""

    # -- checks --------------------------------------------------------------------------------

    def _checks(self, spec: JobSpec, claimed: dict[str, int]) -> list[CustomerRun]:
        clock = time.perf_counter()
        try:
            snapshot, analysis = run_schedule_checks(
                self.loaded, list(claimed), spec.schedule, self.registry, with_history=self._with_history
            )
        except Exception as exc:  # a defect in collection or checking: the runs say so, the service goes on
            log.exception("%s: the run failed", spec.job_id)
            return [self._failed(c, run_id, f"internal error: {exc}") for c, run_id in claimed.items()]
        kept: dict[str, KeptReport] = {}
        report_error: str | None = None
        if spec.schedule.report:
            try:
                kept = keep_reports(self.loaded, snapshot, analysis, at=self.now())
            except OutputError as exc:  # a full disk: the run is still judged, the report is missing
                report_error = f"report not written: {exc}"
                log.error("%s: %s", spec.job_id, report_error)
        elapsed = time.perf_counter() - clock
        runs = []
        for customer, run_id in claimed.items():
            try:
                runs.append(
                    self._judge(
                        customer, run_id, snapshot, analysis, kept.get(customer), report_error, elapsed
                    )
                )
            except Exception as exc:  # a defect in recording: this customer's run says so
                log.exception("%s: recording %s's run failed", spec.job_id, customer)
                runs.append(self._failed(customer, run_id, f"internal error: {exc}"))
        return runs

    def _with_history(self, snapshot: Snapshot) -> Snapshot:
        since = snapshot.started_at - timedelta(days=self.service.forecast_days)
        return attach_history(snapshot, self.engine, since=since)

    def _judge(
        self,
        customer: str,
        run_id: int,
        snapshot: Snapshot,
        analysis: Analysis,
        report: KeptReport | None,
        report_error: str | None,
        elapsed: float,
    ) -> CustomerRun:
        own = analysis.for_customer(customer)
        summary = summarise(customer, snapshot, own)
        at = self.now()
        history.finish_run(
            self.engine,
            run_id,
            status="done",
            findings=own.findings,
            collection_errors=summary.collection_errors,
            checks_run=summary.checks_run,
            checks_not_run=summary.checks_not_run,
            duration_ms=int(elapsed * 1000),
            error=report_error,
            report_id=report.report_id if report else None,
            report_path=str(report.path) if report else None,
            metrics=samples(snapshot, customer),
            now=at,
        )
        alerts = self.service.alerts
        verdict = verdict_from_analysis(
            customer,
            own,
            min_severity=alerts.min_severity,
            at=at,
            report=str(report.path) if report else None,
        )
        verdict, hours_left = self._with_balance(verdict)
        counts = record_verdict(
            self.engine,
            verdict,
            alerts,
            channels=self._channels(customer),
            muted=self._muted(customer, at),
            now=at,
        )
        if counts.get("fired") or counts.get("resolved"):
            log.info("%s: %d alert(s) fired, %d resolved", customer, counts["fired"], counts["resolved"])
        return CustomerRun(
            customer=customer,
            run_id=run_id,
            status="done",
            worst=summary.worst.value,
            findings_by_severity=summary.findings_by_severity,
            collection_errors=summary.collection_errors,
            instances=summary.instances,
            duration_s=elapsed,
            report_path=str(report.path) if report else None,
            error=report_error,
            hours_left_minutes=hours_left,
        )

    def _with_balance(self, verdict: Verdict) -> tuple[Verdict, int | None]:
        terms = customer_terms(self.loaded.config, verdict.customer)
        if terms is None:
            return verdict, None
        watched = balance_verdict(self.ledger, verdict.customer, terms)
        if not self.service.alerts.low_balance:
            return verdict, watched.minutes_left
        seen = [*verdict.seen, watched.observation] if watched.observation else verdict.seen
        return replace(verdict, seen=seen, judged=verdict.judged | {watched.judged}), watched.minutes_left

    # -- statements ----------------------------------------------------------------------------

    def _statements(self, claimed: dict[str, int]) -> list[CustomerRun]:
        clock = time.perf_counter()
        try:
            written = {
                s.customer: s
                for s in write_statements(self.loaded, self.ledger, list(claimed), at=self.now())
            }
        except (OutputError, ValueError) as exc:  # a full disk, or the ledger's arithmetic refused
            log.error("statements not written: %s", exc)
            return [self._failed(c, run_id, f"statement not written: {exc}") for c, run_id in claimed.items()]
        runs = []
        for customer, run_id in claimed.items():
            statement = written.get(customer)
            path = str(statement.path) if statement else None
            note = None if statement else "no support contract: no statement"
            history.finish_run(
                self.engine,
                run_id,
                status="done",
                findings=[],
                duration_ms=int((time.perf_counter() - clock) * 1000),
                error=note,
                report_path=path,
                now=self.now(),
            )
            left = statement.closing_minutes if statement else None
            runs.append(CustomerRun(customer, run_id, "done", report_path=path, hours_left_minutes=left))
        return runs

    # -- helpers -------------------------------------------------------------------------------

    def _failed(self, customer: str, run_id: int, error: str) -> CustomerRun:
        try:
            history.finish_run(self.engine, run_id, status="failed", findings=[], error=error, now=self.now())
        except Exception:  # the database is gone too: the run stays "running" until a leader marks it
            log.exception("could not record the failed run of %s", customer)
        return CustomerRun(customer, run_id, "failed", error=error)

    def _channels(self, customer: str) -> Sequence[str]:
        own = self._customer_service(customer)
        names = self.service.alerts.channel_names()
        if own is None or own.channels is None:
            return names
        return [n for n in names if n in own.channels]

    def _muted(self, customer: str, at: datetime) -> str | None:
        return muted(self._customer_service(customer), self.loaded.config.settings.timezone, at)

    def _customer_service(self, customer: str) -> CustomerService | None:
        return next((c.service for c in self.loaded.config.customers if c.name == customer), None)


def make_work(loaded: LoadedConfig, engine: Engine, worker: str, now: Callable[[], datetime]) -> ServiceWork:
    """The default ``WorkFactory`` of `atlas-health serve`."""
    return ServiceWork(loaded, engine, worker, now)
