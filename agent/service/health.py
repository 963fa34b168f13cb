"""/healthz: is this process doing its part? The leader is healthy while its scheduler runs and no
job is overdue by more than its period; a standby is healthy while it waits for the lead."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from agent.service.scheduler import JobState


@dataclass(frozen=True)
class Health:
    status: str  # ok | standby | failing | starting
    reasons: list[str]
    detail: dict[str, Any]

    @property
    def http_status(self) -> int:
        return 200 if self.status in ("ok", "standby") else 503

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"status": self.status, **self.detail}
        if self.reasons:
            out["reasons"] = self.reasons
        return out


def overdue(state: JobState, now: datetime, running_since: datetime) -> str | None:
    """Why ``state``'s job is overdue at ``now`` (None: it is not). ``running_since``: when this
    scheduler started, so that a job that has not had its first slot yet is not judged by it."""
    period = state.period_s
    if state.next_run_time is not None and (now - state.next_run_time).total_seconds() > period:
        late = (now - state.next_run_time).total_seconds()
        return (
            f"job {state.job_id} is overdue: its slot {state.next_run_time.isoformat()} is {late:.0f}s late"
        )
    if state.every and state.running_since is None:
        last = max(state.last_finished or running_since, running_since)
        age = (now - last).total_seconds()
        if age > 2 * period:
            return f"job {state.job_id} has not finished a run for {age:.0f}s (it runs every {period:.0f}s)"
    return None


def judge(
    *,
    role: str,
    scheduler_running: bool,
    jobs: list[JobState],
    now: datetime,
    started_at: datetime | None,
    worker: str,
) -> Health:
    """The health of a process whose ``role`` is leader, standby or starting."""
    detail: dict[str, Any] = {"role": role, "worker": worker}
    if role == "standby":
        return Health("standby", [], detail)
    if role != "leader":
        return Health("failing", [f"the service is {role}"], detail)
    if not scheduler_running or started_at is None:
        return Health("failing", ["the scheduler is not running"], detail)
    reasons = [r for r in (overdue(j, now, started_at) for j in jobs) if r]
    detail["jobs"] = {
        j.job_id: {
            "next_run": j.next_run_time.isoformat() if j.next_run_time else None,
            "last_finished": j.last_finished.isoformat() if j.last_finished else None,
            "running_since": j.running_since.isoformat() if j.running_since else None,
        }
        for j in jobs
    }
    return Health("failing" if reasons else "ok", reasons, detail)
