"""A mergeable log-scale histogram for latencies and pauses: percentiles without keeping the values.

Buckets grow by 4 % each, from 0.01 ms up, so a percentile is off by at most about 2 % whatever the
input size, and two histograms from different processes merge by adding counts.
"""

from __future__ import annotations

import math

_GROWTH = 1.04
_LOG_GROWTH = math.log(_GROWTH)
_FLOOR = 0.01  # values below (including 0) share the first bucket


class Histogram:
    __slots__ = ("buckets", "count", "max", "total")

    def __init__(self) -> None:
        self.buckets: dict[int, int] = {}
        self.count = 0
        self.total = 0.0
        self.max = 0.0

    def add(self, value: float, times: int = 1) -> None:
        index = 0 if value <= _FLOOR else int(math.log(value / _FLOOR) / _LOG_GROWTH) + 1
        self.buckets[index] = self.buckets.get(index, 0) + times
        self.count += times
        self.total += value * times
        if value > self.max:
            self.max = value

    def merge(self, other: Histogram) -> None:
        for index, n in other.buckets.items():
            self.buckets[index] = self.buckets.get(index, 0) + n
        self.count += other.count
        self.total += other.total
        self.max = max(self.max, other.max)

    def percentile(self, q: float) -> float | None:
        """The q-th percentile (0..100): the middle of the bucket holding it, capped at the maximum."""
        if not self.count:
            return None
        rank = max(1, math.ceil(self.count * q / 100))
        seen = 0
        for index in sorted(self.buckets):
            seen += self.buckets[index]
            if seen >= rank:
                if index == 0:
                    return min(_FLOOR, self.max)
                low = _FLOOR * _GROWTH ** (index - 1)
                return min(low * math.sqrt(_GROWTH), self.max)
        return self.max

    @property
    def mean(self) -> float | None:
        return self.total / self.count if self.count else None

    def __getstate__(self) -> tuple[dict[int, int], int, float, float]:
        return self.buckets, self.count, self.total, self.max

    def __setstate__(self, state: tuple[dict[int, int], int, float, float]) -> None:
        self.buckets, self.count, self.total, self.max = state
