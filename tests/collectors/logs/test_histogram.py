"""The log-scale histogram: percentiles close to the exact ones, and the bulk forms (``merged``,
``percentiles``) equal to the one-at-a-time forms they replace."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from collectors.logs.histogram import Histogram


def filled(values: list[float]) -> Histogram:
    hist = Histogram()
    for value in values:
        hist.add(value)
    return hist


def test_percentiles_are_within_the_bucket_width_of_the_exact_ones():
    rng = random.Random(1)
    values = [rng.lognormvariate(4, 1.5) for _ in range(20_000)]
    hist = filled(values)
    ordered = sorted(values)
    for q in (50, 90, 95, 99, 99.9):
        exact = ordered[max(1, math.ceil(len(values) * q / 100)) - 1]
        assert hist.percentile(q) == pytest.approx(exact, rel=0.03)
    assert hist.percentile(100) == max(values)
    assert Histogram().percentile(50) is None


def test_percentiles_at_once_equal_one_at_a_time():
    rng = random.Random(2)
    for n in (1, 2, 7, 100, 5000):
        hist = filled([rng.choice([0, 0.005, 3, 250, 250, 9000]) * rng.random() for _ in range(n)])
        qs = (99, 50, 95, 0, 100, 50)
        assert hist.percentiles(*qs) == [hist.percentile(q) for q in qs]
    assert Histogram().percentiles(50, 95) == [None, None]


def test_merged_equals_merging_one_by_one():
    rng = random.Random(3)
    hists = [filled([rng.randrange(0, 5000) for _ in range(rng.randrange(0, 300))]) for _ in range(200)]
    one_by_one = Histogram()
    for hist in hists:
        one_by_one.merge(hist)
    merged = Histogram.merged(hists)
    assert (merged.buckets, merged.count, merged.total, merged.max) == (
        one_by_one.buckets,
        one_by_one.count,
        one_by_one.total,
        one_by_one.max,
    )
    assert merged.percentiles(50, 95, 99) == one_by_one.percentiles(50, 95, 99)
    empty = Histogram.merged([])
    assert (empty.count, empty.buckets) == (0, {})


def test_a_table_of_histograms_gives_each_rows_percentiles_and_sums_rows_as_merge_does():
    rng = random.Random(4)
    hists = [filled([rng.lognormvariate(3, 2) for _ in range(rng.randrange(0, 300))]) for _ in range(40)]
    hists += [filled([0.0, 0.001, 5]), Histogram()]  # the first bucket, a maximum below its middle; empty
    table = Histogram.table(hists)
    assert table.percentiles(50, 95, 99.9) == [h.percentiles(50, 95, 99.9) for h in hists]
    assert any(h.count == 0 for h in hists)  # an empty row gives None
    group = [i % 3 for i in range(len(hists))]
    merged = [Histogram.merged(h for h, g in zip(hists, group, strict=True) if g == k) for k in range(3)]
    grouped = table.grouped(np.array(group), 3)
    assert grouped.percentiles(50, 95, 99) == [m.percentiles(50, 95, 99) for m in merged]
    assert Histogram.table([]).percentiles(50) == []


def test_one_pause_is_its_own_p50_p95_and_max():
    # a GC log with a single 184.489 ms pause reported p50 = p95 = 186.0 ms, above the maximum
    hist = filled([184.489])
    assert hist.percentiles(0, 50, 95, 99, 100) == [184.489] * 5
    assert filled([7.0, 7.0, 7.0]).percentiles(1, 50, 95) == [7.0, 7.0, 7.0]


def _sample_sets(rng: random.Random):
    shapes = (
        lambda: rng.lognormvariate(3, 2),
        lambda: rng.choice([0.0, 0.004, 0.01, 1.0, 1.02, 250.0, 9000.0]),
        lambda: rng.uniform(0, 0.02),
        lambda: 10 ** rng.uniform(-4, 6),
    )
    for _ in range(400):
        shape = rng.choice(shapes)
        yield [shape() for _ in range(rng.choice((1, 2, 3, 5, 20, 300)))]


QS = (0, 0.1, 1, 5, 25, 50, 75, 90, 95, 99, 99.9, 100)


def test_property_percentiles_stay_within_min_and_max_and_grow_with_q():
    """Any sample set: every percentile lies in [min, max] and p is monotone in q, in the scalar form,
    merged from parts and in the table form."""
    rng = random.Random(11)
    for values in _sample_sets(rng):
        cut = rng.randrange(0, len(values) + 1)
        parts = [filled(values[:cut]), filled(values[cut:])]
        merged = Histogram.merged(parts)
        one = filled(values)
        table = Histogram.table([one, merged]).percentiles(*QS)
        for got in (one.percentiles(*QS), merged.percentiles(*QS), *table):
            assert all(p is not None and min(values) <= p <= max(values) for p in got), (values, got)
            assert got == sorted(got), (values, got)  # type: ignore[type-var]
        assert one.percentiles(*QS) == merged.percentiles(*QS) == table[0] == table[1]


def test_a_histogram_filled_without_add_still_caps_at_the_maximum():
    # the access readers add bucket counts in bulk and set only the maximum: no minimum is known
    hist = Histogram()
    hist.buckets = {200: 3}
    hist.count, hist.total, hist.max = 3, 30.0, 12.0
    assert hist.percentiles(50) == [12.0]
    assert Histogram.table([hist]).percentiles(50) == [[12.0]]
