"""The plain types the service's parts hand each other: what a run saw (for alerts), the jobs the
schedules make, and what a sweep and a delivery round did (for history, metrics and logs)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from agent.config.service_schema import Schedule


@dataclass(frozen=True)
class Observation:
    """One problem at or above ``service.alerts.min_severity`` that a run saw."""

    customer: str
    fingerprint: str
    check: str
    target: str
    category: str
    severity: str  # info | warning | critical
    title: str
    message: str
    report: str | None = None  # the report of this run that shows it, when one was kept


@dataclass(frozen=True)
class Verdict:
    """What one run of one customer can say about that customer's alerts.

    ``judged`` holds the (check, target) pairs whose check ran cleanly: an alert of such a pair that
    is not in ``seen`` counts as absent for this run. Alerts of any other pair (the check was skipped,
    crashed, timed out, found only ``unknown``, or was not in the schedule) are left as they are.
    """

    customer: str
    at: datetime
    seen: list[Observation]
    judged: frozenset[tuple[str, str]]


@dataclass(frozen=True)
class JobSpec:
    """One scheduler job: a schedule over the customers that share it.

    A global schedule is the job ``name`` over every customer using it unchanged; a customer's own
    schedule (added, or replacing the global one of that name) is the job ``name@customer``.
    """

    job_id: str
    schedule: Schedule
    customers: tuple[str, ...]


@dataclass(frozen=True)
class CustomerRun:
    """One customer's part of a sweep, as stored in ``service_runs``."""

    customer: str
    run_id: int | None  # None: the slot had already been run (by this or another service)
    status: str  # done | failed | skipped (already run)
    worst: str | None = None
    findings_by_severity: dict[str, int] = field(default_factory=dict)
    collection_errors: int = 0
    instances: dict[str, str] = field(default_factory=dict)  # instance or host -> worst severity
    duration_s: float = 0.0
    report_path: str | None = None
    error: str | None = None
    hours_left_minutes: int | None = None  # the PAYG balance after this run, when the ledger has one


@dataclass(frozen=True)
class SweepResult:
    job_id: str
    scheduled_for: datetime
    started_at: datetime
    duration_s: float
    runs: list[CustomerRun]
    alerts_firing: dict[str, int] = field(default_factory=dict)  # customer -> alerts firing after it


@dataclass(frozen=True)
class DeliveryReport:
    """One round of the outbox: what was delivered and what failed, per channel."""

    sent: dict[str, int] = field(default_factory=dict)
    failed: dict[str, int] = field(default_factory=dict)
    pending: int = 0  # still waiting after this round (failed ones included)
    unknown_channels: list[str] = field(default_factory=list)  # queued for a channel no longer configured
