"""Abnormal buckets, found by change: each series against its own baseline (median and MAD), so a
node that always logs fifty warnings a minute is not an incident, and one that suddenly logs ten
errors a minute is.

Each rule wants a change that is large both relative to the baseline and in absolute terms: a floor
keeps one person mistyping a password, or a lone 500, from counting.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from checks.incident.series import ALL, Series, Values

# Symptom names (the vocabulary of the cause classes' ``symptoms``) by series kind.
SYMPTOM_OF_KIND = {
    "5xx": "5xx",
    "p95": "latency",
    "401": "401",
    "4xx": "4xx",
    "signatures": "errors",
    "restarts": "restart",
    "drop": "node-silent",
    "failed_logins": "failed-logins",
    "log_errors": "errors",
    "gc_share": "gc-overhead",
    "silent": "node-silent",
}
# How much one abnormal bucket of each kind weighs when the window is found and its peak chosen.
WEIGHT = {
    "5xx": 3.0,
    "silent": 3.0,
    "drop": 2.0,
    "restarts": 3.0,
    "p95": 2.0,
    "401": 1.5,
    "4xx": 1.5,
    "failed_logins": 1.5,
    "signatures": 1.0,
    "log_errors": 1.0,
    "gc_share": 1.5,
}
DROP_SHARE = 0.25  # a node serving under a quarter of its usual requests is down or restarting
GC_SHARE_FLOOR = 0.25  # a quarter of the time paused


@dataclass(frozen=True)
class Baseline:
    median: float
    mad: float
    mean: float = 0.0  # a periodic burst (every third minute) has a median of 0, but not a mean of 0


@dataclass(frozen=True)
class Anomaly:
    kind: str
    node: str
    at: int  # bucket start, epoch seconds
    value: float
    expected: float

    @property
    def symptom(self) -> str:
        return SYMPTOM_OF_KIND[self.kind]

    @property
    def weight(self) -> float:
        return WEIGHT[self.kind]


def baseline_of(values: Values, buckets: Iterable[int]) -> Baseline:
    """Median and median absolute deviation over the given buckets (missing buckets count as 0)."""
    sample = [values.get(at, 0.0) for at in buckets]
    if not sample:
        return Baseline(0.0, 0.0)
    median = statistics.median(sample)
    return Baseline(median, statistics.median(abs(v - median) for v in sample), statistics.fmean(sample))


def _rate_abnormal(errors: float, requests: float, rate: float) -> tuple[bool, float]:
    expected = requests * max(rate, 0.001)
    abnormal = errors >= 3 and errors > expected + 4 * math.sqrt(expected + 1) and errors / requests > 0.02
    return abnormal, expected


def _count_abnormal(value: float, base: Baseline, floor: float) -> bool:
    return (
        value > base.median + max(floor, 6 * base.mad) and value > 3 * base.median and value > 4 * base.mean
    )


def find_anomalies(series: Series, baseline_buckets: Sequence[int], nodes: Iterable[str]) -> list[Anomaly]:
    """Abnormal (kind, node, bucket) cells over the whole evidence, judged against the baseline buckets."""
    found: list[Anomaly] = []
    for node in [*nodes, ALL]:
        requests = series.get("requests", node)
        errors = series.get("5xx", node)
        error_base = sum(errors.get(at, 0.0) for at in baseline_buckets)
        request_base = sum(requests.get(at, 0.0) for at in baseline_buckets)
        rate = error_base / request_base if request_base else 0.0
        for at, n in errors.items():
            served = requests.get(at, 0.0)
            if served:
                abnormal, expected = _rate_abnormal(n, served, rate)
                if abnormal:
                    found.append(Anomaly("5xx", node, at, n, expected))
        latency = series.get("p95", node)
        if latency:
            served_base = [at for at in baseline_buckets if at in latency]
            base = baseline_of(latency, served_base)
            limit = max(2 * base.median, base.median + 6 * base.mad, base.median + 200)
            slow = {
                at
                for at, p95 in latency.items()
                if base.median and p95 > limit and requests.get(at, 0.0) >= 3
            }
            step = series.bucket_s
            for at in sorted(slow):
                if at - step in slow or at + step in slow:  # sustained: one slow bucket is the tail's noise
                    found.append(Anomaly("p95", node, at, latency[at], base.median))
        counted = (
            ("401", 5.0),
            ("4xx", 5.0),
            ("failed_logins", 5.0),
            ("log_errors", 10.0),
            ("signatures", 2.0),
        )
        for kind, floor in counted:
            values = series.get(kind, node)
            if not values:
                continue
            base = baseline_of(values, baseline_buckets)
            for at, v in values.items():
                if _count_abnormal(v, base, floor):
                    found.append(Anomaly(kind, node, at, v, base.median))
        shares = series.get("gc_share", node)
        if shares and node != ALL:
            base = baseline_of(shares, [at for at in baseline_buckets if at in shares])
            for at, share in shares.items():
                if share > max(GC_SHARE_FLOOR, 3 * base.median):
                    found.append(Anomaly("gc_share", node, at, share, base.median))
        if node != ALL:
            found += _silences(series, node, baseline_buckets)
            found += _drops(series, node, baseline_buckets)
        # a start is abnormal wherever it happens: on its node and for the fleet
        found += [Anomaly("restarts", node, at, n, 0.0) for at, n in series.get("restarts", node).items()]
    return sorted(found, key=lambda a: (a.at, a.node, a.kind))


def _silences(series: Series, node: str, baseline_buckets: Sequence[int]) -> list[Anomaly]:
    """Buckets in which a node that normally serves and logs said nothing while others went on: a node
    that is down, hung or cut off. Its silence after its last line counts while the others still log."""
    activity = series.get("log_events", node) or series.get("requests", node)
    others = [n for n in series.nodes if n != node and n != ALL]
    if not activity or not others or series.first is None or series.last is None:
        return []
    base = baseline_of(activity, baseline_buckets)
    if base.median < 5:
        return []
    fleet = series.get("log_events") or series.get("requests")
    silent = []
    for at in series.buckets():
        if activity.get(at, 0.0) == 0 and fleet.get(at, 0.0) > 0:
            silent.append(Anomaly("silent", node, at, 0.0, base.median))
    return silent


def _drops(series: Series, node: str, baseline_buckets: Sequence[int]) -> list[Anomaly]:
    """Buckets in which a node served far fewer requests than it usually does (a restart, a node the
    load balancer took out); silence is told apart above."""
    requests = series.get("requests", node)
    if not requests:
        return []
    base = baseline_of(requests, baseline_buckets)
    if base.median < 10:
        return []
    return [
        Anomaly("drop", node, at, served, base.median)
        for at, served in requests.items()
        if 0 < served < DROP_SHARE * base.median
    ]
