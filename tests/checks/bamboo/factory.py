"""Bamboo snapshots for check tests: a healthy server with six online agents and a short queue."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from atlas_health.testing.instances import NOW, instance
from collectors.facts.bamboo import BambooAgent, BambooFacts, BambooQueue, BambooServer, QueuedBuild
from collectors.model import InstanceSnapshot, Product


def agent(index: int, **changes: Any) -> BambooAgent:
    values: dict[str, Any] = {
        "name": f"agent-{index}",
        "type": "REMOTE",
        "online": True,
        "enabled": True,
        "busy": False,
    }
    values.update(changes)
    return BambooAgent(id=str(131073 + index), **values)


def agents(total: int = 6, offline: int = 0, **changes: Any) -> list[BambooAgent]:
    return [agent(i, online=i >= offline, **changes) for i in range(total)]


def queued(count: int, oldest_minutes: float = 3, *, timed: bool = True) -> BambooQueue:
    builds = [
        QueuedBuild(
            plan_key=f"PLAN-{i % 3}",
            build_result_key=f"PLAN-{i % 3}-{100 + i}",
            build_number=100 + i,
            trigger_reason="Code has changed",
            queued_at=NOW - timedelta(minutes=oldest_minutes * (count - i) / count) if timed else None,
        )
        for i in range(count)
    ]
    return BambooQueue(size=count, builds=builds)


def bamboo(**facts: Any) -> InstanceSnapshot:
    """A healthy Bamboo Data Center instance; ``facts`` replace parts of its BambooFacts."""
    values: dict[str, Any] = {
        "server": BambooServer(state="RUNNING", reindex_in_progress=False),
        "agents": agents(),
        "queue": queued(2),
        "deployment_queue": [],
    }
    values.update(facts)
    return instance(Product.BAMBOO, bamboo=BambooFacts(**values), cluster=None, licenses=None, index=None)
