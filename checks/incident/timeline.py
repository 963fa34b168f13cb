"""The timeline: events from every node and source in time order. Repeats are folded: a storm of
5,000 identical errors on one node is one event with its count, first and last; the same thing
resuming after a quiet spell (``EPISODE_GAP_S``) is a new event."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from checks.incident.anomalies import Anomaly
from checks.incident.model import EventSeverity, TimelineEvent
from checks.incident.scene import Scene
from collectors.logs.model import LogSample, MinuteCount, NodeCount

EPISODE_GAP_S = 600
BEFORE_S = 2 * 3600  # how far before the incident the timeline reaches (decoys live here)
AFTER_S = 3600
MAX_EVENTS = 400
LONG_PAUSE_MS = 2000.0
DETAIL_LINES = 3
# Outside the incident's region, the timeline keeps what a reader would weigh as a possible cause
# (a slow GC pause, a restart, a signature, an attack) and storms, not every stray exception.
OUTSIDE_KINDS = frozenset({"signature", "gc", "restart", "failed-logins", "host", "thread-dump"})
OUTSIDE_MIN_COUNT = 5

_SEVERITY: dict[str, EventSeverity] = {"info": "info", "warning": "warning", "critical": "critical"}
_ANOMALY_SOURCE = {
    "gc_share": "gc log",
    "silent": "logs",
    "log_errors": "logs",
    "failed_logins": "security log",
}
_ANOMALY_TEXT: dict[str, tuple[str, EventSeverity, str]] = {
    "5xx": ("5xx", "critical", "server errors: {value:,.0f} in the worst bucket (baseline {expected:,.1f})"),
    "p95": ("latency", "warning", "p95 latency up to {value:,.0f} ms (baseline {expected:,.0f} ms)"),
    "401": ("401", "warning", "401 answers up to {value:,.0f} a bucket (baseline {expected:,.1f})"),
    "failed_logins": (
        "failed-logins",
        "warning",
        "failed logins up to {value:,.0f} a bucket (baseline {expected:,.1f})",
    ),
    "log_errors": ("errors", "warning", "ERROR lines up to {value:,.0f} a bucket (baseline {expected:,.1f})"),
    "gc_share": ("gc", "warning", "GC pauses took up to {value:.0%} of the time (baseline {expected:.0%})"),
    "silent": ("silent", "critical", "logged nothing while the other nodes went on"),
    "4xx": (
        "4xx",
        "warning",
        "client errors (not 401) up to {value:,.0f} a bucket (baseline {expected:,.1f})",
    ),
    "drop": ("drop", "warning", "served {value:,.0f} requests a bucket (usually {expected:,.0f})"),
}


def _episodes(series: Sequence[MinuteCount], epoch_of: Iterable[float]) -> list[tuple[float, float, int]]:
    episodes: list[list[float]] = []
    for m, at in sorted(zip(series, epoch_of, strict=True), key=lambda p: p[1]):
        if episodes and at - episodes[-1][1] <= EPISODE_GAP_S:
            episodes[-1][1] = at
            episodes[-1][2] += m.count
        else:
            episodes.append([at, at, float(m.count)])
    return [(a, b, int(n)) for a, b, n in episodes]


def _node_episodes(scene: Scene, nc: NodeCount) -> list[tuple[float, float, int]]:
    minutes = nc.per_minute or ([MinuteCount(at=nc.first_at, count=nc.count)] if nc.first_at else [])
    return _episodes(minutes, [scene.clocks.epoch(nc.node, m.at) for m in minutes])


def _detail(samples: Iterable[LogSample], node: str) -> list[str]:
    return [s.text for s in samples if s.node == node][:DETAIL_LINES]


def build_timeline(scene: Scene) -> list[TimelineEvent]:
    lo, hi = scene.region[0] - BEFORE_S + 900, scene.region[1] + AFTER_S
    events: list[TimelineEvent] = []

    def add(
        first: float,
        last: float,
        node: str | None,
        source: str,
        kind: str,
        severity: EventSeverity,
        summary: str,
        count: int = 1,
        detail: list[str] | None = None,
    ) -> None:
        if last < lo or first > hi:
            return
        outside = last < scene.region[0] or first >= scene.region[1]
        if outside and severity != "critical" and count < OUTSIDE_MIN_COUNT and kind not in OUTSIDE_KINDS:
            return  # the odd exception before or after: every healthy node has them
        start, end = _at(first), _at(last)
        events.append(
            TimelineEvent(
                at=start,
                node=node,
                source=source,
                kind=kind,
                severity=severity,
                summary=summary,
                count=count,
                first=start,
                last=end,
                detail=detail or [],
            )
        )

    for analysis in scene.analyses:
        for hit in analysis.signatures:
            if hit.signature.startswith("restart."):
                continue  # told by the restart events below
            severity = _SEVERITY.get(hit.severity, "warning")
            for nc in hit.by_node:
                for first, last, n in _node_episodes(scene, nc):
                    add(
                        first,
                        last,
                        nc.node,
                        "application log",
                        "signature",
                        severity,
                        hit.title or hit.signature,
                        n,
                        _detail(hit.samples, nc.node),
                    )
        for group in analysis.exceptions:
            for nc in group.by_node:
                for first, last, n in _node_episodes(scene, nc):
                    thrown = f" thrown as {group.thrown_as[0]}" if group.thrown_as else ""
                    add(
                        first,
                        last,
                        nc.node,
                        "application log",
                        "exception",
                        "warning",
                        f"{group.root_cause}{thrown}",
                        n,
                        [group.sample] if group.sample else [],
                    )
        for restart in analysis.restarts:
            if restart.at is not None:
                at = scene.clocks.epoch(restart.node, restart.at)
                stop = "stopping" in restart.signature or "shut_down" in restart.signature
                add(
                    at,
                    at,
                    restart.node,
                    "application log",
                    "restart",
                    "warning" if not stop else "info",
                    "product stopping" if stop else "product starting",
                    1,
                    [restart.text],
                )
        for gc in analysis.gc or []:
            for pause in gc.longest:
                if pause.at is not None and pause.pause_ms >= LONG_PAUSE_MS:
                    at = scene.clocks.epoch(gc.node, pause.at)
                    add(
                        at,
                        at,
                        gc.node,
                        "gc log",
                        "gc",
                        "critical" if pause.full else "warning",
                        f"{pause.kind}: {pause.pause_ms / 1000:,.1f} s stop-the-world",
                    )
        if analysis.security is not None:
            for burst in analysis.security.bursts:
                add(
                    burst.start.timestamp(),
                    burst.end.timestamp(),
                    None,
                    "security log",
                    "failed-logins",
                    "critical" if burst.kind != "stale-password" else "warning",
                    f"{burst.kind}: {burst.failures:,} failed logins "
                    f"({', '.join(burst.addresses[:3])} against {', '.join(burst.users[:3])})",
                    burst.failures,
                )
    for node, kind, runs in _anomaly_runs(scene.anomalies):
        if kind not in _ANOMALY_TEXT:
            continue  # signature storms and restarts are events of their own above
        label, severity, text = _ANOMALY_TEXT[kind]
        for run in runs:
            worst = max(run, key=lambda a: a.value)
            add(
                run[0].at,
                run[-1].at + scene.series.bucket_s,
                None if node == "*" else node,
                _ANOMALY_SOURCE.get(kind, "access log"),
                label,
                severity,
                ("all nodes: " if node == "*" else "")
                + text.format(value=worst.value, expected=worst.expected),
                len(run),
            )
    for host in scene.hosts:
        if host.customer != scene.customer:
            continue
        for oom in host.oom_events or []:
            if oom.at is not None:
                add(
                    oom.at.timestamp(),
                    oom.at.timestamp(),
                    host.name,
                    "host kernel log",
                    "host",
                    "critical",
                    f"OOM killer killed {oom.process or 'a process'} (pid {oom.pid})",
                )
        for dump in host.thread_dumps or []:
            add(
                dump.taken_at.timestamp(),
                dump.taken_at.timestamp(),
                host.name,
                "thread dump",
                "thread-dump",
                "info",
                f"thread dump of JVM {dump.pid}",
            )
    events.sort(key=lambda e: (e.at, _RANK[e.severity], e.node or ""))
    if len(events) > MAX_EVENTS:  # keep the most severe, then the biggest, in time order
        kept = sorted(events, key=lambda e: (_RANK[e.severity], -e.count))[:MAX_EVENTS]
        events = sorted(kept, key=lambda e: (e.at, _RANK[e.severity], e.node or ""))
    return events


_RANK = {"critical": 0, "warning": 1, "info": 2}


def _anomaly_runs(anomalies: Iterable[Anomaly]) -> list[tuple[str, str, list[list[Anomaly]]]]:
    grouped: dict[tuple[str, str], list[Anomaly]] = defaultdict(list)
    for a in anomalies:
        grouped[(a.node, a.kind)].append(a)
    result = []
    for (node, kind), items in grouped.items():
        runs: list[list[Anomaly]] = []
        for a in sorted(items, key=lambda a: a.at):
            if runs and a.at - runs[-1][-1].at <= EPISODE_GAP_S:
                runs[-1].append(a)
            else:
                runs.append([a])
        result.append((node, kind, runs))
    return result


def _at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)
