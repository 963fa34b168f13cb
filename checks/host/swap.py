"""host.swap: swap in use. A JVM whose heap is partly swapped out pauses for seconds in every
garbage collection that touches it; Atlassian recommends hosts that do not swap.
"""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import HostCheck, collected
from checks.context import HostContext
from checks.finding import Category, Evidence, Finding, Severity
from checks.host._facts import percent, size, source
from checks.metadata import CheckMeta


class HostSwap(HostCheck):
    meta = CheckMeta(
        id="host.swap",
        title="Swap in use",
        description=(
            "How much swap the host uses. Swapped-out JVM heap turns garbage collections into long pauses "
            "that users see as the whole product hanging."
        ),
        category=Category.PERFORMANCE,
        default_severity=Severity.WARNING,
        requires=("memory",),
        thresholds={"warning_used_percent": 10, "critical_used_percent": 50},
    )

    def run(self, ctx: HostContext) -> Iterator[Finding]:
        host = ctx.host
        memory = collected(host.memory, "memory")
        src = source(host, "memory")
        if not memory.swap_total:
            text = "The host has no swap space: nothing of the JVM can be swapped out."
            yield ctx.ok(
                "No swap configured",
                text,
                evidence=[Evidence(label="swap total", value=0, source=src, time=ctx.now)],
            )
            return
        used = percent(memory.swap_used, memory.swap_total)
        evidence = [
            Evidence(label="swap total", value=memory.swap_total, source=src, time=ctx.now),
            Evidence(label="swap used", value=memory.swap_used, source=src, time=ctx.now),
            Evidence(label="used percent", value=round(used, 2), source=src, time=ctx.now),
        ]
        text = f"{size(memory.swap_used)} of {size(memory.swap_total)} swap in use ({used:.1f} %)."
        if used >= ctx.threshold("critical_used_percent"):
            severity = Severity.CRITICAL
        elif used >= ctx.threshold("warning_used_percent"):
            severity = Severity.WARNING
        else:
            yield ctx.ok("Little swap in use", text, evidence=evidence)
            return
        yield ctx.finding(
            severity,
            "Host is swapping",
            text + " Garbage collections of swapped-out heap take seconds.",
            evidence=evidence,
            recommendation=(
                "Reduce memory use on the host or add RAM; set vm.swappiness low (1-10) on hosts running the "
                "product's JVM."
            ),
        )
