"""JDK 8 GC logs (-XX:+PrintGCDetails): Parallel, CMS and G1 lines as the JVM writes them.

Lines come from reference/atlassian.md 4.1 (the Full GC and class-unloading examples of Japanese KB
966051552) and from JDK 8 logs published with GC tutorials (G1 with and without details, CMS phases,
concurrent mode failure); times and sizes are theirs.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from collectors.logs.context import ChunkStats, FileContext
from collectors.logs.gc import GcAccumulator
from collectors.logs.model import GcSummary, LogKind

# reference 4.1: "[Full GC (Ergonomics) [PSYoungGen: …] [ParOldGen: …] …, [Metaspace: …], 6.6621633 secs]
# [Times: user=27.14 sys=1.06, real=6.66 secs]" (the KB elides the sizes), here with its stamps.
PARALLEL = (
    b"2024-05-01T10:00:00.123+0000: 12345.678: [GC (Allocation Failure) [PSYoungGen: 1024K->512K(2048K)] "
    b"4096K->3584K(8192K), 0.0123456 secs] [Times: user=0.04 sys=0.00, real=0.01 secs]\n"
    b"2024-05-01T10:00:05.000+0000: 12350.555: [Full GC (Ergonomics) [PSYoungGen: \xe2\x80\xa6] "
    b"[ParOldGen: \xe2\x80\xa6] \xe2\x80\xa6, [Metaspace: \xe2\x80\xa6], 6.6621633 secs] "
    b"[Times: user=27.14 sys=1.06, real=6.66 secs]\n"
    b"2024-05-01T10:01:00.000+0000: 12405.555: [Full GC (Ergonomics) [PSYoungGen: 1024K->0K(2048K)] "
    b"[ParOldGen: 6000K->5000K(6144K)] 7024K->5000K(8192K), [Metaspace: 50000K->50000K(1083392K)], "
    b"0.9000000 secs] [Times: user=1.50 sys=0.01, real=0.90 secs]\n"
)

# G1 with -XX:+PrintGCDetails (details trimmed to the lines that matter), from a JDK 8 tutorial log.
G1_DETAILS = b"""2020-09-27T23:16:05.118+0800: 0.217: [GC pause (G1 Evacuation Pause) (young), 0.0090108 secs]
   [Parallel Time: 5.9 ms, GC Workers: 8]
      [GC Worker Start (ms): Min: 314.6, Avg: 316.8, Max: 320.3, Diff: 5.7]
   [Eden: 100.0M(100.0M)->0.0B(84.0M) Survivors: 0.0B->16.0M Heap: 100.0M(200.0M)->95.1M(200.0M)]
2020-09-27T23:16:05.130+0800: 0.228: [GC pause (G1 Evacuation Pause) (young) (to-space exhausted), 0.0031955 secs]
   [Eden: 84.0M(84.0M)->0.0B(92.0M) Survivors: 16.0M->8192.0K Heap: 179.1M(200.0M)->124.0M(200.0M)]
 [Times: user=0.00 sys=0.00, real=0.00 secs]
2020-09-27T23:16:05.137+0800: 0.236: [GC concurrent-root-region-scan-start]
2020-09-27T23:16:05.137+0800: 0.236: [GC concurrent-root-region-scan-end, 0.0000095 secs]
2020-09-27T23:16:05.138+0800: 0.237: [GC concurrent-mark-end, 0.0012656 secs]
2020-09-27T23:16:05.138+0800: 0.237: [GC remark 2020-09-27T23:16:05.139+0800: 0.237: [Finalize Marking, 0.0001289 secs] 2020-09-27T23:16:05.139+0800: 0.238: [GC ref-proc, 0.0005058 secs] 2020-09-27T23:16:05.139+0800: 0.238: [Unloading, 0.0004047 secs], 0.0013203 secs]
 [Times: user=0.00 sys=0.00, real=0.00 secs]
2020-09-27T23:16:05.140+0800: 0.239: [GC cleanup 132M->132M(200M), 0.0005312 secs]
 [Times: user=0.00 sys=0.00, real=0.00 secs]
Heap
 garbage-first heap   total 204800K, used 135168K [0x00000000f3800000, 0x00000000f3c00190, 0x0000000100000000)
"""

# CMS: young ParNew, the two stop-the-world phases, concurrent phases that are not pauses, and a
# concurrent mode failure whose event continues on the next line (a tutorial's JDK 8 log; the JVM ends
# some lines with a space: \x20).
CMS = b"""2020-10-25T22:12:45.317-0800: 0.237: [GC (Allocation Failure) 2020-10-25T22:12:45.317-0800: 0.237: [ParNew: 156666K->17468K(157248K), 0.0243765 secs] 192215K->100144K(506816K), 0.0244768 secs] [Times: user=0.03 sys=0.06, real=0.03 secs]\x20
2020-10-25T22:12:45.451-0800: 0.371: [GC (CMS Initial Mark) [1 CMS-initial-mark: 175511K(349568K)] 193270K(506816K), 0.0003234 secs] [Times: user=0.00 sys=0.00, real=0.00 secs]\x20
2020-10-25T22:12:45.451-0800: 0.371: [CMS-concurrent-mark-start]
2020-10-25T22:12:45.457-0800: 0.376: [CMS-concurrent-mark: 0.005/0.005 secs] [Times: user=0.01 sys=0.01, real=0.00 secs]\x20
2020-10-29T21:19:19.998+0800: 114.525: [CMS-concurrent-abortable-preclean-start]CMS: abort preclean due to time\x20
2020-10-25T22:12:46.474-0800: 1.394: [GC (Allocation Failure) 2020-10-25T22:12:46.474-0800: 1.394: [ParNew: 157245K->157245K(157248K), 0.0000573 secs]2020-10-25T22:12:46.474-0800: 1.394: [CMS2020-10-25T22:12:46.480-0800: 1.400: [CMS-concurrent-abortable-preclean: 0.004/0.091 secs] [Times: user=0.30 sys=0.02, real=0.09 secs]
 (concurrent mode failure): 316281K->252015K(349568K), 0.0440026 secs] 473527K->252015K(506816K), [Metaspace: 2613K->2613K(1056768K)], 0.0445195 secs] [Times: user=0.05 sys=0.00, real=0.04 secs]
2020-10-25T22:12:47.000-0800: 1.920: [GC (CMS Final Remark) [YG occupancy: 28785 K (157248 K)][Rescan (parallel) , 0.0002592 secs][weak refs processing, 0.0000208 secs][class unloading, 0.0008936 secs][scrub symbol table, 0.0002973 secs][scrub string table, 0.0000928 secs][1 CMS-remark: 326699K(349568K)] 355485K(506816K), 0.0049802 secs] [Times: user=0.00 sys=0.00, real=0.01 secs]
2020-10-25T22:12:47.001-0800: 1.921: [CMS-concurrent-sweep-start]
"""


def ctx(
    tz=UTC, since: float | None = None, until: float | None = None, node: str = "node1", path: str = "gc.log"
):
    return FileContext(path, node, LogKind.GC_JDK8, tz, since, until)


def read(data: bytes, context: FileContext | None = None) -> tuple[GcSummary, ChunkStats]:
    acc = GcAccumulator()
    context = context or ctx()
    stats = acc.feed(data, context)
    stats.merge(acc.end_file(context))
    [summary] = acc.summaries(60)
    return summary, stats


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def test_parallel_young_and_full_pauses_with_the_whole_heap_after_gc() -> None:
    summary, stats = read(PARALLEL)
    assert (stats.lines, stats.events, stats.unparsed) == (3, 3, 0)
    assert summary.format == "jdk8" and summary.collector == "Parallel"
    assert (summary.pauses, summary.full_gcs) == (3, 2)
    assert summary.max_ms == pytest.approx(6662.163)
    assert summary.total_pause_s == pytest.approx(0.0123456 + 6.6621633 + 0.9, abs=1e-6)
    assert [(p.kind, p.full, p.pause_ms) for p in summary.longest] == [
        ("Full GC (Ergonomics)", True, 6662.163),
        ("Full GC (Ergonomics)", True, 900.0),
        ("GC (Allocation Failure)", False, 12.346),
    ]
    assert summary.longest[0].at == at("2024-05-01T10:00:05+00:00")
    # The whole heap, not a generation: 4096K->3584K(8192K) and 7024K->5000K(8192K) in MB.
    assert [(h.after_mb, h.total_mb) for h in summary.heap_after] == [(3.5, 8.0), (4.883, 8.0)]
    assert summary.span_s == pytest.approx(60.0 + 0.9 - 0.123, abs=1e-3)


def test_g1_with_details_takes_the_heap_from_the_detail_line_and_counts_remark_and_cleanup() -> None:
    summary, stats = read(G1_DETAILS)
    assert stats.unparsed == 0
    assert summary.collector == "G1"
    kinds = sorted(p.kind for p in summary.longest)
    assert kinds == [
        "GC cleanup",
        "GC pause (G1 Evacuation Pause) (young)",
        "GC pause (G1 Evacuation Pause) (young) (to-space exhausted)",
        "GC remark",
    ]  # the concurrent phases are not pauses
    assert summary.full_gcs == 0
    assert summary.total_pause_s == pytest.approx(0.0090108 + 0.0031955 + 0.0013203 + 0.0005312, abs=1e-6)
    # Lowest after-GC heap of the minute: 95.1M (details), 124.0M, 132M (cleanup's own line).
    assert [(h.after_mb, h.total_mb) for h in summary.heap_after] == [(95.1, 200.0)]
    assert min(p.at for p in summary.longest) == at("2020-09-27T23:16:05.118+08:00")


def test_cms_counts_only_the_stop_the_world_phases_and_joins_the_concurrent_mode_failure() -> None:
    summary, stats = read(CMS)
    assert stats.unparsed == 0
    assert summary.collector == "CMS"
    by_kind = {p.kind: p for p in summary.longest}
    assert set(by_kind) == {
        "GC (Allocation Failure)",
        "GC (CMS Initial Mark)",
        "GC (Allocation Failure) (concurrent mode failure)",
        "GC (CMS Final Remark)",
    }
    failure = by_kind["GC (Allocation Failure) (concurrent mode failure)"]
    assert failure.full and failure.pause_ms == pytest.approx(44.5195, abs=0.001)  # not ParNew's 0.06 ms
    assert failure.at == at("2020-10-25T22:12:46.474-08:00")
    assert summary.full_gcs == 1
    assert by_kind["GC (CMS Final Remark)"].pause_ms == pytest.approx(4.98)


def test_class_unloading_pause_from_the_reference_spills_over_minutes() -> None:
    # reference 4.1: "class unloading `[Unloading, 226.2160260 secs], 226.2848696 secs]`"
    line = (
        b"2024-05-01T10:00:30.000+0000: 100.000: [GC remark 2024-05-01T10:00:30.000+0000: 100.000: "
        b"[Finalize Marking, 0.0001289 secs] 2024-05-01T10:00:30.000+0000: 100.000: [GC ref-proc, 0.0005058 secs] "
        b"2024-05-01T10:00:30.001+0000: 100.001: [Unloading, 226.2160260 secs], 226.2848696 secs]\n"
        b" [Times: user=226.20 sys=0.01, real=226.29 secs]\n"
    )
    summary, _ = read(line)
    assert summary.max_ms == pytest.approx(226284.870)
    shares = [(m.at.strftime("%H:%M"), m.pauses, m.share) for m in summary.per_minute]
    assert shares[0] == ("10:00", 1, 0.5)  # 30 s of the first minute
    assert [s[2] for s in shares[1:4]] == [1.0, 1.0, 1.0]
    assert shares[4][0] == "10:04" and shares[4][1] == 0 and 0 < shares[4][2] < 0.3
    assert sum(m.pause_ms for m in summary.per_minute) == pytest.approx(226284.870, abs=0.01)


def test_g1_adaptive_size_policy_event_closes_on_a_later_line() -> None:
    data = (
        b"2024-05-01T10:00:00.000+0000: 1.234: [GC pause (G1 Evacuation Pause) (young) 1.234: [G1Ergonomics "
        b"(CSet Construction) start choosing CSet, _pending_cards: 0, predicted base time: 10.00 ms, remaining "
        b"time: 190.00 ms, target pause time: 200.00 ms]\n"
        b" 1.234: [G1Ergonomics (CSet Construction) add young regions to CSet, eden: 12 regions, survivors: 0 "
        b"regions, predicted young region time: 1234.56 ms]\n"
        b", 0.0234567 secs]\n"
        b"   [Eden: 24.0M(24.0M)->0.0B(20.0M) Survivors: 0.0B->4096.0K Heap: 24.0M(256.0M)->5.1M(256.0M)]\n"
        b" [Times: user=0.05 sys=0.01, real=0.02 secs]\n"
    )
    summary, stats = read(data)
    assert stats.unparsed == 0 and stats.events == 1
    assert summary.pauses == 1 and summary.max_ms == pytest.approx(23.457)
    assert summary.heap_after[0].after_mb == 5.1


def test_safepoint_stops_are_counted_apart_from_pauses() -> None:
    data = PARALLEL + (
        b"2024-05-01T10:01:00.950+0000: 12406.505: Total time for which application threads were stopped: "
        b"0.9012345 seconds, Stopping threads took: 0.0000234 seconds\n"
        b"2024-05-01T10:01:01.000+0000: 12406.555: Application time: 0.0500000 seconds\n"
    )
    summary, stats = read(data)
    assert summary.pauses == 3
    assert summary.safepoints == 1 and summary.safepoint_max_ms == pytest.approx(901.235, abs=1e-3)
    assert stats.unparsed == 0


def test_uptime_only_stamps_keep_pauses_but_no_timeline_and_say_so() -> None:
    data = (
        b"0.181: [GC pause (G1 Evacuation Pause) (young), 0.0038769 secs]\n"
        b"0.187: [GC pause (G1 Evacuation Pause) (young) (initial-mark), 0.0020493 secs]\n"
        b"0.207: [GC pause (G1 Evacuation Pause) (mixed) (to-space exhausted), 0.0023932 secs]\n"
        b"0.268: [Full GC (Allocation Failure)  98235K->97978K(128M), 0.0030216 secs]\n"
    )
    summary, stats = read(data, ctx(since=0.0, until=1.0))  # a window cannot cut undated pauses
    assert (summary.pauses, summary.full_gcs) == (4, 1)
    assert summary.per_minute == [] and summary.heap_after == []
    assert all(p.at is None for p in summary.longest)
    assert summary.span_s == pytest.approx(0.087)
    assert summary.overhead == pytest.approx((3.8769 + 2.0493 + 2.3932 + 3.0216) / 1000 / 0.087, rel=1e-4)
    assert stats.first is None and any("without date stamps" in n for n in stats.notes)


def test_no_stamps_at_all_and_a_jvm_restart_in_uptime() -> None:
    data = (
        b"[GC (Allocation Failure) [ParNew: 6192K->493K(9216K), 0.0067069 secs] 6192K->4591K(19456K), "
        b"0.0067846 secs] [Times: user=0.02 sys=0.01, real=0.01 secs]\n"
        b"10.000: [GC (Allocation Failure)  4096K->3584K(8192K), 0.0100000 secs]\n"
        b"20.000: [GC (Allocation Failure)  4096K->3584K(8192K), 0.0100000 secs]\n"
        b"1.000: [GC (Allocation Failure)  4096K->3584K(8192K), 0.0100000 secs]\n"
        b"6.000: [GC (Allocation Failure)  4096K->3584K(8192K), 0.0100000 secs]\n"
    )
    summary, _ = read(data)
    assert summary.pauses == 5
    assert summary.span_s == pytest.approx(15.0)  # 10 s before the restart, 5 s after


def test_timestamps_with_offsets_and_comma_decimals() -> None:
    data = (
        b"2024-05-01T12:00:00,500+0200: 1,500: [GC (Allocation Failure) [PSYoungGen: 1024K->512K(2048K)] "
        b"4096K->3584K(8192K), 0,0123456 secs] [Times: user=0,04 sys=0,00, real=0,01 secs]\n"
        b"2024-05-01T10:00:01.000Z: 2.000: [GC (Allocation Failure)  4096K->3584K(8192K), 0.0100000 secs]\n"
    )
    summary, stats = read(data)
    assert stats.unparsed == 0
    assert [p.at for p in sorted(summary.longest, key=lambda p: p.at)] == [
        at("2024-05-01T10:00:00.500+00:00"),
        at("2024-05-01T10:00:01+00:00"),
    ]
    assert summary.max_ms == pytest.approx(12.346)


def test_the_window_cuts_pauses_but_not_lines() -> None:
    since = at("2024-05-01T10:00:01+00:00").timestamp()
    until = at("2024-05-01T10:00:30+00:00").timestamp()
    summary, stats = read(PARALLEL, ctx(since=since, until=until))
    assert stats.lines == 3 and stats.events == 3
    assert summary.pauses == 1 and summary.longest[0].pause_ms == pytest.approx(6662.163)
    assert stats.first == stats.last == at("2024-05-01T10:00:05+00:00").timestamp()


def test_garbage_binary_and_cut_lines_are_unparsed_never_fatal() -> None:
    data = (
        b"\x00\x01\xff\xfe binary\n"
        b"Java HotSpot(TM) 64-Bit Server VM (25.202-b08) for linux-amd64 JRE (1.8.0_202-b08)\n"
        b"CommandLine flags: -XX:+PrintGCDetails -XX:+UseG1GC\n"
        b"2024-05-01 10:00:00 GC log file created /opt/jira/logs/atlassian-jira-gc-2024-05-01.log.1\n"
        b"2024-05-01T10:00:00.123+0000: 12345.678: [GC (Allocation Failure) [PSYoungGen: 1024K->5\n"
        b"2024-05-01T10:00:00.123+00\n"
        b"99999-99-99T99:99:99.999+9999: 1.0: [GC (x), 0.1 secs]\n"
        b"the end\n" + PARALLEL
    )
    summary, stats = read(data)
    assert stats.lines == 11
    # binary, the cut event (closed by the next line, no time to read), the cut stamp, the impossible
    # date and "the end"
    assert stats.unparsed == 5
    assert summary.pauses == 3
    assert summary.collector == "G1"  # from the flags line, before any pause


def test_a_different_zone_for_offsetless_dates_is_not_needed_here() -> None:
    # JDK 8 date stamps always carry an offset; the user's zone must not shift them.
    summary_utc, _ = read(PARALLEL)
    summary_berlin, _ = read(PARALLEL, ctx(tz=ZoneInfo("Europe/Berlin")))
    assert summary_utc == summary_berlin


# Real files of tests/corpus/gc (sources and licences in its manifest.yaml).
CORPUS = __import__("pathlib").Path(__file__).parents[2] / "corpus" / "gc"


def corpus(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


def test_a_jdk8_shenandoah_log_is_recognised_and_every_pause_read() -> None:
    from collectors.logs.sniff import sniff

    data = corpus("jdk8-shenandoah-332.gc.log")
    assert sniff("gc.log", data[:65536]) is LogKind.GC_JDK8  # was read as unified: "no GC pause"
    summary, stats = read(data)
    assert (summary.collector, summary.pauses, summary.full_gcs, stats.unparsed) == ("Shenandoah", 8, 0, 0)
    # "[Pause Degenerated GC (Update Refs) 3941M->1733M(3966M), 184.489 ms]", stamped when it ended
    top = summary.longest[0]
    assert (top.kind, top.pause_ms, summary.max_ms) == (
        "Pause Degenerated GC (Update Refs)",
        184.489,
        184.489,
    )
    assert top.at == datetime(2022, 8, 17, 8, 25, 40, 251511, tzinfo=UTC)  # 16:25:40.436+0800 less the pause


def test_shenandoah_start_lines_and_concurrent_phases_are_not_pauses_and_full_is_full() -> None:
    lines = (
        b"2021-03-23T20:57:42.349+0000: 120835.633: [Pause Full, start]\n"
        b"    Using 6 of 6 workers for full gc\n"
        b"2021-03-23T20:57:46.427+0000: 120839.710: [Pause Full 1589M->1002M(1690M), 4077.274 ms]\n"
        b"2021-03-23T20:57:46.428+0000: 120839.711: [Concurrent cleanup 1002M->1002M(1690M), 0.1 ms]\n"
        b"2017-11-14T14:38:15.525-0500: 463.254: #0: [Pause Init Mark, 7.438 ms]\n"
    )
    summary, stats = read(lines)
    assert (summary.pauses, summary.full_gcs, summary.max_ms, stats.unparsed) == (2, 1, 4077.274, 0)
    assert summary.heap_after[0].after_mb == 1002.0


def test_a_g1_pause_interleaved_with_a_concurrent_phase_keeps_its_own_time() -> None:
    # "[GC pause (G1 Humongous Allocation) (young)<stamps>: [GC concurrent-root-region-scan-end, 0.0157002
    # secs]", a concurrent-mark-start line, then the pause's own ", 0.0470136 secs]"
    summary, stats = read(corpus("jdk8-g1-humongous-interleaved.gc.log"))
    assert (summary.pauses, summary.max_ms, stats.unparsed) == (1, 47.014, 0)
    assert summary.longest[0].kind == "GC pause (G1 Humongous Allocation) (young)"
    assert summary.heap_after[0].after_mb == pytest.approx(29.9 * 1024)


def test_the_pause_after_an_interleaved_phase_ends_on_the_phase_line() -> None:
    # the phase's end and the pause's end share a line: "<stamps>: [GC concurrent-root-region-scan-end,
    # 0.0189841 secs] (to-space exhausted), 0.3314995 secs][Eden: ..."
    summary, stats = read(corpus("jdk8-g1-to-space-exhausted-interleaved.gc.log"))
    assert [p.pause_ms for p in summary.longest] == [331.5, 108.331]  # 0.3314995 and 0.1083307 secs
    assert (summary.evacuation_failures, stats.unparsed) == (1, 0)


def test_to_space_exhausted_is_counted_with_file_time_and_line() -> None:
    summary, _ = read(corpus("jdk8-g1-humongous-to-space-exhausted.gc.log"), ctx(path="node1/gc.log"))
    assert summary.evacuation_failures == 1
    [sample] = summary.evacuation_samples
    assert sample.file == "node1/gc.log"
    assert sample.at == datetime(2017, 6, 22, 6, 55, 26, 515000, tzinfo=UTC)
    assert sample.line.startswith(
        "[GC pause (G1 Humongous Allocation) (mixed) (to-space exhausted), 0.2466797"
    )


def test_print_gc_id_prefixes_are_read() -> None:
    from collectors.logs.sniff import sniff

    data = corpus("jdk8-parallel-gcid.gc.log")
    assert sniff("gc.log", data[:65536]) is LogKind.GC_JDK8
    summary, stats = read(data)
    assert (summary.collector, summary.pauses, summary.full_gcs, stats.unparsed) == ("Parallel", 5, 2, 0)


@pytest.mark.parametrize(
    "head",
    [
        b"2014-10-21T22:20:48.668+0200: [GC pause (G1 Evacuation Pause) (young)\n",  # a date only
        b"2015-10-02T17:14:13.272+0200: 400,737: [GC remark 2015-10-02T17:14:13.273+0200: 400,737: ...\n",
        b"[GC (Allocation Failure) [PSYoungGen: 65536K->10746K(76288K)] 65536K->17546K(251392K), 0.02 secs]\n",
        b"Java HotSpot(TM) 64-Bit Server VM (25.45-b02) for windows-amd64 JRE (1.8.0_45-b15)\n"
        b"CommandLine flags: -XX:+PrintGC -XX:+UseConcMarkSweepGC\n"
        b"2016-04-14 22:41:41 GC log file has reached the maximum size. Saved as logs/gc.log.1\n",
        b"2022-10-28T10:58:59.284-0400: [Concurrent marking, start]\n",
    ],
)
def test_jdk8_logs_are_recognised_by_content_whatever_their_stamps(head: bytes) -> None:
    from collectors.logs.sniff import sniff

    assert sniff("gc.log", head) is LogKind.GC_JDK8


def test_a_cms_remark_with_the_scavenge_it_runs_printed_inside_is_one_pause() -> None:
    # -XX:+CMSScavengeBeforeRemark with -XX:+PrintHeapAtGC: the remark opens, the heap is printed, the
    # scavenge is printed whole as an event of the same name, then the remark's phases and its own time
    summary, stats = read(corpus("jdk8-cms-scavenge-before-remark.gc.log"))
    assert (summary.pauses, summary.max_ms, stats.unparsed) == (1, 1.997, 0)


def test_class_histograms_around_a_full_gc_are_read_and_the_full_gc_keeps_its_time() -> None:
    summary, stats = read(corpus("jdk8-g1-full-gc-class-histogram.gc.log"))
    assert (summary.pauses, summary.full_gcs, summary.max_ms, stats.unparsed) == (1, 1, 24572.765, 0)


def test_safepoint_lines_without_stamps_are_counted() -> None:
    data = b"Total time for which application threads were stopped: 0.0003160 seconds\nApplication time: 0.88 seconds\n"
    summary, stats = read(data)
    assert (summary.safepoints, summary.safepoint_max_ms, stats.unparsed) == (1, 0.316, 0)
