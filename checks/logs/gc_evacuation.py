"""logs.gc.evacuation: G1 evacuation failures (to-space exhausted), the warning before a Full GC.

G1 copies the live objects of the regions it collects into free regions. When none is left, the pause
fails to evacuate ("to-space exhausted" or "to-space overflow" in JDK 8, a ``To-space exhausted`` line
in JDK 9 to 17, ``(Evacuation Failure...)`` in the pause in newer JDKs): it is long, and the next step
is usually a Full GC of the whole heap. One is a warning whatever the pauses look like.
"""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import LogsCheck, SkipCheck, collected
from checks.context import LogsContext
from checks.finding import Category, Evidence, Finding, Severity
from checks.logs._common import KB_GC_TUNING, KB_HEAP_DUMPS, plural, sources, when
from checks.metadata import CheckMeta
from collectors.logs.model import GcSummary


class LogsGcEvacuation(LogsCheck):
    meta = CheckMeta(
        id="logs.gc.evacuation",
        title="G1 evacuation failures",
        description=(
            "G1 pauses that found no free region to copy live objects into (to-space exhausted, evacuation "
            "failure): the heap is nearly full of live data, and a Full GC usually follows."
        ),
        category=Category.CAPACITY,
        default_severity=Severity.WARNING,
        requires=("gc",),
        references=(KB_GC_TUNING, KB_HEAP_DUMPS),
    )

    def run(self, ctx: LogsContext) -> Iterator[Finding]:
        gcs = collected(ctx.logs.gc, "GC logs")
        if not gcs:
            raise SkipCheck("the GC logs held no collection in the window")
        for gc in sorted(gcs, key=lambda g: g.node):
            yield self._node(ctx, gc)

    def _node(self, ctx: LogsContext, gc: GcSummary) -> Finding:
        source = sources(gc.files) if gc.files else f"GC log of {gc.node}"
        if not gc.evacuation_failures:
            return ctx.ok(
                "No evacuation failure",
                f"The GC log of {gc.node} shows no evacuation failure (to-space exhausted) in the window.",
                evidence=[Evidence(label="evacuation failures", value=0, source=source)],
                node=gc.node,
            )
        first = gc.evacuation_samples[0] if gc.evacuation_samples else None
        evidence = [Evidence(label="evacuation failures", value=gc.evacuation_failures, source=source)]
        evidence += [
            Evidence(label="line", value=s.line, source=s.file, time=s.at) for s in gc.evacuation_samples
        ]
        full = f", and {plural(gc.full_gcs, 'Full GC')}" if gc.full_gcs else ""
        since = f", the first at {when(first.at, seconds=True)}" if first else ""
        return ctx.finding(
            Severity.WARNING,
            f"G1 ran out of free regions on {gc.node}",
            f"The GC log of {gc.node} shows {plural(gc.evacuation_failures, 'evacuation failure')} "
            f"(to-space exhausted){since}{full}: live objects no longer fit in the free regions.",
            evidence=evidence,
            recommendation=(
                "An evacuation failure is the warning before a Full GC: the heap is nearly full of live "
                "data. Look at the heap floor (logs.gc.heap_floor): a rising floor is a leak, take a heap "
                "dump; a steady one means the heap is too small for the load. Give the heap headroom, and do "
                "not set G1 flags that shrink its reserve (G1ReservePercent) or fix the young size (-Xmn)."
            ),
            node=gc.node,
        )
