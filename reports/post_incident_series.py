"""The per-node series of a post-incident report's charts, cut from the log analysis to the chart window.

The window is the incident with a stretch of baseline before it and of the aftermath after it (as long
as the incident, at least half an hour, at most six hours each side), inside the span the logs cover;
with no incident, the whole span. The series are copied onto the report, so a stored JSON report draws
the same charts again.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from checks.incident.model import Incident
from collectors.logs.model import AccessMinute, AccessSummary, GcSummary, LogAnalysis
from collectors.model import Product
from reports.post_incident_model import (
    GcPoint,
    HeapSample,
    IncidentSeries,
    NodeGc,
    NodeTraffic,
    TrafficPoint,
)

MIN_CONTEXT = timedelta(minutes=30)
MAX_CONTEXT = timedelta(hours=6)
ALL_NODES = "all nodes"  # the series of an access log whose analysis has no per-node split


def _utc(moment: datetime) -> datetime:
    return (moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)).astimezone(UTC)


def chart_window(incident: Incident, logs: LogAnalysis | None) -> tuple[datetime | None, datetime | None]:
    """The span the charts show (see the module's docstring); (None, None) when there is nothing to show."""
    first = logs.first_at if logs is not None else None
    last = logs.last_at if logs is not None else None
    first = first or incident.evidence_from
    last = last or incident.evidence_to
    if first is None or last is None:
        return None, None
    first, last = _utc(first), _utc(last)
    if not incident.found or incident.start is None:
        return first, last
    start = _utc(incident.start)
    end = _utc(incident.end) if incident.end is not None else last
    context = min(max(end - start, MIN_CONTEXT), MAX_CONTEXT)
    return max(first, start - context), min(last, max(end, start) + context)


def _inside(moment: datetime, window: tuple[datetime, datetime]) -> bool:
    return window[0] <= _utc(moment) <= window[1]


def _point(minute: AccessMinute) -> TrafficPoint:
    rate = round(100.0 * minute.status_5xx / minute.requests, 3) if minute.requests else None
    return TrafficPoint(
        at=_utc(minute.at),
        requests=minute.requests,
        errors_5xx=minute.status_5xx,
        error_rate=rate,
        p95_ms=minute.p95_ms,
    )


def _product_label(product: str | None) -> str:
    if product is None:
        return "Unknown product"
    try:
        return Product(product).label
    except ValueError:
        return product


def _traffic(access: list[AccessSummary], window: tuple[datetime, datetime]) -> list[NodeTraffic]:
    several = len(access) > 1
    found: list[NodeTraffic] = []
    for summary in access:
        split = [(n.node, n.per_minute) for n in summary.per_node]
        if not split and summary.per_minute:
            split = [(summary.nodes[0] if len(summary.nodes) == 1 else ALL_NODES, summary.per_minute)]
        for node, minutes in split:
            points = [_point(m) for m in sorted(minutes, key=lambda m: m.at) if _inside(m.at, window)]
            if points:
                name = f"{_product_label(summary.product)} {node}" if several else node
                found.append(NodeTraffic(node=name, product=summary.product, points=points))
    return found


def _gc(gc: list[GcSummary], window: tuple[datetime, datetime]) -> list[NodeGc]:
    found: list[NodeGc] = []
    for summary in gc:
        pauses = [
            GcPoint(at=_utc(m.at), pauses=m.pauses, pause_ms=m.pause_ms, share=m.share)
            for m in sorted(summary.per_minute, key=lambda m: m.at)
            if _inside(m.at, window)
        ]
        heap = [
            HeapSample(at=_utc(p.at), after_mb=p.after_mb)
            for p in sorted(summary.heap_after, key=lambda p: p.at)
            if _inside(p.at, window)
        ]
        if pauses or heap:
            found.append(NodeGc(node=summary.node, pauses=pauses, heap=heap))
    return found


def incident_series(incident: Incident, logs: LogAnalysis | None) -> IncidentSeries:
    """The charts' series: each node's error rate and p95, GC pauses and heap, over the chart window."""
    bucket_s = logs.bucket_s if logs is not None and logs.bucket_s > 0 else 60
    start, end = chart_window(incident, logs)
    if logs is None or start is None or end is None:
        return IncidentSeries(window_from=start, window_to=end, bucket_s=bucket_s, traffic=[], gc=[])
    window = (start, end)
    return IncidentSeries(
        window_from=start,
        window_to=end,
        bucket_s=bucket_s,
        traffic=_traffic(logs.access or [], window),
        gc=_gc(logs.gc or [], window),
    )
