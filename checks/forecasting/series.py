"""A subject's history plus this run's own figure, as the points a forecast is fitted to.

The service attaches the figures of *earlier* runs (collectors/history_model.py); the current run's
figure comes from the snapshot itself and is the newest point, at the check's ``now``. Times become
days relative to ``now`` (the past is negative), so a forecast counts its days from this run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from checks.base import SkipCheck
from checks.forecasting.fit import MIN_POINTS, MIN_SPAN_DAYS, Forecast, days_until
from collectors.history_model import History, MetricPoint

DAY_S = 86400.0
NO_HISTORY = (
    "no history: forecasts need the figures of earlier runs, which the service (atlas-health serve) "
    "keeps and attaches; a one-off check has none"
)


def history_of(history: History | None) -> History:
    """The subject's history, or SkipCheck saying why a forecast cannot be made without it."""
    if history is None:
        raise SkipCheck(NO_HISTORY)
    return history


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Series:
    """One forecast subject (a mount, a licence, a node): its points, its limit and the forecast."""

    key: str
    now: datetime
    points: list[tuple[float, float]]  # (days relative to now, value), oldest first
    limit: float
    forecast: Forecast | None  # None: too few points or too short a span after the last cleanup

    def at(self, x: float) -> datetime:
        return self.now + timedelta(days=x)

    @property
    def coverage(self) -> str:
        """How much history there was: "4 points over 1.5 days"."""
        if not self.points:
            return "no points"
        span = self.points[-1][0] - self.points[0][0]
        return f"{len(self.points)} point{'s' * (len(self.points) != 1)} over {span:.1f} days"


def series(
    history: History, metric: str, key: str, *, now: datetime, current: float | None, limit: float
) -> Series:
    """The points of ``metric``/``key``: the history before ``now`` and, when known, ``current`` at ``now``.

    History points at or after ``now`` are left out: they are later than this snapshot (a saved
    snapshot analysed again after the service went on recording) or this run itself.
    """
    now = _aware(now)
    points: list[tuple[float, float]] = []
    for point in history.points(metric, key):
        x = (_aware(point.at) - now).total_seconds() / DAY_S
        if x < 0 and math.isfinite(point.value):
            points.append((x, point.value))
    if current is not None and math.isfinite(current):
        points.append((0.0, float(current)))
    points.sort()
    return Series(key=key, now=now, points=points, limit=limit, forecast=days_until(points, limit))


def newest(points: list[MetricPoint]) -> float | None:
    """The newest value of a history series (its points are oldest first)."""
    return points[-1].value if points else None


def require_a_forecast(all_series: list[Series], what: str) -> list[Series]:
    """The series that have a forecast, or SkipCheck naming how much history each one had."""
    if not all_series:
        raise SkipCheck(f"nothing to forecast: no {what}")
    forecast = [s for s in all_series if s.forecast is not None]
    if forecast:
        return forecast
    had = "; ".join(f"{s.key or what}: {s.coverage}" for s in all_series)
    raise SkipCheck(
        f"not enough history yet: a forecast needs {MIN_POINTS} points over {MIN_SPAN_DAYS:g} days "
        f"after the last cleanup (had {had})"
    )
