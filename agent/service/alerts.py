"""Alert state with hysteresis: one run's verdict moves each of the customer's alerts, and what the
channels must hear is queued into the outbox in the same transaction.

- Seen: ``seen_runs`` + 1, ``absent_runs`` = 0. A pending alert fires once seen in ``confirm_runs``
  consecutive runs; a resolved one seen again starts a new episode as pending (or fires at once when
  ``confirm_runs`` is 1).
- Absent (not seen, and its (check, target) was judged by the run): ``absent_runs`` + 1,
  ``seen_runs`` = 0. A firing alert resolves after ``resolve_runs`` such runs. A pending alert absent
  once was a blip: it is deleted when no channel was ever told of it, else (a resolved alert's new
  episode whose resolution is still owed to the channels) it goes back to resolved quietly.
- Not judged (the check was skipped, crashed, timed out, found only ``unknown``, or is not in this
  schedule): left as it is, so a target that cannot be read neither fires further nor resolves.

Notifications: ``firing`` once an alert fires, a ``reminder`` every ``renotify`` while it fires,
``resolved`` when one that was told ``firing`` resolves. ``notified`` remembers the last state told,
so what a mute (quiet hours, maintenance) held back is told at the first verdict after it ends.
Each notification increments ``sequence`` and queues one outbox row per channel.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from agent.config.service_schema import Alerts
from agent.ledger.storage import WRITE
from agent.service.events import Observation, Verdict
from agent.service.models import Alert
from agent.service.notifications import queue_notifications
from agent.service.verdict import is_judged

COUNT_KEYS = ("firing", "pending", "fired", "resolved", "queued", "muted")


def record_verdict(
    engine: Engine,
    verdict: Verdict,
    policy: Alerts,
    *,
    channels: Sequence[str],
    muted: str | None,
    now: datetime,
) -> dict[str, int]:
    """Apply one run's verdict to the customer's alerts and queue the notifications, atomically.

    Returns counts: ``firing``/``pending`` (alerts in that state afterwards), ``fired``/``resolved``
    (transitions by this verdict), ``queued`` (outbox rows added), ``muted`` (notifications held back).
    """
    counts = dict.fromkeys(COUNT_KEYS, 0)
    with Session(engine.execution_options(**{WRITE: True})) as session, session.begin():
        _lock_customer(session, verdict.customer)
        alerts = {
            a.fingerprint: a
            for a in session.scalars(
                select(Alert).where(Alert.customer == verdict.customer).with_for_update()
            )
        }
        observed: dict[str, Observation] = {}
        for observation in verdict.seen:
            observed.setdefault(observation.fingerprint, observation)
        for fingerprint, observation in observed.items():
            alert = alerts.get(fingerprint)
            if alert is None:
                alert = _new_alert(observation, verdict.at, now)
                session.add(alert)
                alerts[fingerprint] = alert
            _seen(alert, observation, policy, verdict.at, now, counts)
        for fingerprint, alert in list(alerts.items()):
            if fingerprint in observed or alert.state == "resolved":
                continue
            judged = is_judged(verdict, alert.check, alert.target)
            if judged and _absent(session, alert, policy, verdict.at, now, counts):
                del alerts[fingerprint]
        for alert in alerts.values():
            _notify(session, alert, policy, channels, muted, now, counts)
        session.flush()
        counts["firing"] = sum(1 for a in alerts.values() if a.state == "firing")
        counts["pending"] = sum(1 for a in alerts.values() if a.state == "pending")
    return counts


def _lock_customer(session: Session, customer: str) -> None:
    """Serialise verdicts of one customer. SQLite: the transaction began with the write lock
    (BEGIN IMMEDIATE). PostgreSQL: an advisory lock per customer, which also covers alerts not yet
    inserted (``FOR UPDATE`` locks only the rows that exist)."""
    if session.get_bind().dialect.name == "postgresql":
        digest = hashlib.sha256(f"atlas-health alerts:{customer}".encode()).digest()
        key = int.from_bytes(digest[:8], "big", signed=True)
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def _new_alert(observation: Observation, at: datetime, now: datetime) -> Alert:
    return Alert(
        customer=observation.customer,
        fingerprint=observation.fingerprint,
        check=observation.check,
        target=observation.target,
        category=observation.category,
        severity=observation.severity,
        title=observation.title,
        message=observation.message,
        state="pending",
        seen_runs=0,
        absent_runs=0,
        first_seen=at,
        last_seen=at,
        notified=None,
        sequence=0,
        report=observation.report,
        updated_at=now,
    )


def _seen(
    alert: Alert,
    observation: Observation,
    policy: Alerts,
    at: datetime,
    now: datetime,
    counts: dict[str, int],
) -> None:
    if alert.state == "resolved":  # a new episode of a known problem
        alert.state = "pending"
        alert.seen_runs = 0
        alert.first_seen = at
        alert.fired_at = None
        alert.resolved_at = None
    alert.seen_runs += 1
    alert.absent_runs = 0
    alert.check = observation.check
    alert.target = observation.target
    alert.category = observation.category
    alert.severity = observation.severity
    alert.title = observation.title
    alert.message = observation.message
    alert.last_seen = at
    alert.report = observation.report or alert.report
    alert.updated_at = now
    if alert.state == "pending" and alert.seen_runs >= policy.confirm_runs:
        alert.state = "firing"
        alert.fired_at = at
        counts["fired"] += 1


def _absent(
    session: Session, alert: Alert, policy: Alerts, at: datetime, now: datetime, counts: dict[str, int]
) -> bool:
    """Count a run that judged the alert absent; True when the alert was deleted."""
    alert.absent_runs += 1
    alert.seen_runs = 0
    alert.updated_at = now
    if alert.state == "firing" and alert.absent_runs >= policy.resolve_runs:
        alert.state = "resolved"
        alert.resolved_at = at
        counts["resolved"] += 1
    elif alert.state == "pending":
        if alert.notified is None:
            session.delete(alert)
            return True
        alert.state = "resolved"  # quietly: this episode never fired
        alert.resolved_at = at
    return False


def _notify(
    session: Session,
    alert: Alert,
    policy: Alerts,
    channels: Sequence[str],
    muted: str | None,
    now: datetime,
    counts: dict[str, int],
) -> None:
    event = _due_event(alert, policy, now)
    if event is None:
        return
    if muted is not None:
        counts["muted"] += 1
        return
    alert.sequence += 1
    alert.notified = "resolved" if event == "resolved" else "firing"
    alert.last_notified_at = now
    alert.updated_at = now
    counts["queued"] += queue_notifications(session, alert, event, channels, now)


def _due_event(alert: Alert, policy: Alerts, now: datetime) -> str | None:
    if alert.state == "firing":
        if alert.notified != "firing":
            return "firing"
        renotify = policy.renotify_seconds
        last = alert.last_notified_at
        if renotify is not None and last is not None and now - last >= timedelta(seconds=renotify):
            return "reminder"
    elif alert.state == "resolved" and alert.notified == "firing":
        return "resolved"
    return None
