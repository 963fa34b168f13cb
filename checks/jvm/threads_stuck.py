"""jvm.threads.stuck: threads on the same frames in every one of a series of thread dumps.

A request thread that shows the same busy stack dump after dump is a request that does not finish:
a runaway loop or regex, a query that never returns, a lock that is never released.
"""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import HostCheck, SkipCheck, collected
from checks.context import HostContext
from checks.finding import Category, Evidence, Finding, Severity
from checks.metadata import CheckMeta
from checks.thread_dumps.analysis import analyse_dumps

SHOWN_FRAMES = 4


class JvmThreadsStuck(HostCheck):
    meta = CheckMeta(
        id="jvm.threads.stuck",
        title="Stuck threads",
        description=(
            "Threads of the product JVM that sit on the same frames in every dump of a series taken seconds "
            "apart (--thread-dumps N --interval S): requests that do not finish and hold their thread."
        ),
        category=Category.PERFORMANCE,
        default_severity=Severity.WARNING,
        requires=("thread_dumps",),
        thresholds={"critical_threads": 5},
        budget_s=30.0,
    )

    def run(self, ctx: HostContext) -> Iterator[Finding]:
        host = ctx.host
        thread_dumps = collected(host.thread_dumps, "thread dumps")
        analyses = [a for a in analyse_dumps(thread_dumps) if len(a.dumps) >= 2]
        if not analyses:
            raise SkipCheck("stuck threads need at least two dumps of a JVM (--thread-dumps 3 --interval 10)")
        for analysis in analyses:
            source = f"{len(analysis.dumps)} thread dumps of {analysis.source} over {analysis.span_s:.0f} s"
            if not analysis.stuck:
                yield ctx.ok(
                    "No stuck threads",
                    f"No thread stayed on the same frames across the {source}.",
                    key=f"pid:{analysis.pid}{analysis.key}",
                )
                continue
            count = len(analysis.stuck)
            requests = [s for s in analysis.stuck if s.pool == "http"]
            severity = Severity.CRITICAL if count >= ctx.threshold("critical_threads") else Severity.WARNING
            names = ", ".join(s.name for s in analysis.stuck[:8]) + (" ..." if count > 8 else "")
            yield ctx.finding(
                severity,
                f"{count} thread(s) stuck on the same frames",
                f"{count} thread(s) ({len(requests)} of them serving requests) showed the same stack in all "
                f"{source}: {names}.",
                evidence=[
                    Evidence(
                        label=f"{s.name} ({s.state})",
                        value=" <- ".join(s.frames[:SHOWN_FRAMES]),
                        source=source,
                        time=analysis.dumps[-1].taken_at,
                    )
                    for s in analysis.stuck[:20]
                ],
                recommendation=(
                    "Read the frames: a database call points at a slow query or an exhausted pool, an app's "
                    "package at that app. Take dumps again to see whether the threads ever move on."
                ),
                key=f"stuck{analysis.key}",
            )
