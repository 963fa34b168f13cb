"""Thread-dump parsing and analysis, and jvm.threads.stuck / jvm.threads.deadlock."""

from __future__ import annotations

from atlas_health.testing.harness import evidence, only, registry
from atlas_health.testing.hosts import host, run_host_check
from atlas_health.testing.instances import instance, snapshot
from atlas_health.testing.thread_dumps import (
    busy_http,
    caesium,
    db_wait,
    deadlocked_pair,
    dump_text,
    idle_http,
    series,
    thread,
)
from checks.finding import Severity
from checks.jvm.threads_deadlock import JvmThreadsDeadlock
from checks.jvm.threads_stuck import JvmThreadsStuck
from checks.runner import OutcomeStatus, run_checks
from checks.thread_dumps.analysis import analyse_series, is_idle, pool_of
from checks.thread_dumps.parse import parse_dump

REGEX = "java.util.regex.Pattern$Loop.match"


def test_parse_reads_headers_states_frames_and_locks():
    pair, report = deadlocked_pair(with_jvm_report=True)
    parsed = parse_dump(dump_text(idle_http(1), busy_http(2, REGEX), pair, report=report))
    names = [t.name for t in parsed.threads]
    assert names == [
        "http-nio-8080-exec-1",
        "http-nio-8080-exec-2",
        "cache-loader-a",
        "cache-loader-b",
        "VM Thread",
        "GC Thread#0",
    ]
    busy = parsed.threads[1]
    assert (busy.number, busy.state, busy.daemon, busy.cpu_ms) == (2, "RUNNABLE", True, 12.5)
    assert busy.top(2) == (REGEX, "com.atlassian.jira.issue.search.SearchService.search")
    loader = parsed.threads[2]
    assert (loader.waiting_to_lock, loader.locked) == ("0x00000000aaaa0002", ("0x00000000aaaa0001",))
    assert parsed.threads[4].number is None and parsed.threads[4].state is None
    assert parsed.deadlocks == (("cache-loader-a", "cache-loader-b"),)
    assert parsed.jvm.startswith("OpenJDK 64-Bit Server VM")


def test_jdk8_headers_without_cpu_and_jdk19_headers_with_the_os_thread_id():
    jdk8 = (
        '"main" #1 prio=5 os_prio=0 tid=0x00007f2c2c00a000 nid=0x1a0f waiting on condition [0x00007f2c3]\n'
        "   java.lang.Thread.State: TIMED_WAITING (sleeping)\n\tat java.lang.Thread.sleep(Native Method)\n\n"
    )
    jdk21 = (
        '"main" #1 [6913] prio=5 os_prio=0 cpu=40.12ms elapsed=10.01s tid=0x00007f2c2c00b000 nid=6913 runnable\n'
        "   java.lang.Thread.State: RUNNABLE\n\tat Demo.spin(Demo.java:5)\n\n"
    )
    for text, cpu in ((jdk8, None), (jdk21, 40.12)):
        parsed = parse_dump("Full thread dump Java HotSpot(TM):\n\n" + text)
        assert [(t.name, t.number, t.cpu_ms) for t in parsed.threads] == [("main", 1, cpu)]


def test_pools_and_idleness():
    parsed = parse_dump(dump_text(idle_http(1), busy_http(2, REGEX), db_wait(3), caesium(1)))
    by_name = {t.name: t for t in parsed.threads}
    assert [pool_of(t) for t in parsed.threads] == ["http", "http", "http", "scheduler", "jvm", "jvm"]
    assert is_idle(by_name["http-nio-8080-exec-1"]) and is_idle(by_name["Caesium-1-1"])
    assert not is_idle(by_name["http-nio-8080-exec-2"]) and not is_idle(by_name["http-nio-8080-exec-3"])
    summary = analyse_series(
        series(dump_text(idle_http(1), busy_http(2, REGEX), db_wait(3), caesium(1)))
    ).dumps[0]
    assert summary.db_connection_waits == 1
    assert summary.busy_pools == {"http": 2}
    assert summary.states["WAITING"] == 2


def test_a_thread_on_the_same_frames_in_every_dump_is_stuck_and_moving_ones_are_not():
    first = dump_text(idle_http(1), busy_http(2, REGEX), busy_http(3, "com.acme.Report.render"))
    second = dump_text(idle_http(1), busy_http(2, REGEX), busy_http(3, "com.acme.Report.write"))
    analysis = analyse_series(series(first, second, first.replace("Report.render", "Report.flush")))
    assert [(s.name, s.pool, s.dumps, s.seconds) for s in analysis.stuck] == [
        ("http-nio-8080-exec-2", "http", 3, 20.0)
    ]
    assert analysis.stuck[0].frames[0] == REGEX
    assert analysis.hottest[0].frames[0] == REGEX and analysis.hottest[0].occurrences == 3


def test_stuck_needs_two_dumps():
    assert analyse_series(series(dump_text(busy_http(2, REGEX)))).stuck == ()


def test_deadlock_found_from_the_jvm_report_and_from_the_lock_graph():
    pair, report = deadlocked_pair(with_jvm_report=True)
    reported = analyse_series(series(dump_text(pair, report=report)))
    assert [(d.threads, d.source) for d in reported.deadlocks] == [
        (("cache-loader-a", "cache-loader-b"), "jvm")
    ]
    pair, _ = deadlocked_pair(with_jvm_report=False)
    graph = analyse_series(series(dump_text(pair)))
    assert [(sorted(d.threads), d.source) for d in graph.deadlocks] == [
        (["cache-loader-a", "cache-loader-b"], "locks")
    ]


def test_deadlocked_threads_are_not_also_reported_as_stuck():
    pair, report = deadlocked_pair(with_jvm_report=True)
    text = dump_text(pair, report=report)
    assert analyse_series(series(text, text)).stuck == ()


def test_stuck_check_levels():
    quiet = dump_text(idle_http(1), caesium(1))
    ok = only(run_host_check(JvmThreadsStuck, host(thread_dumps=series(quiet, quiet))))
    assert (ok.check, ok.severity) == ("jvm.threads.stuck", Severity.OK)
    one = dump_text(idle_http(1), busy_http(2, REGEX))
    warning = only(run_host_check(JvmThreadsStuck, host(thread_dumps=series(one, one, one))))
    assert (warning.severity, warning.title) == (Severity.WARNING, "1 thread(s) stuck on the same frames")
    assert evidence(warning)["http-nio-8080-exec-2 (RUNNABLE)"].startswith(REGEX + " <- ")
    many = dump_text(*(busy_http(n, REGEX) for n in range(2, 8)))
    assert (
        only(run_host_check(JvmThreadsStuck, host(thread_dumps=series(many, many)))).severity
        is Severity.CRITICAL
    )


def test_stuck_check_skips_one_dump_and_no_dumps():
    single = only_outcome(host(thread_dumps=series(dump_text(busy_http(2, REGEX)))), "jvm.threads.stuck")
    assert single.status is OutcomeStatus.SKIPPED
    assert single.reason.startswith("stuck threads need at least two dumps")
    none = only_outcome(host(thread_dumps=None), "jvm.threads.deadlock")
    assert (none.status, none.reason) == (
        OutcomeStatus.SKIPPED,
        "no thread dumps were taken: ask for them with --thread-dumps N --interval S",
    )


def test_deadlock_check():
    pair, report = deadlocked_pair(with_jvm_report=True)
    finding = only(
        run_host_check(JvmThreadsDeadlock, host(thread_dumps=series(dump_text(pair, report=report))))
    )
    assert (finding.check, finding.severity) == ("jvm.threads.deadlock", Severity.CRITICAL)
    assert "cache-loader-a <-> cache-loader-b" in finding.message
    clean = only(run_host_check(JvmThreadsDeadlock, host(thread_dumps=series(dump_text(idle_http(1))))))
    assert clean.severity is Severity.OK


def test_a_thread_waiting_in_sleep_outside_a_request_pool_is_idle():
    sleeper = parse_dump(
        dump_text(
            thread(
                "housekeeping",
                9,
                "TIMED_WAITING",
                ["java.lang.Thread.sleep", "com.acme.Job.run"],
                detail="sleeping",
            )
        )
    ).threads[0]
    assert is_idle(sleeper)


def only_outcome(subject, check_id):
    analysis = run_checks(snapshot(instance()).model_copy(update={"hosts": [subject]}), registry())
    return next(o for o in analysis.outcomes if o.check == check_id)
