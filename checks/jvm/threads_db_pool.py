"""jvm.threads.db_pool: threads waiting to borrow a database connection, from the thread dumps.

A thread parked in the connection pool's borrow (DBCP, Hikari, Tomcat JDBC) waits for a connection
another thread holds: a few now and then is normal under load; many, dump after dump, is an exhausted
pool (too small a ``pool-max-size``, slow queries holding connections, or a leak).
"""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import HostCheck, collected
from checks.context import HostContext
from checks.finding import Category, Evidence, Finding, Severity
from checks.metadata import CheckMeta
from checks.thread_dumps.analysis import analyse_dumps

SHOWN_FRAMES = 4
SHOWN_THREADS = 8


class JvmThreadsDbPool(HostCheck):
    meta = CheckMeta(
        id="jvm.threads.db_pool",
        title="Threads waiting for a database connection",
        description=(
            "Threads of the product JVM parked in the database connection pool's borrow in a thread dump: "
            "the pool has no free connection, and requests queue behind it."
        ),
        category=Category.PERFORMANCE,
        default_severity=Severity.WARNING,
        requires=("thread_dumps",),
        thresholds={"warning_threads": 5, "critical_threads": 20},
        budget_s=30.0,
    )

    def run(self, ctx: HostContext) -> Iterator[Finding]:
        thread_dumps = collected(ctx.host.thread_dumps, "thread dumps")
        for analysis in analyse_dumps(thread_dumps):
            source = f"{len(analysis.dumps)} thread dump(s) of {analysis.source}"
            worst = max(analysis.dumps, key=lambda d: d.db_connection_waits, default=None)
            if worst is None or worst.db_connection_waits < ctx.threshold("warning_threads"):
                most = worst.db_connection_waits if worst else 0
                yield ctx.ok(
                    "Database connections available",
                    f"At most {most} thread(s) waited for a database connection in the {source}.",
                    key=f"pid:{analysis.pid}{analysis.key}",
                )
                continue
            waits = worst.db_connection_waits
            severity = Severity.CRITICAL if waits >= ctx.threshold("critical_threads") else Severity.WARNING
            every = all(d.db_connection_waits >= ctx.threshold("warning_threads") for d in analysis.dumps)
            names = ", ".join(worst.db_waiters[:SHOWN_THREADS]) + (" ..." if waits > SHOWN_THREADS else "")
            yield ctx.finding(
                severity,
                f"{waits} thread(s) waiting for a database connection",
                f"{waits} thread(s) waited to borrow a database connection in one of the {source}"
                f"{' (and many did in every dump)' if every and len(analysis.dumps) > 1 else ''}: {names}.",
                evidence=[
                    *(
                        Evidence(
                            label="threads waiting",
                            value=d.db_connection_waits,
                            source=source,
                            time=d.taken_at,
                        )
                        for d in analysis.dumps
                    ),
                    Evidence(
                        label=f"{worst.db_waiters[0]} (the first waiter)",
                        value=" <- ".join(worst.db_wait_frames[:SHOWN_FRAMES]),
                        source=source,
                        time=worst.taken_at,
                    ),
                ],
                recommendation=(
                    "Compare with the pool's size (pool-max-size in dbconfig.xml for Jira) and look at what "
                    "the threads holding connections run: slow queries, or a leak that never returns them."
                ),
                key=f"waits{analysis.key}",
            )
