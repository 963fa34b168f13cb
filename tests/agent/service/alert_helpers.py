"""Shared by the alert tests: a service database of each kind, verdicts built by hand, outbox reads."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from agent.service.events import Observation, Verdict
from agent.service.models import Alert, OutboxMessage
from agent.service.store import open_service_db
from tests.agent.ledger.postgres import Cluster

START = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)
_databases = itertools.count(1)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.server)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A new, migrated service database of each kind."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'ledger.sqlite'}"
    else:
        cluster: Cluster = request.getfixturevalue("pg_cluster")
        url = cluster.create_database(f"alerts_{next(_databases)}")
    opened = open_service_db(url, tmp_path)
    try:
        yield opened
    finally:
        opened.dispose()


class Clock:
    """Runs every 15 minutes of controlled time."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def tick(self, delta: timedelta = timedelta(minutes=15)) -> datetime:
        self.now += delta
        return self.now


def observation(check: str = "instance.status", target: str = "jira", **changes: Any) -> Observation:
    values: dict[str, Any] = {
        "customer": "acme",
        "fingerprint": f"fp-{check}-{target}",
        "check": check,
        "target": target,
        "category": "availability",
        "severity": "critical",
        "title": "Jira is down",
        "message": "connection refused",
    }
    values.update(changes)
    return Observation(**values)


def verdict(
    at: datetime,
    *seen: Observation,
    judged: tuple[tuple[str, str], ...] = (("instance.status", "jira"),),
    customer: str = "acme",
) -> Verdict:
    return Verdict(customer=customer, at=at, seen=list(seen), judged=frozenset(judged))


def alert(
    engine: Engine, fingerprint: str = "fp-instance.status-jira", customer: str = "acme"
) -> Alert | None:
    with Session(engine) as session:
        return session.scalars(
            select(Alert).where(Alert.customer == customer, Alert.fingerprint == fingerprint)
        ).one_or_none()


def outbox(engine: Engine) -> list[tuple[str, str, str]]:
    """(channel, event, dedupe key) of every queued row, in queueing order."""
    with Session(engine) as session:
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return [(r.channel, r.event, r.dedupe_key) for r in rows]


def payloads(engine: Engine) -> list[dict[str, Any]]:
    with Session(engine) as session:
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return [json.loads(r.payload) for r in rows]
