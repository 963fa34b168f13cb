"""Lines too long to be log lines are cut, so that one endless line cannot take the memory of a run.

A line longer than ``LINE_LIMIT`` bytes keeps its first ``LINE_LIMIT`` bytes, ends there (a newline is
put in its place) and the rest of it, up to its own newline, is skipped; each cut line is counted.
1 MiB is far beyond any real Atlassian log line (a stack frame, a long SQL statement or a request
with its query string are a few KiB), so only what is not a log line is cut: a minified payload or a
file of garbage written without newlines. What is kept is enough to sample and recognise it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

LINE_LIMIT = 1024 * 1024


@dataclass
class LineCuts:
    """How many lines were cut, counted while the blocks go by."""

    cut_lines: int = 0


def limit_lines(blocks: Iterable[bytes], cuts: LineCuts, limit: int = LINE_LIMIT) -> Iterator[bytes]:
    """``blocks`` with every line cut to at most ``limit`` bytes (its newline apart).

    Blocks without a long line pass through as they are (the test costs a few short searches per
    block); only a block that holds or continues a long line is sliced.
    """
    run = 0  # bytes of the current line already passed on
    skipping = False  # the current line was cut: its rest is dropped up to its newline
    for data in blocks:
        if not skipping and _first_cut(data, run, limit) < 0:
            last = data.rfind(b"\n")
            run = run + len(data) if last < 0 else len(data) - last - 1
            yield data
            continue
        parts: list[bytes] = []
        pos = 0
        while pos < len(data):
            if skipping:
                newline = data.find(b"\n", pos)
                if newline < 0:
                    break
                pos, run, skipping = newline + 1, 0, False
                continue
            cut = _first_cut(data, run, limit, pos)
            if cut < 0:
                last = data.rfind(b"\n", pos)
                run = run + len(data) - pos if last < 0 else len(data) - last - 1
                parts.append(data[pos:])
                break
            parts.append(data[pos:cut] + b"\n")
            cuts.cut_lines += 1
            pos, run, skipping = cut, 0, True
        if parts:
            yield b"".join(parts)


def _first_cut(data: bytes, run: int, limit: int, pos: int = 0) -> int:
    """Where the first line of ``data[pos:]`` that runs past ``limit`` bytes must be cut, or -1.

    ``run`` bytes of the line ``data[pos:]`` starts with were passed on before. A line longer than
    ``limit`` covers one of the probes spaced ``limit // 2`` apart, so only the lines under the probes
    are measured, not every line.
    """
    first = data.find(b"\n", pos)
    if first < 0:
        first = len(data)
    if run + first - pos > limit:
        return pos + limit - run
    step = max(limit // 2, 1)
    probe = first + 1 + step
    while probe < len(data):
        start = data.rfind(b"\n", 0, probe) + 1
        end = data.find(b"\n", probe)
        if (len(data) if end < 0 else end) - start > limit:
            return start + limit
        probe = max(probe, len(data) if end < 0 else end) + step
    # the last line may start before the last probe and run past the limit by the end of the block
    start = data.rfind(b"\n", first) + 1
    if start > first and len(data) - start > limit:
        return start + limit
    return -1
