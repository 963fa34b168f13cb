"""A robust straight-line trend of a series, and when it reaches a limit.

The fit is Theil-Sen: the slope is the median of the slopes between every pair of points, so a few
spikes or a noisy run do not move it, and Sen's (1968) rank-based interval gives the slope's 95 %
confidence band. Only the segment after the last *cleanup* is fitted: a large drop that persists
(old logs deleted, licences reclaimed, a restart that emptied the heap) starts a new trend.

The answer is None rather than a wrong number: fewer than ``MIN_POINTS`` distinct times after the last
cleanup, or a segment shorter than ``MIN_SPAN_DAYS``, give no trend; a flat or falling trend gives a
``Forecast`` whose ``days`` is None (not within any horizon).

Work is bounded: a series of more than ``MAX_POINTS`` distinct times is first reduced to that many
equal-width time buckets (median time and median value of each), and the segment fitted to
``MAX_FIT_POINTS`` the same way, so the pairwise slopes stay under 45,000 whatever the input.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from statistics import median

MIN_POINTS = 5  # distinct times in the fitted segment
MIN_SPAN_DAYS = 3.0  # from the first to the last point of the fitted segment
MAX_POINTS = 2000  # buckets the whole series is reduced to before looking for cleanups
MAX_FIT_POINTS = 300  # buckets the fitted segment is reduced to: at most 44,850 pairwise slopes
CONFIDENCE_Z = 1.959964  # two-sided 95 % for Sen's interval of the slope

# A drop is a cleanup when it is far outside the usual step-to-step change (DROP_NOISE_FACTOR times
# its robust spread), at least DROP_SHARE of the level before it (or of the limit, when that is
# smaller: 50 GB freed of 100 GB used on a 10 TB volume is a cleanup), and most of it persists over the
# next points (a single spike that comes back is not a cleanup).
DROP_NOISE_FACTOR = 5.0
DROP_SHARE = 0.02
DROP_PERSISTS = 0.5
PERSIST_WINDOW = 3
MAD_TO_SIGMA = 1.4826


@dataclass(frozen=True)
class Trend:
    """A fitted line ``value = intercept + slope * x`` (x in days) over the segment it was fitted to."""

    slope: float  # per day
    intercept: float  # the value at x = 0
    slope_low: float  # Sen's 95 % band of the slope
    slope_high: float
    points_used: int  # distinct times in the fitted segment (before bucketing)
    start_x: float  # the first x of the segment: after the last cleanup
    end_x: float  # the last x of the segment (the newest point)

    def value_at(self, x: float) -> float:
        return self.intercept + self.slope * x


@dataclass(frozen=True)
class Forecast:
    """When the trend reaches ``limit``, counted in days from the newest point.

    ``days`` is None when the trend is flat or falling; ``days_low`` (at the band's steepest slope)
    and ``days_high`` (at its shallowest) are None when that end of the band does not rise. A series
    already at or above the limit gives 0 for all three.
    """

    days: float | None
    days_low: float | None
    days_high: float | None
    trend: Trend
    limit: float
    level: float  # the fitted value at the newest point, from which the days are counted


def robust_trend(points: Sequence[tuple[float, float]], *, scale: float | None = None) -> Trend | None:
    """The Theil-Sen trend of ``points`` (x in days, y the value) after the last cleanup.

    Points with a value or time that is not a finite number are ignored; points are sorted and
    points at one time merged into their median. ``scale`` (the limit, e.g. the filesystem size) caps
    the level a drop is measured against to be a cleanup. None when too few
    points or too short a span remain.
    """
    cleaned = _clean(points)
    if not cleaned:
        return None
    reduced = _buckets(cleaned, MAX_POINTS) if len(cleaned) > MAX_POINTS else cleaned
    start = _last_cleanup(reduced, scale)
    # Back to the distinct times themselves: a bucket's median time is not its first one.
    start_x = cleaned[0][0] if start == 0 else reduced[start][0]
    segment = [p for p in cleaned if p[0] >= start_x]
    if len(segment) < MIN_POINTS or segment[-1][0] - segment[0][0] < MIN_SPAN_DAYS:
        return None
    fitted = _buckets(segment, MAX_FIT_POINTS) if len(segment) > MAX_FIT_POINTS else segment
    slopes = _pair_slopes(fitted)
    if not slopes:
        return None
    slope = median(slopes)
    low, high = _sen_interval(slopes, len(fitted))
    intercept = median(y - slope * x for x, y in fitted)
    trend = Trend(
        slope=slope,
        intercept=intercept,
        slope_low=low,
        slope_high=high,
        points_used=len(segment),
        start_x=segment[0][0],
        end_x=segment[-1][0],
    )
    numbers = (trend.slope, trend.intercept, trend.slope_low, trend.slope_high, trend.value_at(trend.end_x))
    return trend if all(math.isfinite(n) for n in numbers) else None


def days_until(points: Sequence[tuple[float, float]], limit: float) -> Forecast | None:
    """When the robust trend of ``points`` reaches ``limit``, in days after the newest point.

    None when there is no trend (see ``robust_trend``) or the limit is not a positive finite number
    (a filesystem of size 0 has nothing to fill).
    """
    if not math.isfinite(limit) or limit <= 0:
        return None
    trend = robust_trend(points, scale=limit)
    if trend is None:
        return None
    level = trend.value_at(trend.end_x)
    if level >= limit:
        return Forecast(days=0.0, days_low=0.0, days_high=0.0, trend=trend, limit=limit, level=level)
    room = limit - level
    return Forecast(
        days=_days(room, trend.slope),
        days_low=_days(room, trend.slope_high),
        days_high=_days(room, trend.slope_low),
        trend=trend,
        limit=limit,
        level=level,
    )


def _days(room: float, slope: float) -> float | None:
    if slope <= 0:
        return None
    days = room / slope
    return days if math.isfinite(days) else None


def _clean(points: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """Finite points, sorted by time, one per time (the median of the values at that time)."""
    finite = sorted((float(x), float(y)) for x, y in points if math.isfinite(x) and math.isfinite(y))
    merged: list[tuple[float, float]] = []
    i = 0
    while i < len(finite):
        j = i
        while j < len(finite) and finite[j][0] == finite[i][0]:
            j += 1
        merged.append((finite[i][0], median(y for _, y in finite[i:j])))
        i = j
    return merged


def _buckets(series: list[tuple[float, float]], count: int) -> list[tuple[float, float]]:
    """``series`` (sorted) reduced to at most ``count`` equal-width time buckets: median x and y of each."""
    first, last = series[0][0], series[-1][0]
    width = (last - first) / count
    if width <= 0 or not math.isfinite(width):  # times too far apart to divide: every k-th point
        step = -(-len(series) // count)
        return series[::-1][::step][::-1]  # counted from the newest, which is kept
    groups: list[list[tuple[float, float]]] = [[] for _ in range(count)]
    for x, y in series:
        groups[min(int((x - first) / width), count - 1)].append((x, y))
    return [(median(x for x, _ in g), median(y for _, y in g)) for g in groups if g]


def _last_cleanup(series: list[tuple[float, float]], scale: float | None) -> int:
    """The index the segment after the last cleanup starts at (0 when there was none)."""
    if len(series) < 3:
        return 0
    ys = [y for _, y in series]
    steps = [b - a for a, b in pairwise(ys)]
    usual = median(steps)
    spread = MAD_TO_SIGMA * median(abs(s - usual) for s in steps)
    cap = abs(scale) if scale is not None and math.isfinite(scale) else math.inf
    for i in range(len(steps) - 1, -1, -1):
        drop = -steps[i]
        if drop <= 0 or (usual - steps[i]) <= DROP_NOISE_FACTOR * spread:
            continue
        before = median(ys[max(0, i + 1 - PERSIST_WINDOW) : i + 1])
        after = median(ys[i + 1 : i + 1 + PERSIST_WINDOW])
        if drop >= DROP_SHARE * min(abs(before), cap) and before - after >= DROP_PERSISTS * drop:
            return i + 1
    return 0


def _pair_slopes(series: list[tuple[float, float]]) -> list[float]:
    slopes: list[float] = []
    for i, (x1, y1) in enumerate(series):
        for x2, y2 in series[i + 1 :]:
            if x2 == x1:  # distinct after _clean, but two buckets' medians could round together
                continue
            slope = (y2 - y1) / (x2 - x1)
            if math.isfinite(slope):
                slopes.append(slope)
    return slopes


def _sen_interval(slopes: list[float], n: int) -> tuple[float, float]:
    """Sen's (1968) confidence band of the median slope, from the ranks of the pairwise slopes.

    The band runs from the M1-th to the (M2+1)-th smallest slope, M1,2 = (N ∓ z·sqrt(Var S)) / 2, where
    Var S = n(n-1)(2n+5)/18 is the variance of Kendall's S without ties.
    """
    ordered = sorted(slopes)
    count = len(ordered)
    c = CONFIDENCE_Z * math.sqrt(n * (n - 1) * (2 * n + 5) / 18)
    lower = round((count - c) / 2)  # M1, 1-based
    upper = round((count + c) / 2) + 1  # M2 + 1, 1-based
    return ordered[min(max(lower, 1), count) - 1], ordered[min(max(upper, 1), count) - 1]
