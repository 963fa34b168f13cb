"""The lines of a unified GC log chunk: how many there are, and where the few worth reading are.

Most of a ``-Xlog:gc*`` file (phases, regions, metaspace, CPU times) is only counted. The lines worth
reading hold one of a few words: a pause's end line (``Pause `` and ending in ``ms``), ZGC's and
Shenandoah's heap lines (``Collection (``, ``cleanup ``), safepoint lines, G1's evacuation failure
(``To-space exhausted``), and the collector's name
(``Using `` / ``Initializing ``, looked for until a file names its collector). Hyperscan finds them all
in one pass over the chunk; without it (it is optional), ``bytes.find`` looks for each word in turn.
Either way the caller reads each line found and decides what it is: both give it the same lines to
read, apart from start lines of pauses (``Pause `` without the ``ms``), which are no-ops.

The newline positions are taken once, in NumPy: they give the counts (one pass instead of three
``bytes.count``) and turn each hit into its line's start and end (``np.searchsorted``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

import numpy as np

try:  # an optional accelerator: wheels exist for x86_64 Linux only
    import hyperscan

    HAVE_HYPERSCAN = True
except ImportError:  # pragma: no cover - depends on the platform
    HAVE_HYPERSCAN = False

PAUSE = b"Pause "
WORDS = (b"Collection (", b"cleanup ", b"Safepoint", b"stopped: ", b"To-space exhausted")
COLLECTOR_WORDS = (b"Using ", b"Initializing ")
# A pause's end line: "Pause " and, after trailing whitespace is stripped, "ms" at the end.
_PAUSE_END = rb"Pause [^\n]*ms[ \t\r\x0b\x0c]*$"
_LITERALS = {
    b"Collection (": rb"Collection \(",
    b"cleanup ": rb"cleanup ",
    b"Safepoint": rb"Safepoint",
    b"stopped: ": rb"stopped: ",
    b"To-space exhausted": rb"To-space exhausted",
    b"Using ": rb"Using ",
    b"Initializing ": rb"Initializing ",
}
_NEWLINE, _BRACKET = 10, 0x5B


class ChunkLines(NamedTuple):
    lines: int
    blank: int  # as chunk.count(b"\n\n") + a leading newline: runs of three count once
    decorated: int  # lines that start with "["
    starts: list[int]  # the lines worth reading, in file order: where each starts
    ends: list[int]  # and where it ends (its newline, or the end of the chunk)


class LineFinder:
    """``lines(chunk, collector_words)``: a non-empty chunk's line counts and the lines worth reading."""

    def __init__(self, use_hyperscan: bool = True) -> None:
        self._dbs: dict[bool, hyperscan.Database] = {}
        self.engine = "hyperscan" if use_hyperscan and HAVE_HYPERSCAN else "find"
        if self.engine == "hyperscan":
            for collector_words in (False, True):
                words = WORDS + (COLLECTOR_WORDS if collector_words else ())
                expressions = [_PAUSE_END] + [_LITERALS[w] for w in words]
                db = hyperscan.Database()
                db.compile(  # a few literals: about 2 ms, not worth the disk cache
                    expressions=expressions,
                    ids=list(range(len(expressions))),
                    elements=len(expressions),
                    flags=[hyperscan.HS_FLAG_MULTILINE] * len(expressions),
                )
                self._dbs[collector_words] = db

    def lines(self, chunk: bytes, collector_words: bool) -> ChunkLines:
        data = np.frombuffer(chunk, np.uint8)
        newlines = np.flatnonzero(data == _NEWLINE)
        ends_with_newline = chunk[-1] == _NEWLINE
        heads = data[newlines[:-1] + 1 if ends_with_newline else newlines + 1]  # first bytes of lines 2..n
        decorated = int(np.count_nonzero(heads == _BRACKET)) + (chunk[0] == _BRACKET)
        blank = chunk.count(b"\n\n") if np.any(heads == _NEWLINE) else 0  # rare: runs of newlines
        # Offsets inside the lines worth reading -> those lines' numbers, once each, in file order.
        hits = np.unique(np.searchsorted(newlines, self._offsets(chunk, collector_words)))
        line_ends = newlines if ends_with_newline else np.append(newlines, len(chunk))
        return ChunkLines(
            lines=len(line_ends),
            blank=blank + (chunk[0] == _NEWLINE),
            decorated=decorated,
            starts=np.append(0, newlines + 1)[hits].tolist(),
            ends=line_ends[hits].tolist(),
        )

    def _offsets(self, chunk: bytes, collector_words: bool) -> list[int]:
        """An offset inside (or at the end of) each line worth reading, possibly several per line."""
        if self.engine == "find":
            words = (PAUSE,) + WORDS + (COLLECTOR_WORDS if collector_words else ())
            return [pos for word in words for pos in _find_all(chunk, word)]
        found: list[int] = []
        append = found.append

        def on_match(_id: int, _start: int, end: int, _flags: int, _ctx: object) -> None:
            append(end - 1)  # the match's last byte: never the newline

        self._dbs[collector_words].scan(chunk, match_event_handler=on_match)
        return found


def _find_all(chunk: bytes, word: bytes) -> Iterator[int]:
    """Where ``word`` is, at most once per line (searched in C)."""
    pos = chunk.find(word)
    while pos >= 0:
        yield pos
        end = chunk.find(b"\n", pos)
        if end < 0:
            return
        pos = chunk.find(word, end)
