"""Reading a log in chunks that end where an event ends, so no event is cut between two chunks.

Large plain files are also split into byte ranges that separate workers read at the same time:
each range starts at the first event that opens at or after its start offset and ends with the
event that is open at its end offset, so every event is read exactly once.

Plain files are read with ``os.pread``, never memory-mapped: a mapped file that shrinks while it is
read (logrotate's ``copytruncate`` does that every night) kills the process with SIGBUS, which Python
cannot catch. A read that comes back short says the file shrank; it is recorded in the task's
ReadReport and the reading stops there. Nothing past the size the file had when the run listed it is
read, so a live log that grows is read up to that size. Lines longer than LINE_LIMIT are cut on the
way (long_lines.py), so memory stays flat whatever the file holds.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from typing import Protocol

from collectors.logs.event_lines import ISO_EVENT
from collectors.logs.long_lines import LineCuts, limit_lines
from collectors.logs.reading import ReadReport
from collectors.logs.zip_guard import DAMAGED

BLOCK = 2 * 1024 * 1024  # small enough that the passes over a chunk find it in the CPU cache
MAX_EVENT = 64 * 1024 * 1024  # an "event" longer than this is cut at a newline instead
_PROBE = 64 * 1024  # the first read when looking for where a range starts or ends
_STEP = 4 * 1024  # the first read when looking for where a chunk ends: most events are shorter
_LOOKAHEAD = 256  # the most bytes past a cut point that deciding it takes (an ISO timestamp)

Boundary = Callable[[bytes, int], int]  # the first cut point at or after a position, or -1


class Readable(Protocol):
    """A stream of bytes: an open file, or a reader that salvages a damaged archive's head."""

    def read(self, size: int, /) -> bytes: ...


def next_line(buf: bytes, pos: int) -> int:
    """The first line start at or after ``pos`` (a chunk may be cut there)."""
    if pos <= 0:
        return 0
    found = buf.find(b"\n", pos - 1)
    return -1 if found < 0 else found + 1


def next_iso_event(buf: bytes, pos: int) -> int:
    """The first line at or after ``pos`` that opens an ISO-timestamped event."""
    if pos <= 0 and ISO_EVENT.match(buf):
        return 0
    search = max(pos - 1, 0)
    while True:
        found = buf.find(b"\n20", search)
        if found < 0:
            return -1
        if ISO_EVENT.match(buf, found + 1):
            return found + 1
        search = found + 1


def _last_cut(buf: bytes, boundary: Boundary) -> int:
    """The last cut point in ``buf`` after position 0, or -1 (searched backwards in steps)."""
    step = 64 * 1024
    low = max(len(buf) - step, 1)
    while True:
        cut, pos = -1, low
        while True:
            found = boundary(buf, pos)
            if found < 0 or found >= len(buf):
                break
            cut, pos = found, found + 1
        if cut > 0 or low <= 1:
            return cut
        low = max(low - step, 1)
        step *= 4


def event_chunks(blocks: Iterable[bytes], boundary: Boundary) -> Iterator[bytes]:
    """The bytes of ``blocks`` in chunks of whole events: each block is cut after its last event start
    and its tail joined to the next block's head."""
    carry: list[bytes | memoryview] = []  # the tail of the event still open
    held = 0
    for data in blocks:
        cut = _last_cut(data, boundary)
        if cut <= 0:  # one event longer than the block: keep reading before cutting
            carry.append(data)
            held += len(data)
            if held >= MAX_EVENT:
                joined = b"".join(carry)
                cut = joined.rfind(b"\n") + 1 or len(joined)
                yield joined[:cut]
                carry, held = [joined[cut:]], len(joined) - cut
            continue
        if held:
            carry.append(memoryview(data)[:cut])  # joined without a copy of its own
            yield b"".join(carry)
        else:
            yield data[:cut]
        carry, held = [data[cut:]], len(data) - cut
    if held:
        yield b"".join(carry)


def read_chunks(
    stream: Readable, boundary: Boundary, cuts: LineCuts | None = None, block: int = BLOCK
) -> Iterator[bytes]:
    """Chunks of whole events from ``stream`` (a gzip, a zip member), lines cut at LINE_LIMIT and
    counted in ``cuts``. A stream that breaks (damaged, cut short, stopped at a limit) first gives
    everything before the break, the event open there included, then raises its error."""
    broken: list[Exception] = []

    def blocks() -> Iterator[bytes]:
        try:
            while data := stream.read(block):
                yield data
        except DAMAGED as exc:
            broken.append(exc)

    yield from event_chunks(limit_lines(blocks(), cuts or LineCuts()), boundary)
    if broken:
        raise broken[0]


def file_chunks(
    fd: int,
    boundary: Boundary,
    report: ReadReport,
    start: int = 0,
    end: int | None = None,
    block: int = BLOCK,
) -> Iterator[bytes]:
    """Chunks of whole events of the byte range ``start``-``end`` of the open plain file ``fd``, read
    no further than ``report.planned`` bytes (its size when the run listed it).

    Each chunk is one read that ends where the first event at or after ``block`` bytes opens (found
    by a small read there first), so its bytes are copied once. An event longer than two blocks is
    read through in blocks instead. A read that comes back short (the file shrank) is recorded in
    ``report`` and ends the range with what was read.
    """
    size = report.planned
    end = size if end is None else min(end, size)
    first = 0 if start <= 0 else _edge(fd, boundary, start, end, size, report)
    if first < 0:  # no event opens in the range: the one open at its start is read by the range before
        return
    stop = size if end >= size else _edge(fd, boundary, end, size, size, report)
    stop = size if stop < 0 else stop
    pos = first
    while pos < stop and (report.stopped_at is None or pos < report.stopped_at):  # the file ends there now
        cut = stop if pos + block >= stop else _edge(fd, boundary, pos + block, stop, size, report, _STEP)
        cut = stop if cut < 0 else cut
        if cut - pos <= 2 * block:
            data = _pread(fd, cut - pos, pos, report)
            if data:
                yield from limit_lines((data,), report)  # the same bytes, unless a line is too long
        else:  # one long event: its lines cut, in chunks of at most MAX_EVENT
            yield from event_chunks(limit_lines(_blocks(fd, pos, cut, block, report), report), boundary)
        pos = cut


def _blocks(fd: int, start: int, stop: int, block: int, report: ReadReport) -> Iterator[bytes]:
    pos = start
    while pos < stop:
        want = min(block, stop - pos)
        data = _pread(fd, want, pos, report)
        if data:
            yield data
        if len(data) < want:
            return
        pos += want


def _edge(
    fd: int, boundary: Boundary, at: int, before: int, size: int, report: ReadReport, probe: int = _PROBE
) -> int:
    """The first cut point at or after offset ``at`` and before ``before``, or -1.

    Only a window of the file is held, whatever the distance to the cut point (a line of 500 MB is
    read through, not kept). A cut point found less than _LOOKAHEAD bytes before the window's end may
    hide an earlier one the window cut short, so it is trusted only at the end of the data. Bounded by
    ``before``, a range inside one long event costs a read of the range, not of the rest of the file.
    """
    base = at - 1  # file offset of window[0]: the byte before the first possible cut point
    reach = min(before + _LOOKAHEAD, size)  # what deciding a cut point just before ``before`` reads
    window = b""
    pos, want = base, probe
    while True:
        asked = min(want, reach - pos)
        data = _pread(fd, asked, pos, report) if asked > 0 else b""
        window += data
        pos += len(data)
        last = len(data) < asked or pos >= reach
        found = boundary(window, 1) if len(window) > 1 else -1
        if found >= 0 and (last or found + _LOOKAHEAD <= len(window)):
            return base + found if base + found < before else -1
        if last:
            return -1
        keep = len(window) - _LOOKAHEAD
        if keep > 0:
            window, base = window[keep:], base + keep
        want = min(want * 2, BLOCK)


def _pread(fd: int, size: int, offset: int, report: ReadReport) -> bytes:
    """``size`` bytes at ``offset``; fewer when the file ends before, which is recorded in ``report``."""
    data = os.pread(fd, size, offset)
    while len(data) < size:
        more = os.pread(fd, size - len(data), offset + len(data))
        if not more:  # the file ends here now: it was at most this long (it may have grown again since)
            end = offset + len(data)
            report.ended_early(end, min(os.fstat(fd).st_size, end))
            break
        data += more
    return data


def split_ranges(size: int, parts_of: int) -> list[tuple[int, int]]:
    """Byte ranges of about ``parts_of`` bytes covering a file of ``size`` bytes."""
    if size <= parts_of:
        return [(0, size)]
    count = -(-size // parts_of)
    width = -(-size // count)
    return [(i * width, min((i + 1) * width, size)) for i in range(count)]
