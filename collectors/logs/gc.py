"""GC logs: pauses, GC time share and heap after GC, per node, from JDK 8 and JDK 9+ unified logs.

``GcAccumulator`` follows the accumulator contract of the log engine (feed / end_file / merge, plain
picklable data). Files of one node merge into one ``GcSummary``; nodes stay apart. Decisions:

- Pauses are the collector's own stop-the-world events (see gc_jdk8 and gc_unified for which ones).
  Safepoint totals (``Total time for which application threads were stopped``, ``Safepoint ... Total``)
  are counted separately, never added to the pauses: they include every GC pause plus non-GC
  safepoints, so adding them would count GC twice.
- A pause starts at its JDK 8 date stamp, or ``pause`` before a unified line's time (unified logging
  writes the line when the pause ends). Its time is booked in the minute it started and spills into the
  next minutes when it is longer, so ``share`` (pause time / bucket length) stays within 0..1.
- A file without dates (uptime stamps only) still counts its pauses, percentiles and longest pauses,
  but nothing of it goes on the timeline; its uptime span counts towards ``span_s`` and ``overhead``.
- ``heap_after`` is the lowest after-GC occupancy in each interval (the floor), at most
  ``HEAP_POINTS`` points; ``heap_floor_slope_mb_per_h`` is the least-squares slope of the per-bucket
  floor over at least ``MIN_SLOPE_BUCKETS`` buckets.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from collectors.logs.context import ChunkStats, FileContext
from collectors.logs.gc_jdk8 import end_jdk8, feed_jdk8
from collectors.logs.gc_state import GcFileState, GcNode
from collectors.logs.gc_unified import feed_unified
from collectors.logs.kinds import LogKind
from collectors.logs.timestamps import bucket_of, to_datetime

if TYPE_CHECKING:
    from collectors.logs.model import GcMinute, GcSummary, HeapPoint

HEAP_POINTS = 300  # heap-after-GC points per node, at most
MIN_SLOPE_BUCKETS = 3  # fewer bucket floors than this give no slope
MAX_SERIES_POINTS = 5000  # beyond this many buckets, per_minute lists only buckets with pauses


class GcAccumulator:
    def __init__(self) -> None:
        self.nodes: dict[str, GcNode] = {}
        self._files: dict[str, GcFileState] = {}  # files being read: state carried between chunks

    def feed(self, chunk: bytes, ctx: FileContext) -> ChunkStats:
        stats = ChunkStats()
        node = self._node(ctx.node)
        fs = self._files.get(ctx.path)
        if fs is None:
            fs = self._files[ctx.path] = GcFileState(ctx.path)
            node.add_file(ctx.path)
            node.formats.setdefault("jdk8" if ctx.kind is LogKind.GC_JDK8 else "unified", 0)
        if ctx.kind is LogKind.GC_JDK8:
            feed_jdk8(node, fs, chunk, ctx, stats)
        else:
            feed_unified(node, fs, chunk, ctx, stats)
        return stats

    def end_file(self, ctx: FileContext) -> ChunkStats:
        stats = ChunkStats()
        fs = self._files.pop(ctx.path, None)
        if fs is not None:
            node = self._node(ctx.node)
            if ctx.kind is LogKind.GC_JDK8:
                end_jdk8(node, fs, ctx, stats)
            node.end_file(fs)
        return stats

    def merge(self, other: GcAccumulator) -> None:
        for name, node in other.nodes.items():
            if name in self.nodes:
                self.nodes[name].merge(node)
            else:
                self.nodes[name] = node
        self._files.update(other._files)

    def summaries(self, bucket_s: int) -> list[GcSummary]:
        return [_summary(self.nodes[name], bucket_s) for name in sorted(self.nodes)]

    def limits(self) -> list[str]:
        """Nothing is capped in GC logs: their series are bounded by the time span."""
        return []

    def _node(self, name: str) -> GcNode:
        node = self.nodes.get(name)
        if node is None:
            node = self.nodes[name] = GcNode(name)
        return node


def _summary(node: GcNode, bucket_s: int) -> GcSummary:
    # the report model loads in the main process only: workers need no pydantic
    from collectors.logs.model import GcLine, GcPause, GcSummary

    span = None
    if node.first is not None and node.last is not None:
        span = node.last - node.first
    if node.undated_span_s:
        span = (span or 0.0) + node.undated_span_s
    total_s = node.total_us / 1_000_000
    floors = _floors(node.heap, bucket_s)
    return GcSummary(
        node=node.node,
        files=sorted(node.files),
        format=_format(node),
        collector=node.collector,
        pauses=node.pauses,
        full_gcs=node.full_gcs,
        p50_ms=_round(node.hist.percentile(50)),
        p95_ms=_round(node.hist.percentile(95)),
        max_ms=_round(node.hist.max) if node.pauses else None,
        total_pause_s=round(total_s, 6),
        span_s=None if span is None else round(span, 3),
        overhead=round(min(total_s / span, 1.0), 6) if span else None,
        longest=[
            GcPause(at=to_datetime(start), pause_ms=round(ms, 3), kind=kind, full=full)
            for ms, start, kind, full in node.longest
        ],
        per_minute=_series(node.minutes, bucket_s),
        heap_after=_heap_points(floors),
        heap_floor_slope_mb_per_h=_slope(floors),
        safepoints=node.safepoints,
        safepoint_total_s=round(node.safepoint_us / 1_000_000, 6),
        safepoint_max_ms=_round(node.safepoint_max_ms) if node.safepoints else None,
        evacuation_failures=node.evacuation_failures,
        evacuation_samples=[
            GcLine(at=to_datetime(at), file=path, line=line) for path, at, line in node.evacuation_samples
        ],
    )


def _format(node: GcNode) -> str:
    """The format most pauses were read in (a node upgraded from JDK 8 may have both)."""
    return min(node.formats, key=lambda f: (-node.formats[f], f), default="unified")


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _series(minutes: dict[int, list[int]], bucket_s: int) -> list[GcMinute]:
    from collectors.logs.model import GcMinute

    rolled: dict[int, list[int]] = {}
    for minute, (n, us) in minutes.items():
        row = rolled.setdefault(bucket_of(minute, bucket_s), [0, 0])
        row[0] += n
        row[1] += us
    if not rolled:
        return []
    keys = sorted(rolled)
    if (keys[-1] - keys[0]) // bucket_s < MAX_SERIES_POINTS:  # charts read gaps as zero: fill them
        keys = list(range(keys[0], keys[-1] + bucket_s, bucket_s))
    series = []
    for key in keys:
        n, us = rolled.get(key, (0, 0))
        series.append(
            GcMinute(
                at=to_datetime(key),
                pauses=n,
                pause_ms=round(us / 1000, 3),
                share=round(min(us / 1_000_000 / bucket_s, 1.0), 6),
            )
        )
    return series


def _floors(heap: dict[int, list[float]], bucket_s: int) -> list[tuple[int, float, float]]:
    """(bucket start, lowest after-GC MB, largest heap size MB or -1) per bucket, in time order."""
    rolled: dict[int, list[float]] = {}
    for minute, (after, total) in heap.items():
        key = bucket_of(minute, bucket_s)
        row = rolled.get(key)
        if row is None:
            rolled[key] = [after, total]
        else:
            row[0] = min(row[0], after)
            row[1] = max(row[1], total)
    return [(key, row[0], row[1]) for key, row in sorted(rolled.items())]


def _heap_points(floors: list[tuple[int, float, float]]) -> list[HeapPoint]:
    from collectors.logs.model import HeapPoint

    """At most HEAP_POINTS points: neighbouring buckets are joined, keeping their floor."""
    group = max(1, math.ceil(len(floors) / HEAP_POINTS))
    points = []
    for i in range(0, len(floors), group):
        part = floors[i : i + group]
        total = max(p[2] for p in part)
        points.append(
            HeapPoint(
                at=to_datetime(part[0][0]),
                after_mb=round(min(p[1] for p in part), 3),
                total_mb=round(total, 3) if total >= 0 else None,
            )
        )
    return points


def _slope(floors: list[tuple[int, float, float]]) -> float | None:
    """Least-squares slope of the bucket floors, MB per hour."""
    if len(floors) < MIN_SLOPE_BUCKETS:
        return None
    xs = [(p[0] - floors[0][0]) / 3600 for p in floors]
    ys = [p[1] for p in floors]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    var = sum((x - mean_x) ** 2 for x in xs)
    if var == 0:
        return None
    return round(sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / var, 3)
