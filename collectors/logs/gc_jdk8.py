"""JDK 8 GC logs (``-XX:+PrintGCDetails`` with ``-XX:+PrintGCDateStamps`` and/or ``-XX:+PrintGCTimeStamps``).

An event line starts with its stamps, ``2024-05-01T10:00:00.123+0000: 12345.678: [GC ...``, either of
them, or none. The pause is the event's own time, the last ``, N secs]`` before its ``[Times: ...]``
(nested phases such as ``[Unloading, 226.2 secs]`` or ParNew inside a CMS collection come before it).
Only stop-the-world events count as pauses: ``GC`` / ``Full GC`` (young, full, G1 pause, remark and
cleanup, CMS initial mark and final remark); ``[GC concurrent-...]`` and ``[CMS-concurrent-...]`` phases
do not. An event whose brackets do not close on its first line (G1 with ``PrintAdaptiveSizePolicy``,
CMS ``concurrent mode failure``) continues on the following lines: they are joined, across chunks,
until the brackets balance. G1 writes the heap after GC on a detail line (``[Eden: ... Heap:
100.0M(200.0M)->95.1M(200.0M)]``) that belongs to the pause before it.

Safepoint lines (``Total time for which application threads were stopped: N seconds``) are counted
separately and not added to the pauses: they include GC pauses and every other safepoint.
"""

from __future__ import annotations

import re

from collectors.logs.context import ChunkStats, FileContext
from collectors.logs.gc_state import GcFileState, GcNode, clock_for, iso_epoch, to_mb

FORMAT = "jdk8"
MAX_EVENT_LINES = 64  # an event that never closes its brackets is cut here (a damaged file)

_STAMP = re.compile(
    rb"(?:(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[.,]\d{3}(?:Z|[+-]\d\d:?\d\d)?): )?(?:(\d+[.,]\d+): )?"
)
_KIND = re.compile(rb"\[((?:Full GC|GC)(?: pause| remark| cleanup)?(?:--)?(?: \((?:[^()]|\([^()]*\))*\))*)")
# The whole heap: "] 4096K->3584K(8192K)"; a generation ("[PSYoungGen: 1024K->...") follows a colon.
_NUM = rb"(\d+(?:[.,]\d+)?)"
_HEAP = re.compile(rb"(?<!:) " + _NUM + rb"([BKMG])->" + _NUM + rb"([BKMG])\(" + _NUM + rb"([BKMG])\)")
_G1_HEAP = re.compile(
    rb"Heap: [\d.,]+[BKMG]\([\d.,]+[BKMG]\)->(\d+(?:[.,]\d+)?)([BKMG])\((\d+(?:[.,]\d+)?)([BKMG])\)"
)
_SAFEPOINT = re.compile(rb"stopped: (\d+(?:[.,]\d+)?) seconds")
_REAL = re.compile(rb"real=(\d+(?:[.,]\d+)?) secs")
_FLAGS = (
    (b"UseG1GC", "G1"),
    (b"UseConcMarkSweepGC", "CMS"),
    (b"UseParallelGC", "Parallel"),
    (b"UseParallelOldGC", "Parallel"),
    (b"UseSerialGC", "Serial"),
)
_GENERATIONS = (
    (b"GC pause (G1", "G1"),
    (b"PSYoungGen", "Parallel"),
    (b"ParOldGen", "Parallel"),
    (b"ParNew", "CMS"),
    (b"CMS", "CMS"),
    (b"DefNew", "Serial"),
    (b"Tenured", "Serial"),
)
# Lines of a JDK 8 GC log that are not events: JVM banner, flags, heap summaries, rotation notes.
_HEADERS = (b"Java HotSpot", b"OpenJDK", b"Memory:", b"CommandLine flags:", b"Heap", b"{Heap", b"}")
_DIGITS = frozenset(b"0123456789")
_BLANKS = frozenset(b" \t")


def feed_jdk8(node: GcNode, fs: GcFileState, chunk: bytes, ctx: FileContext, stats: ChunkStats) -> None:
    clock = clock_for(ctx.tz)
    lines = chunk.split(b"\n")
    if lines and not lines[-1]:
        lines.pop()
    stats.lines += len(lines)
    events = unparsed = 0
    for raw in lines:
        line = raw.rstrip()
        if not line:
            continue
        first = line[0]
        if fs.pending is not None:
            if first in _DIGITS or line.startswith((b"[GC", b"[Full GC")):
                if not _finish(node, fs, ctx, stats):  # a new event: the open one never closed
                    unparsed += 1
            else:
                fs.pending.append(line)
                fs.pending_depth += line.count(b"[") - line.count(b"]")
                if (fs.pending_depth <= 0 or len(fs.pending) >= MAX_EVENT_LINES) and not _finish(
                    node, fs, ctx, stats
                ):
                    unparsed += 1
                continue
        if first in _DIGITS:
            m = _STAMP.match(line)
            if m is None or not m.end():
                # Rotation notes are read, not events: "2024-05-01 10:00:00 GC log file created ..."
                if b" GC log file " not in line:
                    unparsed += 1
                continue
            try:
                epoch = None if m.group(1) is None else iso_epoch(clock, m.group(1))
                uptime = None if m.group(2) is None else float(m.group(2).replace(b",", b"."))
            except (ValueError, IndexError, OverflowError):
                unparsed += 1
                continue
            events += 1
            if not _event(node, fs, line[m.end():], epoch, uptime, ctx, stats):
                unparsed += 1
        elif first == 0x5B:  # "[": an event without stamps
            events += 1
            if not _event(node, fs, line, None, None, ctx, stats):
                unparsed += 1
        elif first in _BLANKS:
            if b"Heap: " in line:  # G1 detail line of the pause before it
                _g1_heap(node, fs, line)
        elif line.startswith(_HEADERS):
            if fs.collector is None and line.startswith(b"CommandLine flags:"):
                _collector(node, fs, line, _FLAGS)
        else:
            unparsed += 1
    stats.events += events
    stats.unparsed += unparsed


def end_jdk8(node: GcNode, fs: GcFileState, ctx: FileContext, stats: ChunkStats) -> None:
    if fs.pending is not None:
        _finish(node, fs, ctx, stats)


def _event(
    node: GcNode,
    fs: GcFileState,
    rest: bytes,
    epoch: float | None,
    uptime: float | None,
    ctx: FileContext,
    stats: ChunkStats,
) -> bool:
    """One stamped (or stampless) event; False when it is not readable."""
    if rest.startswith((b"[GC", b"[Full GC")):
        if rest.startswith(b"[GC concurrent"):
            return True
        fs.pending = [rest]
        fs.pending_depth = rest.count(b"[") - rest.count(b"]")
        fs.pending_epoch, fs.pending_uptime = epoch, uptime
        if fs.pending_depth <= 0:
            return _finish(node, fs, ctx, stats)
        return True
    if rest.startswith(b"Total time for which"):
        m = _SAFEPOINT.search(rest)
        if m is None:
            return False
        if epoch is not None:
            if not ctx.in_window(epoch):
                return True
            stats.saw(epoch)
        node.add_safepoint(epoch, float(m.group(1).replace(b",", b".")) * 1000)
        return True
    return True  # concurrent phases, "Application time", ...: read, not pauses


def _finish(node: GcNode, fs: GcFileState, ctx: FileContext, stats: ChunkStats) -> bool:
    """Book the open event as a pause, if its time can be read."""
    parts = fs.pending or []
    text = parts[0] if len(parts) == 1 else b"\n".join(parts)
    epoch, uptime = fs.pending_epoch, fs.pending_uptime
    fs.pending = None
    fs.last_epoch = None
    cut = text.rfind(b"[Times:")
    seg = text if cut < 0 else text[:cut]
    end = seg.rfind(b" secs]")
    try:
        if end >= 0:
            secs = float(seg[seg.rfind(b" ", 0, end) + 1 : end].lstrip(b",").replace(b",", b"."))
        else:
            m = _REAL.search(text)
            if m is None:
                return False
            secs = float(m.group(1).replace(b",", b"."))
    except ValueError:
        return False
    if epoch is not None:
        fs.dated = True
        if not ctx.in_window(epoch):
            return True
        stats.saw(epoch)
    else:
        fs.undated_pauses += 1
        if uptime is not None:
            fs.saw_uptime(uptime)
        if not fs.noted_undated:
            fs.noted_undated = True
            stats.notes.append(
                "GC log without date stamps (-XX:+PrintGCDateStamps): its pauses are counted, "
                "but not placed on the timeline or cut by the time window"
            )
    m = _KIND.match(text)
    kind = m.group(1).decode("ascii", "replace") if m else "GC"
    full = kind.startswith("Full GC") or b"[CMS:" in seg or b"concurrent mode failure" in seg
    if b"concurrent mode failure" in seg:
        kind += " (concurrent mode failure)"
    if fs.collector is None:
        _collector(node, fs, seg, _GENERATIONS)
    node.add_pause(epoch, secs * 1000, kind, full, FORMAT)
    if epoch is not None:
        fs.last_epoch = epoch
        sizes = _HEAP.findall(seg)
        if sizes:
            g = sizes[-1]  # the whole heap comes after the generations
            node.add_heap(epoch, _mb(g[2], g[3]), _mb(g[4], g[5]))
    return True


def _g1_heap(node: GcNode, fs: GcFileState, line: bytes) -> None:
    if fs.last_epoch is None:
        return
    m = _G1_HEAP.search(line)
    if m is not None:
        node.add_heap(fs.last_epoch, _mb(m.group(1), m.group(2)), _mb(m.group(3), m.group(4)))


def _collector(node: GcNode, fs: GcFileState, text: bytes, table: tuple[tuple[bytes, str], ...]) -> None:
    for needle, name in table:
        if needle in text and (table is not _FLAGS or b"+" + needle in text):
            fs.collector = name
            node.add_collector(name)
            return


def _mb(value: bytes, unit: bytes) -> float:
    return to_mb(value.replace(b",", b"."), unit)
