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

A concurrent phase may be printed in the middle of a pause's line (G1: ``[GC pause (G1 Humongous
Allocation) (young)<stamps>: [GC concurrent-root-region-scan-end, 0.0157002 secs]``, the pause's own
``, 0.0470136 secs]`` on a later line, maybe after more concurrent lines): the phase is cut out, so the
pause keeps its own time.

Shenandoah writes one line per pause when it ends, ``<stamps>: [Pause Init Mark, 3.341 ms]``,
``[Pause Degenerated GC (Mark) 121M->19211K(122M), 9.421 ms]``, ``[Pause Full ..., 4077.274 ms]``
(``, start]`` lines and ``[Concurrent ...]`` phases are not pauses), and free text between them
(triggers, free sets, pacer, the statistics table at exit) that is read, not counted unparsed.

G1's evacuation failure, ``(to-space exhausted)`` or ``(to-space overflow)`` in a pause, is counted
with its line: the heap had no room left to copy live objects, the warning before a Full GC.

Safepoint lines (``Total time for which application threads were stopped: N seconds``) are counted
separately and not added to the pauses: they include GC pauses and every other safepoint.
"""

from __future__ import annotations

import re

from collectors.logs.context import ChunkStats, FileContext
from collectors.logs.gc_state import GcFileState, GcNode, plausible_pause, stamps_for, to_mb

FORMAT = "jdk8"
# an event that never closes its brackets is cut here (a damaged file); G1SummarizeRSetStats writes ~75
MAX_EVENT_LINES = 256

_UNDATED = (
    "GC log without date stamps (-XX:+PrintGCDateStamps): its pauses are counted, "
    "but not placed on the timeline or cut by the time window"
)
_STAMP = re.compile(
    rb"(?:(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[.,]\d{3}(?:Z|[+-]\d\d:?\d\d)?): )?(?:(\d+[.,]\d+): )?"
)
# "GC (Allocation Failure)", "GC pause (G1 Evacuation Pause) (young)", "Full GC (System.gc())", "GC remark"
_KIND = re.compile(rb"\[((?:Full GC|GC)(?: pause| remark| cleanup)?(?:--)?(?: \([^()]*(?:\(\))?\))*)")
_KINDS: dict[bytes, str] = {}  # decoded kinds, a handful per log
_NUM = rb"(\d+(?:[.,]\d+)?)"
_SIZES = re.compile(_NUM + rb"([BKMG])->" + _NUM + rb"([BKMG])\(" + _NUM + rb"([BKMG])\)")
_G1_HEAP = re.compile(
    rb"Heap: [\d.,]+[BKMG]\([\d.,]+[BKMG]\)->(\d+(?:[.,]\d+)?)([BKMG])\((\d+(?:[.,]\d+)?)([BKMG])\)"
)
_SAFEPOINT = re.compile(rb"stopped: (\d+(?:[.,]\d+)?) seconds")
# A concurrent phase printed inside a pause's line, with its stamps (a phase is never a pause).
_CONCURRENT = (b"[GC concurrent-", b"[CMS-concurrent-")
_EMBEDDED = re.compile(
    rb"(?:\d{4}-\d\d-\d\dT[\d:.,]+(?:Z|[+-]\d\d:?\d\d)?: )?(?:\d+[.,]\d+: )?"
    rb"\[(?:GC concurrent-|CMS-concurrent-)[^\]\[]*\]"
)
# Shenandoah: "[Pause Final Mark (process weakrefs) 13G->9784M(18G), 2.288 ms]"
_SHENANDOAH = re.compile(
    rb"\[(Pause [^,\]]*?)(?: " + _NUM + rb"([BKMG])->" + _NUM + rb"([BKMG])\(" + _NUM + rb"([BKMG])\))?"
    rb", " + _NUM + rb" ms\]"
)
# Class histogram rows, "   1:      13269691     2158610984  [C", its head and its total
_HISTOGRAM = re.compile(rb"\s*(?:\d+:\s+\d+\s+\d+\s| num\s+#instances|-{20}|Total\s+\d+\s+\d+$)")
_GC_ID = re.compile(rb"#\d+: ")  # -XX:+PrintGCID: "#3: " after the stamps
EVACUATION_FAILURES = (b"(to-space exhausted)", b"(to-space overflow)")
_REAL = re.compile(rb"real=(\d+(?:[.,]\d+)?) secs")
_FLAGS = (
    (b"UseG1GC", "G1"),
    (b"UseConcMarkSweepGC", "CMS"),
    (b"UseParallelGC", "Parallel"),
    (b"UseParallelOldGC", "Parallel"),
    (b"UseSerialGC", "Serial"),
    (b"UseShenandoahGC", "Shenandoah"),
)
_GENERATIONS = (
    (b"GC pause (G1", "G1"),
    (b"GC pause (", "G1"),  # JDK 7 and early JDK 8 G1: "[GC pause (young)" without the cause
    (b"[GC remark", "G1"),  # CMS's is "[GC (CMS Final Remark)"
    (b"[GC cleanup", "G1"),
    (b"PSYoungGen", "Parallel"),
    (b"ParOldGen", "Parallel"),
    (b"ParNew", "CMS"),
    (b"CMS", "CMS"),
    (b"DefNew", "Serial"),
    (b"Tenured", "Serial"),
)
# Lines of a JDK 8 GC log that are not events: JVM banner, flags, heap summaries, rotation notes.
_HEADERS = (
    b"Java HotSpot",
    b"OpenJDK",
    b"Memory:",
    b"/proc/meminfo:",
    b"CommandLine flags:",
    b"Heap",
    b"{Heap",
    b"}",
)
_DIGITS = frozenset(b"0123456789")
_BLANKS = frozenset(b" \t")


def feed_jdk8(node: GcNode, fs: GcFileState, chunk: bytes, ctx: FileContext, stats: ChunkStats) -> None:
    stamps = stamps_for(ctx.tz)
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
            if _HISTOGRAM.match(line):  # -XX:+PrintClassHistogram...FullGC rows: read, brackets not counted
                continue
            consumed, read, failed = _continue(node, fs, line, ctx, stats)
            events += read
            unparsed += failed
            if consumed:
                continue
        if first in _DIGITS:
            m = _STAMP.match(line)
            if m is None or not m.end():
                # Rotation notes are read, not events: "2024-05-01 10:00:00 GC log file created ..."
                if b" GC log file " not in line and not _HISTOGRAM.match(line):
                    unparsed += 1
                continue
            if line.startswith(b"[Class Histogram", m.end()):  # after a Full GC: its time ends a later line
                fs.histogram = True
            date, up = m.group(1, 2)
            try:
                epoch = None if date is None else stamps.epoch(date)
                # the uptime only matters without a date (the span of undated events)
                uptime = None if up is None or date is not None else float(up.replace(b",", b"."))
            except (ValueError, IndexError, OverflowError):
                unparsed += 1
                continue
            events += 1
            if not _event(node, fs, line[m.end() :], epoch, uptime, ctx, stats):
                unparsed += 1
        elif first == 0x5B:  # "[": an event without stamps
            events += 1
            if not _event(node, fs, line, None, None, ctx, stats):
                unparsed += 1
        elif first in _BLANKS:
            if b"Heap: " in line:  # G1 detail line of the pause before it
                if fs.collector is None and b"[Eden: " in line:  # only G1 writes it (a Full GC names none)
                    fs.collector = "G1"
                    node.add_collector("G1")
                _g1_heap(node, fs, line)
        elif fs.histogram and line.startswith(b", ") and line.endswith(b"secs]"):
            fs.histogram = False  # the class histogram's own time, not a pause
        elif line.startswith((b"Total time for which", b"Application time:")):  # without stamps
            events += 1
            if not _event(node, fs, line, None, None, ctx, stats):
                unparsed += 1
        elif line.startswith(_HEADERS):
            if fs.collector is None and line.startswith(b"CommandLine flags:"):
                _collector(node, fs, line, _FLAGS)
        elif fs.collector != "Shenandoah" and not _HISTOGRAM.match(line):
            unparsed += 1  # (Shenandoah's free text between its events is read)
    stats.events += events
    stats.unparsed += unparsed


def _continue(
    node: GcNode, fs: GcFileState, line: bytes, ctx: FileContext, stats: ChunkStats
) -> tuple[bool, int, int]:
    """A line while an event is open: (whether it belonged to it, events read, lines unparsed)."""
    events = 0
    if line[0] in _DIGITS or line.startswith(_CONCURRENT):
        if _EMBEDDED.match(line):
            # a concurrent phase printed inside the open pause: read; the rest of the line is the pause's
            events += 1
            line = _EMBEDDED.sub(b"", line).rstrip()
            if not line:
                return True, events, 0
        else:
            m = _STAMP.match(line)
            rest = line[m.end() :] if m is not None else line
            nested = rest.startswith(b"[GC (CMS Final Remark)") and _nested(fs)
            if nested:
                events += 1  # part of the open remark: joined to it, whose own time comes last
            elif rest[:1] != b"[" or rest.startswith((b"[GC", b"[Full GC", b"[Pause ", b"[Concurrent ")):
                # a new event (or a line of its own): the open one never closed
                return False, 0, 0 if _finish(node, fs, ctx, stats) else 1
            line = rest  # a phase of the open event, stamped on a line of its own
    elif line.startswith((b"[GC", b"[Full GC")):
        return False, 0, 0 if _finish(node, fs, ctx, stats) else 1
    assert fs.pending is not None
    fs.pending.append(line)
    if b"[0x" not in line:  # -XX:+PrintHeapAtGC address ranges, "[0x..., 0x...)", never close
        fs.pending_depth += line.count(b"[") - line.count(b"]")
    if fs.pending_depth <= 0 or len(fs.pending) >= MAX_EVENT_LINES:
        return True, events, 0 if _finish(node, fs, ctx, stats) else 1
    return True, events, 0


def _nested(fs: GcFileState) -> bool:
    """CMS's final remark with -XX:+CMSScavengeBeforeRemark prints the young collection it runs first as
    a whole event of the same name inside its own, before its phases and its own time."""
    return fs.pending is not None and fs.pending[0].startswith(b"[GC (CMS Final Remark)")


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
    if rest[:1] == b"#":
        m = _GC_ID.match(rest)
        if m is not None:
            rest = rest[m.end() :]
    if rest.startswith((b"[GC", b"[Full GC")):
        if rest.startswith(b"[GC concurrent"):
            return True
        if b"concurrent-" in rest:
            rest = _EMBEDDED.sub(b"", rest)
        depth = rest.count(b"[") - rest.count(b"]")
        if depth <= 0:
            return _book(node, fs, rest, epoch, uptime, ctx, stats)
        fs.pending = [rest]  # its brackets close on a later line
        fs.pending_depth = depth
        fs.pending_epoch, fs.pending_uptime = epoch, uptime
        return True
    if rest.startswith(b"[Pause "):
        return _shenandoah(node, fs, rest, epoch, uptime, ctx, stats)
    if rest.startswith(b"[Concurrent ") and fs.collector is None:  # G1 and CMS write "GC concurrent-"
        fs.collector = "Shenandoah"
        node.add_collector("Shenandoah")
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
    """Book the open event, joined from its lines."""
    text = b"\n".join(fs.pending or [])
    fs.pending = None
    return _book(node, fs, text, fs.pending_epoch, fs.pending_uptime, ctx, stats)


def _book(
    node: GcNode,
    fs: GcFileState,
    text: bytes,
    epoch: float | None,
    uptime: float | None,
    ctx: FileContext,
    stats: ChunkStats,
) -> bool:
    """Book one whole event as a pause, if its time can be read."""
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
        plausible_pause(secs * 1000)
    except ValueError:
        return False
    if not fs.books(epoch, uptime, ctx, stats, _UNDATED):
        return True
    if epoch is None:
        fs.undated_pauses += 1
    m = _KIND.match(text)
    raw = m.group(1) if m else b"GC"
    kind = _KINDS.get(raw)
    if kind is None:
        kind = raw.decode("ascii", "replace")
        if len(_KINDS) < 256:
            _KINDS[raw] = kind
    if b"(to-space " in seg and any(word in seg for word in EVACUATION_FAILURES):
        node.add_evacuation_failure(ctx.path, epoch, text.replace(b"\n", b" "))
    failure = b"concurrent mode failure" in seg  # CMS fell back to a stop-the-world full collection
    # a young collection that went on to collect the old generation (CMS, Serial) is a full one
    full = failure or kind.startswith("Full GC") or b"[CMS:" in seg or b"[Tenured:" in seg
    if failure:
        kind += " (concurrent mode failure)"
    if fs.collector is None:
        _collector(node, fs, seg, _GENERATIONS)
    node.add_pause(epoch, secs * 1000, kind, full, FORMAT)
    if epoch is not None:
        fs.last_epoch = epoch
        heap = _whole_heap(seg, end) if end >= 0 else None
        if heap is not None:
            node.add_heap(epoch, _mb(heap[2], heap[3]), _mb(heap[4], heap[5]))
    return True


def _shenandoah(
    node: GcNode,
    fs: GcFileState,
    rest: bytes,
    epoch: float | None,
    uptime: float | None,
    ctx: FileContext,
    stats: ChunkStats,
) -> bool:
    """A Shenandoah pause, written when it ends: it started its own time before its stamps."""
    if rest.endswith(b", start]"):
        return True
    m = _SHENANDOAH.match(rest)
    if m is None:
        return False
    kind_b, _, _, after, after_unit, total, total_unit, ms_b = m.groups()
    try:
        ms = plausible_pause(float(ms_b.replace(b",", b".")))
    except ValueError:
        return False
    start = None if epoch is None else epoch - ms / 1000
    if not fs.books(start, None if uptime is None else uptime - ms / 1000, ctx, stats, _UNDATED):
        return True
    if fs.collector is None:
        fs.collector = "Shenandoah"
        node.add_collector("Shenandoah")
    kind = kind_b.decode("ascii", "replace")
    node.add_pause(start, ms, kind, kind.startswith("Pause Full"), FORMAT)
    if epoch is not None and after is not None:
        node.add_heap(epoch, _mb(after, after_unit), _mb(total, total_unit))
    return True


def _whole_heap(seg: bytes, end: int) -> tuple[bytes, ...] | None:
    """The whole heap, written just before the pause time after the generations' brackets:
    ``[PSYoungGen: 1024K->512K(2048K)] 4096K->3584K(8192K), [Metaspace: ...], 0.0123 secs``."""
    head = seg[: seg.rfind(b" ", 0, end)].rstrip(b",")
    if head.endswith(b"]"):  # [Metaspace: ...] (JDK 8) or [PSPermGen: ...] (JDK 7) after the heap
        head = head[: head.rfind(b" [")].rstrip(b",")
    space = head.rfind(b" ")
    if head[space - 1 : space] == b":":  # "[CMS: 1000K->900K(2000K)": a generation, not the heap
        return None
    m = _SIZES.fullmatch(head, space + 1)
    return None if m is None else m.groups()


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
