"""The words every channel uses for one notification: its headline and its fields."""

from __future__ import annotations

SUMMARY_LIMIT = 240  # Jira's summary holds 255; subjects and chat headers stay readable


def field(payload: dict[str, object], key: str, default: str = "") -> str:
    value = payload.get(key)
    return default if value is None else str(value)


def state_word(payload: dict[str, object]) -> str:
    event = field(payload, "event", field(payload, "state", "firing"))
    return {"firing": "FIRING", "reminder": "STILL FIRING", "resolved": "RESOLVED"}.get(event, event.upper())


def one_line(text: str, limit: int = SUMMARY_LIMIT) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def headline(payload: dict[str, object]) -> str:
    """``FIRING critical acme: Disk almost full`` (``RESOLVED ...``, ``STILL FIRING ...``)."""
    severity = field(payload, "severity", "unknown")
    customer = field(payload, "customer", "?")
    return one_line(f"{state_word(payload)} {severity} {customer}: {field(payload, 'title')}")


def facts(payload: dict[str, object]) -> list[tuple[str, str]]:
    """The labelled fields shown under the headline, in order; empty ones left out."""
    rows = [
        ("Severity", field(payload, "severity")),
        ("Customer", field(payload, "customer")),
        ("Check", field(payload, "check")),
        ("Target", field(payload, "target")),
        ("First seen", field(payload, "first_seen")),
        ("Resolved", field(payload, "resolved_at")),
        ("Report", field(payload, "report")),
    ]
    return [(label, value) for label, value in rows if value]
