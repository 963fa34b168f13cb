"""A mergeable log-scale histogram for latencies and pauses: percentiles without keeping the values.

Buckets grow by 4 % each, from 0.01 ms up, so a percentile is off by at most about 2 % whatever the
input size, and two histograms from different processes merge by adding counts.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from itertools import chain

import numpy as np

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

    @classmethod
    def merged(cls, hists: Iterable[Histogram]) -> Histogram:
        """One histogram of all of ``hists`` (as ``merge`` would make it), their buckets added in NumPy:
        for the overall latency of a day of per-minute histograms."""
        hists = list(hists)
        out = cls()
        keys, values = _entries(hists)
        if len(keys):
            added = np.zeros(int(keys.max()) + 1, dtype=np.int64)
            np.add.at(added, keys, values)
            found = np.flatnonzero(added)
            out.buckets = dict(zip(found.tolist(), added[found].tolist(), strict=True))
        out.count = sum(h.count for h in hists)
        out.total = sum(h.total for h in hists) + 0.0
        out.max = max((h.max for h in hists), default=0.0)
        return out

    def percentile(self, q: float) -> float | None:
        """The q-th percentile (0..100): the middle of the bucket holding it, capped at the maximum."""
        return self.percentiles(q)[0]

    def percentiles(self, *qs: float) -> list[float | None]:
        """``[percentile(q) for q in qs]`` in one walk over the buckets."""
        if not self.count:
            return [None] * len(qs)
        ranks = sorted((max(1, math.ceil(self.count * q / 100)), i) for i, q in enumerate(qs))
        out: list[float | None] = [self.max] * len(qs)
        seen, next_rank = 0, 0
        for index in sorted(self.buckets):
            seen += self.buckets[index]
            while next_rank < len(ranks) and seen >= ranks[next_rank][0]:
                if index == 0:
                    value = min(_FLOOR, self.max)
                else:
                    value = min(_FLOOR * _GROWTH ** (index - 1) * math.sqrt(_GROWTH), self.max)
                out[ranks[next_rank][1]] = value
                next_rank += 1
            if next_rank == len(ranks):
                break
        return out

    @property
    def mean(self) -> float | None:
        return self.total / self.count if self.count else None

    def __getstate__(self) -> tuple[dict[int, int], int, float, float]:
        return self.buckets, self.count, self.total, self.max

    def __setstate__(self, state: tuple[dict[int, int], int, float, float]) -> None:
        self.buckets, self.count, self.total, self.max = state


def _entries(hists: list[Histogram]) -> tuple[np.ndarray, np.ndarray]:
    """Every (bucket index, count) of ``hists``, as two arrays."""
    total = sum(len(h.buckets) for h in hists)
    keys = np.fromiter(chain.from_iterable(h.buckets.keys() for h in hists), dtype=np.int64, count=total)
    values = np.fromiter(chain.from_iterable(h.buckets.values() for h in hists), dtype=np.int64, count=total)
    return keys, values
