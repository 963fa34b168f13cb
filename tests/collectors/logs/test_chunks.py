"""Chunks end where events end, and byte ranges read every event exactly once."""

from __future__ import annotations

import io
import itertools
import random

import pytest

from collectors.logs.chunks import next_iso_event, next_line, read_chunks, split_ranges


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


@pytest.mark.parametrize("seed", range(6))
def test_ranges_read_every_event_exactly_once(seed: int) -> None:
    data = _log(400, seed)
    rng = random.Random(seed)
    cuts = sorted({rng.randrange(1, len(data)) for _ in range(rng.randint(1, 12))})
    ranges = list(zip([0, *cuts], [*cuts, len(data)], strict=True))
    events: list[bytes] = []
    for start, end in ranges:
        stream = io.BytesIO(data)
        if start > 0:
            stream.seek(start - 1)
        for chunk in read_chunks(stream, next_iso_event, start, end, block=rng.choice((97, 512, 8192))):
            events += _events(chunk)
    assert b"".join(events) == data


def test_a_range_that_starts_exactly_on_an_event_keeps_it() -> None:
    data = _log(10)
    second = next_iso_event(data, 1)
    stream = io.BytesIO(data)
    stream.seek(second - 1)
    assert b"".join(read_chunks(stream, next_iso_event, second, None)) == data[second:]
    first = b"".join(read_chunks(io.BytesIO(data), next_iso_event, 0, second))
    assert first == data[:second]


def test_newline_boundaries_for_line_formats() -> None:
    data = b"".join(f"line {i}\n".encode() for i in range(1000))
    assert b"".join(read_chunks(io.BytesIO(data), next_line, block=100)) == data
    stream = io.BytesIO(data)
    stream.seek(499)
    assert b"".join(read_chunks(stream, next_line, 500, 900)).startswith(b"line ")


def test_split_ranges_cover_the_file() -> None:
    assert split_ranges(10, 100) == [(0, 10)]
    ranges = split_ranges(1000, 300)
    assert ranges[0][0] == 0 and ranges[-1][1] == 1000
    assert all(a[1] == b[0] for a, b in itertools.pairwise(ranges))


@pytest.mark.parametrize("seed", range(4))
def test_mapped_ranges_read_every_event_exactly_once(tmp_path, seed: int) -> None:
    from collectors.logs.chunks import mapped_chunks

    data = _log(400, seed)
    path = tmp_path / "atlassian-jira.log"
    path.write_bytes(data)
    rng = random.Random(seed)
    cuts = sorted({rng.randrange(1, len(data)) for _ in range(rng.randint(1, 12))})
    events: list[bytes] = []
    for start, end in zip([0, *cuts], [*cuts, len(data)], strict=True):
        for chunk in mapped_chunks(str(path), next_iso_event, start, end, block=rng.choice((97, 512, 8192))):
            assert chunk.startswith(b"2024-05-01 ")
            events += _events(chunk)
    assert b"".join(events) == data
