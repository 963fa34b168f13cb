"""logs.gc.pauses: the longest stop-the-world GC pause of each node, against ATST's limits.

ATST's GC health check calls a pause over 5 s major and over 30 s critical: while the JVM is
paused no request on that node moves, and load balancers may take the node out.
"""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import LogsCheck, SkipCheck, collected
from checks.context import LogsContext
from checks.finding import Category, Evidence, Finding, Severity
from checks.logs._common import KB_GC_CONFLUENCE, KB_GC_TUNING, KB_HEAP_DUMPS, plural, sources, when
from checks.metadata import CheckMeta
from collectors.logs.model import GcSummary

SHOWN_PAUSES = 10


class LogsGcPauses(LogsCheck):
    meta = CheckMeta(
        id="logs.gc.pauses",
        title="Long GC pauses",
        description=(
            "The longest stop-the-world garbage-collection pauses of each node in its GC log. ATST's limits: "
            "over 5 s is major, over 30 s critical; every request on the node waits out the pause."
        ),
        category=Category.PERFORMANCE,
        default_severity=Severity.WARNING,
        requires=("gc",),
        thresholds={"warning_s": 5, "critical_s": 30},
        references=(KB_GC_TUNING, KB_GC_CONFLUENCE, KB_HEAP_DUMPS),
    )

    def run(self, ctx: LogsContext) -> Iterator[Finding]:
        logs = ctx.logs
        gcs = collected(logs.gc, "GC logs")
        if not gcs:
            raise SkipCheck("the GC logs held no collection in the window")
        for gc in sorted(gcs, key=lambda g: g.node):
            yield self._node(ctx, gc)

    def _node(self, ctx: LogsContext, gc: GcSummary) -> Finding:
        warning_s = ctx.threshold("warning_s")
        critical_s = ctx.threshold("critical_s")
        source = sources(gc.files) if gc.files else f"GC log of {gc.node}"
        if gc.pauses == 0 or gc.max_ms is None:
            return ctx.ok(
                "No GC pause in the window",
                f"The GC log of {gc.node} shows no pause in the window.",
                evidence=[Evidence(label="pauses", value=0, source=source)],
                node=gc.node,
            )
        longest = sorted(gc.longest, key=lambda p: -p.pause_ms)
        top = longest[0] if longest else None
        max_s = gc.max_ms / 1000
        evidence = [
            Evidence(label="pauses", value=gc.pauses, source=source),
            Evidence(label="p50 ms", value=_ms(gc.p50_ms), source=source),
            Evidence(label="p95 ms", value=_ms(gc.p95_ms), source=source),
            Evidence(label="max ms", value=_ms(gc.max_ms), source=source, time=top.at if top else None),
            Evidence(label="full GCs", value=gc.full_gcs, source=source),
            Evidence(label="collector", value=gc.collector, source=source),
        ]
        evidence += [
            Evidence(label=f"pause s: {p.kind}", value=round(p.pause_ms / 1000, 3), source=source, time=p.at)
            for p in longest[:SHOWN_PAUSES]
        ]
        what = f" ({top.kind} at {when(top.at, seconds=True)})" if top else ""
        spread = f"p50 {gc.p50_ms or 0:,.0f} ms, p95 {gc.p95_ms or 0:,.0f} ms over {gc.pauses:,} pauses"
        if max_s <= warning_s:
            return ctx.ok(
                "GC pauses are short",
                f"The longest GC pause on {gc.node} was {max_s:.2f} s{what}, within the {warning_s:g} s "
                f"limit ({spread}).",
                evidence=evidence,
                node=gc.node,
            )
        critical = max_s > critical_s
        severity, limit = (Severity.CRITICAL, critical_s) if critical else (Severity.WARNING, warning_s)
        over = [p for p in longest if p.pause_ms / 1000 > warning_s]
        counted = f"{len(over)} of the {len(longest)} longest pauses" if longest else "pauses"
        full = f"; {plural(gc.full_gcs, 'Full GC')} in the window" if gc.full_gcs else ""
        return ctx.finding(
            severity,
            f"GC paused {gc.node} for {max_s:.1f} s",
            f"The longest GC pause on {gc.node} was {max_s:.1f} s{what}, over the {limit:g} s "
            f"{severity.value} limit; {counted} took over {warning_s:g} s ({spread}){full}.",
            evidence=evidence,
            recommendation=(
                "Every request on the node waits out a stop-the-world pause. Full GCs mean the old "
                "generation filled up: the heap is too small for the live data or something leaks (see "
                "logs.gc.heap_floor and take a heap dump before the next Full GC). Long young pauses point "
                "at swapping or too few CPUs. Use G1 with a heap sized to the live set plus headroom, drop "
                "old GC tuning flags, and make sure the host does not swap."
            ),
            node=gc.node,
        )


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
