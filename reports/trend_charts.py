"""Trend charts of the health-check report: one series over the days the service recorded it, the
points joined, the fitted line dashed over the segment it was fitted to, the ceiling (filesystem
size, seats allowed) dotted.

Drawn like the log section's charts (reports/charts.py: inline SVG, matplotlib imported on the first
chart, deterministic, thread-safe), in the report's zone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from collectors.history_model import DISK_USED, RESPONSE_MS
from reports.charts import (
    INK,
    PALETTE,
    Chart,
    _dates,
    _epoch,
    _legend,
    _local,
    _render,
    _time_axis,
    _y_from_zero,
)
from reports.trends_model import TrendSeries, TrendUnit

if TYPE_CHECKING:
    from matplotlib.figure import Figure

_BINARY = (("TiB", 1024**4), ("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024), ("B", 1))


@dataclass(frozen=True)
class TrendView:
    series: TrendSeries
    title: str
    summary: str  # the numbers in words: the chart's caption, and the Markdown's table cell
    chart: Chart | None  # None in Markdown


def _scale(unit: TrendUnit, peak: float) -> tuple[str, float]:
    """The unit the axis is labelled in and what a value is divided by to be in it."""
    if unit == "bytes":
        return next((name, size) for name, size in _BINARY if peak >= size or size == 1)
    return ("ms", 1.0) if unit == "ms" else ("seats", 1.0)


def _amount(value: float, unit: TrendUnit) -> str:
    name, size = _scale(unit, abs(value))
    if unit == "bytes":
        return f"{value / size:,.1f} {name}"
    if unit == "ms":
        return f"{value / 1000:,.1f} s" if abs(value) >= 1000 else f"{value:,.0f} ms"
    return f"{value:,.0f} seats"


def _rate(value: float, unit: TrendUnit) -> str:
    sign = "+" if value >= 0 else "-"
    if unit == "seats":
        return f"{sign}{abs(value):,.1f} seats per day"
    return f"{sign}{_amount(abs(value), unit)} per day"


def _title(series: TrendSeries) -> str:
    if series.metric == DISK_USED:
        return f"{series.target}: used space on {series.key} over time"
    if series.metric == RESPONSE_MS:
        return f"{series.target}: response time over time"
    return f"{series.target}: {series.key} licence seats used over time"


def _summary(series: TrendSeries, zone: ZoneInfo) -> str:
    last = series.points[-1]
    first = series.points[0]
    parts = [f"{_amount(last.value, series.unit)} at {_local(last.at, zone)}"]
    if series.limit is not None:
        parts[0] += f" of {_amount(series.limit, series.unit)}"
    parts.append(f"{_amount(first.value, series.unit)} at {_local(first.at, zone)}")
    if series.trend is None:
        parts.append("too few points over too short a time for a trend")
    else:
        t = series.trend
        low, high = _rate(t.slope_low, series.unit), _rate(t.slope_high, series.unit)
        band = "" if low == high else f" (95 % band {low} to {high})"
        parts.append(
            f"trend {_rate(t.slope_per_day, series.unit)}{band} over {t.points_used} points since "
            f"{_local(t.start_at, zone)}"
        )
    return "Now " + "; first ".join(parts[:2]) + "; " + parts[2] + "."


def trend_chart(key: str, series: TrendSeries, title: str, caption: str, zone: ZoneInfo) -> Chart:
    peak = max([p.value for p in series.points] + [series.limit or 0.0])
    unit_name, divisor = _scale(series.unit, peak)

    def draw(figure: Figure) -> None:
        axes = figure.add_subplot()
        x = _dates([_epoch(p.at) for p in series.points])
        y = [p.value / divisor for p in series.points]
        few = len(series.points) <= 60
        axes.plot(x, y, color=PALETTE[0], marker="o" if few else None, markersize=2.5, label="measured")
        axes.plot(x[-1:], y[-1:], linestyle="none", marker="o", markersize=4.5, color=PALETTE[0], label="now")
        if series.trend is not None:
            t = series.trend
            axes.plot(
                _dates([_epoch(t.start_at), _epoch(t.end_at)]),
                [t.start_value / divisor, t.end_value / divisor],
                color=PALETTE[1],
                linestyle="--",
                linewidth=1.4,
                label="trend",
            )
        if series.limit is not None:
            label = "size" if series.unit == "bytes" else "allowed"
            axes.axhline(series.limit / divisor, color=INK, linestyle=(0, (1, 2)), linewidth=0.9, label=label)
        axes.set_ylabel(unit_name)
        _time_axis(axes, zone, (series.points[0].at, series.points[-1].at), 60)
        _y_from_zero(axes)
        _legend([axes])

    return _render(key, title, caption, draw)


def trend_views(trends: Sequence[TrendSeries] | None, zone: ZoneInfo, draw: bool = True) -> list[TrendView]:
    """The report's trends as the templates lay them out; ``draw``: with charts (HTML)."""
    views = []
    for index, series in enumerate(trends or [], start=1):
        title, summary = _title(series), _summary(series, zone)
        chart = trend_chart(f"trend-chart-{index}", series, title, summary, zone) if draw else None
        views.append(TrendView(series=series, title=title, summary=summary, chart=chart))
    return views
