"""jvm.threads.db_pool: threads parked in the database connection pool's borrow."""

from __future__ import annotations

from atlas_health.testing.harness import only
from atlas_health.testing.hosts import host, run_host_check
from atlas_health.testing.thread_dumps import db_wait, dump_text, idle_http, series
from checks.finding import Severity
from checks.jvm.threads_db_pool import JvmThreadsDbPool


def test_many_threads_waiting_for_a_connection_in_every_dump_is_a_finding_with_the_waiters() -> None:
    waiting = dump_text(*(db_wait(n) for n in range(1, 8)), idle_http(20))
    finding = only(run_host_check(JvmThreadsDbPool, host(thread_dumps=series(waiting, waiting))))

    assert (finding.check, finding.severity) == ("jvm.threads.db_pool", Severity.WARNING)
    assert finding.title == "7 thread(s) waiting for a database connection"
    assert "in every dump" in finding.message and "http-nio-8080-exec-1" in finding.message
    per_dump, _, first = finding.evidence
    assert per_dump.value == 7 and per_dump.time is not None
    assert "GenericObjectPool.borrowObject" in str(first.value)


def test_twenty_waiters_are_critical_and_a_few_are_not_a_finding() -> None:
    many = dump_text(*(db_wait(n) for n in range(1, 21)))
    assert (
        only(run_host_check(JvmThreadsDbPool, host(thread_dumps=series(many)))).severity is Severity.CRITICAL
    )
    few = dump_text(db_wait(1), db_wait(2), idle_http(3))
    assert only(run_host_check(JvmThreadsDbPool, host(thread_dumps=series(few)))).severity is Severity.OK
