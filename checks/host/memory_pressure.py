"""host.memory.pressure: memory the kernel can still hand out (MemAvailable), not "free" memory,
which a healthy Linux keeps low by caching files.
"""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import HostCheck, collected
from checks.context import HostContext
from checks.finding import Category, Evidence, Finding, Severity
from checks.host._facts import percent, size, source
from checks.metadata import CheckMeta


class HostMemoryPressure(HostCheck):
    meta = CheckMeta(
        id="host.memory.pressure",
        title="Memory pressure",
        description=(
            "Share of the host's RAM still available to new allocations without swapping. Too little and "
            "the kernel swaps out or its OOM killer ends a process, often the largest: the product's JVM."
        ),
        category=Category.CAPACITY,
        default_severity=Severity.WARNING,
        requires=("memory",),
        thresholds={"warning_available_percent": 10, "critical_available_percent": 5},
    )

    def run(self, ctx: HostContext) -> Iterator[Finding]:
        host = ctx.host
        memory = collected(host.memory, "memory")
        available = percent(memory.available, memory.total)
        src = source(host, "memory")
        evidence = [
            Evidence(label="total", value=memory.total, source=src, time=ctx.now),
            Evidence(label="available", value=memory.available, source=src, time=ctx.now),
            Evidence(label="available percent", value=round(available, 2), source=src, time=ctx.now),
        ]
        text = f"{size(memory.available)} of {size(memory.total)} available ({available:.1f} %)."
        if available < ctx.threshold("critical_available_percent"):
            severity = Severity.CRITICAL
        elif available < ctx.threshold("warning_available_percent"):
            severity = Severity.WARNING
        else:
            yield ctx.ok("Memory available", text, evidence=evidence)
            return
        yield ctx.finding(
            severity,
            "Host is short of memory",
            text + " New allocations push the host into swap or make the OOM killer end a process.",
            evidence=evidence,
            recommendation=(
                "Find what uses the memory (other JVMs, caches, agents); keep the product's -Xmx plus its "
                "off-heap use well below RAM, or add RAM."
            ),
        )
