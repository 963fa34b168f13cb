"""instance.api.latency: how fast the REST API answered the agent's own calls."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterator

from checks.base import InstanceCheck, SkipCheck
from checks.context import InstanceContext
from checks.finding import Category, Evidence, Finding, Severity
from checks.instance._calls import plural, source
from checks.metadata import CheckMeta
from collectors.model import CallRecord


def response_ms(record: CallRecord) -> float:
    """Time the server took, without the Retry-After waits the client spent between attempts."""
    return max(0.0, record.elapsed_ms - record.retry_after_waited_s * 1000)


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile: the smallest value with at least pct % of the values at or below it."""
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


class InstanceApiLatency(InstanceCheck):
    meta = CheckMeta(
        id="instance.api.latency",
        title="REST API response time",
        description=(
            "Median and slowest response time of the REST calls the agent made (calls that got an HTTP "
            "answer; waits before retried 429 answers excluded). A slow median means users feel it too."
        ),
        category=Category.PERFORMANCE,
        default_severity=Severity.WARNING,
        requires=(),
        thresholds={"warning_ms": 1000, "critical_ms": 3000},
    )

    def run(self, ctx: InstanceContext) -> Iterator[Finding]:
        inst = ctx.instance
        answered = [c for c in inst.calls if c.status_code is not None]
        if not answered:
            raise SkipCheck("no call got an HTTP answer, so there is no response time to judge")
        times = {id(c): response_ms(c) for c in answered}
        values = list(times.values())
        median = statistics.median(values)
        p95 = percentile(values, 95)
        slowest = max(answered, key=lambda c: times[id(c)])
        slowest_ms = times[id(slowest)]
        warning_ms = ctx.threshold("warning_ms")
        critical_ms = ctx.threshold("critical_ms")

        evidence = [
            Evidence(label="median ms", value=round(median, 1)),
            Evidence(label="p95 ms", value=round(p95, 1)),
            Evidence(
                label=f"max ms ({slowest.call})",
                value=round(slowest_ms, 1),
                source=source(inst, slowest.call),
                time=slowest.started_at,
            ),
            Evidence(label="calls timed", value=len(answered)),
        ]
        evidence += [
            Evidence(
                label=f"{c.call} ms",
                value=round(times[id(c)], 1),
                source=source(inst, c.call),
                time=c.started_at,
            )
            for c in sorted(answered, key=lambda c: c.started_at)
        ]
        summary = (
            f"median response time is {median:,.0f} ms over {plural(len(answered), 'call')} (slowest: "
            f"{slowest.call}, {slowest_ms:,.0f} ms)"
        )
        if median >= critical_ms:
            severity, limit = Severity.CRITICAL, critical_ms
        elif median >= warning_ms:
            severity, limit = Severity.WARNING, warning_ms
        else:
            yield ctx.ok(
                "REST API responds quickly",
                f"The {summary} (warning from {warning_ms:,} ms).",
                evidence=evidence,
            )
            return
        yield ctx.finding(
            severity,
            "REST API responds slowly",
            f"The {summary}: at or above the {severity.value} threshold of {limit:,} ms.",
            evidence=evidence,
            recommendation=(
                "Slow answers to simple REST calls point at the application, not the network: check the "
                "JVM (GC pauses, heap), database latency and busy HTTP threads on the nodes, and compare "
                "with the access log's response times."
            ),
        )
