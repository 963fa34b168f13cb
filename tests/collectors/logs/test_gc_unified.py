"""JDK 9+ unified GC logs (-Xlog:gc*): every collector's pause lines and the decoration variants.

The G1, Parallel, Serial, ZGC and Shenandoah lines were written by OpenJDK 17.0.15 and the generational
ZGC lines by JDK 25 (``-Xlog:gc*:file=...:time,uptime``, some with ``level,tags``); the Full GC line is
reference/atlassian.md 4.1. test_gc_real_jvm.py reads whole logs from a JVM started by the tests.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from collectors.logs.context import ChunkStats, FileContext
from collectors.logs.gc import GcAccumulator
from collectors.logs.model import GcSummary, LogKind

REFERENCE_FULL = (
    b"[2024-05-01T10:00:00.000+0000][12345.678s] GC(123) Pause Full (G1 Compaction Pause) "
    b"7800M->7700M(8192M) 6543.210ms\n"
)

G1 = b"""[2026-11-26T14:02:54.413+0000][0.003s] Using G1
[2026-11-26T14:02:54.423+0000][0.013s] Heap Region Size: 1M
[2026-11-26T14:02:55.298+0000][0.888s] GC(0) Pause Young (Normal) (G1 Evacuation Pause)
[2026-11-26T14:02:55.313+0000][0.904s] GC(0)   Pre Evacuate Collection Set: 0.1ms
[2026-11-26T14:02:55.313+0000][0.904s] GC(0)   Evacuate Collection Set: 11.4ms
[2026-11-26T14:02:55.313+0000][0.904s] GC(0)   Post Evacuate Collection Set: 0.3ms
[2026-11-26T14:02:55.313+0000][0.904s] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 6M->3M(64M) 15.848ms
[2026-11-26T14:02:56.168+0000][1.759s] GC(40) Pause Young (Concurrent Start) (G1 Evacuation Pause)
[2026-11-26T14:02:56.170+0000][1.760s] GC(40) Pause Young (Concurrent Start) (G1 Evacuation Pause) 53M->30M(64M) 1.299ms
[2026-11-26T14:02:56.195+0000][1.785s] GC(41) Pause Remark
[2026-11-26T14:02:56.197+0000][1.788s] GC(41) Pause Remark 50M->50M(64M) 2.581ms
[2026-11-26T14:02:56.322+0000][1.913s] GC(137) User=0.00s Sys=0.00s Real=0.00s
[2026-11-26T14:02:56.322+0000][1.913s] Attempting full compaction
[2026-11-26T14:02:56.322+0000][1.913s] GC(138) Pause Full (G1 Compaction Pause)
[2026-11-26T14:02:56.337+0000][1.927s] GC(138) Metaspace: 9340K(9536K)->9340K(9536K) NonClass: 8209K(8320K)->8209K(8320K) Class: 1131K(1216K)->1131K(1216K)
[2026-11-26T14:02:56.337+0000][1.927s] GC(138) Pause Full (G1 Compaction Pause) 59M->50M(64M) 14.285ms
[2026-11-26T14:02:56.337+0000][1.927s] GC(138) User=0.01s Sys=0.00s Real=0.01s
"""

PARALLEL = b"""[2026-11-26T14:02:57.263+0000][0.004s] Using Parallel
[2026-11-26T14:02:57.770+0000][0.511s] GC(0) Pause Young (Allocation Failure)
[2026-11-26T14:02:57.777+0000][0.518s] GC(0) Pause Young (Allocation Failure) 16M->4M(61M) 7.294ms
[2026-11-26T14:02:59.383+0000][2.124s] GC(248) Pause Full (System.gc())
[2026-11-26T14:02:59.390+0000][2.131s] GC(248) Pause Full (System.gc()) 30M->2M(61M) 6.500ms
"""

SERIAL = b"""[2026-11-26T14:02:59.419+0000][0.004s] Using Serial
[2026-11-26T14:03:00.637+0000][1.222s] GC(111) Pause Full (Allocation Failure)
[2026-11-26T14:03:00.645+0000][1.230s] GC(111) Pause Full (Allocation Failure) 60M->43M(61M) 8.001ms
"""

ZGC = b"""[2026-11-26T14:03:01.999+0000][0.005s] Initializing The Z Garbage Collector
[2026-11-26T14:03:02.586+0000][0.592s] GC(0) Garbage Collection (Warmup)
[2026-11-26T14:03:02.586+0000][0.593s] GC(0) Pause Mark Start 0.010ms
[2026-11-26T14:03:02.609+0000][0.616s] GC(0) Pause Mark End 0.018ms
[2026-11-26T14:03:02.626+0000][0.632s] GC(0) Pause Relocate Start 0.012ms
[2026-11-26T14:03:02.632+0000][0.638s] GC(0) Garbage Collection (Warmup) 8M(12%)->6M(9%)
"""

ZGC_GENERATIONAL = b"""[2026-11-26T14:03:07.326+0000][0.022s][info][gc,init] Initializing The Z Garbage Collector
[2026-11-26T14:03:07.669+0000][0.365s][info][gc          ] GC(0) Major Collection (Warmup)
[2026-11-26T14:03:07.674+0000][0.369s][info][gc,phases   ] GC(0) Y: Pause Mark Start (Major) 0.021ms
[2026-11-26T14:03:07.713+0000][0.409s][info][gc,phases   ] GC(0) O: Pause Mark End 0.032ms
[2026-11-26T14:03:07.718+0000][0.414s][info][gc          ] GC(0) Major Collection (Warmup) 8M(12%)->8M(12%) 0.049s
[2026-11-26T14:03:08.446+0000][1.141s][info][gc,phases   ] GC(3) y: Pause Mark Start 0.016ms
[2026-11-26T14:03:08.482+0000][1.177s][info][gc          ] GC(3) Minor Collection (Allocation Rate) 42M(66%)->64M(100%) 0.036s
"""

SHENANDOAH = b"""[2026-11-26T14:03:04.965+0000][0.005s] Using Shenandoah
[2026-11-26T14:03:05.554+0000][0.594s] GC(0) Pause Init Mark (unload classes)
[2026-11-26T14:03:05.554+0000][0.594s] GC(0) Pause Init Mark (unload classes) 0.026ms
[2026-11-26T14:03:05.574+0000][0.614s] GC(0) Pause Final Mark (unload classes) 0.126ms
[2026-11-26T14:03:05.576+0000][0.616s] GC(0) Concurrent cleanup 17M->17M(64M) 0.016ms
[2026-11-26T14:03:05.861+0000][0.901s] GC(6) Pause Degenerated GC (Evacuation) 12M->6M(64M) 5.289ms
[2026-11-26T14:03:05.599+0000][0.639s] Pause Init Mark (G)                 343 us
[2026-11-26T14:03:05.599+0000][0.639s] Pause Init Mark (N)                  31 us
"""

SAFEPOINTS = (
    b'[2026-11-26T14:09:17.359+0000][1197ms][26981][27048][info][safepoint] Safepoint "GenCollectForAllocation", '
    b"Time since last: 1080780533 ns, Reaching safepoint: 3964 ns, Cleanup: 80983 ns, At safepoint: 8670363 ns, "
    b"Total: 8755310 ns\n"
    b"[2024-05-01T10:00:00.000+0000][12.345s][info][safepoint] Total time for which application threads were "
    b"stopped: 0.0123456 seconds, Stopping threads took: 0.0000123 seconds\n"
)


def ctx(
    tz=UTC, since: float | None = None, until: float | None = None, node: str = "node1", path: str = "gc.log"
):
    return FileContext(path, node, LogKind.GC_UNIFIED, tz, since, until)


def read(data: bytes, context: FileContext | None = None) -> tuple[GcSummary, ChunkStats]:
    acc = GcAccumulator()
    context = context or ctx()
    stats = acc.feed(data, context)
    stats.merge(acc.end_file(context))
    [summary] = acc.summaries(60)
    return summary, stats


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def test_the_reference_full_gc_line() -> None:
    summary, stats = read(REFERENCE_FULL)
    assert (stats.lines, stats.events, stats.unparsed) == (1, 1, 0)
    assert summary.format == "unified"
    assert (summary.pauses, summary.full_gcs, summary.max_ms) == (1, 1, 6543.21)
    [pause] = summary.longest
    assert pause.kind == "Pause Full (G1 Compaction Pause)" and pause.full
    assert pause.at == at("2024-05-01T09:59:53.456790+00:00")  # the line is written when the pause ends
    assert [(h.after_mb, h.total_mb) for h in summary.heap_after] == [(7700.0, 8192.0)]
    assert summary.collector == "G1"  # from the pause's cause, without a "Using G1" line


def test_g1_counts_end_lines_only_and_reads_the_collector_and_heap() -> None:
    summary, stats = read(G1)
    assert stats.unparsed == 0 and stats.lines == stats.events == 17
    assert summary.collector == "G1"
    assert (summary.pauses, summary.full_gcs) == (4, 1)
    assert summary.total_pause_s == pytest.approx((15.848 + 1.299 + 2.581 + 14.285) / 1000)
    assert sorted(p.kind for p in summary.longest) == [
        "Pause Full (G1 Compaction Pause)",
        "Pause Remark",
        "Pause Young (Concurrent Start) (G1 Evacuation Pause)",
        "Pause Young (Normal) (G1 Evacuation Pause)",
    ]
    assert [(h.after_mb, h.total_mb) for h in summary.heap_after] == [(3.0, 64.0)]  # the minute's floor


@pytest.mark.parametrize(
    ("data", "collector", "pauses", "fulls", "floor"),
    [
        (PARALLEL, "Parallel", 2, 1, 2.0),
        (SERIAL, "Serial", 1, 1, 43.0),
        (ZGC, "ZGC", 3, 0, 6.0),
        (ZGC_GENERATIONAL, "ZGC", 3, 0, 8.0),
        (SHENANDOAH, "Shenandoah", 3, 0, 6.0),
    ],
)
def test_each_collector(data: bytes, collector: str, pauses: int, fulls: int, floor: float) -> None:
    summary, stats = read(data)
    assert stats.unparsed == 0
    assert (summary.collector, summary.pauses, summary.full_gcs) == (collector, pauses, fulls)
    assert summary.heap_after[0].after_mb == floor


def test_zgc_pauses_are_its_three_short_stops_not_the_cycle() -> None:
    summary, _ = read(ZGC)
    assert summary.total_pause_s == pytest.approx(0.000040)
    assert summary.heap_after[0].total_mb is None  # ZGC's cycle line gives percentages, not the size


def test_shenandoah_statistics_table_is_read_but_not_counted() -> None:
    summary, stats = read(SHENANDOAH)
    assert stats.unparsed == 0
    assert {p.kind for p in summary.longest} == {
        "Pause Init Mark (unload classes)",
        "Pause Final Mark (unload classes)",
        "Pause Degenerated GC (Evacuation)",
    }


@pytest.mark.parametrize(
    ("decorations", "expected_at"),
    [
        (b"[2024-05-01T10:00:00.000+0000][12345.678s]", "2024-05-01T10:00:00+00:00"),
        (b"[2024-05-01T12:00:00.000+0200]", "2024-05-01T10:00:00+00:00"),
        (b"[2024-05-01T10:00:00.000+0000][info][gc]", "2024-05-01T10:00:00+00:00"),
        (
            b"[2024-05-01T10:00:00.000+0000][12345678ms][1234][5678][info][gc,phases   ]",
            "2024-05-01T10:00:00+00:00",
        ),
        (b"[1714557600000ms][info][gc]", "2024-05-01T10:00:00+00:00"),  # timemillis
        (b"[1714557600000000000ns]", "2024-05-01T10:00:00+00:00"),  # timenanos
        (b"[2024-05-01T10:00:00.000Z]", "2024-05-01T10:00:00+00:00"),
        (b"[2024-05-01T10:00:00,000+0000][12345,678s]", "2024-05-01T10:00:00+00:00"),  # a comma locale
    ],
)
def test_decoration_variants_with_a_time(decorations: bytes, expected_at: str) -> None:
    summary, stats = read(
        decorations + b" GC(5) Pause Young (Normal) (G1 Evacuation Pause) 24M->4M(256M) 3.456ms\n"
    )
    assert stats.unparsed == 0 and summary.pauses == 1
    assert summary.longest[0].at == at(expected_at) - timedelta(milliseconds=3.456)  # it ended at the stamp
    assert summary.heap_after[0].after_mb == 4.0


@pytest.mark.parametrize(
    "decorations", [b"[12345.678s]", b"[info][gc]", b"[12345678ms][info][gc]", b"[42ns]"]
)
def test_decoration_variants_without_a_date_keep_the_pause_off_the_timeline(decorations: bytes) -> None:
    summary, stats = read(
        decorations + b" GC(5) Pause Young (Normal) (G1 Evacuation Pause) 24M->4M(256M) 3.456ms\n"
    )
    assert stats.unparsed == 0 and summary.pauses == 1
    assert summary.longest[0].at is None and summary.per_minute == [] and summary.heap_after == []
    assert any("without a time decoration" in n for n in stats.notes)


def test_offsetless_time_is_read_in_the_users_zone() -> None:
    summary, _ = read(
        b"[2024-05-01T12:00:00.000] GC(5) Pause Young (Normal) (G1 Evacuation Pause) 24M->4M(256M) 1000.000ms\n",
        ctx(tz=ZoneInfo("Europe/Berlin")),
    )
    assert summary.longest[0].at == at("2024-05-01T09:59:59+00:00")


def test_heap_sizes_in_k_m_and_g() -> None:
    data = (
        b"[2024-05-01T10:00:00.000+0000] GC(1) Pause Young (Normal) (G1 Evacuation Pause) 2G->1536M(4G) 10.0ms\n"
        b"[2024-05-01T10:01:00.000+0000] GC(2) Pause Young (Normal) (G1 Evacuation Pause) 900M->524288K(4G) 10.0ms\n"
    )
    summary, _ = read(data)
    assert [(h.after_mb, h.total_mb) for h in summary.heap_after] == [(1536.0, 4096.0), (512.0, 4096.0)]


def test_safepoints_in_both_jdk_formats_are_counted_apart() -> None:
    summary, stats = read(SAFEPOINTS + REFERENCE_FULL)
    assert stats.unparsed == 0
    assert summary.pauses == 1
    assert summary.safepoints == 2
    assert summary.safepoint_total_s == pytest.approx(0.008755 + 0.012346, abs=1e-6)
    assert summary.safepoint_max_ms == pytest.approx(12.346, abs=1e-3)


def test_the_window_cuts_pauses_by_their_start() -> None:
    start = at("2026-11-26T14:02:56+00:00").timestamp()
    summary, stats = read(G1, ctx(since=start))
    assert stats.lines == 17
    assert summary.pauses == 3  # GC(0) ended before the window opened
    assert stats.first is not None and stats.first >= start


def test_garbage_binary_and_cut_lines_are_unparsed_never_fatal() -> None:
    data = (
        b"\x00\x00\xff\xfe\x01binary\n"
        b".678s] GC(123) Pause Full (G1 Compaction Pause) 7800M->7700M(8192M) 6543.210ms\n"  # cut at the start
        b"[2024-05-01T10:00:00.000+0000][12345.678s] GC(123) Pause Full (G1 Compa\n"  # cut in the middle
        b"[2024-13-45T99:00:00.000+0000][1.0s] GC(1) Pause Young (Normal) 1M->1M(2M) 1.0ms\n"  # impossible date
        b"[2024-05-01T10:00:00.000+0000][1.0s] GC(x) Pause Young oops 1.0ms\n"
        b"\n" + REFERENCE_FULL
    )
    summary, stats = read(data)
    assert stats.lines == 7
    assert stats.unparsed == 4  # binary, cut at the start, the impossible date, the malformed pause
    assert summary.pauses == 1


def test_random_damage_never_raises() -> None:
    import random

    rng = random.Random(5)
    sample = G1 + ZGC + SHENANDOAH + SAFEPOINTS
    for _ in range(300):
        cut = bytearray(sample)
        for _ in range(rng.randint(1, 20)):
            cut[rng.randrange(len(cut))] = rng.randrange(256)
        _, stats = read(bytes(cut))
        assert 0 <= stats.unparsed <= stats.lines


# Evacuation failures: real lines of tests/corpus/gc (sources and licences in its manifest.yaml).
CORPUS = __import__("pathlib").Path(__file__).parents[2] / "corpus" / "gc"


def test_a_to_space_exhausted_line_is_counted_with_its_line() -> None:
    data = (CORPUS / "unified-g1-to-space-exhausted-uptimemillis.gc.log").read_bytes()
    summary, _ = read(data, ctx(path="node1/gc.log"))
    assert summary.evacuation_failures == 1
    [sample] = summary.evacuation_samples
    assert (sample.file, sample.line) == (
        "node1/gc.log",
        "[2021-03-13T03:37:40.051+0530][79853119ms] GC(8645) To-space exhausted",
    )
    assert sample.at == datetime(2021, 3, 12, 22, 7, 40, 51000, tzinfo=UTC)


def test_evacuation_failure_in_the_pause_of_newer_jdks_counts_once_per_collection() -> None:
    lines = (
        b"[2024-01-01T10:00:00.000+0000][info][gc] GC(17) Pause Young (Normal) (G1 Evacuation Pause) "
        b"(Evacuation Failure) 57M->47M(64M) 0.420ms\n"
        b"[2024-01-01T10:00:01.000+0000][info][gc] GC(18) Pause Young (Normal) (G1 Evacuation Pause) "
        b"(Evacuation Failure: Allocation) 40M->40M(46M) 1.845ms\n"
        b"[2024-01-01T10:00:02.000+0000][info][gc] GC(19) To-space exhausted\n"
        b"[2024-01-01T10:00:02.001+0000][info][gc] GC(19) Pause Young (Normal) (G1 Evacuation Pause) "
        b"(Evacuation Failure) 59M->57M(64M) 0.311ms\n"
    )
    summary, stats = read(lines)
    assert (summary.evacuation_failures, summary.pauses, stats.unparsed) == (3, 3, 0)
    assert [s.line.split("] ", 1)[1][:6] for s in summary.evacuation_samples] == [
        "GC(17)",
        "GC(18)",
        "GC(19)",
    ]


@pytest.mark.parametrize("use_hyperscan", [True, False])
def test_both_line_finders_find_the_to_space_exhausted_line(use_hyperscan: bool) -> None:
    from collectors.logs.gc_lines import HAVE_HYPERSCAN, LineFinder

    if use_hyperscan and not HAVE_HYPERSCAN:
        pytest.skip("Hyperscan is not installed on this platform")
    data = (CORPUS / "unified-jdk9-11-g1-to-space-exhausted.gc.log").read_bytes()
    found = LineFinder(use_hyperscan).lines(data, False)
    lines = [data[start:end] for start, end in zip(found.starts, found.ends, strict=True)]
    assert b"[0.321s][info][gc            ] GC(12) To-space exhausted" in lines
