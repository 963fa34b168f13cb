"""Delivering the outbox: every queued notification to its channel, retried with backoff until sent.

A round claims one due row at a time (``UPDATE ... WHERE`` the claim is free or its lease expired,
checked by the row count, which works alike on SQLite and PostgreSQL), sends it outside any
transaction, then records the result. Messages of one (channel, customer, fingerprint) go in the order
they were queued (row ids: an alert's messages are queued in sequence order): a later one waits
while an earlier one is unsent, so a ``resolved`` never overtakes its ``firing``. A later message
carries the ``external_ref`` of the latest sent one (the Jira issue key) in its payload. Rows for a
channel no longer configured stay queued and are reported.

If the service dies between sending and recording, the row is sent again once its lease expires.
What the receiver sees then:
- Jira: no second issue (the firing searches for the alert's label first) and no second comment
  (each comment carries the dedupe key and is looked for first);
- e-mail: the same Message-ID, which mail clients and list servers recognise as a duplicate;
- generic webhooks: the same ``X-Atlas-Health-Dedupe-Key`` header (and ``sequence`` in the body), so a
  receiver can drop the repeat;
- Slack and Teams: they cannot tell, and may show the message twice.
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Engine, and_, delete, exists, func, or_, select, update
from sqlalchemy.orm import aliased

from agent.service.channels.base import DeliveryError, Sender
from agent.service.events import DeliveryReport
from agent.service.models import OutboxMessage

log = logging.getLogger(__name__)

DEFAULT_LEASE = timedelta(minutes=10)  # longer than any one send may take (timeouts are at most 120 s)
FIRST_RETRY_SECONDS = 30.0
LAST_RETRY_SECONDS = 3600.0
ERROR_LIMIT = 1000


def default_backoff(attempts: int) -> timedelta:
    """30 s after the first failure, doubling up to 1 h, with up to 10% jitter so channels spread out."""
    seconds = min(FIRST_RETRY_SECONDS * 2 ** max(0, attempts - 1), LAST_RETRY_SECONDS)
    return timedelta(seconds=seconds * (1 + random.uniform(0, 0.1)))


def deliver_due(
    engine: Engine,
    senders: Mapping[str, Sender],
    *,
    now: datetime,
    worker: str,
    batch: int = 100,
    lease: timedelta = DEFAULT_LEASE,
    backoff: Callable[[int], timedelta] = default_backoff,
) -> DeliveryReport:
    """Send up to ``batch`` due notifications; what was sent, what failed and what still waits."""
    sent: dict[str, int] = {}
    failed: dict[str, int] = {}
    tried: set[int] = set()
    while len(tried) < batch:
        candidates = [i for i in _due_ids(engine, list(senders), now, lease, batch) if i not in tried]
        if not candidates:
            break
        progressed = False
        for row_id in candidates[: batch - len(tried)]:
            tried.add(row_id)
            row = _claim(engine, row_id, now, lease, worker)
            if row is None:
                continue  # another worker has it
            progressed = True
            outcome = _send(senders[row.channel], row, _earlier_ref(engine, row))
            if isinstance(outcome, str):
                attempts = _record_failure(engine, row, worker, outcome, now + backoff(row.attempts + 1))
                failed[row.channel] = failed.get(row.channel, 0) + 1
                log.warning("notification %s failed (attempt %d): %s", row.dedupe_key, attempts, outcome)
            else:
                _record_sent(engine, row, worker, outcome, now)
                sent[row.channel] = sent.get(row.channel, 0) + 1
        if not progressed:
            break
    with engine.connect() as connection:
        pending = connection.scalar(select(func.count()).where(OutboxMessage.sent_at.is_(None))) or 0
        unknown = connection.scalars(
            select(OutboxMessage.channel)
            .where(OutboxMessage.sent_at.is_(None), OutboxMessage.channel.not_in(list(senders)))
            .distinct()
        ).all()
    return DeliveryReport(sent=sent, failed=failed, pending=pending, unknown_channels=sorted(unknown))


def prune_sent(engine: Engine, older_than: datetime) -> int:
    """Delete delivered notifications sent before ``older_than``; how many went."""
    with engine.begin() as connection:
        result = connection.execute(
            delete(OutboxMessage).where(
                OutboxMessage.sent_at.is_not(None), OutboxMessage.sent_at < older_than
            )
        )
    return result.rowcount or 0


def _claimable(now: datetime, lease: timedelta) -> ColumnElement[bool]:
    return or_(OutboxMessage.claimed_at.is_(None), OutboxMessage.claimed_at < now - lease)


def _due_ids(engine: Engine, channels: list[str], now: datetime, lease: timedelta, limit: int) -> list[int]:
    earlier = aliased(OutboxMessage)
    waits_for_earlier = exists().where(
        earlier.channel == OutboxMessage.channel,
        earlier.customer == OutboxMessage.customer,
        earlier.fingerprint == OutboxMessage.fingerprint,
        earlier.sent_at.is_(None),
        earlier.id < OutboxMessage.id,
    )
    query = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.next_attempt_at <= now,
            OutboxMessage.channel.in_(channels),
            _claimable(now, lease),
            ~waits_for_earlier,
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )
    with engine.connect() as connection:
        return list(connection.scalars(query).all())


def _claim(engine: Engine, row_id: int, now: datetime, lease: timedelta, worker: str) -> OutboxMessage | None:
    with engine.begin() as connection:
        claimed = connection.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row_id, OutboxMessage.sent_at.is_(None), _claimable(now, lease))
            .values(claimed_at=now, claimed_by=worker)
        )
        if claimed.rowcount != 1:
            return None
        row = connection.execute(select(OutboxMessage.__table__).where(OutboxMessage.id == row_id)).one()
    return OutboxMessage(**row._mapping)


def _earlier_ref(engine: Engine, row: OutboxMessage) -> str | None:
    query = (
        select(OutboxMessage.external_ref)
        .where(
            OutboxMessage.channel == row.channel,
            OutboxMessage.customer == row.customer,
            OutboxMessage.fingerprint == row.fingerprint,
            OutboxMessage.id < row.id,
            OutboxMessage.external_ref.is_not(None),
        )
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    )
    with engine.connect() as connection:
        return connection.scalar(query)


class _Sent:
    def __init__(self, ref: str | None) -> None:
        self.ref = ref


def _send(sender: Sender, row: OutboxMessage, earlier_ref: str | None) -> str | _Sent:
    """The external reference on success, else the error's one-line text."""
    try:
        payload = json.loads(row.payload)
        if not isinstance(payload, dict):
            raise ValueError("not a JSON object")
    except ValueError as exc:
        return f"the queued payload is not valid: {exc}"
    if earlier_ref is not None:
        payload["external_ref"] = earlier_ref
    try:
        return _Sent(sender.send(payload, row.dedupe_key))
    except DeliveryError as exc:
        if exc.permanent:
            log.error("channel %s refuses %s: %s (fix the configuration)", row.channel, row.dedupe_key, exc)
        return str(exc) or type(exc).__name__
    except Exception as exc:  # a sender's bug must not stop the other notifications
        log.exception("channel %s crashed on %s", row.channel, row.dedupe_key)
        return " ".join(f"{type(exc).__name__}: {exc}".split())


def _record_sent(engine: Engine, row: OutboxMessage, worker: str, outcome: _Sent, now: datetime) -> None:
    with engine.begin() as connection:
        connection.execute(
            update(OutboxMessage)
            .where(and_(OutboxMessage.id == row.id, OutboxMessage.claimed_by == worker))
            .values(
                sent_at=now,
                external_ref=outcome.ref[:100] if outcome.ref else None,
                attempts=OutboxMessage.attempts + 1,
                last_error=None,
                claimed_at=None,
                claimed_by=None,
            )
        )


def _record_failure(
    engine: Engine, row: OutboxMessage, worker: str, error: str, next_attempt: datetime
) -> int:
    with engine.begin() as connection:
        connection.execute(
            update(OutboxMessage)
            .where(and_(OutboxMessage.id == row.id, OutboxMessage.claimed_by == worker))
            .values(
                attempts=OutboxMessage.attempts + 1,
                last_error=error[:ERROR_LIMIT],
                next_attempt_at=next_attempt,
                claimed_at=None,
                claimed_by=None,
            )
        )
    return row.attempts + 1
