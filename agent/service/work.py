"""What the scheduler asks of the service's work, so that scheduling (when, who holds the lock,
signals) and the work itself (collect, check, remember, alert) are built and tested apart."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from agent.service.events import DeliveryReport, JobSpec, SweepResult

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from agent.config.loader import LoadedConfig


class Work(Protocol):
    def run_job(self, spec: JobSpec, scheduled_for: datetime) -> SweepResult:
        """Run one slot of one job for each of its customers that has not run it yet."""
        ...

    def deliver_outbox(self) -> DeliveryReport:
        """Send what is due in the outbox; failures stay queued with a backoff."""
        ...

    def housekeeping(self) -> None:
        """Prune history older than ``service.retention_days``."""
        ...

    def close(self) -> None: ...


# (the loaded configuration, the service database, this worker's "host:pid", the clock) -> Work.
# Called at start and on each accepted reload; the previous Work is closed after its jobs finish.
WorkFactory = Callable[["LoadedConfig", "Engine", str, Callable[[], datetime]], Work]
