"""Every log's per-node figures as series on one clock: one value per node, kind and bucket.

Kinds: ``requests``, ``5xx``, ``401``, ``4xx`` (other client errors: 403 from a locked licence, 404
from a broken app), ``p95`` (ms), ``log_errors`` (ERROR and FATAL events), ``log_events`` (all
events), ``signatures`` (lines of warning and critical knowledge-base signatures, start and stop
markers aside), ``restarts`` (product starts), ``failed_logins`` and ``gc_share`` (share of the bucket
spent in GC pauses). Node ``*`` holds the sum over the nodes (for ``p95``, the request-weighted mean
of the nodes' p95s: a fleet p95 cannot be had from per-node percentiles, so it is an estimate).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from checks.incident.clock import NodeClocks
from collectors.logs.model import LogAnalysis

ALL = "*"
SUMMED = frozenset(
    {"requests", "5xx", "401", "4xx", "log_errors", "log_events", "signatures", "restarts", "failed_logins"}
)

Values = dict[int, float]  # bucket start (epoch seconds) -> value


@dataclass
class Series:
    bucket_s: int
    # kind -> node -> values
    data: dict[str, dict[str, Values]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(dict)))
    nodes: set[str] = field(default_factory=set)
    first: int | None = None  # first and last bucket with any evidence
    last: int | None = None

    def bucket(self, epoch: float) -> int:
        return int(epoch // self.bucket_s) * self.bucket_s

    def add(self, kind: str, node: str, epoch: float, value: float) -> None:
        at = self.bucket(epoch)
        values = self.data[kind][node]
        values[at] = values.get(at, 0.0) + value
        self.nodes.add(node)
        self.first = at if self.first is None else min(self.first, at)
        self.last = at if self.last is None else max(self.last, at)

    def get(self, kind: str, node: str = ALL) -> Values:
        return self.data.get(kind, {}).get(node, {})

    def buckets(self) -> range:
        if self.first is None or self.last is None:
            return range(0)
        return range(self.first, self.last + self.bucket_s, self.bucket_s)

    def has(self, kind: str) -> bool:
        return any(self.data.get(kind, {}).values())

    def total(self, kind: str, node: str, start: int, end: int) -> float:
        """Sum over buckets in [start, end)."""
        return sum(v for at, v in self.get(kind, node).items() if start <= at < end)

    def node_span(self, node: str) -> tuple[int, int] | None:
        """First and last bucket in which the node logged anything at all."""
        seen = [at for kind in self.data for at in self.data[kind].get(node, {})]
        return (min(seen), max(seen)) if seen else None


def build_series(analyses: Iterable[LogAnalysis], clocks: NodeClocks) -> Series:
    analyses = list(analyses)
    bucket_s = max((a.bucket_s for a in analyses), default=60)
    series = Series(bucket_s)
    p95_weighted: dict[tuple[str, int], list[float]] = defaultdict(lambda: [0.0, 0.0])  # node, at -> [sum, n]
    for analysis in analyses:
        for levels in analysis.node_levels:
            for lm in levels.per_minute:
                at = clocks.epoch(levels.node, lm.at)
                series.add("log_events", levels.node, at, lm.total)
                series.add("log_errors", levels.node, at, lm.error + lm.fatal)
        for access in analysis.access or []:
            for node_access in access.per_node:
                node = node_access.node
                for m in node_access.per_minute:
                    at = clocks.epoch(node, m.at)
                    series.add("requests", node, at, m.requests)
                    series.add("5xx", node, at, m.status_5xx)
                    series.add("401", node, at, m.status_401)
                    series.add("4xx", node, at, m.status_4xx - m.status_401)
                    if m.p95_ms is not None and m.requests:
                        cell = p95_weighted[(node, series.bucket(at))]
                        cell[0] += m.p95_ms * m.requests
                        cell[1] += m.requests
        for hit in analysis.signatures:
            if hit.signature.startswith("restart.") or hit.severity not in ("warning", "critical"):
                continue
            for nc in hit.by_node:
                for mc in nc.per_minute:
                    series.add("signatures", nc.node, clocks.epoch(nc.node, mc.at), mc.count)
        for restart in analysis.restarts:
            if restart.at is not None and "starting" in restart.signature:
                series.add("restarts", restart.node, clocks.epoch(restart.node, restart.at), 1)
        if analysis.security is not None:
            for logins in analysis.security.per_node:
                for lm2 in logins.per_minute:
                    series.add("failed_logins", logins.node, clocks.epoch(logins.node, lm2.at), lm2.failed)
        for gc in analysis.gc or []:
            for gm in gc.per_minute:
                series.add("gc_share", gc.node, clocks.epoch(gc.node, gm.at), gm.share)
    fleet: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for (node, at), (weighted, n) in p95_weighted.items():
        series.data["p95"][node][at] = weighted / n
        fleet[at][0] += weighted
        fleet[at][1] += n
    series.data["p95"][ALL].update({at: weighted / n for at, (weighted, n) in fleet.items()})
    for kind in SUMMED:
        totals: Values = {}
        for node, values in list(series.data.get(kind, {}).items()):
            if node == ALL:
                continue
            for at, v in values.items():
                totals[at] = totals.get(at, 0.0) + v
        if totals:
            series.data[kind][ALL] = totals
    return series
