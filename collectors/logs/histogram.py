"""A mergeable log-scale histogram for latencies and pauses: percentiles without keeping the values.

Buckets grow by 4 % each, from 0.01 ms up, so a percentile is off by at most about 2 % whatever the
input size, and two histograms from different processes merge by adding counts. A percentile is the
middle of its bucket held within the smallest and largest value seen: never outside them, and with one
value (or many equal ones) it is that value.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from itertools import chain

import numpy as np

_GROWTH = 1.04
_LOG_GROWTH = math.log(_GROWTH)
_FLOOR = 0.01  # values below (including 0) share the first bucket


class Histogram:
    __slots__ = ("buckets", "count", "max", "min", "total")

    def __init__(self) -> None:
        self.buckets: dict[int, int] = {}
        self.count = 0
        self.total = 0.0
        self.max = 0.0
        # inf: not known (a filler that adds to ``buckets`` directly sets ``max`` only): not used then
        self.min = math.inf

    def add(self, value: float, times: int = 1) -> None:
        index = 0 if value <= _FLOOR else int(math.log(value / _FLOOR) / _LOG_GROWTH) + 1
        self.buckets[index] = self.buckets.get(index, 0) + times
        self.count += times
        self.total += value * times
        if value > self.max:
            self.max = value
        if value < self.min:
            self.min = value

    def merge(self, other: Histogram) -> None:
        for index, n in other.buckets.items():
            self.buckets[index] = self.buckets.get(index, 0) + n
        self.count += other.count
        self.total += other.total
        self.max = max(self.max, other.max)
        self.min = min(self.min, other.min)

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
        out.min = min((h.min for h in hists), default=math.inf)
        return out

    def percentile(self, q: float) -> float | None:
        """The q-th percentile (0..100): the middle of the bucket holding it, within [min, max]."""
        return self.percentiles(q)[0]

    def percentiles(self, *qs: float) -> list[float | None]:
        """``[percentile(q) for q in qs]`` in one walk over the buckets."""
        if not self.count:
            return [None] * len(qs)
        ranks = sorted((max(1, math.ceil(self.count * q / 100)), i) for i, q in enumerate(qs))
        out: list[float | None] = [self.max] * len(qs)
        low = 0.0 if self.min == math.inf else self.min  # an unknown minimum bounds nothing
        seen, next_rank = 0, 0
        for index in sorted(self.buckets):
            seen += self.buckets[index]
            while next_rank < len(ranks) and seen >= ranks[next_rank][0]:
                middle = _FLOOR if index == 0 else _FLOOR * _GROWTH ** (index - 1) * math.sqrt(_GROWTH)
                out[ranks[next_rank][1]] = max(min(middle, self.max), low)
                next_rank += 1
            if next_rank == len(ranks):
                break
        return out

    @staticmethod
    def table(hists: Sequence[Histogram]) -> HistogramTable:
        """``hists`` as one table (a row each), for the percentiles of many at once."""
        keys, values = _entries(hists)
        counts = np.zeros((len(hists), int(keys.max()) + 1 if len(keys) else 1), dtype=np.int64)
        rows = np.repeat(np.arange(len(hists)), [len(h.buckets) for h in hists])
        counts[rows, keys] = values  # a row's bucket indices are distinct
        return HistogramTable(
            counts,
            np.array([h.max for h in hists], dtype=np.float64),
            np.array([h.min for h in hists], dtype=np.float64),
        )

    @property
    def mean(self) -> float | None:
        return self.total / self.count if self.count else None

    def __getstate__(self) -> tuple[dict[int, int], int, float, float, float]:
        return self.buckets, self.count, self.total, self.max, self.min

    def __setstate__(self, state: tuple[dict[int, int], int, float, float, float]) -> None:
        self.buckets, self.count, self.total, self.max, self.min = state


def _entries(hists: Sequence[Histogram]) -> tuple[np.ndarray, np.ndarray]:
    """Every (bucket index, count) of ``hists``, as two arrays."""
    total = sum(len(h.buckets) for h in hists)
    keys = np.fromiter(chain.from_iterable(h.buckets.keys() for h in hists), dtype=np.int64, count=total)
    values = np.fromiter(chain.from_iterable(h.buckets.values() for h in hists), dtype=np.int64, count=total)
    return keys, values


_MIDDLES: list[float] = [_FLOOR]  # the value ``percentiles`` gives for each bucket index, by its own formula


def _middles(width: int) -> np.ndarray:
    while len(_MIDDLES) < width:
        _MIDDLES.append(_FLOOR * _GROWTH ** (len(_MIDDLES) - 1) * math.sqrt(_GROWTH))
    return np.array(_MIDDLES[:width], dtype=np.float64)


class HistogramTable:
    """Histograms as rows of bucket counts: added up and read for percentiles with NumPy, all rows at once
    (a day of per-minute series per node is thousands of histograms). The percentiles equal those of
    ``Histogram.percentiles`` row by row: the same ranks, bucket middles computed by the same formula."""

    def __init__(self, counts: np.ndarray, maxima: np.ndarray, minima: np.ndarray) -> None:
        self.counts = counts  # rows x bucket index
        self.maxima = maxima  # the largest value of each row
        self.minima = minima  # the smallest, inf when not known

    def grouped(self, group: np.ndarray, groups: int) -> HistogramTable:
        """Row i is the sum of the rows whose ``group`` is i (as ``Histogram.merge`` would make it)."""
        counts = np.zeros((groups, self.counts.shape[1]), dtype=np.int64)
        np.add.at(counts, group, self.counts)
        maxima = np.zeros(groups, dtype=np.float64)
        np.maximum.at(maxima, group, self.maxima)
        minima = np.full(groups, np.inf, dtype=np.float64)
        np.minimum.at(minima, group, self.minima)
        return HistogramTable(counts, maxima, minima)

    def percentiles(self, *qs: float) -> list[list[float | None]]:
        """Per row, ``Histogram.percentiles(*qs)``: None for an empty row."""
        cumulative = np.cumsum(self.counts, axis=1)
        totals = cumulative[:, -1]
        middles = _middles(self.counts.shape[1])
        lows = np.where(np.isinf(self.minima), 0.0, self.minima)
        columns = []
        for q in qs:
            ranks = np.maximum(1, np.ceil(totals * q / 100))
            index = np.argmax(cumulative >= ranks[:, None], axis=1)
            columns.append(np.maximum(np.minimum(middles[index], self.maxima), lows).tolist())
        empty = (totals == 0).tolist()
        return [
            [None] * len(qs) if none else [column[row] for column in columns]
            for row, none in enumerate(empty)
        ]
