"""JDK 9+ unified GC logs (``-Xlog:gc*:file=...:time,uptime``, Jira 9's default, and any other decorations).

Every line starts with its decorations in brackets, in the order they were configured: ``time`` /
``utctime`` (``[2024-05-01T10:00:00.000+0000]``), ``uptime`` (``[12345.678s]``), ``uptimemillis`` /
``uptimenanos`` (``[12345678ms]``), ``timemillis`` / ``timenanos`` (epoch, told apart from uptime by
size), ``level`` and ``tags`` (``[info][gc,phases   ]``), ``pid`` / ``tid``. A pause is one line written
when it ends, ``GC(5) Pause Young (Normal) (G1 Evacuation Pause) 24M->4M(256M) 3.456ms``, so it started
``3.456 ms`` before the line's time. That covers G1, Parallel, Serial and CMS (``Pause Young``,
``Pause Full``, ``Pause Remark``, ``Pause Cleanup``, ``Pause Initial Mark``), ZGC (``Pause Mark Start``,
generational ``Y: Pause Mark End``) and Shenandoah (``Pause Init Mark``, ``Pause Degenerated GC``). ZGC
reports the heap on its cycle line (``Garbage Collection (Warmup) 8M(12%)->6M(9%)``), Shenandoah on
``Concurrent cleanup 17M->17M(64M)``. Safepoint lines (``-Xlog:safepoint``) are counted separately.
G1's evacuation failures are counted once per collection, from ``GC(5) To-space exhausted`` (JDK 9 to
17 at least) or a pause kind with ``(Evacuation Failure`` (newer JDKs; ``(Evacuation Failure:
Allocation)`` in JDK 21 and later), with their line as evidence.

Most lines (phases, regions, metaspace) are only counted. The few worth reading are found in one pass
(gc_lines); a pause end line in the common form (a date first) is read by one regex, ``_FAST_PAUSE``,
every other one by the general code (``_line``), and a chunk's pauses are booked on the node together.
tests/collectors/logs/test_gc_unified_reference.py checks that the results equal, exactly, those of the
reader before (one line at a time through the general code, each pause booked as read).
"""

from __future__ import annotations

import math
import re

from collectors.logs.context import ChunkStats, FileContext
from collectors.logs.gc_lines import LineFinder
from collectors.logs.gc_state import (
    UNIT_MB,
    GcFileState,
    GcNode,
    PauseBatch,
    StampReader,
    plausible_pause,
    stamps_for,
    to_mb,
)

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
    ("Concurrent Start", "G1"),  # JDK 12+ G1 pauses whose cause names no G1 (GCLocker Initiated GC)
    ("Prepare Mixed", "G1"),
    ("(Mixed)", "G1"),
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


# The common pause end line, read by one regex: a date first (Jira's time,uptime and most others), any
# other decorations after it, and G1 / Parallel / Serial sizes or none (ZGC, Shenandoah). It reads exactly
# what the general code below reads from such a line; every other line goes to that code.
_FAST_PAUSE = re.compile(
    rb"\[(\d{4}-\d\d-\d\dT\d\d:\d\d):(\d\d\.\d\d\d)([+-]\d{4}|Z|)\]"  # minute, seconds, offset
    rb"(?: ?\[[^\]\n]*+\])*+ ?+"  # other decorations, unread once there is a date
    rb"GC\(\d++\) (?:[A-Za-z]: )?+"
    rb"(Pause [^>\n]*) "  # the kind: no ">", so that sizes of another form are never part of it
    rb"(?:(\d++)([BKMG])->(\d++)([BKMG])\((\d++)([BKMG])\) )?"  # 24M->4M(256M)
    rb"(\d++\.\d++)ms[ \t\r\x0b\x0c]*+"
)
_KINDS: dict[bytes, tuple[str, bool, str | None]] = {}  # kind -> (text, full, collector it hints at)
_KINDS_MAX = 1000
_FINDER: LineFinder | None = None


def feed_unified(node: GcNode, fs: GcFileState, chunk: bytes, ctx: FileContext, stats: ChunkStats) -> None:
    global _FINDER
    if not chunk:
        return
    stamps = stamps_for(ctx.tz)
    if _FINDER is None:
        _FINDER = LineFinder()
    found = _FINDER.lines(chunk, fs.collector is None)
    stats.lines += found.lines
    stats.events += found.decorated
    unparsed = found.lines - found.blank - found.decorated
    batch = PauseBatch()
    pauses, us_list, heap = batch.pauses, batch.us, batch.heap
    minutes = stamps.minutes
    since = -math.inf if ctx.since is None else ctx.since
    until = math.inf if ctx.until is None else ctx.until
    fast = _FAST_PAUSE.fullmatch
    first = last = None  # of the pauses read fast, for stats.saw
    dated = False
    for start, end in zip(found.starts, found.ends, strict=True):
        m = fast(chunk, start, end)
        try:
            if m is None:
                if not _line(node, fs, batch, chunk[start:end].rstrip(), stamps, ctx, stats):
                    unparsed += 1
                continue
            # What _decorations, _pause and GcFileState.books do with this line, in the same order.
            minute, seconds, zone, kind_b, _, _, after, after_unit, total, total_unit, ms_b = m.groups()
            base = minutes.get(minute + zone)
            epoch = stamps.epoch(minute + b":" + seconds + zone) if base is None else base + float(seconds)
            ms = plausible_pause(float(ms_b))
            at = epoch - ms / 1000
            dated = True
            if not since <= at < until:
                continue
            if first is None or at < first:
                first = at
            if last is None or at > last:
                last = at
            known = _KINDS.get(kind_b)
            if known is None:
                known = _kind(kind_b)
            kind, full, hint = known
            if fs.collector is None and hint is not None:
                fs.collector = hint
                node.add_collector(hint)
            if b"(Evacuation Failure" in kind_b:
                _evacuation(node, fs, chunk[start:end].rstrip(), at, ctx)
            us = round(ms * 1000)  # OverflowError for a pause too long to count, as in _pause
            pauses.append((ms, at, kind, full))
            us_list.append(us)
            batch.fulls += full
            if after is not None:
                heap.append((epoch, float(after) * UNIT_MB[after_unit], float(total) * UNIT_MB[total_unit]))
        except (ValueError, IndexError, OverflowError):
            unparsed += 1
    if dated:
        fs.dated = True
    if first is not None and last is not None:  # both set by the first pause read fast
        stats.saw(first)
        stats.saw(last)
    node.add_pauses(batch, FORMAT)
    stats.unparsed += unparsed


def _kind(kind_b: bytes) -> tuple[str, bool, str | None]:
    kind = kind_b.decode("ascii", "replace")
    hint = next((name for word, name in _KIND_HINTS if word in kind), None)
    known = (kind, kind.startswith("Pause Full"), hint)
    if len(_KINDS) < _KINDS_MAX:
        _KINDS[kind_b] = known
    return known


def _line(
    node: GcNode,
    fs: GcFileState,
    batch: PauseBatch,
    line: bytes,
    stamps: StampReader,
    ctx: FileContext,
    stats: ChunkStats,
) -> bool:
    """Read one line that holds a word worth reading; False if it is a pause line that cannot be read.
    Raises ValueError, IndexError or OverflowError on a malformed line (counted unparsed)."""
    if not line or line[0] != 0x5B:  # "[": every unified line starts with its decorations
        return True
    if line.endswith(b"ms"):
        if b"Pause " in line:
            return _pause(node, fs, batch, line, stamps, ctx, stats)
        if b"cleanup " in line and b"->" in line:
            _heap(fs, batch, line, stamps, ctx, stats)
    elif b"Collection (" in line:
        if b"->" in line:
            _heap(fs, batch, line, stamps, ctx, stats)
    elif line.endswith(b"To-space exhausted"):
        epoch, _, _ = _decorations(line, stamps)
        if epoch is None or ctx.in_window(epoch):
            _evacuation(node, fs, line, epoch, ctx)
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
    return True


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
    node: GcNode,
    fs: GcFileState,
    batch: PauseBatch,
    line: bytes,
    stamps: StampReader,
    ctx: FileContext,
    stats: ChunkStats,
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
    ms = plausible_pause(float(line[last + 1 : -2].replace(b",", b".")))
    before_last = line.rfind(b" ", kind_at, last)
    sizes = _SIZES_TOKEN.fullmatch(line, before_last + 1, last) if before_last > kind_at else None
    kind_b = line[kind_at : before_last if sizes else last]
    start = None if epoch is None else epoch - ms / 1000
    if not fs.books(start, uptime, ctx, stats, _UNDATED):
        return True
    kind, full, hint = _KINDS.get(kind_b) or _kind(kind_b)
    if fs.collector is None and hint is not None:
        fs.collector = hint
        node.add_collector(hint)
    us = round(ms * 1000)  # before anything is booked: OverflowError (or ValueError) for inf or nan
    if b"(Evacuation Failure" in kind_b:
        _evacuation(node, fs, line, start, ctx)
    batch.pauses.append((ms, start, kind, full))
    batch.us.append(us)
    batch.fulls += full
    if epoch is not None and sizes is not None:
        _, _, after, after_unit, total, total_unit = sizes.groups()
        batch.heap.append((epoch, _mb(after, after_unit), None if total is None else _mb(total, total_unit)))
    return True


def _evacuation(node: GcNode, fs: GcFileState, line: bytes, at: float | None, ctx: FileContext) -> None:
    """One evacuation failure per collection: a JVM that writes both forms for one GC counts once."""
    gc = line.find(b"GC(")
    gc_id = line[gc : line.find(b")", gc) + 1] if gc >= 0 else None
    if gc_id is not None and gc_id == fs.evacuated_gc:
        return
    fs.evacuated_gc = gc_id
    node.add_evacuation_failure(ctx.path, at, line)


def _heap(
    fs: GcFileState, batch: PauseBatch, line: bytes, stamps: StampReader, ctx: FileContext, stats: ChunkStats
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
    batch.heap.append((epoch, _mb(g[2], g[3]), None if g[4] is None else _mb(g[4], g[5])))


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
