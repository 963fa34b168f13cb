"""logs.gc.overhead: the share of time each node spent paused in GC, overall and in its worst bucket.

A healthy JVM spends a few per cent of its time in GC. Defaults (time share of stop-the-world
pauses): over the whole GC log, warning above 5 %, critical above 15 % (judged when the log spans at
least 10 minutes); in any one bucket of the series, warning above 15 %, critical above 40 %. With
G1 a Full GC is the fallback when concurrent collection cannot keep up, so any Full GC under G1 is a
warning too.
"""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import LogsCheck, SkipCheck, collected
from checks.context import LogsContext
from checks.finding import Category, Evidence, Finding, Severity
from checks.logs._common import (
    KB_GC_CONFLUENCE,
    KB_GC_TUNING,
    KB_HEAP_DUMPS,
    bucket_words,
    duration,
    plural,
    sources,
    when,
    worst,
)
from checks.metadata import CheckMeta
from collectors.logs.model import GcSummary

SHOWN_BUCKETS = 5
# Collectors for which a Full GC is a failure of the concurrent cycle rather than routine.
CONCURRENT_COLLECTORS = ("g1", "shenandoah", "zgc")


class LogsGcOverhead(LogsCheck):
    meta = CheckMeta(
        id="logs.gc.overhead",
        title="Time spent in GC",
        description=(
            "The share of time each node's JVM spent in stop-the-world GC pauses, over the whole GC log "
            "and in its worst bucket, with the Full GC count. A JVM busy collecting serves requests slowly."
        ),
        category=Category.PERFORMANCE,
        default_severity=Severity.WARNING,
        requires=("gc",),
        thresholds={
            "overall_warning_pct": 5,
            "overall_critical_pct": 15,
            "bucket_warning_pct": 15,
            "bucket_critical_pct": 40,
            "min_span_s": 600,
            "g1_full_gcs": 1,
        },
        references=(KB_GC_TUNING, KB_GC_CONFLUENCE, KB_HEAP_DUMPS),
    )

    def run(self, ctx: LogsContext) -> Iterator[Finding]:
        logs = ctx.logs
        gcs = collected(logs.gc, "GC logs")
        judged = [gc for gc in gcs if gc.pauses > 0]
        if not judged:
            raise SkipCheck("the GC logs held no pause in the window")
        for gc in sorted(judged, key=lambda g: g.node):
            yield self._node(ctx, gc, logs.bucket_s)

    def _node(self, ctx: LogsContext, gc: GcSummary, bucket_s: int) -> Finding:
        t = ctx.threshold
        source = sources(gc.files) if gc.files else f"GC log of {gc.node}"
        bucket = bucket_words(bucket_s)
        long_enough = gc.span_s is not None and gc.span_s >= t("min_span_s")
        overall = gc.overhead if long_enough else None
        buckets = sorted(gc.per_minute, key=lambda m: -m.share)
        top = buckets[0] if buckets else None
        busy = [m for m in buckets if m.share * 100 > t("bucket_warning_pct")]
        concurrent = (gc.collector or "").lower().startswith(CONCURRENT_COLLECTORS)

        severities = [Severity.OK]
        if overall is not None:
            severities.append(_level(overall * 100, t("overall_warning_pct"), t("overall_critical_pct")))
        if top is not None:
            severities.append(_level(top.share * 100, t("bucket_warning_pct"), t("bucket_critical_pct")))
        shares = worst(*severities)
        full_alarm = concurrent and gc.full_gcs >= t("g1_full_gcs")
        severity = worst(shares, Severity.WARNING if full_alarm else Severity.OK)

        parts = []
        if overall is not None:
            parts.append(
                f"{overall * 100:.1f} % of {duration(gc.span_s or 0)} was spent paused in GC "
                f"(warning above {t('overall_warning_pct'):g} %, critical above "
                f"{t('overall_critical_pct'):g} %)"
            )
        else:
            span = duration(gc.span_s) if gc.span_s is not None else "an unknown span"
            parts.append(
                f"the GC log spans {span}, too short to judge the overall share "
                f"(at least {duration(t('min_span_s'))} needed)"
            )
        if top is not None:
            parts.append(
                f"the worst {bucket} ({when(top.at)}) spent {top.share * 100:.0f} % paused "
                f"(warning above {t('bucket_warning_pct'):g} %); "
                f"{plural(len(busy), bucket)} above that"
            )
        collector = f" under {gc.collector}" if gc.collector else ""
        full = f"{plural(gc.full_gcs, 'Full GC')}{collector}"
        if full_alarm:
            full += (
                f" (with {gc.collector} a Full GC means concurrent collection could not keep up: "
                f"warning from {t('g1_full_gcs'):g})"
            )
        parts.append(full)
        message = f"On {gc.node}, " + "; ".join(parts) + "."

        evidence = [
            Evidence(
                label="share of time in GC",
                source=source,
                value=None if gc.overhead is None else round(gc.overhead, 4),
            ),
            Evidence(label="span s", value=gc.span_s, source=source),
            Evidence(label="total pause s", value=round(gc.total_pause_s, 3), source=source),
            Evidence(label="full GCs", value=gc.full_gcs, source=source),
            Evidence(label="collector", value=gc.collector, source=source),
        ]
        evidence += [
            Evidence(label=f"share of the {bucket}", value=round(m.share, 4), source=source, time=m.at)
            for m in buckets[:SHOWN_BUCKETS]
        ]
        if severity is Severity.OK:
            return ctx.ok("GC overhead is low", message, evidence=evidence, node=gc.node)
        return ctx.finding(
            severity,
            f"{gc.node} spends too much time in GC"
            if shares is not Severity.OK
            else f"Full GCs under {gc.collector} on {gc.node}",
            message,
            evidence=evidence,
            recommendation=(
                "A JVM that keeps collecting has too little free heap for its live data. Compare the busy "
                "buckets with the access and application logs (what ran then: reindex, big exports, an app "
                "job), check the heap floor (logs.gc.heap_floor) for a leak, and if the live set simply "
                "grew, raise -Xmx in steps of 1-2 GB while keeping it well below the host's RAM. Full GCs "
                "under G1 mean the concurrent cycle could not keep up: more heap, or a lower "
                "-XX:InitiatingHeapOccupancyPercent so marking starts earlier."
            ),
            node=gc.node,
        )


def _level(value_pct: float, warning: float, critical: float) -> Severity:
    if value_pct > critical:
        return Severity.CRITICAL
    return Severity.WARNING if value_pct > warning else Severity.OK
