"""The lines of a unified GC log chunk: how many there are, and where the few worth reading start.

Most of a ``-Xlog:gc*`` file (phases, regions, metaspace, CPU times) is only counted. The lines worth
reading hold one of a few words: a pause's end line (``Pause `` and ending in ``ms``), ZGC's and
Shenandoah's heap lines (``Collection (``, ``cleanup ``), safepoint lines, and the collector's name
(``Using `` / ``Initializing ``, looked for until a file names its collector). Hyperscan finds them all
in one pass over the chunk; without it (it is optional), ``bytes.find`` looks for each word in turn.
Either way the caller reads each line found and decides what it is: both give it the same lines to
read, apart from start lines of pauses (``Pause `` without the ``ms``), which are no-ops.

The counts are taken in NumPy from the newline positions: one pass instead of three ``bytes.count``.
"""

from __future__ import annotations

import numpy as np

try:  # an optional accelerator: wheels exist for x86_64 Linux only
    import hyperscan  # type: ignore[import-untyped]
except ImportError:  # pragma: no cover - depends on the platform
    hyperscan = None

PAUSE = b"Pause "
WORDS = (b"Collection (", b"cleanup ", b"Safepoint", b"stopped: ")
COLLECTOR_WORDS = (b"Using ", b"Initializing ")
# A pause's end line: "Pause " and, after trailing whitespace is stripped, "ms" at the end.
_PAUSE_END = rb"Pause [^\n]*ms[ \t\r\x0b\x0c]*$"
_LITERALS = {
    b"Collection (": rb"Collection \(",
    b"cleanup ": rb"cleanup ",
    b"Safepoint": rb"Safepoint",
    b"stopped: ": rb"stopped: ",
    b"Using ": rb"Using ",
    b"Initializing ": rb"Initializing ",
}
_NEWLINE, _BRACKET = 10, 0x5B


def line_counts(chunk: bytes) -> tuple[int, int, int]:
    """(lines, blank, decorated) of a non-empty chunk, exactly as ``bytes.count`` gives them:
    lines end at a newline or at the chunk's end, ``blank`` counts ``\\n\\n`` without overlap (plus a
    leading newline), ``decorated`` the lines that start with ``[``."""
    data = np.frombuffer(chunk, np.uint8)
    newlines = np.flatnonzero(data == _NEWLINE)
    ends_with_newline = chunk[-1] == _NEWLINE
    lines = len(newlines) + (0 if ends_with_newline else 1)
    following = newlines[:-1] + 1 if ends_with_newline else newlines + 1
    heads = data[following]  # the first byte of every line but the first
    decorated = int(np.count_nonzero(heads == _BRACKET)) + (chunk[0] == _BRACKET)
    blank = chunk.count(b"\n\n") if np.any(heads == _NEWLINE) else 0  # rare: runs of newlines
    return lines, blank + (chunk[0] == _NEWLINE), decorated


class LineFinder:
    """``starts(chunk, collector_words)``: the start offsets, in file order, of the lines worth reading."""

    def __init__(self, use_hyperscan: bool = True) -> None:
        self._dbs: dict[bool, object] = {}
        self.engine = "hyperscan" if use_hyperscan and hyperscan is not None else "find"
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

    def starts(self, chunk: bytes, collector_words: bool) -> list[int]:
        if self.engine == "find":
            return _lines_with(chunk, (PAUSE,) + WORDS + (COLLECTOR_WORDS if collector_words else ()))
        found: list[int] = []
        append, rfind = found.append, chunk.rfind

        def on_match(_id: int, _start: int, end: int, _flags: int, _ctx: object) -> None:
            append(rfind(b"\n", 0, end) + 1)

        self._dbs[collector_words].scan(chunk, match_event_handler=on_match)  # type: ignore[attr-defined]
        return sorted(set(found))


def _lines_with(chunk: bytes, needles: tuple[bytes, ...]) -> list[int]:
    """Start offsets of the lines holding any of ``needles``, in file order (searched in C)."""
    starts: set[int] = set()
    for needle in needles:
        pos = chunk.find(needle)
        while pos >= 0:
            start = chunk.rfind(b"\n", 0, pos) + 1
            starts.add(start)
            end = chunk.find(b"\n", pos)
            if end < 0:
                break
            pos = chunk.find(needle, end)
    return sorted(starts)
