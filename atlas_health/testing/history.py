"""Histories for check tests: the figures the service would have attached from earlier runs."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from atlas_health.testing.instances import NOW
from collectors.history_model import History, MetricPoint, MetricSeries


def daily(value: Callable[[int], float], days: int, *, until: datetime = NOW) -> list[MetricPoint]:
    """One point a day for ``days`` days before ``until`` (oldest first); ``value(d)`` is the figure
    ``d`` days before it."""
    return [MetricPoint(at=until - timedelta(days=d), value=value(d)) for d in range(days, 0, -1)]


def history(*series: tuple[str, str, Iterable[MetricPoint]], days: int = 30) -> History:
    """A History of ``(metric, key, points)`` series, read over the last ``days`` days."""
    return History(
        since=NOW - timedelta(days=days),
        series=[MetricSeries(metric=m, key=k, points=list(points)) for m, k, points in series],
    )
