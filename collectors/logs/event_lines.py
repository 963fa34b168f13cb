"""Where events start and when they happened, in application logs and catalina.out.

An event opens with a timestamped line; stack frames and ``Caused by:`` lines that follow belong to
it. Atlassian application logs start events with ``2024-05-01 10:00:00,123`` (Jira since 8.x adds an
offset, ``+0100``); catalina.out mixes those with Tomcat's ``01-May-2024 10:00:00.123`` and the older
two-line ``May 1, 2024 10:00:00 AM`` java.util.logging form.
"""

from __future__ import annotations

import re
from datetime import datetime

from collectors.logs.timestamps import MinuteClock

ISO_EVENT = re.compile(rb"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d[,.]\d{3}")
_TOMCAT = re.compile(rb"(\d\d)-(\w{3})-(\d{4}) (\d\d:\d\d):(\d\d)\.(\d{3}) ")
_JUL = re.compile(rb"(\w{3} \d\d?, \d{4} \d\d?:\d\d:\d\d [AP]M) ")
_SCAN_BACK = 256 * 1024  # how far back a continuation line looks for the line that opened its event


def iso_offset(line: bytes) -> bytes | None:
    """The ``+0100`` after the milliseconds, when the line has one."""
    sign = line[23:24]
    return line[23:28] if sign in (b"+", b"-") and line[24:28].isdigit() else None


def iso_epoch(line: bytes, clock: MinuteClock) -> float | None:
    if not ISO_EVENT.match(line):
        return None
    minute = line[:16].replace(b"T", b" ")
    try:
        return clock.iso_minute(minute, iso_offset(line)) + int(line[17:19]) + int(line[20:23]) / 1000
    except ValueError:  # a timestamp-shaped line with an impossible date: not an event time
        return None


def any_epoch(line: bytes, clock: MinuteClock) -> float | None:
    """The time of an event's first line in any format catalina.out or an application log uses."""
    epoch = iso_epoch(line, clock)
    if epoch is not None:
        return epoch
    match = _TOMCAT.match(line)
    if match:
        day, month, year, hm, sec, ms = match.groups()
        try:
            return clock.clf_minute(day + b"/" + month + b"/" + year + b":" + hm) + int(sec) + int(ms) / 1000
        except ValueError:
            return None
    match = _JUL.match(line)
    if match:
        try:
            naive = datetime.strptime(match.group(1).decode(), "%b %d, %Y %I:%M:%S %p")
        except ValueError:
            return None
        return naive.replace(tzinfo=clock.tz).timestamp()
    return None


def iso_event_start(buf: bytes, line_start: int, floor: int = 0) -> int | None:
    """The start of the ISO-timestamped line that opened the event holding ``line_start``."""
    pos = line_start
    low = max(floor, line_start - _SCAN_BACK)
    while pos >= low:
        if buf.startswith(b"20", pos) and ISO_EVENT.match(buf, pos):
            return pos
        if pos == 0:
            return None
        found = buf.rfind(b"\n20", low, pos)
        if found < 0:
            return 0 if low == 0 and ISO_EVENT.match(buf, 0) else None
        pos = found + 1
    return None


def any_event_start(buf: bytes, line_start: int, clock: MinuteClock, floor: int = 0) -> int | None:
    """Like iso_event_start, for catalina.out's mixed formats (walks back line by line, a few hundred)."""
    pos = line_start
    for _ in range(400):
        end = buf.find(b"\n", pos)
        if any_epoch(buf[pos : end if end >= 0 else len(buf)], clock) is not None:
            return pos
        if pos <= floor:
            return None
        pos = buf.rfind(b"\n", floor, pos - 1) + 1
        if pos < floor:
            return None
    return None


def line_at(buf: bytes, start: int, cap: int = 5000) -> bytes:
    """The line starting at ``start``, without its newline, cut at ``cap`` bytes (as Hercules does)."""
    end = buf.find(b"\n", start, start + cap)
    return buf[start : end if end >= 0 else min(len(buf), start + cap)].rstrip(b"\r")
