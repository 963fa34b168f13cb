"""Chunks end where events end, and byte ranges read every event exactly once."""

from __future__ import annotations

import io
import itertools
import os
import random
from pathlib import Path

import pytest

from collectors.logs import chunks
from collectors.logs.chunks import BLOCK, file_chunks, next_iso_event, next_line, read_chunks, split_ranges
from collectors.logs.reading import ReadReport


def _log(events: int, seed: int = 3) -> bytes:
    rng = random.Random(seed)
    out = []
    for i in range(events):
        out.append(
            f"2024-05-01 10:{i // 60 % 60:02d}:{i % 60:02d},000+0000 exec-{i} ERROR [c.a.X] event {i}\n"
        )
        for frame in range(rng.choice((0, 0, 0, 3, 40))):
            out.append(f"\tat com.example.Frame{frame}.call(Frame.java:{frame})\n")
        if rng.random() < 0.1:
            out.append("2024 was a good year, said a continuation line\n")  # starts with "20", no timestamp
    return "".join(out).encode()


def _events(chunk: bytes) -> list[bytes]:
    starts = []
    pos = 0
    while (pos := next_iso_event(chunk, pos)) >= 0:
        starts.append(pos)
        pos += 1
    return [chunk[a:b] for a, b in zip(starts, [*starts[1:], len(chunk)], strict=True)]


@pytest.mark.parametrize("block", [64, 1000, 4096, 1 << 20])
def test_chunks_hold_whole_events(block: int) -> None:
    data = _log(300)
    chunks = list(read_chunks(io.BytesIO(data), next_iso_event, block=block))
    assert b"".join(chunks) == data
    for chunk in chunks:
        assert chunk.startswith(b"2024-05-01 ")  # never starts inside an event
    assert sum(len(_events(c)) for c in chunks) == 300


def _file_range(path: Path, start: int, end: int | None, block: int = BLOCK, report=None) -> list[bytes]:
    report = report or ReadReport(planned=path.stat().st_size)
    fd = os.open(path, os.O_RDONLY)
    try:
        return list(file_chunks(fd, next_iso_event, report, start, end, block))
    finally:
        os.close(fd)


@pytest.mark.parametrize("seed", range(6))
def test_ranges_read_every_event_exactly_once(tmp_path: Path, seed: int, monkeypatch) -> None:
    monkeypatch.setattr(chunks, "_PROBE", (1, 7, 300, 64 * 1024)[seed % 4])  # edges found in small reads too
    data = _log(400, seed)
    path = tmp_path / "atlassian-jira.log"
    path.write_bytes(data)
    rng = random.Random(seed)
    cuts = sorted({rng.randrange(1, len(data)) for _ in range(rng.randint(1, 12))})
    events: list[bytes] = []
    for start, end in zip([0, *cuts], [*cuts, len(data)], strict=True):
        for chunk in _file_range(path, start, end, block=rng.choice((97, 512, 8192))):
            assert chunk.startswith(b"2024-05-01 ")
            events += _events(chunk)
    assert b"".join(events) == data


def test_a_range_that_starts_exactly_on_an_event_keeps_it(tmp_path: Path) -> None:
    data = _log(10)
    path = tmp_path / "atlassian-jira.log"
    path.write_bytes(data)
    second = next_iso_event(data, 1)
    assert b"".join(_file_range(path, second, None)) == data[second:]
    assert b"".join(_file_range(path, 0, second)) == data[:second]


def test_newline_boundaries_for_line_formats(tmp_path: Path) -> None:
    data = b"".join(f"line {i}\n".encode() for i in range(1000))
    assert b"".join(read_chunks(io.BytesIO(data), next_line, block=100)) == data
    path = tmp_path / "access_log"
    path.write_bytes(data)
    fd = os.open(path, os.O_RDONLY)
    try:
        part = b"".join(file_chunks(fd, next_line, ReadReport(planned=len(data)), 500, 900))
    finally:
        os.close(fd)
    assert part.startswith(b"line ") and part.endswith(b"\n") and part in data


def test_range_edges_are_found_across_lines_longer_than_a_probe(tmp_path: Path) -> None:
    """An edge search that starts inside a long line reads through it in a window, and still finds the
    first event after it (also when its timestamp straddles two of its reads)."""
    long = b"2024-05-01 10:00:00,000+0000 exec-1 ERROR [c.a.X] " + b"x" * 300_000 + b"\n"
    data = _log(20) + long + _log(20, seed=4) + long + _log(5, seed=5)
    path = tmp_path / "atlassian-jira.log"
    path.write_bytes(data)
    for cut in (len(_log(20)) + 1000, len(_log(20)) + len(long) - 10, 64 * 1024 - 3, 128 * 1024 + 5):
        head, tail = _file_range(path, 0, cut), _file_range(path, cut, None)
        assert b"".join(head + tail) == data
        assert all(c.startswith(b"2024-05-01 ") for c in head + tail)


def test_split_ranges_cover_the_file() -> None:
    assert split_ranges(10, 100) == [(0, 10)]
    ranges = split_ranges(1000, 300)
    assert ranges[0][0] == 0 and ranges[-1][1] == 1000
    assert all(a[1] == b[0] for a, b in itertools.pairwise(ranges))


def test_ranges_inside_one_long_event_are_read_once_by_the_range_it_opens_in(tmp_path: Path) -> None:
    data = _log(5) + b"\tat a continuation line that goes on\n" * 30_000 + _log(5, seed=9)
    path = tmp_path / "atlassian-jira.log"
    path.write_bytes(data)
    ranges = split_ranges(len(data), 100_000)
    read = [_file_range(path, a, b, block=4096) for a, b in ranges]
    assert b"".join(b"".join(r) for r in read) == data
    assert sum(1 for r in read if r) == 2  # the first range, and the one where the last events open
