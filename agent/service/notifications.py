"""Queueing an alert's notification: one outbox row per channel, in the generic webhook's shape.

The channels reshape the payload (Slack, Teams, e-mail, Jira); the dedupe key
``channel:customer:fingerprint:sequence`` makes a second queueing of the same notification fail loudly
rather than send twice.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from agent.service.models import Alert, OutboxMessage
from agent.version import __version__

SOURCE = f"atlas-health {__version__}"


def dedupe_key(channel: str, customer: str, fingerprint: str, sequence: int) -> str:
    return f"{channel}:{customer}:{fingerprint}:{sequence}"


def payload(alert: Alert, event: str) -> dict[str, Any]:
    """What every channel is told: the alert as it stands, and which event this is."""
    return {
        "state": "resolved" if alert.state == "resolved" else "firing",
        "event": event,
        "fingerprint": alert.fingerprint,
        "customer": alert.customer,
        "check": alert.check,
        "target": alert.target,
        "category": alert.category,
        "severity": alert.severity,
        "title": alert.title,
        "message": alert.message,
        "first_seen": _iso(alert.first_seen),
        "last_seen": _iso(alert.last_seen),
        "fired_at": _iso(alert.fired_at),
        "resolved_at": _iso(alert.resolved_at),
        "report": alert.report,
        "sequence": alert.sequence,
        "source": SOURCE,
    }


def queue_notifications(
    session: Session, alert: Alert, event: str, channels: Sequence[str], now: datetime
) -> int:
    """Add one outbox row per channel for ``event`` at the alert's current ``sequence`` (the caller
    increments it first); how many rows. Runs inside the caller's transaction."""
    body = json.dumps(payload(alert, event), sort_keys=True)
    for channel in channels:
        session.add(
            OutboxMessage(
                dedupe_key=dedupe_key(channel, alert.customer, alert.fingerprint, alert.sequence),
                channel=channel,
                customer=alert.customer,
                fingerprint=alert.fingerprint,
                event=event,
                payload=body,
                created_at=now,
                next_attempt_at=now,
                attempts=0,
            )
        )
    return len(channels)


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat()
