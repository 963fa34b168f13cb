"""logs.gc.heap_floor: a heap floor that keeps rising suggests a memory leak.

The floor is the lowest heap occupancy after GC in each bucket: what survives collection. Garbage
comes and goes; a floor that climbs steadily for hours is live data piling up, and ends in Full GCs
and an OutOfMemoryError. Judged only over at least ``min_hours`` of GC data, since the floor also
rises for a while after a start as caches fill.
"""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import LogsCheck, SkipCheck, collected
from checks.context import LogsContext
from checks.finding import Category, Evidence, Finding, Severity
from checks.logs._common import KB_HEAP_DUMP_BITBUCKET, KB_HEAP_DUMPS, KB_OOM, sources
from checks.metadata import CheckMeta
from collectors.logs.model import GcSummary, HeapPoint


def data_hours(gc: GcSummary) -> float:
    """Hours of heap data: from the first to the last heap point, else the GC log's span."""
    if len(gc.heap_after) >= 2:
        return (gc.heap_after[-1].at - gc.heap_after[0].at).total_seconds() / 3600
    return (gc.span_s or 0.0) / 3600


def _floor(points: list[HeapPoint]) -> HeapPoint | None:
    return min(points, key=lambda p: p.after_mb) if points else None


class LogsGcHeapFloor(LogsCheck):
    meta = CheckMeta(
        id="logs.gc.heap_floor",
        title="Rising heap floor",
        description=(
            "The trend of each node's heap occupancy after GC (the floor that survives collection) over the "
            "GC log. A floor rising steadily for hours is live data piling up: a memory leak in the making."
        ),
        category=Category.CAPACITY,
        default_severity=Severity.WARNING,
        requires=("gc",),
        thresholds={"warning_mb_per_h": 100, "min_hours": 3},
        references=(KB_HEAP_DUMPS, KB_HEAP_DUMP_BITBUCKET, KB_OOM),
    )

    def run(self, ctx: LogsContext) -> Iterator[Finding]:
        logs = ctx.logs
        gcs = collected(logs.gc, "GC logs")
        min_hours = ctx.threshold("min_hours")
        judged = [
            gc for gc in gcs if gc.heap_floor_slope_mb_per_h is not None and data_hours(gc) >= min_hours
        ]
        if not judged:
            spans = ", ".join(f"{gc.node} {data_hours(gc):.1f} h" for gc in gcs) or "none"
            raise SkipCheck(
                f"a heap trend needs at least {min_hours:g} h of GC data on a node (had: {spans})"
            )
        for gc in sorted(judged, key=lambda g: g.node):
            yield self._node(ctx, gc, gc.heap_floor_slope_mb_per_h or 0.0)

    def _node(self, ctx: LogsContext, gc: GcSummary, slope: float) -> Finding:
        limit = ctx.threshold("warning_mb_per_h")
        hours = data_hours(gc)
        source = sources(gc.files) if gc.files else f"GC log of {gc.node}"
        quarter = max(1, len(gc.heap_after) // 4)
        start, end = _floor(gc.heap_after[:quarter]), _floor(gc.heap_after[-quarter:])
        heap_mb = next((p.total_mb for p in reversed(gc.heap_after) if p.total_mb), None)
        evidence = [
            Evidence(label="floor slope MB/h", value=round(slope, 1), source=source),
            Evidence(label="hours of GC data", value=round(hours, 2), source=source),
        ]
        if start is not None and end is not None:
            evidence += [
                Evidence(
                    label="floor at the start MB", value=round(start.after_mb), source=source, time=start.at
                ),
                Evidence(label="floor at the end MB", value=round(end.after_mb), source=source, time=end.at),
            ]
        if heap_mb:
            evidence.append(Evidence(label="heap size MB", value=round(heap_mb), source=source))
        trend = f"{slope:+,.0f} MB/h over {hours:.1f} h of GC data"
        if slope <= limit:
            return ctx.ok(
                "Heap floor is steady",
                f"The heap floor on {gc.node} moved {trend}, within the {limit:g} MB/h limit.",
                evidence=evidence,
                node=gc.node,
            )
        moved = (
            f", from about {start.after_mb:,.0f} MB to {end.after_mb:,.0f} MB"
            if start is not None and end is not None
            else ""
        )
        projection = ""
        if heap_mb and end is not None and end.after_mb < heap_mb:
            projection = (
                f" At this rate it reaches the {heap_mb:,.0f} MB heap in about "
                f"{(heap_mb - end.after_mb) / slope:,.0f} h."
            )
        return ctx.finding(
            Severity.WARNING,
            f"Heap floor on {gc.node} keeps rising",
            f"What survives GC on {gc.node} grew {trend}{moved}, above the {limit:g} MB/h limit: a steady "
            f"rise like this suggests a memory leak.{projection}",
            evidence=evidence,
            recommendation=(
                "Take two heap dumps a few hours apart (jmap -dump:live,format=b,file=heap.hprof <pid>, "
                "or -XX:+HeapDumpOnOutOfMemoryError for the moment it fails) and compare the biggest "
                "retainers in Eclipse MAT: a growing cache or an app's classes point at the leak. A floor "
                "that drops back after a Full GC or settles after start-up is caches warming, not a leak. "
                "Plan a restart before the heap fills if the rise goes on."
            ),
            node=gc.node,
        )
