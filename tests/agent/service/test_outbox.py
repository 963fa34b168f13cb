"""The outbox on a real SQLite database: retries with backoff, order per alert, leases, pruning."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from agent.config.service_schema import Alerts
from agent.service.channels import DeliveryError, build_senders
from agent.service.models import OutboxMessage
from agent.service.outbox import default_backoff, deliver_due, prune_sent
from agent.service.store import open_service_db
from sandbox import Sandbox
from tests.agent.service.receivers import Reply, alert_payload, webhook_receiver

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)
FIXED = lambda attempts: timedelta(seconds=30 * attempts)  # noqa: E731 - a predictable backoff


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    opened = open_service_db(f"sqlite:///{tmp_path / 'ledger.sqlite'}", tmp_path)
    try:
        yield opened
    finally:
        opened.dispose()


def queue(
    engine: Engine,
    channel: str,
    event: str = "firing",
    sequence: int = 1,
    *,
    customer: str = "acme",
    fingerprint: str = "f" * 40,
    due: datetime = NOW,
) -> str:
    key = f"{channel}:{customer}:{fingerprint}:{sequence}"
    payload = alert_payload(event, customer=customer, fingerprint=fingerprint, sequence=sequence)
    with Session(engine) as session, session.begin():
        session.add(
            OutboxMessage(
                dedupe_key=key,
                channel=channel,
                customer=customer,
                fingerprint=fingerprint,
                event=event,
                payload=json.dumps(payload),
                created_at=NOW,
                next_attempt_at=due,
                attempts=0,
            )
        )
    return key


def row(engine: Engine, key: str) -> OutboxMessage:
    with Session(engine) as session:
        found = session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key == key)).one()
        session.expunge(found)
        return found


class Recorder:
    """A sender that records what it was given; fails the keys listed in ``fail`` (once each)."""

    def __init__(self, fail: set[str] | None = None) -> None:
        self.sent: list[tuple[str, dict[str, object]]] = []
        self.fail = fail or set()
        self.lock = threading.Lock()

    def send(self, payload: dict[str, object], dedupe_key: str) -> str | None:
        with self.lock:
            if dedupe_key in self.fail:
                self.fail.discard(dedupe_key)
                raise DeliveryError(f"refused {dedupe_key}")
            self.sent.append((dedupe_key, payload))
        return f"REF-{payload['sequence']}"


@pytest.mark.server
def test_a_failing_receiver_is_retried_with_backoff_and_sent_once(engine: Engine, tmp_path: Path) -> None:
    with webhook_receiver(Reply(500, b"<html>busy</html>", "text/html"), Reply(200)) as receiver:
        alerts = Alerts.model_validate(
            {"channels": [{"type": "webhook", "name": "hook", "url": receiver.url}]}
        )
        senders = build_senders(alerts, tmp_path, {})
        key = queue(engine, "hook")

        first = deliver_due(engine, senders, now=NOW, worker="w1")
        assert (first.sent, first.failed, first.pending) == ({}, {"hook": 1}, 1)
        failed = row(engine, key)
        assert failed.attempts == 1 and failed.sent_at is None and failed.claimed_at is None
        assert failed.last_error == "webhook hook: HTTP 500: <html>busy</html>"
        assert timedelta(seconds=30) <= failed.next_attempt_at - NOW <= timedelta(seconds=33)

        early = deliver_due(engine, senders, now=NOW + timedelta(seconds=29), worker="w1")
        assert (early.sent, early.failed, early.pending) == ({}, {}, 1)
        later = deliver_due(engine, senders, now=NOW + timedelta(seconds=40), worker="w1")
        assert (later.sent, later.pending) == ({"hook": 1}, 0)
        assert deliver_due(engine, senders, now=NOW + timedelta(hours=1), worker="w1").sent == {}
    assert len(receiver.received) == 2
    assert [r.json()["sequence"] for r in receiver.received] == [1, 1]
    done = row(engine, key)
    assert done.sent_at == NOW + timedelta(seconds=40) and done.attempts == 2 and done.last_error is None


def test_backoff_doubles_from_30_seconds_to_an_hour() -> None:
    for attempts, base in [(1, 30), (2, 60), (3, 120), (7, 1920), (8, 3600), (30, 3600)]:
        seconds = default_backoff(attempts).total_seconds()
        assert base <= seconds <= base * 1.1


def test_a_resolution_waits_for_its_firing_and_gets_its_reference(engine: Engine) -> None:
    firing = queue(engine, "jira", "firing", 1)
    resolved = queue(engine, "jira", "resolved", 2)
    other = queue(engine, "jira", "firing", 1, fingerprint="e" * 40)
    sender = Recorder(fail={firing})

    first = deliver_due(engine, {"jira": sender}, now=NOW, worker="w1", backoff=FIXED)
    assert [key for key, _ in sender.sent] == [other]  # the resolution did not overtake
    assert (first.sent, first.failed, first.pending) == ({"jira": 1}, {"jira": 1}, 2)
    assert row(engine, resolved).attempts == 0

    second = deliver_due(
        engine, {"jira": sender}, now=NOW + timedelta(seconds=30), worker="w1", backoff=FIXED
    )
    assert [key for key, _ in sender.sent] == [other, firing, resolved]
    assert second.sent == {"jira": 2} and second.pending == 0
    assert sender.sent[2][1]["external_ref"] == "REF-1"
    assert "external_ref" not in sender.sent[1][1]
    assert row(engine, firing).external_ref == "REF-1"


def test_rows_of_a_channel_no_longer_configured_stay_queued(engine: Engine) -> None:
    gone = queue(engine, "old-hook")
    kept = queue(engine, "hook")
    report = deliver_due(engine, {"hook": Recorder()}, now=NOW, worker="w1")
    assert report.unknown_channels == ["old-hook"]
    assert report.sent == {"hook": 1} and report.pending == 1
    assert row(engine, gone).sent_at is None and row(engine, gone).attempts == 0
    assert row(engine, kept).sent_at == NOW


def test_a_live_lease_is_respected_and_an_expired_one_taken_over(engine: Engine) -> None:
    live = queue(engine, "hook", customer="live")
    stale = queue(engine, "hook", customer="stale")
    with engine.begin() as connection:
        for key, claimed in [(live, NOW - timedelta(minutes=1)), (stale, NOW - timedelta(minutes=11))]:
            connection.execute(
                update(OutboxMessage)
                .where(OutboxMessage.dedupe_key == key)
                .values(claimed_at=claimed, claimed_by="crashed-worker")
            )
    sender = Recorder()
    report = deliver_due(engine, {"hook": sender}, now=NOW, worker="w2", lease=timedelta(minutes=10))
    assert [key for key, _ in sender.sent] == [stale]
    assert report.pending == 1
    assert row(engine, live).claimed_by == "crashed-worker"
    assert row(engine, stale).sent_at == NOW and row(engine, stale).claimed_by is None


def test_a_bad_payload_or_a_crashing_sender_is_recorded_not_raised(engine: Engine) -> None:
    key = queue(engine, "hook")
    broken = queue(engine, "broken", customer="other")
    with engine.begin() as connection:
        connection.execute(
            update(OutboxMessage).where(OutboxMessage.dedupe_key == key).values(payload="[1, 2")
        )

    class Crashing:
        def send(self, payload: dict[str, object], dedupe_key: str) -> str | None:
            raise RuntimeError("boom\nwith a second line")

    report = deliver_due(
        engine, {"hook": Recorder(), "broken": Crashing()}, now=NOW, worker="w1", backoff=FIXED
    )
    assert report.failed == {"hook": 1, "broken": 1}
    assert (row(engine, key).last_error or "").startswith("the queued payload is not valid")
    assert row(engine, broken).last_error == "RuntimeError: boom with a second line"


def test_batch_limits_a_round(engine: Engine) -> None:
    keys = [queue(engine, "hook", customer=f"c{i}") for i in range(5)]
    sender = Recorder()
    report = deliver_due(engine, {"hook": sender}, now=NOW, worker="w1", batch=3)
    assert report.sent == {"hook": 3} and report.pending == 2
    deliver_due(engine, {"hook": sender}, now=NOW, worker="w1", batch=3)
    assert sorted(key for key, _ in sender.sent) == sorted(keys)


def test_prune_sent_deletes_only_old_delivered_rows(engine: Engine) -> None:
    old = queue(engine, "hook", customer="old")
    deliver_due(engine, {"hook": Recorder()}, now=NOW, worker="w1")
    recent = queue(engine, "hook", customer="recent")
    deliver_due(engine, {"hook": Recorder()}, now=NOW + timedelta(days=2), worker="w1")
    unsent = queue(engine, "gone", customer="unsent")
    assert prune_sent(engine, NOW + timedelta(days=1)) == 1
    with Session(engine) as session:
        left = set(session.scalars(select(OutboxMessage.dedupe_key)).all())
    assert left == {recent, unsent} and old not in left


@pytest.mark.server
def test_jira_through_the_outbox_comments_on_the_issue_the_firing_opened(
    engine: Engine, tmp_path: Path
) -> None:
    with Sandbox([], support_jira=("support",)) as sandbox:
        channel = {
            "type": "jira",
            "name": "support",
            "url": sandbox.url("support"),
            "project": "SUP",
            "auth": {"type": "token", "token_env": "JIRA_TOKEN"},
            "resolve_transition": "Resolve",
        }
        env = {"JIRA_TOKEN": sandbox.spec("support").accepted_token()}
        senders = build_senders(Alerts.model_validate({"channels": [channel]}), tmp_path, env)
        queue(engine, "support", "firing", 1)
        queue(engine, "support", "reminder", 2)
        resolved = queue(engine, "support", "resolved", 3)
        report = deliver_due(engine, senders, now=NOW, worker="w1")
        issues = sandbox.support_issues("support")
    assert report.sent == {"support": 3}
    [issue] = issues
    assert len(issue["fields"]["comment"]["comments"]) == 2
    assert issue["fields"]["status"]["name"] == "Resolved"
    assert row(engine, resolved).external_ref == issue["key"]
