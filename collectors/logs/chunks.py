"""Reading a log in chunks that end where an event ends, so no event is cut between two chunks.

Large plain files are also split into byte ranges that separate workers read at the same time:
each range starts at the first event that opens at or after its start offset and ends with the
event that is open at its end offset, so every event is read exactly once.
"""

from __future__ import annotations

import mmap
import os
from collections.abc import Callable, Iterator
from typing import Protocol

from collectors.logs.event_lines import ISO_EVENT

BLOCK = 2 * 1024 * 1024  # small enough that the passes over a chunk find it in the CPU cache
MAX_EVENT = 64 * 1024 * 1024  # an "event" longer than this is cut at a newline instead

Searchable = bytes | mmap.mmap  # a chunk read, or a whole file mapped
Boundary = Callable[[Searchable, int], int]  # the first cut point at or after a position, or -1


class Readable(Protocol):
    """A stream of bytes: an open file, or a reader that salvages a damaged archive's head."""

    def read(self, size: int, /) -> bytes: ...


def next_line(buf: Searchable, pos: int) -> int:
    """The first line start at or after ``pos`` (a chunk may be cut there)."""
    if pos <= 0:
        return 0
    found = buf.find(b"\n", pos - 1)
    return -1 if found < 0 else found + 1


def next_iso_event(buf: Searchable, pos: int) -> int:
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


def read_chunks(
    stream: Readable, boundary: Boundary, start: int = 0, end: int | None = None, block: int = BLOCK
) -> Iterator[bytes]:
    """Chunks of whole events from ``stream``, up to the event open at ``end``.

    With ``start`` > 0 the stream must be positioned one byte before ``start``, so that an event
    opening exactly at ``start`` is recognised as opening a line. Each block is copied once: the
    short tail of the previous block is joined to the head of the next one.
    """
    carry = b""
    offset = start - 1 if start > 0 else 0  # file offset of carry[0]
    if start > 0:  # a range that starts mid-file begins at its first whole event
        while True:
            data = stream.read(block)
            carry += data
            cut = boundary(carry, 1)
            if cut >= 0 or not data:
                break
        if cut < 0:
            return
        offset += cut
        carry = carry[cut:]
    while True:
        if end is not None and offset + len(carry) > end:
            yield from _finish_range(stream, boundary, carry, end - offset, block)
            return
        data = stream.read(block)
        if not data:
            if carry:
                yield carry
            return
        if end is not None and offset + len(carry) + len(data) > end:
            carry += data
            continue
        cut = _last_cut(data, boundary)
        if cut <= 0:  # one event longer than the block: keep reading before cutting
            carry += data
            if len(carry) >= MAX_EVENT:
                cut = carry.rfind(b"\n") + 1 or len(carry)
                yield carry[:cut]
                offset += cut
                carry = carry[cut:]
            continue
        chunk = b"".join((carry, memoryview(data)[:cut])) if carry else data[:cut]
        yield chunk
        offset += len(chunk)
        carry = data[cut:]


def _finish_range(
    stream: Readable, boundary: Boundary, buf: bytes, end_at: int, block: int
) -> Iterator[bytes]:
    """The last chunk of a range: everything up to the first event opening at or after ``end_at``."""
    if end_at <= 0:
        return
    while True:
        cut = boundary(buf, end_at)
        if cut >= 0:
            if cut > 0:
                yield buf[:cut]
            return
        data = stream.read(block)
        if not data:
            if buf:
                yield buf
            return
        buf += data


def mapped_chunks(
    path: str, boundary: Boundary, start: int = 0, end: int | None = None, block: int | None = None
) -> Iterator[bytes]:
    """Like read_chunks, for a plain file: sliced from a memory map, so each byte is copied once.

    Pages already scanned are dropped from the mapping as the reading goes, so the process's
    resident memory stays at about one block whatever the file's size.
    """
    block = block or BLOCK
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size == 0:
            return
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            stop = size if end is None or end >= size else boundary(mapped, end)
            stop = size if stop < 0 else stop
            pos = 0 if start <= 0 else boundary(mapped, start)
            if pos < 0:
                return
            dropped = pos - pos % mmap.PAGESIZE
            while pos < stop:
                cut = stop if pos + block >= stop else boundary(mapped, pos + block)
                cut = stop if cut < 0 or cut > stop else cut
                yield mapped[pos:cut]
                pos = cut
                done = pos - pos % mmap.PAGESIZE
                if done > dropped and hasattr(mapped, "madvise"):
                    mapped.madvise(mmap.MADV_DONTNEED, dropped, done - dropped)
                    dropped = done


def split_ranges(size: int, parts_of: int) -> list[tuple[int, int]]:
    """Byte ranges of about ``parts_of`` bytes covering a file of ``size`` bytes."""
    if size <= parts_of:
        return [(0, size)]
    count = -(-size // parts_of)
    width = -(-size // count)
    return [(i * width, min((i + 1) * width, size)) for i in range(count)]
