"""Reading ``--since`` / ``--until``: a date, a date and time, or a span back from now (``2h``, ``7d``)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, tzinfo

_SPAN = re.compile(r"^(\d+)\s*([smhdw])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_FIRST = datetime(1900, 1, 1, tzinfo=UTC)
_LAST = datetime(9998, 12, 31, tzinfo=UTC)


class WindowError(ValueError):
    pass


def parse_moment(text: str, option: str, tz: tzinfo, now: datetime | None = None) -> datetime:
    """An aware datetime; a time without an offset is read in ``tz`` (the logs' zone)."""
    value = text.strip()
    span = _SPAN.match(value)
    if span:
        try:
            moment = (now or datetime.now(UTC)) - timedelta(**{_UNITS[span.group(2)]: int(span.group(1))})
        except OverflowError:  # 9999999999d: before the year 1
            raise WindowError(
                f"{option} {text!r} reaches back before the year 1: use a shorter span such as 7d"
            ) from None
    else:
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise WindowError(
                f"{option} {text!r} is not a time: use 2024-05-01, '2024-05-01 10:30', "
                "2024-05-01T10:30+02:00 or a span back from now such as 2h, 30m or 7d"
            ) from None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=tz)
    try:  # the window is compared and widened in UTC: the ends of the calendar would overflow there
        in_range = _FIRST <= moment.astimezone(UTC) <= _LAST
    except OverflowError:
        in_range = False
    if not in_range:
        raise WindowError(f"{option} {text!r} is out of range: use a time between the years 1900 and 9998")
    return moment


def parse_window(
    since: str | None,
    until: str | None,
    tz: tzinfo,
    now: datetime | None = None,
    since_option: str = "--since",  # the option the user gave the start with (incident's --last)
) -> tuple[datetime | None, datetime | None]:
    start = parse_moment(since, since_option, tz, now) if since else None
    end = parse_moment(until, "--until", tz, now) if until else None
    if start is not None and end is not None and end <= start:
        raise WindowError(f"--until ({end.isoformat()}) must be after --since ({start.isoformat()})")
    return start, end
