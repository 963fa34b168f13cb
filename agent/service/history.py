"""The history of the service's runs: claiming a slot, recording what a run found, pruning, reading.

A slot (job, customer, scheduled time) is claimed by inserting its row: the unique constraint decides,
so a restarted or second service never runs a slot twice, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from agent.ledger.storage import WRITE
from agent.service.models import Alert, OutboxMessage, Run, RunFinding, RunMetric
from agent.service.run_metrics import Sample
from checks.finding import Finding, Severity
from collectors.history_model import MetricPoint


@dataclass(frozen=True)
class RunRow:
    id: int
    job: str
    schedule: str
    customer: str
    scheduled_for: datetime
    started_at: datetime
    finished_at: datetime | None
    status: str
    worst: str | None
    findings: int
    collection_errors: int
    checks_run: int
    checks_not_run: int
    duration_ms: int | None
    report_id: str | None
    report_path: str | None
    error: str | None
    worker: str


@dataclass(frozen=True)
class FindingRow:
    """One run's sighting of a finding."""

    run_id: int
    customer: str
    job: str
    started_at: datetime
    fingerprint: str
    check: str
    target: str
    severity: str
    category: str
    title: str
    message: str


@dataclass(frozen=True)
class StoredSeries:
    """One recorded series of a customer: a metric of a target (and key), oldest point first."""

    target: str
    metric: str
    key: str
    points: list[MetricPoint]


@dataclass(frozen=True)
class AlertRow:
    customer: str
    fingerprint: str
    check: str
    target: str
    category: str
    severity: str
    title: str
    message: str
    state: str
    seen_runs: int
    absent_runs: int
    first_seen: datetime
    last_seen: datetime
    fired_at: datetime | None
    resolved_at: datetime | None
    notified: str | None
    last_notified_at: datetime | None
    sequence: int
    report: str | None


def claim_slot(
    engine: Engine,
    *,
    job: str,
    schedule: str,
    customer: str,
    scheduled_for: datetime,
    worker: str,
    now: datetime,
) -> int | None:
    """Insert the slot's ``running`` row and return its id; None when the slot was already claimed."""
    run = Run(
        job=job,
        schedule=schedule,
        customer=customer,
        scheduled_for=scheduled_for,
        started_at=now,
        status="running",
        findings=0,
        collection_errors=0,
        checks_run=0,
        checks_not_run=0,
        worker=worker,
    )
    try:
        with Session(_writer(engine)) as session, session.begin():
            session.add(run)
            session.flush()
            return run.id
    except IntegrityError:
        return None


def finish_run(
    engine: Engine,
    run_id: int,
    *,
    status: str,
    findings: Sequence[Finding],
    collection_errors: int = 0,
    checks_run: int = 0,
    checks_not_run: int = 0,
    duration_ms: int | None = None,
    error: str | None = None,
    report_id: str | None = None,
    report_path: str | None = None,
    metrics: Sequence[Sample] = (),
    now: datetime,
) -> None:
    """Record how the run ended; its findings that were not ``ok`` and the figures it measured are
    kept for history (the figures at the run's start time)."""
    problems = [f for f in findings if f.severity is not Severity.OK]
    worst = max((f.severity for f in findings), key=lambda s: s.rank, default=None)
    with Session(_writer(engine)) as session, session.begin():
        session.execute(
            update(Run)
            .where(Run.id == run_id)
            .values(
                status=status,
                finished_at=now,
                worst=worst.value if worst is not None else None,
                findings=len(problems),
                collection_errors=collection_errors,
                checks_run=checks_run,
                checks_not_run=checks_not_run,
                duration_ms=duration_ms,
                error=error,
                report_id=report_id,
                report_path=report_path,
            )
        )
        session.add_all(
            RunFinding(
                run_id=run_id,
                fingerprint=f.fingerprint,
                check=f.check,
                target=f.target,
                severity=f.severity.value,
                category=f.category.value,
                title=f.title,
                message=f.message,
            )
            for f in problems
        )
        if metrics:
            started_at, customer = session.execute(
                select(Run.started_at, Run.customer).where(Run.id == run_id)
            ).one()
            session.add_all(
                RunMetric(
                    run_id=run_id,
                    customer=customer,
                    at=started_at,
                    target=sample.target,
                    metric=sample.metric,
                    key=sample.key,
                    value=sample.value,
                )
                for sample in metrics
            )


def mark_interrupted(engine: Engine, worker: str, now: datetime, *, any_worker: bool = False) -> int:
    """Runs left ``running`` by a service that stopped (this worker's, or every one) become
    ``interrupted``; how many."""
    statement = update(Run).where(Run.status == "running")
    if not any_worker:
        statement = statement.where(Run.worker == worker)
    with _writer(engine).begin() as connection:
        result = connection.execute(
            statement.values(
                status="interrupted", finished_at=now, error="the service stopped during the run"
            )
        )
        return int(result.rowcount)


def prune(engine: Engine, *, now: datetime, retention_days: int) -> dict[str, int]:
    """Delete what is older than the retention: runs (with their findings), alerts resolved and
    notifications sent before it. Firing and pending alerts and unsent notifications always stay."""
    cutoff = now - timedelta(days=retention_days)
    with _writer(engine).begin() as connection:
        old_runs = select(Run.id).where(Run.started_at < cutoff, Run.status != "running")
        connection.execute(delete(RunFinding).where(RunFinding.run_id.in_(old_runs)))
        connection.execute(delete(RunMetric).where(RunMetric.run_id.in_(old_runs)))
        runs = connection.execute(delete(Run).where(Run.started_at < cutoff, Run.status != "running"))
        alerts = connection.execute(
            delete(Alert).where(Alert.state == "resolved", Alert.resolved_at < cutoff)
        )
        outbox = connection.execute(delete(OutboxMessage).where(OutboxMessage.sent_at < cutoff))
        return {
            "runs": int(runs.rowcount),
            "alerts": int(alerts.rowcount),
            "outbox": int(outbox.rowcount),
        }


def list_runs(engine: Engine, *, customer: str | None = None, limit: int = 50) -> list[RunRow]:
    """The newest runs first."""
    statement = select(Run).order_by(Run.started_at.desc(), Run.id.desc()).limit(limit)
    if customer is not None:
        statement = statement.where(Run.customer == customer)
    with Session(engine) as session:
        return [_run_row(run) for run in session.scalars(statement)]


def finding_history(
    engine: Engine, fingerprint: str, *, customer: str | None = None, limit: int = 100
) -> list[FindingRow]:
    """The runs that saw the finding, newest first."""
    statement = (
        select(RunFinding, Run)
        .join(Run, Run.id == RunFinding.run_id)
        .where(RunFinding.fingerprint == fingerprint)
        .order_by(Run.started_at.desc(), Run.id.desc())
        .limit(limit)
    )
    if customer is not None:
        statement = statement.where(Run.customer == customer)
    with Session(engine) as session:
        return [
            FindingRow(
                run_id=run.id,
                customer=run.customer,
                job=run.job,
                started_at=run.started_at,
                fingerprint=found.fingerprint,
                check=found.check,
                target=found.target,
                severity=found.severity,
                category=found.category,
                title=found.title,
                message=found.message,
            )
            for found, run in session.execute(statement)
        ]


def metric_series(
    engine: Engine,
    customer: str,
    *,
    since: datetime,
    until: datetime | None = None,
    target: str | None = None,
    metrics: Sequence[str] | None = None,
) -> list[StoredSeries]:
    """The customer's recorded series from ``since`` (inclusive) to ``until`` (exclusive), sorted by
    target, metric and key, each oldest point first."""
    statement = (
        select(RunMetric.target, RunMetric.metric, RunMetric.key, RunMetric.at, RunMetric.value)
        .where(RunMetric.customer == customer, RunMetric.at >= since)
        .order_by(RunMetric.target, RunMetric.metric, RunMetric.key, RunMetric.at, RunMetric.id)
    )
    if until is not None:
        statement = statement.where(RunMetric.at < until)
    if target is not None:
        statement = statement.where(RunMetric.target == target)
    if metrics is not None:
        statement = statement.where(RunMetric.metric.in_(list(metrics)))
    series: list[StoredSeries] = []
    with engine.connect() as connection:
        for name, metric, key, at, value in connection.execute(statement):
            last = series[-1] if series else None
            if last is None or (last.target, last.metric, last.key) != (name, metric, key):
                last = StoredSeries(name, metric, key, [])
                series.append(last)
            last.points.append(MetricPoint(at=at, value=value))
    return series


def list_alerts(
    engine: Engine, *, customer: str | None = None, states: Sequence[str] | None = None
) -> list[AlertRow]:
    """Alerts by customer, firing first, then pending, then resolved; newest first within a state."""
    statement = select(Alert)
    if customer is not None:
        statement = statement.where(Alert.customer == customer)
    if states:
        statement = statement.where(Alert.state.in_(list(states)))
    order = {"firing": 0, "pending": 1, "resolved": 2}
    with Session(engine) as session:
        alerts = [_alert_row(alert) for alert in session.scalars(statement)]
    return sorted(alerts, key=lambda a: (a.customer, order.get(a.state, 3), -a.last_seen.timestamp()))


def firing_counts(engine: Engine) -> dict[str, int]:
    """Customer -> alerts firing (customers without any are left out)."""
    statement = select(Alert.customer, func.count()).where(Alert.state == "firing").group_by(Alert.customer)
    with engine.connect() as connection:
        return {customer: int(count) for customer, count in connection.execute(statement)}


def _writer(engine: Engine) -> Engine:
    """On SQLite, a transaction of this engine takes the write lock when it begins (BEGIN IMMEDIATE)."""
    return engine.execution_options(**{WRITE: True})


def _run_row(run: Run) -> RunRow:
    return RunRow(
        id=run.id,
        job=run.job,
        schedule=run.schedule,
        customer=run.customer,
        scheduled_for=run.scheduled_for,
        started_at=run.started_at,
        finished_at=run.finished_at,
        status=run.status,
        worst=run.worst,
        findings=run.findings,
        collection_errors=run.collection_errors,
        checks_run=run.checks_run,
        checks_not_run=run.checks_not_run,
        duration_ms=run.duration_ms,
        report_id=run.report_id,
        report_path=run.report_path,
        error=run.error,
        worker=run.worker,
    )


def _alert_row(alert: Alert) -> AlertRow:
    return AlertRow(
        customer=alert.customer,
        fingerprint=alert.fingerprint,
        check=alert.check,
        target=alert.target,
        category=alert.category,
        severity=alert.severity,
        title=alert.title,
        message=alert.message,
        state=alert.state,
        seen_runs=alert.seen_runs,
        absent_runs=alert.absent_runs,
        first_seen=alert.first_seen,
        last_seen=alert.last_seen,
        fired_at=alert.fired_at,
        resolved_at=alert.resolved_at,
        notified=alert.notified,
        last_notified_at=alert.last_notified_at,
        sequence=alert.sequence,
        report=alert.report,
    )
