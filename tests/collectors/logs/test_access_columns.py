"""The column-wise reader of Tomcat access lines against a line-by-line reading of the same rules, on
real-shaped lines and on thousands of damaged ones; and the accumulator, whose results must not depend
on whether a line was read column-wise or by the format's full parser."""

from __future__ import annotations

import random
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from collectors.logs import access
from collectors.logs.access import AccessAccumulator
from collectors.logs.access_columns import read_columns
from collectors.logs.access_lines import (
    CONFLUENCE_711_LAYOUT,
    CONFLUENCE_HELM_LAYOUT,
    CONFLUENCE_LAYOUT,
    JIRA_LAYOUT,
    Layout,
)
from collectors.logs.model import LogKind
from tests.collectors.logs.test_access import confluence_log, ctx, feed, jira_log
from tests.collectors.logs.test_access_lines import CONFLUENCE, CONFLUENCE_711, CONFLUENCE_HELM, JIRA

_TIME = re.compile(rb"\[(\d\d)/([A-Z][a-z]{2})/(\d{4}):(\d\d):(\d\d):(\d\d)\Z")
_ZONE = re.compile(rb"([+-])(\d\d)(\d\d)\]\Z")
_MONTHS = [b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec"]


def reference(line: bytes, layout: Layout) -> tuple | None:
    """What read_columns must make of one line, read the slow and obvious way: None when it is not
    well formed, else (minute epoch, second, status class, duration, request span, client, user)."""
    f = line.split(b" ", layout.splits)
    if b"\0" in line or len(f) < layout.duration + 2:  # a field must follow the duration
        return None
    status, duration = f[layout.status], f[layout.duration]
    if len(status) != 3 or not status.isdigit() or not 100 <= int(status) < 600:
        return None
    if layout.suffix:
        if not duration.endswith(layout.suffix):
            return None
        duration = duration[: -len(layout.suffix)]
    if not duration.isdigit() or len(duration) > 12:
        return None
    t, z = _TIME.match(f[layout.time]), _ZONE.match(f[layout.zone])
    if t is None or z is None or t[2] not in _MONTHS:
        return None
    day, year, hour, minute, second = (int(t[i]) for i in (1, 3, 4, 5, 6))
    zone_hours, zone_minutes = int(z[2]), int(z[3])
    if hour > 23 or minute > 59 or second > 60 or zone_hours > 23 or zone_minutes > 59:
        return None
    offset = timedelta(hours=zone_hours, minutes=zone_minutes) * (-1 if z[1] == b"-" else 1)
    try:
        start = datetime(year, _MONTHS.index(t[2]) + 1, day, hour, minute, tzinfo=timezone(offset))
    except ValueError:  # no such day
        return None
    client = f[layout.address]
    if layout.forwarded >= 0 and f[layout.forwarded] != b"-":
        client = f[layout.forwarded]
    code = int(status)
    return (
        int(start.timestamp()),
        second,
        2 if code >= 500 else 3 if code == 401 else 1 if code >= 400 else 0,
        int(duration),
        f[layout.method] + b" " + f[layout.path].split(b"?")[0],
        client,
        f[layout.user],
    )


def columns_of(chunk: bytes, layout: Layout) -> list[tuple | None]:
    cols = read_columns(chunk, layout)
    out = []
    for i in range(len(cols.starts)):
        if not cols.good[i]:
            out.append(None)
            continue
        spans = [chunk[begin[i] : end[i]] for begin, end in (cols.request, cols.client, cols.user)]
        out.append(
            (
                int(cols.minute[i]),
                int(cols.second[i]),
                int(cols.status_class[i]),
                int(cols.duration[i]),
                *spans,
            )
        )
    return out


def lines_of(chunk: bytes) -> list[bytes]:
    lines = chunk.split(b"\n")
    return lines[:-1] if not lines[-1] else lines


LAYOUTS = [
    (JIRA_LAYOUT, JIRA),
    (CONFLUENCE_LAYOUT, CONFLUENCE),
    (CONFLUENCE_711_LAYOUT, CONFLUENCE_711),
    (CONFLUENCE_HELM_LAYOUT, CONFLUENCE_HELM),
]


@pytest.mark.parametrize(("layout", "line"), LAYOUTS, ids=[layout.name for layout, _ in LAYOUTS])
def test_reference_lines_are_read(layout, line):
    (read,) = columns_of(line + b"\n", layout)
    assert read is not None and read == reference(line, layout)


def test_a_jira_line_field_by_field():
    line = (
        b'10.0.0.5 600x1x1 jdoe [01/May/2024:10:00:59 +0200] "GET /browse/ABC-1?x=1 HTTP/1.1" 503 512 1234 '
        b'"-" "curl"'
    )
    (read,) = columns_of(line, JIRA_LAYOUT)  # the last line of a chunk needs no newline
    at = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
    assert read == (int(at.timestamp()), 59, 2, 1234, b'"GET /browse/ABC-1', b"10.0.0.5", b"jdoe")


def test_forwarded_for_names_the_client_unless_it_is_a_dash():
    base = (
        b"[01/May/2024:10:00:00 +0000] %s jdoe http-nio-8090-exec-1 10.0.0.9 GET /x HTTP/1.1 200 5ms 1 - "
        b"Mozilla"
    )
    reads = columns_of(base % b"203.0.113.9" + b"\n" + base % b"-" + b"\n", CONFLUENCE_711_LAYOUT)
    assert [r[5] for r in reads] == [b"203.0.113.9", b"10.0.0.9"]


@pytest.mark.parametrize(
    "bad",
    [
        b"[31/Apr/2024:10:00:00 +0000]",  # no such day
        b"[29/Feb/2023:10:00:00 +0000]",  # not a leap year
        b"[01/may/2024:10:00:00 +0000]",  # month names are capitalised
        b"[01/May/2024:24:00:00 +0000]",
        b"[01/May/2024:10:60:00 +0000]",
        b"[01/May/2024:10:00:61 +0000]",
        b"[01/May/2024:10:00:00 +2400]",
        b"[01/May/2024:10:00:00 0000]x",
        b"[ 1/May/2024:10:00:00 +0000]",
        b"[01/May/0000:10:00:00 +0000]",
    ],
)
def test_impossible_timestamps_are_left_to_the_parser(bad):
    line = b"10.0.0.5 600x1x1 jdoe " + bad + b' "GET /x HTTP/1.1" 200 512 12 "-" "curl"'
    assert columns_of(line, JIRA_LAYOUT) == [None] == [reference(line, JIRA_LAYOUT)]


def test_leap_days_seconds_sixty_and_far_offsets_are_read():
    line = b'10.0.0.5 600x1x1 jdoe [29/Feb/2024:23:59:60 -1130] "GET /x HTTP/1.1" 200 512 12 "-" "curl"'
    (read,) = columns_of(line, JIRA_LAYOUT)
    at = datetime(2024, 3, 1, 11, 29, tzinfo=UTC)
    assert read is not None and read[:2] == (int(at.timestamp()), 60)


def test_short_empty_and_cut_lines_and_a_chunk_without_lines():
    cut_after_duration = JIRA.split(b' "https')[0]  # ... 200 4521 87
    chunk = b"\n" + JIRA + b"\n" + JIRA[:60] + b"\n\n" + cut_after_duration
    assert columns_of(chunk, JIRA_LAYOUT) == [reference(line, JIRA_LAYOUT) for line in lines_of(chunk)]
    assert [r is not None for r in columns_of(chunk, JIRA_LAYOUT)] == [False, True, False, False, False]
    assert columns_of(b"", JIRA_LAYOUT) == []


@pytest.mark.parametrize(("layout", "line"), LAYOUTS, ids=[layout.name for layout, _ in LAYOUTS])
def test_damaged_lines_read_as_the_line_by_line_reading_does(layout, line):
    rng = random.Random(layout.name)
    alphabet = b' 0123456789[]/:+-"msaZ\x00\n'
    damaged = []
    for _ in range(3000):
        b = bytearray(line)
        for _ in range(rng.randint(1, 3)):
            b[rng.randrange(len(b))] = rng.choice(alphabet)
        damaged.append(bytes(b))
    chunk = b"\n".join(damaged) + b"\n"
    expected = [reference(x, layout) for x in lines_of(chunk)]
    assert columns_of(chunk, layout) == expected
    assert 300 < sum(r is not None for r in expected) < len(expected) - 300  # both kinds were tested
    for line in [x for x in lines_of(chunk) if x][:300]:  # alone, each line ends its chunk: reads are cut
        assert columns_of(line, layout) == [reference(line, layout)]


@pytest.mark.parametrize("kind", [LogKind.JIRA_ACCESS, LogKind.CONFLUENCE_ACCESS])
def test_column_wise_and_parsed_lines_give_the_same_statistics(kind, monkeypatch):
    data = jira_log(9000, seed=3)[0] if kind == LogKind.JIRA_ACCESS else confluence_log(9000, seed=3)
    data += b"\x00 garbage\n" + (JIRA if kind == LogKind.JIRA_ACCESS else CONFLUENCE_711) + b"\n"
    columns = AccessAccumulator()
    fast = feed(columns, data, ctx(kind), chunk_lines=700)
    fmt = access.FORMATS[kind]
    monkeypatch.setitem(access.FORMATS, kind, replace(fmt, layouts=()))  # every line through the parser
    parsed = AccessAccumulator()
    slow = feed(parsed, data, ctx(kind), chunk_lines=700)
    assert (fast.lines, fast.events, fast.unparsed, fast.first, fast.last) == (
        slow.lines,
        slow.events,
        slow.unparsed,
        slow.first,
        slow.last,
    )
    assert fast.events == 9001 and fast.unparsed == 1
    assert columns.summaries(60) == parsed.summaries(60)
