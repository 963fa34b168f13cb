"""What the GC parsers keep: a node's pauses and heap as plain mergeable data, and a file's reading state.

Both GC log formats (JDK 8 ``-XX:+PrintGCDetails`` and JDK 9+ ``-Xlog:gc*``) feed the same ``GcNode``.
Pause times are kept as integer microseconds, so sums do not depend on the order in which files,
chunks or worker results arrive (merging equals reading everything in one place). Series are kept per
minute (bounded by the time span) and rolled up to the report's bucket only at the end.
"""

from __future__ import annotations

import math
from collections import deque
from datetime import tzinfo

from collectors.logs.context import ChunkStats, FileContext
from collectors.logs.histogram import Histogram
from collectors.logs.timestamps import MinuteClock

TOP_PAUSES = 10  # the longest pauses kept per node
EVIDENCE_LINES = 5  # evacuation failures kept with their line per node (the first ones)
EVIDENCE_CHARS = 300
_EXACT = 2.0**52  # times below this are exact multiples of 60 once floored

_READERS: dict[tzinfo, StampReader] = {}  # per process, never pickled with an accumulator
UNIT_MB = {b"B": 1 / 1048576, b"K": 1 / 1024, b"M": 1.0, b"G": 1024.0, b"T": 1048576.0}


class StampReader:
    """Epoch seconds of GC date stamps, ``2024-05-01T10:00:00.123+0000`` (offset optional, ``Z`` allowed).

    The minute and offset are parsed once per distinct minute (a dict lookup on their bytes); only the
    seconds are read per stamp. Malformed text raises ValueError (or IndexError): the caller counts the
    line unparsed.
    """

    def __init__(self, tz: tzinfo) -> None:
        self.clock = MinuteClock(tz)
        self.minutes: dict[bytes, int] = {}  # bounded by the time span

    def epoch(self, stamp: bytes) -> float:
        if stamp[19:20] == b".":
            base = self.minutes.get(stamp[:16] + stamp[23:])
            if base is not None:
                return base + float(stamp[17:23])
        return self._parse(stamp)

    def _parse(self, stamp: bytes) -> float:
        if stamp[4:5] != b"-" or stamp[13:14] != b":" or stamp[16:17] != b":":
            raise ValueError("not an ISO timestamp")
        fraction = stamp[19:20] in (b".", b",")
        offset = stamp[23:] if fraction else stamp[19:]
        zone = b"+0000" if offset == b"Z" else offset
        if zone and (zone[:1] not in (b"+", b"-") or not zone[1:].replace(b":", b"").isdigit()):
            raise ValueError("bad offset")
        base = self.clock.iso_minute(stamp[:16], zone or None)
        seconds = int(stamp[17:19])
        millis = int(stamp[20:23]) if fraction else 0
        if seconds > 60 or (fraction and len(stamp) < 23):
            raise ValueError("bad seconds")
        if stamp[19:20] == b".":
            self.minutes[stamp[:16] + offset] = base
        return base + seconds + millis / 1000


def stamps_for(tz: tzinfo) -> StampReader:
    reader = _READERS.get(tz)
    if reader is None:
        reader = _READERS[tz] = StampReader(tz)
    return reader


def to_mb(value: bytes, unit: bytes) -> float:
    """``b"7800", b"M"`` -> 7800.0; JDK 8 G1 writes decimals (``95.1M``, ``0.0B``)."""
    return float(value) * UNIT_MB[unit.upper()]


class GcFileState:
    """One file being read: what carries over from one chunk to the next."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.pending: list[bytes] | None = None  # JDK 8: an event whose brackets are not closed yet
        self.pending_depth = 0
        self.pending_epoch: float | None = None
        self.pending_uptime: float | None = None
        self.pending_in_window = True
        self.histogram = False  # JDK 8: a class histogram after a Full GC is open
        self.last_epoch: float | None = None  # start of the last pause in the window, for G1 detail lines
        self.collector: str | None = None  # once known for this file, it is booked on the node once
        self.dated = False  # saw at least one date stamp
        self.undated_pauses = 0  # pauses with only an uptime (or no stamp at all)
        self.noted_undated = False
        self.segment_start: float | None = None  # uptime span of undated events, reset by a JVM restart
        self.segment_last: float | None = None
        self.undated_span_s = 0.0
        self.evacuated_gc: bytes | None = None  # unified: the GC id of the last evacuation failure counted

    def books(
        self, epoch: float | None, uptime: float | None, ctx: FileContext, stats: ChunkStats, undated: str
    ) -> bool:
        """Whether an event at this time is booked (False: outside the window). An event with only an
        uptime is always booked (it cannot be placed), and the file gets the note ``undated`` once."""
        if epoch is not None:
            self.dated = True
            if not ctx.in_window(epoch):
                return False
            stats.saw(epoch)
            return True
        if uptime is not None:
            self.saw_uptime(uptime)
        if not self.noted_undated:
            self.noted_undated = True
            stats.notes.append(undated)
        return True

    def saw_uptime(self, uptime: float) -> None:
        """Track the uptime span of undated events; a smaller uptime means the JVM restarted."""
        if self.segment_last is None or uptime < self.segment_last:
            self.close_segment()
            self.segment_start = uptime
        self.segment_last = uptime

    def close_segment(self) -> None:
        if self.segment_start is not None and self.segment_last is not None:
            self.undated_span_s += self.segment_last - self.segment_start
        self.segment_start = self.segment_last = None


MAX_PAUSE_MS = 24 * 3600 * 1000.0  # no JVM stops for a day: a longer "pause" is a damaged line


def plausible_pause(ms: float) -> float:
    """``ms``, or ValueError for a pause no JVM writes (negative, not a number, or over a day), which
    the readers count as an unparsed line: booked, it would spill over millions of minutes."""
    if not 0.0 <= ms <= MAX_PAUSE_MS:
        raise ValueError(f"implausible GC pause of {ms} ms")
    return ms


class PauseBatch:
    """One chunk's pauses and heap readings, in file order, booked on the node at once (``add_pauses``).

    A reader appends ``(ms, start, kind, full)`` (the form of ``GcNode.longest``) to ``pauses`` and
    ``round(ms * 1000)`` to ``us`` (computed when the line is read, so a pause too long to count fails
    on its line), and ``(epoch, after MB, heap size MB or None)`` to ``heap``.
    """

    __slots__ = ("fulls", "heap", "pauses", "us")

    def __init__(self) -> None:
        self.pauses: list[tuple[float, float | None, str, bool]] = []
        self.us: list[int] = []
        self.fulls = 0
        self.heap: list[tuple[float, float, float | None]] = []


class GcNode:
    """One node's GC logs, all its files together."""

    def __init__(self, node: str) -> None:
        self.node = node
        self.files: list[str] = []
        self.formats: dict[str, int] = {}  # "jdk8" / "unified" -> pauses read in that format
        self.collectors: dict[str, int] = {}  # collector -> files (or JVM starts) that named it
        self.pauses = 0
        self.full_gcs = 0
        self.total_us = 0
        self.hist = Histogram()
        self.first: float | None = None  # first and last dated GC event in the window
        self.last: float | None = None
        self.undated_span_s = 0.0  # uptime spans of files that carry no dates
        self.undated_pauses = 0
        self.longest: list[tuple[float, float | None, str, bool]] = []  # (ms, start, kind, full)
        self.minutes: dict[int, list[int]] = {}  # minute -> [pauses started, pause microseconds]
        self.heap: dict[int, list[float]] = {}  # minute -> [lowest after-GC MB, heap size MB or -1]
        self.safepoints = 0
        self.safepoint_us = 0
        self.safepoint_max_ms = 0.0
        # G1 evacuation failures (to-space exhausted): how many, and the first few as (file, time, line)
        self.evacuation_failures = 0
        self.evacuation_samples: list[tuple[str, float | None, str]] = []

    # -- recording ---------------------------------------------------------------------------------
    def add_pause(self, start: float | None, ms: float, kind: str, full: bool, fmt: str) -> None:
        """One pause, booked now (the JDK 8 reader); ``add_pauses`` books a chunk's pauses at once."""
        us = round(ms * 1000)
        self.pauses += 1
        self.formats[fmt] += 1
        if full:
            self.full_gcs += 1
        self.total_us += us
        self.hist.add(ms)
        longest = self.longest
        if len(longest) < TOP_PAUSES or ms >= longest[-1][0]:
            longest.append((ms, start, kind, full))
            longest.sort(key=_pause_order)
            del longest[TOP_PAUSES:]
        if start is None:
            self.undated_pauses += 1
            return
        if self.first is None or start < self.first:
            self.first = start
        end = start + ms / 1000
        if self.last is None or end > self.last:
            self.last = end
        self._book(start, end, us)

    def add_pauses(self, batch: PauseBatch, fmt: str) -> None:
        """The pauses and heap readings of ``batch``, in its order: the same as ``add_pause`` and
        ``add_heap`` for each, in fewer steps."""
        pauses = batch.pauses
        if pauses:
            self.pauses += len(pauses)
            self.formats[fmt] += len(pauses)
            self.full_gcs += batch.fulls
            self.total_us += sum(batch.us)
            deque(map(self.hist.add, [p[0] for p in pauses]), maxlen=0)
            # The ten longest of all, whatever the order they came in: only those above the tenth can enter.
            longest = self.longest
            floor = longest[-1][0] if len(longest) >= TOP_PAUSES else -math.inf
            entering = [p for p in pauses if p[0] >= floor]
            if entering:
                longest.extend(entering)
                longest.sort(key=_pause_order)
                del longest[TOP_PAUSES:]
            self._book_all(pauses, batch.us)
        if batch.heap:
            self._heap_all(batch.heap)

    def _book_all(self, pauses: list[tuple[float, float | None, str, bool]], us: list[int]) -> None:
        first, last, rows = self.first, self.last, self.minutes
        row, minute, low, high = [0, 0], 0, 0.0, -1.0  # the last pause's minute [low, high): most share it
        for (ms, start, _, _), u in zip(pauses, us, strict=True):
            if start is None:
                self.undated_pauses += 1
                continue
            if first is None or start < first:
                first = start
            end = start + ms / 1000
            if last is None or end > last:
                last = end
            if not low <= start < high:
                minute = int(start // 60) * 60
                row = rows.setdefault(minute, [0, 0])
                low, high = _minute_range(start, minute)
            row[0] += 1
            if end <= minute + 60:
                row[1] += u
            else:
                self._spread(row, minute, start, u)
        self.first, self.last = first, last

    def _heap_all(self, heap: list[tuple[float, float, float | None]]) -> None:
        rows = self.heap
        row, low, high = [0.0, 0.0], 0.0, -1.0  # as in _book_all
        for at, after, total_mb in heap:
            total = -1.0 if total_mb is None else total_mb
            if not low <= at < high:
                minute = int(at // 60) * 60
                low, high = _minute_range(at, minute)
                known = rows.get(minute)
                if known is None:
                    rows[minute] = row = [after, total]
                    continue
                row = known
            if after < row[0]:
                row[0] = after
            if total > row[1]:
                row[1] = total
        self._saw(min(h[0] for h in heap))
        self._saw(max(h[0] for h in heap))

    def _book(self, start: float, end: float, us: int) -> None:
        """A pause in the minute it started; its time spills into the next minutes when it is longer."""
        minute = int(start // 60) * 60
        row = self.minutes.get(minute)
        if row is None:
            row = self.minutes[minute] = [0, 0]
        row[0] += 1
        if end <= minute + 60:
            row[1] += us
        else:
            self._spread(row, minute, start, us)

    def _spread(self, row: list[int], minute: int, start: float, us: int) -> None:
        """A pause longer than the rest of its minute spills its time (not its count) into the
        following minutes, so a bucket's share stays within 100 %."""
        room = round((minute + 60 - start) * 1_000_000)
        while us > room:
            row[1] += room
            us -= room
            minute += 60
            row = self.minutes.setdefault(minute, [0, 0])
            room = 60_000_000
        row[1] += us

    def add_heap(self, at: float, after_mb: float, total_mb: float | None) -> None:
        minute = int(at // 60) * 60
        row = self.heap.get(minute)
        total = -1.0 if total_mb is None else total_mb
        if row is None:
            self.heap[minute] = [after_mb, total]
        else:
            if after_mb < row[0]:
                row[0] = after_mb
            if total > row[1]:
                row[1] = total
        self._saw(at)

    def add_evacuation_failure(self, path: str, at: float | None, line: bytes) -> None:
        self.evacuation_failures += 1
        if len(self.evacuation_samples) < EVIDENCE_LINES:
            text = line[:EVIDENCE_CHARS].decode("utf-8", "replace").strip()
            self.evacuation_samples.append((path, at, text))

    def add_safepoint(self, at: float | None, ms: float) -> None:
        self.safepoints += 1
        self.safepoint_us += round(ms * 1000)
        if ms > self.safepoint_max_ms:
            self.safepoint_max_ms = ms
        if at is not None:
            self._saw(at)

    def _saw(self, epoch: float) -> None:
        if self.first is None or epoch < self.first:
            self.first = epoch
        if self.last is None or epoch > self.last:
            self.last = epoch

    def add_collector(self, name: str) -> None:
        self.collectors[name] = self.collectors.get(name, 0) + 1

    @property
    def collector(self) -> str | None:
        """The collector named most often (a node restarted with another collector shows both)."""
        if not self.collectors:
            return None
        return min(self.collectors.items(), key=lambda kv: (-kv[1], kv[0]))[0]

    def add_file(self, path: str) -> None:
        if path not in self.files:
            self.files.append(path)

    def end_file(self, state: GcFileState) -> None:
        state.close_segment()
        if not state.dated:
            self.undated_span_s += state.undated_span_s

    # -- merging -----------------------------------------------------------------------------------
    def merge(self, other: GcNode) -> None:
        for path in other.files:
            self.add_file(path)
        for fmt, n in other.formats.items():
            self.formats[fmt] = self.formats.get(fmt, 0) + n
        for name, n in other.collectors.items():
            self.collectors[name] = self.collectors.get(name, 0) + n
        self.pauses += other.pauses
        self.full_gcs += other.full_gcs
        self.total_us += other.total_us
        self.hist.merge(other.hist)
        for epoch in (other.first, other.last):
            if epoch is not None:
                self._saw(epoch)
        self.undated_span_s += other.undated_span_s
        self.undated_pauses += other.undated_pauses
        self.longest = sorted(self.longest + other.longest, key=_pause_order)[:TOP_PAUSES]
        for minute, (n, us) in other.minutes.items():
            row = self.minutes.get(minute)
            if row is None:
                self.minutes[minute] = [n, us]
            else:
                row[0] += n
                row[1] += us
        for minute, (after, total) in other.heap.items():
            heap_row = self.heap.get(minute)
            if heap_row is None:
                self.heap[minute] = [after, total]
            else:
                heap_row[0] = min(heap_row[0], after)
                heap_row[1] = max(heap_row[1], total)
        self.safepoints += other.safepoints
        self.safepoint_us += other.safepoint_us
        self.safepoint_max_ms = max(self.safepoint_max_ms, other.safepoint_max_ms)
        self.evacuation_failures += other.evacuation_failures
        samples = self.evacuation_samples + other.evacuation_samples
        self.evacuation_samples = sorted(samples, key=_sample_order)[:EVIDENCE_LINES]


def _minute_range(epoch: float, minute: int) -> tuple[float, float]:
    """The times whose ``int(t // 60) * 60`` is ``minute``: [minute, minute + 60), where ``//`` on floats is
    exact (below 2**52); beyond, an empty range, so that every such time is computed on its own."""
    return (minute, minute + 60) if -_EXACT < epoch < _EXACT else (0.0, -1.0)


def _sample_order(s: tuple[str, float | None, str]) -> tuple[bool, float, str, str]:
    """Earliest first (undated last), so the samples kept do not depend on the order of merging."""
    return (s[1] is None, s[1] or 0.0, s[0], s[2])


def _pause_order(p: tuple[float, float | None, str, bool]) -> tuple[float, bool, float, str]:
    """Longest first; ties broken by time and kind, so the top ten do not depend on reading order."""
    return (-p[0], p[1] is None, p[1] or 0.0, p[2])
