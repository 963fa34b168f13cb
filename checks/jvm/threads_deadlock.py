"""jvm.threads.deadlock: threads waiting on each other's locks for ever, from the thread dumps.

The JVM reports monitor deadlocks itself ("Found one Java-level deadlock"); cycles in the dump's
"waiting to lock" / "locked" lines are found too, for dumps taken without that section.
"""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import HostCheck, collected
from checks.context import HostContext
from checks.finding import Category, Evidence, Finding, Severity
from checks.metadata import CheckMeta
from checks.thread_dumps.analysis import Deadlock, analyse_dumps

SHOWN_FRAMES = 4


class JvmThreadsDeadlock(HostCheck):
    meta = CheckMeta(
        id="jvm.threads.deadlock",
        title="Deadlocked threads",
        description=(
            "Threads of the product JVM deadlocked on each other's locks in a thread dump. They never "
            "recover: whatever they hold (a cache, a scheduler, request threads) stays blocked until restart."
        ),
        category=Category.AVAILABILITY,
        default_severity=Severity.CRITICAL,
        requires=("thread_dumps",),
        budget_s=30.0,
    )

    def run(self, ctx: HostContext) -> Iterator[Finding]:
        host = ctx.host
        thread_dumps = collected(host.thread_dumps, "thread dumps")
        for analysis in analyse_dumps(thread_dumps):
            source = f"{len(analysis.dumps)} thread dump(s) of {analysis.source}"
            if not analysis.deadlocks:
                yield ctx.ok(
                    "No deadlock", f"No deadlock in the {source}.", key=f"pid:{analysis.pid}{analysis.key}"
                )
                continue
            cycles = "; ".join(" <-> ".join(d.threads) for d in analysis.deadlocks)
            yield ctx.finding(
                Severity.CRITICAL,
                f"{len(analysis.deadlocks)} deadlock(s) in the JVM",
                f"Threads wait on each other's locks and will never go on: {cycles}.",
                evidence=[
                    item for d in analysis.deadlocks for item in _evidence(d, source, len(analysis.files) > 1)
                ],
                recommendation=(
                    "Keep the dumps for Atlassian support or the app's vendor (the frames name the code), "
                    "then restart the node: a deadlock does not resolve itself."
                ),
                key=f"deadlock{analysis.key}",
            )


def _evidence(deadlock: Deadlock, source: str, several_files: bool) -> list[Evidence]:
    """The cycle, then each thread's top frames: they name the code that took the locks."""
    how = "reported by the JVM" if deadlock.source == "jvm" else "lock graph"
    where = f"{source} ({how}; first in {deadlock.file})" if several_files else f"{source} ({how})"
    cycle = Evidence(
        label="deadlocked threads", value=", ".join(deadlock.threads), source=where, time=deadlock.first_seen
    )
    return [
        cycle,
        *(
            Evidence(
                label=name, value=" <- ".join(frames[:SHOWN_FRAMES]), source=where, time=deadlock.first_seen
            )
            for name, frames in zip(deadlock.threads, deadlock.stacks, strict=False)
            if frames
        ),
    ]
