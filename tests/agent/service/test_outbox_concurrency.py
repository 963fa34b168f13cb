"""Two services delivering one outbox at once never send a row twice, on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from agent.service.models import OutboxMessage
from agent.service.outbox import deliver_due
from agent.service.store import open_service_db
from tests.agent.ledger.postgres import Cluster
from tests.agent.service.receivers import alert_payload

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)
ROWS = 60
_databases = itertools.count(1)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=[pytest.mark.server, pytest.mark.slow])])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ledger.sqlite'}"
    cluster: Cluster = request.getfixturevalue("pg_cluster")
    return cluster.create_database(f"outbox_{next(_databases)}")


class SlowRecorder:
    """Records every send; a short pause per send lets the two workers interleave."""

    def __init__(self) -> None:
        self.keys: list[str] = []
        self.lock = threading.Lock()

    def send(self, payload: dict[str, object], dedupe_key: str) -> str | None:
        time.sleep(0.002)
        with self.lock:
            self.keys.append(dedupe_key)
        return None


def test_two_workers_never_send_a_row_twice(db_url: str, tmp_path: Path) -> None:
    engines = [open_service_db(db_url, tmp_path) for _ in range(2)]
    with Session(engines[0]) as session, session.begin():
        for i in range(ROWS):
            fingerprint = f"{i % 20:040d}"  # 20 alerts with 3 messages each, which must stay in order
            key = f"hook:acme:{fingerprint}:{i // 20 + 1}"
            session.add(
                OutboxMessage(
                    dedupe_key=key,
                    channel="hook",
                    customer="acme",
                    fingerprint=fingerprint,
                    event="firing",
                    payload=json.dumps(alert_payload()),
                    created_at=NOW,
                    next_attempt_at=NOW,
                    attempts=0,
                )
            )
    sender = SlowRecorder()
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def work(index: int) -> None:
        try:
            start.wait()
            for _ in range(10):
                deliver_due(engines[index], {"hook": sender}, now=NOW, worker=f"w{index}", batch=10)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for engine in engines:
        engine.dispose()
    assert errors == []
    counts = Counter(sender.keys)
    assert len(counts) == ROWS and set(counts.values()) == {1}
    # Within each alert, the messages went in sequence order.
    for i in range(20):
        fingerprint = f"{i:040d}"
        order = [k.rsplit(":", 1)[1] for k in sender.keys if f":{fingerprint}:" in k]
        assert order == ["1", "2", "3"]
