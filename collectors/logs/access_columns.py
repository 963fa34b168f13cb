"""Reading a chunk of Tomcat access lines column-wise: NumPy finds every line's fields and reads their
timestamps, statuses and durations in a few passes over the chunk, instead of a Python loop per line.

A line's fields are what ``line.split(b" ", layout.splits)`` would give: NumPy finds every newline and
every space of the chunk once, and a field is what lies between two spaces of its line. A line is
*well formed* when all of the following hold, and only then is it read here; any other line (a user
name with spaces, an X-Forwarded-For list, a cut line, garbage) goes to the format's full parser:

- every field up to the duration is there, and more follow it (a line that ends at its duration was cut);
- the time field is ``[DD/Mon/YYYY:HH:MM:SS`` and the zone field ``+HHMM]`` (or ``-``): a real calendar
  day, hours up to 23, minutes up to 59, seconds up to 60, the zone under 24 hours;
- the status is three digits from 100 to 599;
- the duration is 1 to 12 digits, followed by the layout's suffix (``ms``) where it has one;
- the line holds no NUL byte.

What comes back are arrays with one entry per line (``good`` says which were read) and the byte spans
of the fields that name an endpoint and a client, for the caller to look up.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from collectors.logs.access_lines import Layout

_WIDEST = 32  # the widest fixed-width read; a shorter chunk is padded with zeros to this
_MAX_DIGITS = 12
_STAMP = 28  # b"[01/May/2024:10:00:00 +0000]"
_MONTHS = np.array(
    [
        int.from_bytes(m.encode(), "big")
        for m in ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    ]
)
_MONTH_ORDER = np.argsort(_MONTHS)
_SORTED_MONTHS = _MONTHS[_MONTH_ORDER]
_DAYS_IN_MONTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
# the fixed bytes of a timestamp but the seconds' colon, by position in _STAMP; its digits are the other
# positions but the month's name (4-6), the seconds (18-20) and the zone's sign (22)
_FIXED = {0: ord("["), 3: ord("/"), 7: ord("/"), 12: ord(":"), 15: ord(":"), 21: ord(" "), 27: ord("]")}
_DIGITS = [i for i in range(_STAMP) if i not in _FIXED and i not in (4, 5, 6, 18, 19, 20, 22)]
_WIDE = 32  # a stamp read as four 64-bit words
_MINUTE_BYTES = np.frombuffer(
    bytes(0 if i in (18, 19, 20) or i >= _STAMP else 0xFF for i in range(_WIDE)), dtype=np.uint64
)  # the bytes of a stamp that name its minute


@dataclass
class Columns:
    """One chunk's lines, column-wise. Entries of lines that are not ``good`` are meaningless."""

    buf: np.ndarray  # the chunk's bytes
    starts: np.ndarray  # where each line starts in the chunk
    ends: np.ndarray  # where it ends (its newline, or the end of the chunk)
    good: np.ndarray  # bool: the line is well formed (see the module)
    minute: np.ndarray  # UTC epoch seconds of the start of its minute
    second: np.ndarray  # 0..60
    status_class: np.ndarray  # 0 (any other), 1 (4xx but 401), 2 (5xx), 3 (401): access_fold's classes
    duration: np.ndarray  # as written (the caller converts microseconds)
    request: tuple[np.ndarray, np.ndarray]  # from the method to the end of the path, without its query
    client: tuple[np.ndarray, np.ndarray]  # the address column, or X-Forwarded-For where it is not "-"
    user: tuple[np.ndarray, np.ndarray]


def read_columns(chunk: bytes, layout: Layout) -> Columns:
    """The columns of every line of ``chunk`` (lines end at ``\\n``; a last line may lack it)."""
    size = len(chunk)
    buf = np.frombuffer(chunk if size >= _WIDEST else chunk + bytes(_WIDEST - size), dtype=np.uint8)
    # one scan for both separators (and other control bytes), then told apart: cheaper than two scans
    low = np.flatnonzero(buf[:size] <= 32)
    byte = buf[low]
    newlines, spaces = low[byte == 10], low[byte == 32]
    ends = newlines if not size or chunk[-1:] == b"\n" else np.append(newlines, size)
    starts = np.empty_like(ends)
    if len(ends):
        starts[0] = 0
        starts[1:] = ends[:-1] + 1
    first_space = np.searchsorted(spaces, starts)
    in_line = np.searchsorted(spaces, ends) - first_space
    # The spaces that end fields 0..duration of every line, as one matrix. A line with fewer spaces
    # gets the next lines' (or the chunk's end): such a line is not well formed, whatever they read.
    fences = np.append(spaces, size)[
        np.minimum(first_space[:, None] + np.arange(layout.duration + 1), len(spaces))
    ]

    def field(i: int) -> tuple[np.ndarray, np.ndarray]:
        return (starts if i == 0 else fences[:, i - 1] + 1), fences[:, i]

    status, status_ok = _status(buf, *field(layout.status))
    duration, duration_ok = _duration(buf, *field(layout.duration), layout.suffix)
    minute, second, stamp_ok = _stamp(buf, field(layout.time), field(layout.zone)[1])
    # more fields follow the duration, and the status, duration and timestamp are well formed
    good = (in_line > layout.duration) & status_ok & duration_ok & stamp_ok
    if b"\0" in chunk:
        nul = np.flatnonzero(buf[:size] == 0)
        good &= np.searchsorted(nul, starts) == np.searchsorted(nul, ends)
    method, path = field(layout.method), field(layout.path)
    # The query string names no endpoint and makes most requests distinct (searches, cache busters):
    # the request's span ends at the path's first "?".
    marks = np.append(np.flatnonzero(buf[:size] == ord("?")), size)
    query = marks[np.minimum(np.searchsorted(marks, path[0]), len(marks) - 1)]
    path_end = np.minimum(query, path[1])
    client = field(layout.address)
    if layout.forwarded >= 0:
        forwarded = field(layout.forwarded)
        dash = (forwarded[1] - forwarded[0] == 1) & (buf[forwarded[0]] == ord("-"))
        client = (np.where(dash, client[0], forwarded[0]), np.where(dash, client[1], forwarded[1]))
    return Columns(
        buf,
        starts,
        ends,
        good,
        minute,
        second,
        status,
        duration,
        (method[0], path_end),
        client,
        field(layout.user),
    )


def _windows(buf: np.ndarray, begin: np.ndarray, width: int) -> np.ndarray:
    """The ``width`` bytes from each of ``begin``, as rows. A window that would run past the chunk is
    moved back to end with it: only a line cut short gets one (its fields do not all fit), and such a
    line is never well formed."""
    return sliding_window_view(buf, width)[np.minimum(begin, len(buf) - width)]


def _status(buf: np.ndarray, begin: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(the class of each status: 0, 1 for 4xx, 2 for 5xx, 3 for 401; whether it is three digits from 100
    to 599), read from the bytes: the first digit decides the range and the class, but for a 401."""
    text = _windows(buf, begin, 3)
    first = text[:, 0]
    valid = (end - begin == 3) & (first >= ord("1")) & (first <= ord("5"))
    valid &= (text[:, 1:] >= ord("0")).all(axis=1) & (text[:, 1:] <= ord("9")).all(axis=1)
    client = first == ord("4")
    unauthorised = client & (text[:, 1] == ord("0")) & (text[:, 2] == ord("1"))
    return client.astype(np.int8) + 2 * (first == ord("5")) + 2 * unauthorised, valid


def _duration(
    buf: np.ndarray, begin: np.ndarray, end: np.ndarray, suffix: bytes
) -> tuple[np.ndarray, np.ndarray]:
    """(each duration's value; whether it is 1 to 12 digits followed by ``suffix``)."""
    valid = np.ones(len(begin), dtype=bool)
    if suffix:
        tail = _windows(buf, np.maximum(end - len(suffix), 0), len(suffix))
        valid &= (tail == np.frombuffer(suffix, dtype=np.uint8)).all(axis=1)
        end = end - len(suffix)
    length = end - begin
    valid &= (length >= 1) & (length <= _MAX_DIGITS)
    value = np.zeros(len(begin), dtype=np.int64)
    longest = int(length[valid].max()) if valid.any() else 0
    scale = 1
    for j in range(longest):  # the j-th digit from the right, where the field has one
        digit = buf[np.maximum(end - 1 - j, 0)].astype(np.int64) - 48
        present = length > j
        valid &= ~present | ((digit >= 0) & (digit <= 9))
        value += np.where(present, digit, 0) * scale
        scale *= 10
    return value, valid


def _stamp(
    buf: np.ndarray, time: tuple[np.ndarray, np.ndarray], zone_end: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(UTC epoch of the minute, second, whether the stamp is well formed) of
    ``[01/May/2024:10:00:00 +0000]``, the time and zone fields.

    Consecutive lines mostly share their minute: the date, time and zone are read and checked once per
    run of lines whose stamps agree in every byte but the seconds, and only the seconds per line."""
    begin = time[0]
    valid = (time[1] - begin == 21) & (zone_end - begin == _STAMP)
    text = _windows(buf, begin, _WIDE)
    key = text.view(np.uint64) & _MINUTE_BYTES
    change = np.ones(len(begin), dtype=bool)
    change[1:] = (key[1:] != key[:-1]).any(axis=1)
    firsts = np.flatnonzero(change)
    minute, minute_ok = _minutes(text[firsts])
    run = np.cumsum(change) - 1
    seconds = text[:, 19:21].astype(np.int64) - 48
    second = seconds[:, 0] * 10 + seconds[:, 1]
    valid &= minute_ok[run] & (text[:, 18] == ord(":")) & ((seconds >= 0) & (seconds <= 9)).all(axis=1)
    valid &= second <= 60
    return minute[run], second, valid


def _minutes(text: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(UTC epoch of the minute, well formed) of stamps, read from every byte but the seconds."""
    valid = np.ones(len(text), dtype=bool)
    for i, byte in _FIXED.items():
        valid &= text[:, i] == byte
    sign = text[:, 22]
    valid &= (sign == ord("+")) | (sign == ord("-"))
    d = text[:, _DIGITS].astype(np.int64) - 48
    valid &= ((d >= 0) & (d <= 9)).all(axis=1)
    # d's columns: day 0-1, year 2-5, hour 6-7, minute 8-9, zone hours 10-11, zone minutes 12-13
    day, year = d[:, 0] * 10 + d[:, 1], d[:, 2] * 1000 + d[:, 3] * 100 + d[:, 4] * 10 + d[:, 5]
    hour, minute = d[:, 6] * 10 + d[:, 7], d[:, 8] * 10 + d[:, 9]
    zone_hours, zone_minutes = d[:, 10] * 10 + d[:, 11], d[:, 12] * 10 + d[:, 13]
    name = (text[:, 4].astype(np.int64) << 16) | (text[:, 5].astype(np.int64) << 8) | text[:, 6]
    slot = np.minimum(np.searchsorted(_SORTED_MONTHS, name), 11)
    valid &= _SORTED_MONTHS[slot] == name
    month = _MONTH_ORDER[slot] + 1
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    days_in_month = _DAYS_IN_MONTH[month] + ((month == 2) & leap)
    valid &= (year >= 1) & (day >= 1) & (day <= days_in_month) & (hour <= 23) & (minute <= 59)
    valid &= (zone_hours <= 23) & (zone_minutes <= 59)
    offset = (zone_hours * 3600 + zone_minutes * 60) * np.where(sign == ord("-"), -1, 1)
    local = _days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60
    return local - offset, valid


def _days_from_civil(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm), element-wise."""
    y = year - (month <= 2)
    era = y // 400
    year_of_era = y - era * 400
    day_of_year = (153 * (month + np.where(month > 2, -3, 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146097 + day_of_era - 719468
