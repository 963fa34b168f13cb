"""The OOM killer's traces in the kernel log: dmesg, else the journal, else the syslog files."""

from __future__ import annotations

from datetime import datetime, timedelta

from collectors.hosts.model import HostErrorKind, OomEvent
from collectors.hosts.parsers import parse_oom_events
from collectors.hosts.session import HostSession

CALL = "oom_events"

# Tried in order until one can be read; grep's exit status 1 means "read it, no match".
_SOURCES: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("dmesg", (0,)),
    ("journal_kernel", (0,)),
    ("kern_log", (0, 1)),
    ("messages_log", (0, 1)),
)


def collect_oom_events(session: HostSession, boot: datetime | None, now: datetime) -> list[OomEvent] | None:
    """OOM kills within the lookback window; None when no kernel log was readable (recorded)."""
    hours = max(1, round(session.options.oom_lookback_hours))
    reasons: list[tuple[HostErrorKind, str]] = []
    for name, ok_exit in _SOURCES:
        if name == "journal_kernel":
            result = session.run(CALL, name, quiet=True, ok_exit=ok_exit, hours=hours)
        else:
            result = session.run(CALL, name, quiet=True, ok_exit=ok_exit)
        if result is not None:
            since = now - timedelta(hours=session.options.oom_lookback_hours)
            events = parse_oom_events(result.stdout.decode("utf-8", "replace"), boot, now)
            return [e for e in events if e.at is None or e.at >= since]
        kind, message = session.last_failure or (HostErrorKind.COMMAND_FAILED, "failed")
        reasons.append((kind, f"{name}: {message}"))
    denied = any(k is HostErrorKind.PERMISSION_DENIED for k, _ in reasons)
    kind = HostErrorKind.PERMISSION_DENIED if denied else reasons[-1][0]
    session.fail(CALL, kind, "kernel log not readable (" + "; ".join(m for _, m in reasons) + ")")
    return None
