"""Turning the merged accumulators into the LogAnalysis of the snapshot, at the very end."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from collectors.logs.app_scan import AppAccumulator, ExceptionTally, HitTally
from collectors.logs.model import (
    ExceptionGroup,
    LevelMinute,
    LogAnalysis,
    LogFileSummary,
    LogSample,
    MinuteCount,
    NodeCount,
    NodeLevels,
    RestartEvent,
    SignatureHit,
    ThreadDumpFile,
)
from collectors.logs.patterns import ScanPattern
from collectors.logs.tally import FileTally
from collectors.logs.timestamps import bucket_of, choose_bucket, to_datetime

TOP_EXCEPTIONS = 20
_SEVERITY_RANK = {"critical": 0, "warning": 1, "info": 2}


def build_analysis(
    *,
    customer: str,
    files: Sequence[FileTally],
    accumulators: Mapping[str, Any],
    patterns: Sequence[ScanPattern],
    since: datetime | None,
    until: datetime | None,
    elapsed_s: float,
) -> LogAnalysis:
    firsts = [f.stats.first for f in files if f.stats.first is not None]
    lasts = [f.stats.last for f in files if f.stats.last is not None]
    first, last = (min(firsts) if firsts else None), (max(lasts) if lasts else None)
    bucket_s = choose_bucket(first, last)
    app: AppAccumulator = accumulators.get("application") or AppAccumulator()
    by_id = {p.id: p for p in patterns}
    analysis = LogAnalysis(
        customer=customer,
        since=since,
        until=until,
        first_at=to_datetime(first),
        last_at=to_datetime(last),
        bucket_s=bucket_s,
        engine=app.engine,
        bytes_read=sum(f.size_bytes for f in files),
        elapsed_s=round(elapsed_s, 3),
        files=file_summaries(files),
        nodes=sorted({f.node for f in files if f.duplicate_of is None}),
        signatures=_signatures(app.hits, by_id, bucket_s),
        levels=_levels(app.levels, bucket_s),
        node_levels=[
            NodeLevels(node=node, per_minute=_levels(minutes, bucket_s))
            for node, minutes in sorted(app.node_levels.items())
            if minutes
        ],
        exceptions=_exceptions(app.exceptions, bucket_s),
        restarts=[
            RestartEvent(at=to_datetime(at), node=node, signature=sig, text=text)
            for at, node, sig, text in sorted(app.restarts, key=lambda r: (r[0] is None, r[0] or 0, r[1]))
        ],
    )
    for acc in accumulators.values():  # caps that made counts approximate (pruned users, addresses ...)
        for limit in getattr(acc, "limits", list)():
            if limit not in analysis.limits_hit:
                analysis.limits_hit.append(limit)
    if "gc" in accumulators:
        analysis.gc = accumulators["gc"].summaries(bucket_s)
    if "access" in accumulators:
        analysis.access = accumulators["access"].summaries(bucket_s)
    if "security" in accumulators:
        analysis.security = accumulators["security"].summary(bucket_s)
    if "thread-dump" in accumulators:
        analysis.thread_dumps = [
            ThreadDumpFile(path=f.path, node=f.node, text=f.text, truncated=f.truncated)
            for f in accumulators["thread-dump"].texts()
        ]
    return analysis


def file_summaries(files: Sequence[FileTally]) -> list[LogFileSummary]:
    return [
        LogFileSummary(
            path=t.path,
            node=t.node,
            kind=t.kind,
            size_bytes=t.size_bytes,
            lines=t.stats.lines,
            events=t.stats.events,
            unparsed_lines=t.stats.unparsed,
            first_at=to_datetime(t.stats.first),
            last_at=to_datetime(t.stats.last),
            problem=t.problem,
            problem_detail=t.detail,
            duplicate_of=t.duplicate_of,
            notes=list(t.stats.notes),
        )
        for t in sorted(files, key=lambda f: (f.node, f.path))
    ]


def _per_bucket(per_minute: Mapping[int, int], bucket_s: int) -> list[MinuteCount]:
    rolled: dict[int, int] = {}
    for minute, n in per_minute.items():
        key = bucket_of(minute, bucket_s)
        rolled[key] = rolled.get(key, 0) + n
    return [MinuteCount(at=to_datetime(k), count=n) for k, n in sorted(rolled.items())]


def _by_node(tally: HitTally, bucket_s: int) -> list[NodeCount]:
    return [
        NodeCount(
            node=node,
            count=t.count,
            first_at=to_datetime(t.first),
            last_at=to_datetime(t.last),
            per_minute=_per_bucket(t.per_minute, bucket_s),
        )
        for node, t in sorted(tally.by_node.items())
    ]


def _samples(tally: HitTally) -> list[LogSample]:
    return [
        LogSample(at=to_datetime(at), node=node, file=path, text=text)
        for at, node, path, text in tally.samples
    ]


def _signatures(
    hits: Mapping[str, HitTally], by_id: Mapping[str, ScanPattern], bucket_s: int
) -> list[SignatureHit]:
    found = []
    for sig, tally in hits.items():
        info = by_id[sig].info if sig in by_id else {}
        found.append(
            SignatureHit(
                signature=sig,
                count=tally.count,
                first_at=to_datetime(tally.first),
                last_at=to_datetime(tally.last),
                nodes=sorted(tally.nodes),
                files=sorted(tally.files),
                samples=_samples(tally),
                per_minute=_per_bucket(tally.per_minute, bucket_s),
                by_node=_by_node(tally, bucket_s),
                title=info.get("title", sig),
                severity=info.get("severity", "warning"),
                cause=info.get("cause", ""),
                explanation=info.get("explanation", ""),
                recommendation=info.get("recommendation", ""),
                kb=info.get("kb") or None,
            )
        )
    return sorted(found, key=lambda h: (_SEVERITY_RANK.get(h.severity, 3), -h.count, h.signature))


def _levels(levels: Mapping[int, list[int]], bucket_s: int) -> list[LevelMinute]:
    rolled: dict[int, list[int]] = {}
    for minute, row in levels.items():
        into = rolled.setdefault(bucket_of(minute, bucket_s), [0, 0, 0, 0])
        for i, n in enumerate(row):
            into[i] += n
    return [
        LevelMinute(at=to_datetime(k), total=max(r[0], r[1] + r[2] + r[3]), warn=r[1], error=r[2], fatal=r[3])
        for k, r in sorted(rolled.items())
    ]


def _exceptions(exceptions: Mapping[str, ExceptionTally], bucket_s: int) -> list[ExceptionGroup]:
    top = sorted(exceptions.items(), key=lambda item: (-item[1].count, item[0]))[:TOP_EXCEPTIONS]
    return [
        ExceptionGroup(
            root_cause=name,
            count=t.count,
            first_at=to_datetime(t.first),
            last_at=to_datetime(t.last),
            nodes=sorted(t.nodes),
            thrown_as=[k for k, _ in sorted(t.thrown_as.items(), key=lambda kv: -kv[1])][:5],
            sample=t.samples[0][3] if t.samples else None,
            by_node=_by_node(t, bucket_s),
        )
        for name, t in top
    ]
