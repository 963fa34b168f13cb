"""bamboo.queue.age: how long has the oldest queued build been waiting?"""

from __future__ import annotations

from collections.abc import Iterator

from checks.bamboo._calls import BAMBOO_QUEUE_KB, bamboo_source
from checks.base import InstanceCheck, SkipCheck, collected
from checks.context import InstanceContext
from checks.finding import Category, Evidence, Finding, Severity
from checks.instance._calls import aware, moment
from checks.metadata import CheckMeta
from collectors.products import Product


class BambooQueueAge(InstanceCheck):
    meta = CheckMeta(
        id="bamboo.queue.age",
        title="Bamboo oldest queued build",
        description=(
            "How long the oldest queued build has waited: a build stuck in the queue usually has no agent "
            "that meets its requirements, or every capable agent is offline or busy. Needs the queued time, "
            "which not every Bamboo version reports."
        ),
        category=Category.PERFORMANCE,
        default_severity=Severity.WARNING,
        products=(Product.BAMBOO,),
        requires=("bamboo.queue",),
        thresholds={"warning_minutes": 15, "critical_minutes": 60},
        references=(BAMBOO_QUEUE_KB,),
    )

    def run(self, ctx: InstanceContext) -> Iterator[Finding]:
        inst = ctx.instance
        bamboo = collected(inst.bamboo, "bamboo facts")
        queue = collected(bamboo.queue, "queue")
        src = bamboo_source(inst, "bamboo.queue")
        if not queue.builds and queue.size == 0:
            yield ctx.ok(
                "No queued builds",
                "The build queue is empty.",
                evidence=[Evidence(label="queued builds", value=0, source=src, time=ctx.now)],
            )
            return
        timed = [(aware(b.queued_at), b) for b in queue.builds if b.queued_at is not None]
        if not timed:
            raise SkipCheck("the build queue answer carries no queued times")
        queued_at, oldest = min(timed, key=lambda t: t[0])
        minutes = max(0.0, (aware(ctx.now) - queued_at).total_seconds() / 60)
        name = oldest.build_result_key or oldest.plan_key or "a build"
        evidence = [
            Evidence(label="oldest queued build", value=name, source=src, time=ctx.now),
            Evidence(label="queued since", value=moment(queued_at), source=src, time=ctx.now),
            Evidence(label="minutes queued", value=round(minutes, 1)),
            Evidence(label="trigger", value=oldest.trigger_reason, source=src, time=ctx.now),
        ]
        warning, critical = ctx.threshold("warning_minutes"), ctx.threshold("critical_minutes")
        if minutes >= warning:
            severity = Severity.CRITICAL if minutes >= critical else Severity.WARNING
            limit = critical if severity is Severity.CRITICAL else warning
            yield ctx.finding(
                severity,
                f"Bamboo build queued for {minutes:.0f} minutes",
                f"{name} has waited in the build queue for {minutes:.0f} minutes (at or above {limit}).",
                evidence=evidence,
                recommendation=(
                    "Open the queued build and check which agents can build it (Agent matching): if none is "
                    "online and capable, bring one back or adjust the plan's requirements."
                ),
            )
            return
        yield ctx.ok(
            "Bamboo queue moves",
            f"The oldest queued build ({name}) has waited {minutes:.0f} minutes.",
            evidence=evidence,
        )
