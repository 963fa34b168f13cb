"""Charts of the post-incident report: error rate, p95, GC pauses and heap per node, over the chart window,
with the incident shaded and the top cause's first evidence marked.

Drawn like the log section's charts (reports/charts.py: inline SVG, matplotlib imported on the first
chart, deterministic, thread-safe), from the series on the report, in the customer's zone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from reports.charts import (
    INK,
    LINESTYLES,
    PALETTE,
    Chart,
    _dates,
    _dense,
    _epoch,
    _legend,
    _legend_label,
    _local,
    _ms,
    _ms_tick,
    _render,
    _time_axis,
    _y_from_zero,
    bucket_label,
)
from reports.post_incident_model import NodeGc, NodeTraffic

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

Span = tuple[datetime | None, datetime | None]
BAND_FILL = "#D55E00"
BAND_ALPHA = 0.13


def _style(index: int) -> dict[str, Any]:
    return {"color": PALETTE[index % len(PALETTE)], "linestyle": LINESTYLES[index % len(LINESTYLES)]}


def _decorate(axes: Axes, band: Span, marker: datetime | None) -> None:
    """The incident as a shaded band (to the chart's end while it was not over), the cause's first
    evidence as a dashed line."""
    start, end = band
    if start is not None:
        right = _dates([_epoch(end)])[0] if end is not None else axes.get_xlim()[1]
        axes.axvspan(
            _dates([_epoch(start)])[0],
            right,
            color=BAND_FILL,
            alpha=BAND_ALPHA,
            linewidth=0,
            label="incident",
        )
    if marker is not None:
        axes.axvline(
            _dates([_epoch(marker)])[0],
            color=INK,
            linestyle=(0, (4, 2)),
            linewidth=1.0,
            label="first evidence of the cause",
        )


def _marks(band: Span, marker: datetime | None, zone: ZoneInfo) -> str:
    """The caption's words for the band and the marker."""
    words = []
    if band[0] is not None:
        until = _local(band[1], zone) if band[1] is not None else "the end of the evidence"
        words.append(f"The incident, {_local(band[0], zone)} to {until}, is shaded")
    if marker is not None:
        words.append(f"the cause's first evidence, {_local(marker, zone)}, is the dashed line")
    return (" " + "; ".join(words) + ".") if words else ""


def error_rate_chart(
    key: str,
    traffic: Sequence[NodeTraffic],
    *,
    zone: ZoneInfo,
    bucket_s: int,
    span: Span,
    band: Span,
    marker: datetime | None,
) -> Chart | None:
    """The share of each node's requests answered with a 5xx, per bucket (a gap: no requests)."""
    drawn = [t for t in traffic if any(p.error_rate is not None for p in t.points)]
    if not drawn:
        return None
    bucket = bucket_label(bucket_s)
    parts = []
    for series in drawn:
        worst = max(
            (p for p in series.points if p.error_rate is not None),
            key=lambda p: (p.error_rate or 0.0, -_epoch(p.at)),
        )
        parts.append(f"{series.node}: at most {worst.error_rate or 0.0:.1f} % at {_local(worst.at, zone)}")
    caption = "5xx rate per node: " + "; ".join(parts) + "." + _marks(band, marker, zone)

    def draw(figure: Figure) -> None:
        axes = figure.add_subplot()
        for index, series in enumerate(drawn):
            points = [(_epoch(p.at), p.error_rate) for p in series.points if p.error_rate is not None]
            times, rates = _dense(points, bucket_s, float("nan"))
            axes.plot(_dates(times), rates, label=_legend_label(series.node), **_style(index))
        axes.set_ylabel("5xx, % of requests")
        _time_axis(axes, zone, span, bucket_s)
        _y_from_zero(axes)
        _decorate(axes, band, marker)
        _legend([axes])

    return _render(key, f"5xx rate per node, per {bucket}", caption, draw)


def p95_chart(
    key: str,
    traffic: Sequence[NodeTraffic],
    *,
    zone: ZoneInfo,
    bucket_s: int,
    span: Span,
    band: Span,
    marker: datetime | None,
) -> Chart | None:
    """Each node's 95th percentile response time per bucket, on a log scale."""
    drawn = [t for t in traffic if any(p.p95_ms for p in t.points)]
    if not drawn:
        return None
    bucket = bucket_label(bucket_s)
    parts = []
    for series in drawn:
        worst = max((p for p in series.points if p.p95_ms), key=lambda p: (p.p95_ms or 0.0, -_epoch(p.at)))
        parts.append(f"{series.node}: at most {_ms(worst.p95_ms)} at {_local(worst.at, zone)}")
    caption = "p95 response time per node: " + "; ".join(parts) + "." + _marks(band, marker, zone)

    def draw(figure: Figure) -> None:
        from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

        axes = figure.add_subplot()
        for index, series in enumerate(drawn):
            points = [(_epoch(p.at), p.p95_ms) for p in series.points if p.p95_ms]
            times, values = _dense(points, bucket_s, float("nan"))
            axes.plot(_dates(times), values, label=_legend_label(series.node), **_style(index))
        axes.set_yscale("log")
        axes.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        axes.yaxis.set_major_formatter(FuncFormatter(_ms_tick))
        axes.yaxis.set_minor_locator(NullLocator())
        axes.set_ylabel("p95 response time")
        _time_axis(axes, zone, span, bucket_s)
        _decorate(axes, band, marker)
        _legend([axes])

    return _render(key, f"p95 response time per node, per {bucket}", caption, draw)


def gc_pause_chart(
    key: str,
    gc: Sequence[NodeGc],
    *,
    zone: ZoneInfo,
    bucket_s: int,
    span: Span,
    band: Span,
    marker: datetime | None,
) -> Chart | None:
    """The share of each bucket each node spent in GC pauses."""
    drawn = [g for g in gc if g.pauses]
    if not drawn:
        return None
    bucket = bucket_label(bucket_s)
    parts = []
    for series in drawn:
        worst = max(series.pauses, key=lambda p: (p.share, -_epoch(p.at)))
        parts.append(f"{series.node}: at most {worst.share * 100:.1f} % at {_local(worst.at, zone)}")
    caption = "Time in GC pauses per node: " + "; ".join(parts) + "." + _marks(band, marker, zone)

    def draw(figure: Figure) -> None:
        axes = figure.add_subplot()
        for index, series in enumerate(drawn):
            times, share = _dense([(_epoch(p.at), p.share * 100) for p in series.pauses], bucket_s, 0.0)
            axes.plot(_dates(times), share, label=_legend_label(series.node), **_style(index))
        axes.set_ylabel(f"% of each {bucket} in GC")
        _time_axis(axes, zone, span, bucket_s)
        _y_from_zero(axes)
        _decorate(axes, band, marker)
        _legend([axes])

    return _render(key, f"Time in GC pauses per node, share of each {bucket}", caption, draw)


def heap_chart(
    key: str,
    gc: Sequence[NodeGc],
    *,
    zone: ZoneInfo,
    bucket_s: int,
    span: Span,
    band: Span,
    marker: datetime | None,
) -> Chart | None:
    """Each node's heap occupancy after collections."""
    drawn = [g for g in gc if g.heap]
    if not drawn:
        return None
    parts = []
    for series in drawn:
        top = max(series.heap, key=lambda p: (p.after_mb, -_epoch(p.at)))
        parts.append(f"{series.node}: at most {top.after_mb:,.0f} MB at {_local(top.at, zone)}")
    caption = "Heap after GC per node: " + "; ".join(parts) + "." + _marks(band, marker, zone)

    def draw(figure: Figure) -> None:
        axes = figure.add_subplot()
        for index, series in enumerate(drawn):
            few = len(series.heap) <= 60
            axes.plot(
                _dates([_epoch(p.at) for p in series.heap]),
                [p.after_mb for p in series.heap],
                marker="o" if few else None,
                markersize=2.5,
                label=_legend_label(series.node),
                **_style(index),
            )
        axes.set_ylabel("MB after GC")
        _time_axis(axes, zone, span, bucket_s)
        _y_from_zero(axes)
        _decorate(axes, band, marker)
        _legend([axes])

    return _render(key, "Heap after GC per node", caption, draw)
