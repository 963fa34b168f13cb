"""What the investigation knows once the window is found: the evidence, its clock, the window, and
the region in which a cause must have shown itself (it may come up to ``LEAD_S`` before the symptoms)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from checks.incident.anomalies import Anomaly
from checks.incident.clock import NodeClocks
from checks.incident.series import Series
from checks.incident.window import Window
from collectors.hosts.model import HostSnapshot
from collectors.logs.model import LogAnalysis, MinuteCount, NodeCount
from collectors.model import InstanceSnapshot

LEAD_S = 15 * 60  # a cause may show this long before its first symptom (errors build up before 5xx)


@dataclass
class Scene:
    customer: str
    analyses: Sequence[LogAnalysis]
    hosts: Sequence[HostSnapshot]
    instances: Sequence[InstanceSnapshot]
    clocks: NodeClocks
    series: Series
    window: Window
    affected: set[str] = field(default_factory=set)  # nodes with symptoms in the window

    @property
    def region(self) -> tuple[float, float]:
        end = (
            self.window.end if self.window.end is not None else (self.series.last or 0) + self.series.bucket_s
        )
        return self.window.start - LEAD_S, float(end)

    def in_region(self, epoch: float) -> bool:
        start, end = self.region
        return start <= epoch < end

    def baseline_buckets(self) -> int:
        return max(1, len(self.window.baseline))

    def region_buckets(self) -> int:
        start, end = self.region
        return max(1, int((end - start) // self.series.bucket_s))

    @property
    def anomalies(self) -> tuple[Anomaly, ...]:
        return self.window.anomalies

    def symptoms(self) -> set[str]:
        return {a.symptom for a in self.window.anomalies}


@dataclass(frozen=True)
class Occurrences:
    """How often a thing happened in the region and in the baseline, and where it first did."""

    count: int
    first: float | None
    nodes: frozenset[str]
    baseline_count: int

    def background(self, scene: Scene) -> float:
        """Baseline rate over region rate: 0 for something new, 1 or more for something always there."""
        if self.count == 0:
            return 1.0 if self.baseline_count else 0.0
        region_rate = self.count / scene.region_buckets()
        return (self.baseline_count / scene.baseline_buckets()) / region_rate


def occurrences(
    scene: Scene, by_node: Sequence[NodeCount], fallback: Sequence[MinuteCount] = ()
) -> Occurrences:
    baseline = set(scene.window.baseline)
    count = base = 0
    first: float | None = None
    nodes: set[str] = set()
    for nc in by_node:
        for m in nc.per_minute or _whole(nc):
            at = scene.clocks.epoch(nc.node, m.at)
            if scene.in_region(at):
                count += m.count
                nodes.add(nc.node)
                first = at if first is None else min(first, at)
            elif scene.series.bucket(at) in baseline:
                base += m.count
    if not by_node:  # an analysis without per-node figures: all nodes together
        for m in fallback:
            at = m.at.timestamp()
            if scene.in_region(at):
                count += m.count
                first = at if first is None else min(first, at)
            elif scene.series.bucket(at) in baseline:
                base += m.count
    return Occurrences(count, first, frozenset(nodes), base)


def _whole(nc: NodeCount) -> list[MinuteCount]:
    """A node's count without its series: placed at its first sighting."""
    at = nc.first_at or nc.last_at
    return [] if at is None else [MinuteCount(at=at, count=nc.count)]


def iso(epoch: float | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC)
