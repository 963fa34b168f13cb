"""Defects real dumps showed: JDK 6/7 headers, renamed JVM threads, jcmd output, series, carriers.

The texts are files of tests/corpus/thread_dumps/ (see its manifest.yaml for where each comes from).
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

from atlas_health.testing.harness import evidence, only
from atlas_health.testing.hosts import host, run_host_check
from checks.finding import Severity
from checks.jvm.threads_stuck import JvmThreadsStuck
from checks.thread_dumps.analysis import analyse_series, is_jvm_internal, pool_of
from checks.thread_dumps.parse import Frame, parse_dump, parse_dumps, split_dumps
from collectors.hosts.model import ThreadDump

CORPUS = Path(__file__).parents[2] / "corpus" / "thread_dumps"


def text(name: str) -> str:
    return (CORPUS / name).read_text(encoding="utf-8")


def series_of(*texts: str) -> list[ThreadDump]:
    start = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)
    return [
        ThreadDump(pid=1, taken_at=start + timedelta(seconds=10 * n), tool="jstack", text=t)
        for n, t in enumerate(texts)
    ]


def test_jdk6_threads_without_a_number_fall_into_their_pools_not_all_into_jvm():
    threads = parse_dump(text("jdk06_jstack_heritrix.log")).threads
    assert all(t.number is None for t in threads)
    blocked = [t for t in threads if t.state == "BLOCKED"]
    assert len(blocked) == 41 and not any(pool_of(t) == "jvm" for t in blocked)
    assert sum(pool_of(t) == "jvm" for t in threads) == 10  # VM, GC, compiler, Finalizer...


def test_jdk6_blocked_threads_stay_in_the_stuck_analysis():
    dump = text("jdk06_jstack_heritrix.log")
    stuck = analyse_series(series_of(dump, dump)).stuck  # a JVM frozen between two dumps
    assert sum(s.state == "BLOCKED" for s in stuck) == 41
    assert not any(s.pool == "jvm" for s in stuck)


def test_the_process_reaper_renamed_for_each_child_is_never_stuck():
    parts = split_dumps(text("jdk25_jstack_series_cpu_stall.txt"))
    reapers = [t for p in parse_dumps("".join(parts)) for t in p.threads if t.name.startswith("process")]
    assert [t.name for t in reapers] == [
        "process reaper (pid 16863)",
        "process reaper (pid 16877)",
        "process reaper (pid 16884)",
    ]
    assert len({t.tid for t in reapers}) == 1  # one thread, renamed: the series sees it on the same frames
    stuck = analyse_series(series_of(*parts)).stuck
    assert not any(s.name.startswith("process reaper") for s in stuck)
    assert {s.name for s in stuck} >= {"pool-3-thread-1", "pool-3-thread-4"}


def test_jvm_threads_are_known_by_their_frames_when_a_release_renames_them():
    threads = parse_dump(text("jdk25_jstack_recorded.txt")).threads
    for name in ("Reference Handler", "Finalizer", "Common-Cleaner", "process reaper (pid 15490)"):
        original = next(t for t in threads if t.name == name)
        renamed = dataclasses.replace(original, name=f"renamed {name}")
        assert is_jvm_internal(original) and is_jvm_internal(renamed), name


def test_jcmd_output_starts_each_dump_with_the_pid_line_and_a_series_is_cut_at_dump_boundaries():
    parts = split_dumps(text("jdk17_jcmd_series_recorded.txt"))
    assert [p.splitlines()[0] for p in parts] == ["15624:"] * 3
    parsed = [parse_dump(p) for p in parts]
    assert [str(p.printed_at) for p in parsed] == [
        "2026-12-06 02:29:27",
        "2026-12-06 02:29:32",
        "2026-12-06 02:29:35",
    ]
    assert all(p.deadlocks == (("cache-loader-1", "cache-loader-2"),) for p in parsed)


def test_a_carrier_thread_has_no_state_but_is_a_java_thread():
    threads = parse_dump(text("jdk25_jstack_recorded.txt")).threads
    carrier = next(t for t in threads if t.carrying is not None)
    assert (carrier.name, carrier.carrying, carrier.state) == ("ForkJoinPool-1-worker-2", 35, None)
    assert pool_of(carrier) != "jvm"
    summary = analyse_series(series_of(text("jdk25_jstack_recorded.txt"))).dumps[0]
    assert summary.states["CARRIER"] == 1


def test_a_single_dump_or_no_dump_is_one_part():
    one = text("jdk08_jstack_tda.log")
    assert split_dumps(one) == [one]
    assert split_dumps("no dump here\n") == ["no dump here\n"]


def test_the_plain_text_dump_of_jdk25_lists_virtual_threads_and_its_lock_lines_show_the_deadlock():
    dump = text("jdk25_dump_to_file_recorded.txt")
    parsed = parse_dump(dump)
    assert (parsed.jvm, f"{parsed.printed_at:%Y-%m-%d %H:%M:%S%z}") == (
        "25.0.3+9-LTS",
        "2026-12-06 02:29:41+0000",
    )
    virtual = [t for t in parsed.threads if t.virtual]
    assert [(t.number, t.state) for t in virtual][:2] == [(32, "TIMED_WAITING"), (34, "TIMED_WAITING")]
    assert {pool_of(t) for t in virtual} == {"virtual"}
    analysis = analyse_series(series_of(dump))
    assert [(d.threads, d.source) for d in analysis.deadlocks] == [
        (("cache-loader-1", "cache-loader-2"), "locks")
    ]


def test_the_plain_text_dump_of_jdk21_has_no_states_and_still_knows_the_jvm_threads():
    threads = parse_dump(text("jdk21_dump_to_file_reconstructed.txt")).threads
    assert len(threads) == 22 and all(t.state is None for t in threads)
    reaper = next(t for t in threads if t.name.startswith("process reaper"))
    assert reaper.top(1) == ("java.lang.ProcessHandleImpl.waitForProcessExit0",)
    assert is_jvm_internal(reaper)
    assert not any(is_jvm_internal(t) for t in threads if t.virtual)


def test_a_frame_reads_the_same_whether_the_module_is_in_front_or_in_the_location():
    assert Frame.of("java.base/java.lang.Thread.sleep", "Thread.java:509").method == "java.lang.Thread.sleep"
    assert Frame.of("com.foo.loader/foo@9.0/com.foo.Main.run", "Main.java:1").method == "com.foo.Main.run"
    assert Frame.of("app//com.foo.App.run", "App.java:12").method == "com.foo.App.run"
    lambda_frame = Frame.of("Estate$$Lambda/0x000000008c0304f8.run", "Unknown Source")
    assert lambda_frame.method == "Estate$$Lambda.run"


def test_a_dump_in_a_console_log_ends_where_the_jvm_ends_it_not_at_the_next_stack_trace():
    # kill -3 writes the dump into catalina.out, between the application's own log lines
    logged = "2016-07-12 14:02:40,123 ERROR [main] job failed\njava.lang.IllegalStateException: no\n"
    logged += "\tat com.example.Job.run(Job.java:12)\n"
    parsed = parse_dump(text("jdk08_jstack_tda.log") + logged)
    assert not any(f.method == "com.example.Job.run" for t in parsed.threads for f in t.frames)
    assert len(parsed.threads) == 21


def test_the_jvms_own_threads_are_never_counted_busy():
    parts = split_dumps(text("jdk17_jcmd_series_recorded.txt"))
    summary = analyse_series(series_of(*parts)).dumps[-1]
    assert summary.busy_pools == {"http": 2, "other": 2}  # spinning and sleeping requests, the deadlock
    assert summary.pools["jvm"] == 20


def test_carriers_make_no_hot_stack_and_waiting_virtual_threads_are_busy():
    carriers = analyse_series(series_of(text("jdk25_jstack_virtual_threads.txt")))
    assert not any(h.frames[0] == "jdk.internal.vm.Continuation.run" for h in carriers.hottest)
    plain = analyse_series(series_of(text("jdk25_dump_to_file_recorded.txt"))).dumps[0]
    assert plain.busy_pools["virtual"] == 4  # a virtual thread runs one task: waiting is not idling


def test_the_stuck_check_on_a_real_series_names_the_spinning_workers_with_their_frames_and_no_reaper():
    parts = split_dumps(text("jdk25_jstack_series_cpu_stall.txt"))
    finding = only(run_host_check(JvmThreadsStuck, host(thread_dumps=series_of(*parts))))
    assert (finding.severity, finding.title) == (Severity.CRITICAL, "5 thread(s) stuck on the same frames")
    assert "process reaper" not in finding.message
    shown = evidence(finding)
    assert shown["pool-3-thread-1 (RUNNABLE)"].startswith(
        "me.bechberger.jthreaddump.test.scenarios.TestScenarios$15.busyWaitSpin <- "
    )
