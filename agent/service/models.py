"""The service's tables, in the ledger's database (one file or one PostgreSQL database to back up).

- ``service_runs``: one row per (job, customer, scheduled time): a slot is claimed by inserting it, so
  a restarted or second service never runs the same slot twice.
- ``service_run_findings``: the findings of a run that were not ``ok``, for history.
- ``service_run_metrics``: the figures a run measured (disk use per mount, availability, response time,
  licence seats, heap floor per node), for forecasts, report trends and the dashboard.
- ``service_alerts``: alert state per customer and fingerprint (pending, firing, resolved) with the
  consecutive-run counters of the hysteresis and what was last notified.
- ``service_outbox``: every notification to every channel, kept until delivered, retried with backoff.

Unlike the ledger's tables these are updated and pruned (``service.retention_days``). APScheduler
keeps its own job table, ``service_scheduler_jobs``, created by its job store.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from agent.ledger.column_types import UTCDateTime
from agent.ledger.models import Base

RUN_STATUSES = ("running", "done", "failed", "interrupted")
ALERT_STATES = ("pending", "firing", "resolved")
EVENTS = ("firing", "reminder", "resolved")
JOBS_TABLE = "service_scheduler_jobs"


class Run(Base):
    __tablename__ = "service_runs"
    __table_args__ = (
        UniqueConstraint("job", "customer", "scheduled_for", name="uq_service_runs_slot"),
        Index("ix_service_runs_customer_started", "customer", "started_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job: Mapped[str] = mapped_column(String(120))  # the schedule's job id: "quick", or "quick@acme"
    schedule: Mapped[str] = mapped_column(String(40))
    customer: Mapped[str] = mapped_column(String(63))
    scheduled_for: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(12))  # RUN_STATUSES
    worst: Mapped[str | None] = mapped_column(String(10))  # worst severity of the run's findings
    findings: Mapped[int] = mapped_column(Integer, default=0)  # findings that were not ok
    collection_errors: Mapped[int] = mapped_column(Integer, default=0)
    checks_run: Mapped[int] = mapped_column(Integer, default=0)
    checks_not_run: Mapped[int] = mapped_column(Integer, default=0)  # skipped, crashed or timed out
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    report_id: Mapped[str | None] = mapped_column(String(100))
    report_path: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    worker: Mapped[str] = mapped_column(String(200))  # host:pid of the service that ran it


class RunFinding(Base):
    __tablename__ = "service_run_findings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("service_runs.id", ondelete="CASCADE"), index=True)
    fingerprint: Mapped[str] = mapped_column(String(40), index=True)
    check: Mapped[str] = mapped_column(String(120))
    target: Mapped[str] = mapped_column(String(200))
    severity: Mapped[str] = mapped_column(String(10))
    category: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(Text)
    message: Mapped[str] = mapped_column(Text)


class RunMetric(Base):
    __tablename__ = "service_run_metrics"
    __table_args__ = (Index("ix_service_run_metrics_series", "customer", "target", "metric", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("service_runs.id", ondelete="CASCADE"), index=True)
    customer: Mapped[str] = mapped_column(String(63))
    at: Mapped[datetime] = mapped_column(UTCDateTime)  # the run's started_at
    target: Mapped[str] = mapped_column(String(200))  # host name, instance name, or "logs"
    metric: Mapped[str] = mapped_column(String(40))  # collectors.history_model.METRICS
    key: Mapped[str] = mapped_column(String(200))  # mount point, licensed application, node, or ""
    value: Mapped[float] = mapped_column(Float)


class Alert(Base):
    __tablename__ = "service_alerts"
    __table_args__ = (UniqueConstraint("customer", "fingerprint", name="uq_service_alerts_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer: Mapped[str] = mapped_column(String(63))
    fingerprint: Mapped[str] = mapped_column(String(40))
    check: Mapped[str] = mapped_column(String(120))
    target: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(20))
    severity: Mapped[str] = mapped_column(String(10))  # the latest run's
    title: Mapped[str] = mapped_column(Text)
    message: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(10), index=True)  # ALERT_STATES
    seen_runs: Mapped[int] = mapped_column(Integer, default=0)  # consecutive runs that saw it
    absent_runs: Mapped[int] = mapped_column(Integer, default=0)  # consecutive runs that judged it absent
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    fired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notified: Mapped[str | None] = mapped_column(String(10))  # the last state told to the channels
    last_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sequence: Mapped[int] = mapped_column(Integer, default=0)  # notifications created so far
    report: Mapped[str | None] = mapped_column(Text)  # the latest report that shows it
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OutboxMessage(Base):
    __tablename__ = "service_outbox"
    __table_args__ = (Index("ix_service_outbox_due", "sent_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(250), unique=True)  # channel:customer:fingerprint:seq
    channel: Mapped[str] = mapped_column(String(40))
    customer: Mapped[str] = mapped_column(String(63))
    fingerprint: Mapped[str] = mapped_column(String(40))
    event: Mapped[str] = mapped_column(String(10))  # EVENTS
    payload: Mapped[str] = mapped_column(Text)  # JSON, the generic webhook shape (channels reshape it)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # a sender is delivering it
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    external_ref: Mapped[str | None] = mapped_column(String(100))  # e.g. the Jira issue key
    last_error: Mapped[str | None] = mapped_column(Text)
