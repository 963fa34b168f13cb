"""The unified GC reader as it was before it read pause lines in one pass (commit 7ecb478), kept as the
reference the product's reader must equal exactly: every line holding a word worth reading is found with
``bytes.find``, cut out and read on its own, and each pause is booked on the node as it is read
(``GcNode.add_pause``). ``ReferenceAccumulator`` is ``GcAccumulator`` reading unified logs this way.

benchmarks/gc_security_logs.py times it against the product's reader.
"""

from __future__ import annotations

import re

from collectors.logs.context import ChunkStats, FileContext
from collectors.logs.gc import GcAccumulator
from collectors.logs.gc_state import GcFileState, GcNode, StampReader, plausible_pause, stamps_for, to_mb
from collectors.logs.model import LogKind

FORMAT = "unified"

_NUM = rb"(\d+(?:[.,]\d+)?)"
_PERCENT = rb"(?:\(\d+%\))?"  # ZGC: 8M(12%)->6M(9%)
_SIZE = _NUM + rb"([BKMG])"
# " 24M->4M(256M)": heap before and after the collection, and its size
_SIZES = rb" " + _SIZE + _PERCENT + rb"->" + _SIZE + _PERCENT + rb"(?:\(" + _SIZE + rb"\))?"
_SIZES_TOKEN = re.compile(_SIZES[1:])
_HEAP = re.compile(rb"GC\(\d+\) .*?" + _SIZES)
_USING = re.compile(
    rb"(?:Using|Initializing) (G1|Parallel|Serial|Concurrent Mark Sweep|Shenandoah|The Z Garbage Co)"
)
_STOPPED = re.compile(rb"stopped: " + _NUM + rb" seconds")
_SAFEPOINT_TOTAL = re.compile(rb"Total: (\d+) ns$")
_COLLECTORS = {
    b"G1": "G1",
    b"Parallel": "Parallel",
    b"Serial": "Serial",
    b"Concurrent Mark Sweep": "CMS",
    b"Shenandoah": "Shenandoah",
    b"The Z Garbage Co": "ZGC",
}
_KIND_HINTS = (
    ("G1 ", "G1"),
    ("Mark Start", "ZGC"),
    ("Relocate Start", "ZGC"),
    ("Init Mark", "Shenandoah"),
    ("Final Mark", "Shenandoah"),
    ("Update Refs", "Shenandoah"),
    ("Degenerated", "Shenandoah"),
)
_UNDATED = (
    "GC log without a time decoration (-Xlog:...:time,uptime): its pauses are counted, "
    "but not placed on the timeline or cut by the time window"
)
_EPOCH_MS = 10**11  # a millisecond decoration above this is timemillis (epoch), below it uptimemillis
_EPOCH_NS = 10**17


# The words that can make a line worth reading; every other line of -Xlog:gc* (phases, regions,
# metaspace, CPU times: most of the file) is only counted.
_WORTH_READING = (b"Pause ", b"Collection (", b"cleanup ", b"Safepoint", b"stopped: ")
_COLLECTOR_WORDS = (b"Using ", b"Initializing ")


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


def feed_unified(node: GcNode, fs: GcFileState, chunk: bytes, ctx: FileContext, stats: ChunkStats) -> None:
    stamps = stamps_for(ctx.tz)
    if not chunk:
        return
    lines = chunk.count(b"\n") + (0 if chunk.endswith(b"\n") else 1)
    blank = chunk.count(b"\n\n") + (1 if chunk.startswith(b"\n") else 0)
    decorated = chunk.count(b"\n[") + (1 if chunk.startswith(b"[") else 0)
    stats.lines += lines
    stats.events += decorated
    unparsed = lines - blank - decorated
    needles = _WORTH_READING + (_COLLECTOR_WORDS if fs.collector is None else ())
    for start in _lines_with(chunk, needles):
        end = chunk.find(b"\n", start)
        line = chunk[start : end if end >= 0 else len(chunk)].rstrip()
        if not line or line[0] != 0x5B:  # "[": every unified line starts with its decorations
            continue
        try:
            if line.endswith(b"ms"):
                if b"Pause " in line:
                    if not _pause(node, fs, line, stamps, ctx, stats):
                        unparsed += 1
                elif b"cleanup " in line and b"->" in line:
                    _heap(node, fs, line, stamps, ctx, stats)
            elif b"Collection (" in line:
                if b"->" in line:
                    _heap(node, fs, line, stamps, ctx, stats)
            elif line.endswith(b" ns"):
                if b"Safepoint" in line:
                    _safepoint(node, fs, line, _SAFEPOINT_TOTAL, 1e-6, stamps, ctx, stats)
            elif line.endswith(b"seconds"):
                if b"stopped: " in line:
                    _safepoint(node, fs, line, _STOPPED, 1000.0, stamps, ctx, stats)
            elif fs.collector is None and (b"Using " in line or b"Initializing " in line):
                m = _USING.search(line)
                if m is not None:
                    fs.collector = _COLLECTORS[m.group(1)]
                    node.add_collector(fs.collector)
        except (ValueError, IndexError, OverflowError):
            unparsed += 1
    stats.unparsed += unparsed


def _decorations(line: bytes, stamps: StampReader) -> tuple[float | None, float | None, int]:
    """(epoch, uptime seconds, where the message starts); ValueError on a malformed time.

    Once a date is read, the other decorations are skipped unread (the uptime only matters without one).
    """
    epoch = uptime = None
    pos, n = 0, len(line)
    while pos < n and line[pos] == 0x5B:
        end = line.find(b"]", pos + 1)
        if end < 0:
            break
        if epoch is None and 0x30 <= line[pos + 1] <= 0x39:  # a digit: a time, or a pid / tid
            tok = line[pos + 1 : end]
            if tok[4:5] == b"-":
                epoch = stamps.epoch(tok)
            elif tok.endswith(b"ms"):
                value = int(tok[:-2])
                if value > _EPOCH_MS:
                    epoch = value / 1000
                elif uptime is None:
                    uptime = value / 1000
            elif tok.endswith(b"ns"):
                value = int(tok[:-2])
                if value > _EPOCH_NS:
                    epoch = value / 1e9
                elif uptime is None:
                    uptime = value / 1e9
            elif tok.endswith(b"s") and uptime is None:
                uptime = float(tok[:-1].replace(b",", b"."))
        pos = end + 1
        if line[pos : pos + 2] == b" [":
            pos += 1
    if line[pos : pos + 1] == b" ":
        pos += 1
    return epoch, uptime, pos


def _pause(
    node: GcNode, fs: GcFileState, line: bytes, stamps: StampReader, ctx: FileContext, stats: ChunkStats
) -> bool:
    epoch, uptime, pos = _decorations(line, stamps)
    if not line.startswith(b"GC(", pos):
        return True  # e.g. Shenandoah's statistics table: read, not a pause
    # Read from the right, cheaper than one regex: "GC(5) [Y: ]Pause <kind>[ 24M->4M(256M)] 3.456ms"
    close = line.find(b") ", pos)
    kind_at = line.find(b"Pause ", pos)
    if kind_at < 0 or not line[pos + 3 : close].isdigit() or not 2 <= kind_at - close <= 5:
        return False
    last = line.rfind(b" ")
    ms = plausible_pause(float(line[last + 1 : -2].replace(b",", b".")))  # the one rule added since
    before_last = line.rfind(b" ", kind_at, last)
    sizes = _SIZES_TOKEN.fullmatch(line, before_last + 1, last) if before_last > kind_at else None
    kind_b = line[kind_at : before_last if sizes else last]
    after = after_unit = total = total_unit = None
    if sizes is not None:
        _, _, after, after_unit, total, total_unit = sizes.groups()
    start = None if epoch is None else epoch - ms / 1000
    if not fs.books(start, uptime, ctx, stats, _UNDATED):
        return True
    kind = kind_b.decode("ascii", "replace")
    if fs.collector is None:
        for hint, name in _KIND_HINTS:
            if hint in kind:
                fs.collector = name
                node.add_collector(name)
                break
    node.add_pause(start, ms, kind, kind.startswith("Pause Full"), FORMAT)
    if epoch is not None and after is not None:
        node.add_heap(epoch, _mb(after, after_unit), None if total is None else _mb(total, total_unit))
    return True


def _heap(
    node: GcNode, fs: GcFileState, line: bytes, stamps: StampReader, ctx: FileContext, stats: ChunkStats
) -> None:
    epoch, _, pos = _decorations(line, stamps)
    if epoch is None or not ctx.in_window(epoch):
        return
    m = _HEAP.match(line, pos)
    if m is None:
        return
    fs.dated = True
    stats.saw(epoch)
    g = m.groups()
    node.add_heap(epoch, _mb(g[2], g[3]), None if g[4] is None else _mb(g[4], g[5]))


def _safepoint(
    node: GcNode,
    fs: GcFileState,
    line: bytes,
    pattern: re.Pattern[bytes],
    to_ms: float,
    stamps: StampReader,
    ctx: FileContext,
    stats: ChunkStats,
) -> None:
    epoch, _, pos = _decorations(line, stamps)
    m = pattern.search(line, pos)
    if m is None:
        return
    if epoch is not None:
        fs.dated = True
        if not ctx.in_window(epoch):
            return
        stats.saw(epoch)
    node.add_safepoint(epoch, float(m.group(1).replace(b",", b".")) * to_ms)


def _mb(value: bytes, unit: bytes) -> float:
    return to_mb(value.replace(b",", b"."), unit)


class ReferenceAccumulator(GcAccumulator):
    """``GcAccumulator`` with the reference reader for unified logs (JDK 8 logs as in the product)."""

    def feed(self, chunk: bytes, ctx: FileContext) -> ChunkStats:
        if ctx.kind is not LogKind.GC_UNIFIED:
            return super().feed(chunk, ctx)
        stats = ChunkStats()
        node = self._node(ctx.node)
        fs = self._files.get(ctx.path)
        if fs is None:
            fs = self._files[ctx.path] = GcFileState(ctx.path)
            node.add_file(ctx.path)
            node.formats.setdefault("unified", 0)
        feed_unified(node, fs, chunk, ctx, stats)
        return stats
