"""The incident's window: abnormal buckets that come together, the most serious group of them.

Buckets with anomalies are grouped when no more than ``MAX_GAP_S`` separates them; the group with the
greatest weight is the incident (a lone slow GC pause an hour earlier makes a small group of its own).
The baseline is every bucket before the group (at least ``MIN_BASELINE`` of them); with too little
before it, the buckets outside the group serve. Anomalies are found again against that baseline, so an
incident that fills half the evidence does not hide in its own median.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from checks.incident.anomalies import Anomaly, find_anomalies
from checks.incident.series import Series

MAX_GAP_S = 300
MIN_WEIGHT = 4.0  # less than this is a blip, not an incident
MIN_BASELINE = 15
# What users feel; a node that only logs its own errors served fine (and may hold a decoy).
FELT = frozenset({"5xx", "p95", "401", "4xx", "failed_logins", "silent", "drop"})


@dataclass(frozen=True)
class Window:
    start: int  # first abnormal bucket, epoch seconds
    end: int | None  # end of the last abnormal bucket; None: still abnormal at the end of the evidence
    peak: int
    anomalies: tuple[Anomaly, ...]  # those of the group, the signals before the felt start included
    baseline: tuple[int, ...]  # the buckets the anomalies were judged against
    weight: float


def _groups(anomalies: Sequence[Anomaly], bucket_s: int) -> list[list[Anomaly]]:
    groups: list[list[Anomaly]] = []
    for anomaly in sorted(anomalies, key=lambda a: a.at):
        if groups and anomaly.at - groups[-1][-1].at <= max(MAX_GAP_S, 3 * bucket_s):
            groups[-1].append(anomaly)
        else:
            groups.append([anomaly])
    return groups


def _weight(group: Sequence[Anomaly]) -> float:
    # Per bucket and kind, a storm on three nodes counts more than on one, but not three times as much.
    cells: dict[tuple[int, str], float] = defaultdict(float)
    for a in group:
        cells[(a.at, a.kind)] += a.weight * (1.0 if a.node == "*" else 0.5)
    return sum(cells.values())


def _peak(group: Sequence[Anomaly]) -> int:
    by_bucket: dict[int, float] = defaultdict(float)
    for a in group:
        # log of the excess: a bucket with twice the errors outranks, but one kind cannot drown the rest
        by_bucket[a.at] += a.weight * math.log1p(a.value / (a.expected + 1.0))
    return max(by_bucket, key=lambda at: (by_bucket[at], -at))


def _best(series: Series, baseline: Sequence[int]) -> tuple[list[Anomaly], float] | None:
    anomalies = find_anomalies(series, baseline, sorted(series.nodes - {"*"}))
    weighted = [(g, _weight(g)) for g in _groups(anomalies, series.bucket_s)]
    weighted = [(g, w) for g, w in weighted if w >= MIN_WEIGHT]
    if not weighted:
        return None
    return max(weighted, key=lambda gw: (gw[1], -gw[0][0].at))


def find_window(series: Series) -> Window | None:
    buckets = list(series.buckets())
    if not buckets:
        return None
    best = _best(series, buckets)  # first pass: the whole evidence as its own baseline
    if best is None:
        return None
    for _ in range(2):  # then against the buckets before the incident
        group = best[0]
        start, stop = group[0].at, group[-1].at
        before = [at for at in buckets if at < start - series.bucket_s]
        baseline = (
            before if len(before) >= MIN_BASELINE else [at for at in buckets if not start <= at <= stop]
        )
        again = _best(series, baseline)
        if again is None:
            return None
        best = again
    group, weight = best
    # It starts with the first abnormal sign (with little traffic, users' errors lag the cause's own
    # lines), and ends with what users felt: a cause's lines may run on after service came back.
    felt = [a for a in group if a.kind in FELT] or group
    start, last = group[0].at, felt[-1].at
    before = [at for at in buckets if at < start - series.bucket_s]
    baseline = before if len(before) >= MIN_BASELINE else [at for at in buckets if not start <= at <= last]
    end: int | None = last + series.bucket_s
    if series.last is not None and last >= series.last - series.bucket_s:
        end = None
    return Window(start, end, _peak(group), tuple(group), tuple(baseline), weight)


def given_window(series: Series, start: int, end: int | None) -> Window:
    """The window the user named; its anomalies are still found, against the buckets before it."""
    buckets = list(series.buckets())
    before = [at for at in buckets if at < start]
    baseline = before or [at for at in buckets if at >= (end or start)]
    anomalies = [
        a
        for a in find_anomalies(series, baseline, sorted(series.nodes - {"*"}))
        if start <= a.at and (end is None or a.at < end)
    ]
    peak = _peak(anomalies) if anomalies else start
    return Window(start, end, peak, tuple(anomalies), tuple(baseline), _weight(anomalies))
