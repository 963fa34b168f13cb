"""A Work that records what the scheduler asks of it, for the tests of `serve` itself.

It stands in for the real Work (agent.service.sweep) in the subprocess tests of scheduling, signals,
reload and high availability: those are about *when* and *by whom* a slot runs, which the real Work
would bury under collection and checking. The real Work is tested on its own against the sandbox.

Each call appends one JSON line to the file named by $FAKE_WORK_LOG. While the file
``$FAKE_WORK_LOG.sleep`` exists, ``run_job`` sleeps the number of seconds it holds (a long job for
the shutdown grace).
"""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from agent.service.events import CustomerRun, DeliveryReport, JobSpec, SweepResult
from agent.service.plan import plan_jobs


class FakeWork:
    def __init__(self, log_path: Path, worker: str, job_ids: list[str]) -> None:
        self.log_path = log_path
        self.worker = worker
        self.record("make_work", jobs=job_ids)

    def record(self, event: str, **fields: Any) -> None:
        line = json.dumps({"event": event, "worker": self.worker, "pid": os.getpid(), **fields})
        with self.log_path.open("a") as out:
            out.write(line + "\n")

    def run_job(self, spec: JobSpec, scheduled_for: datetime) -> SweepResult:
        self.record("run_job", job=spec.job_id, scheduled_for=scheduled_for.isoformat())
        sleep = self.log_path.with_name(self.log_path.name + ".sleep")
        if sleep.exists():
            time.sleep(float(sleep.read_text()))
        runs = [
            CustomerRun(
                customer=name,
                run_id=1,
                status="done",
                worst="warning",
                findings_by_severity={"warning": 2, "info": 1},
                collection_errors=1,
                instances={f"{name}-jira": "warning"},
                hours_left_minutes=90,
            )
            for name in spec.customers
        ]
        return SweepResult(
            spec.job_id, scheduled_for, datetime.now(UTC), 0.25, runs, {c: 1 for c in spec.customers}
        )

    def deliver_outbox(self) -> DeliveryReport:
        return DeliveryReport(sent={"webhook-1": 1})

    def housekeeping(self) -> None:
        self.record("housekeeping")

    def close(self) -> None:
        self.record("close")


def make_work(loaded: Any, _engine: Any, worker: str, _now: Any) -> FakeWork:
    return FakeWork(Path(os.environ["FAKE_WORK_LOG"]), worker, [j.job_id for j in plan_jobs(loaded.config)])


def read_log(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
