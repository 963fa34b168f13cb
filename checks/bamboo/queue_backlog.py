"""bamboo.queue.backlog: how many builds wait in the queue for an agent?"""

from __future__ import annotations

from collections.abc import Iterator

from checks.bamboo._calls import BAMBOO_QUEUE_KB, bamboo_source
from checks.base import InstanceCheck, collected
from checks.context import InstanceContext
from checks.finding import Category, Evidence, Finding, Severity
from checks.instance._calls import plural
from checks.metadata import CheckMeta
from collectors.products import Product


class BambooQueueBacklog(InstanceCheck):
    meta = CheckMeta(
        id="bamboo.queue.backlog",
        title="Bamboo build queue backlog",
        description=(
            "Counts the builds waiting in the build queue: a long queue means too few (or too few capable) "
            "agents for the load, a paused server, or plans whose requirements no agent meets."
        ),
        category=Category.PERFORMANCE,
        default_severity=Severity.WARNING,
        products=(Product.BAMBOO,),
        requires=("bamboo.queue",),
        thresholds={"warning_queued": 10, "critical_queued": 30},
        references=(BAMBOO_QUEUE_KB,),
    )

    def run(self, ctx: InstanceContext) -> Iterator[Finding]:
        inst = ctx.instance
        bamboo = collected(inst.bamboo, "bamboo facts")
        queue = collected(bamboo.queue, "queue")
        src = bamboo_source(inst, "bamboo.queue")
        plans: dict[str, int] = {}
        for build in queue.builds:
            plans[build.plan_key or "?"] = plans.get(build.plan_key or "?", 0) + 1
        busiest = ", ".join(f"{k} ({n})" for k, n in sorted(plans.items(), key=lambda kv: -kv[1])[:5])
        evidence = [Evidence(label="queued builds", value=queue.size, source=src, time=ctx.now)]
        if busiest:
            evidence.append(Evidence(label="plans queued most", value=busiest, source=src, time=ctx.now))
        warning, critical = ctx.threshold("warning_queued"), ctx.threshold("critical_queued")
        if queue.size >= warning:
            severity = Severity.CRITICAL if queue.size >= critical else Severity.WARNING
            limit = critical if severity is Severity.CRITICAL else warning
            yield ctx.finding(
                severity,
                f"{queue.size} builds queued in Bamboo",
                f"{plural(queue.size, 'build is', 'builds are')} waiting for an agent (at or above {limit}). "
                + (f"Most queued: {busiest}." if busiest else ""),
                evidence=evidence,
                recommendation=(
                    "Check that the server is not paused and that agents are online; in Build activity, look "
                    "for plans whose requirements no agent meets; add agent capacity if the load has grown."
                ),
            )
            return
        yield ctx.ok(
            "Bamboo build queue is short",
            f"{plural(queue.size, 'build')} queued." if queue.size else "No builds are queued.",
            evidence=evidence,
        )
