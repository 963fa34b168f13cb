"""Turning log timestamps into UTC epoch seconds, fast: parsing is cached per minute.

Atlassian logs write ``2024-05-01 10:00:00,123`` with or without an offset (``+0100``); Tomcat
access logs write ``01/May/2024:10:00:00 +0000``. A log line's minute repeats thousands of times,
so the expensive part (building a datetime, applying the zone) runs once per distinct minute.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import overload

_MONTHS = {
    m.encode(): i
    for i, m in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), start=1
    )
}


def parse_zone(name: str) -> tzinfo:
    """A zone name (``UTC``, ``Europe/Berlin``) or a fixed offset (``+0100``, ``-05:00``)."""
    text = name.strip()
    if text.upper() in ("UTC", "Z", "GMT"):
        return UTC
    if text[:1] in "+-" and text[1:].replace(":", "").isdigit() and len(text[1:].replace(":", "")) == 4:
        digits = text[1:].replace(":", "")
        if int(digits[:2]) > 23 or int(digits[2:]) > 59:
            raise ValueError(f"time zone offset {name!r} is out of range: use -2359 to +2359, such as +0100")
        delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        return timezone(-delta if text[0] == "-" else delta)
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {name!r}: use a name such as Europe/Berlin or an offset such as +0100"
        ) from None


def _offset_seconds(offset: bytes) -> int:
    """``+0100`` / ``-05:00`` -> seconds east of UTC."""
    digits = offset[1:].replace(b":", b"")
    seconds = int(digits[:2]) * 3600 + int(digits[2:4]) * 60
    return -seconds if offset[:1] == b"-" else seconds


class MinuteClock:
    """Epoch seconds of the start of a minute, from the text of a log timestamp, cached.

    ``iso_minute(b"2024-05-01 10:00", b"+0100")`` for Atlassian application logs (offset optional),
    ``clf_minute(b"01/May/2024:10:00", b"-0700")`` for Tomcat access logs. Without an offset the
    minute is read in ``tz``. Malformed text raises ValueError: the caller counts the line unparsed.
    """

    def __init__(self, tz: tzinfo = UTC) -> None:
        self.tz = tz
        self._iso: dict[tuple[bytes, bytes | None], int] = {}
        self._clf: dict[tuple[bytes, bytes | None], int] = {}

    def iso_minute(self, minute: bytes, offset: bytes | None = None) -> int:
        key = (minute, offset)
        found = self._iso.get(key)
        if found is None:
            naive = datetime(
                int(minute[0:4]), int(minute[5:7]), int(minute[8:10]), int(minute[11:13]), int(minute[14:16])
            )
            found = self._epoch(naive, offset)
            self._iso[key] = found
        return found

    def clf_minute(self, minute: bytes, offset: bytes | None = None) -> int:
        key = (minute, offset)
        found = self._clf.get(key)
        if found is None:
            month = _MONTHS.get(minute[3:6])
            if month is None:
                raise ValueError(f"unknown month in {minute!r}")
            day, hour, mins = int(minute[0:2]), int(minute[12:14]), int(minute[15:17])
            naive = datetime(int(minute[7:11]), month, day, hour, mins)
            found = self._epoch(naive, offset)
            self._clf[key] = found
        return found

    def _epoch(self, naive: datetime, offset: bytes | None) -> int:
        if offset:
            zone: tzinfo = timezone(timedelta(seconds=_offset_seconds(offset)))
        else:
            zone = self.tz
        return int(naive.replace(tzinfo=zone).timestamp())


@overload
def to_datetime(epoch: float) -> datetime: ...
@overload
def to_datetime(epoch: float | None) -> datetime | None: ...
def to_datetime(epoch: float | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC)


def bucket_of(epoch: float, bucket_s: int) -> int:
    return int(epoch // bucket_s) * bucket_s


def choose_bucket(first: float | None, last: float | None, max_points: int = 1440) -> int:
    """Series stay per minute up to a day; longer spans widen the bucket so charts stay readable."""
    if first is None or last is None:
        return 60
    span = max(last - first, 60)
    for width in (60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 86400):
        if span / width <= max_points:
            return width
    return 86400
