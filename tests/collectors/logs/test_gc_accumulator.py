"""The GC accumulator as the engine uses it: chunks split anywhere, files and nodes merged, pickled
between processes; and the series it builds (GC share per bucket, heap floor and its slope)."""

from __future__ import annotations

import pickle
import random
from datetime import UTC, datetime

import pytest

from collectors.logs.context import ChunkStats, FileContext
from collectors.logs.gc import HEAP_POINTS, GcAccumulator
from collectors.logs.gc_state import TOP_PAUSES
from collectors.logs.model import LogKind
from collectors.logs.timestamps import choose_bucket
from tests.collectors.logs.test_gc_jdk8 import CMS, G1_DETAILS, PARALLEL
from tests.collectors.logs.test_gc_unified import G1, SAFEPOINTS, SHENANDOAH, ZGC

START = datetime(2024, 5, 1, 8, 0, tzinfo=UTC).timestamp()

ADAPTIVE = (
    b"2024-05-01T10:00:00.000+0000: 1.234: [GC pause (G1 Evacuation Pause) (young) 1.234: [G1Ergonomics "
    b"(CSet Construction) start choosing CSet, _pending_cards: 0, predicted base time: 10.00 ms]\n"
    b" 1.234: [G1Ergonomics (CSet Construction) add young regions to CSet, eden: 12 regions]\n"
    b", 0.0234567 secs]\n"
    b"   [Eden: 24.0M(24.0M)->0.0B(20.0M) Survivors: 0.0B->4096.0K Heap: 24.0M(256.0M)->5.1M(256.0M)]\n"
    b" [Times: user=0.05 sys=0.01, real=0.02 secs]\n"
)
JDK8_MIX = PARALLEL + ADAPTIVE + G1_DETAILS + CMS + b"garbage line\n"
UNIFIED_MIX = G1 + ZGC + SHENANDOAH + SAFEPOINTS + b"\x00\xffcut\n"


def unified_log(hours: float, every_s: float, floor_mb: float, rise_mb_per_h: float, seed: int = 1) -> bytes:
    """Young G1 pauses every ``every_s`` whose after-GC heap sits above a floor rising at a known rate."""
    rng = random.Random(seed)
    out, number, t = [], 0, START
    while t < START + hours * 3600:
        after = int(floor_mb + rise_mb_per_h * (t - START) / 3600 + rng.uniform(0, 150))
        moment = datetime.fromtimestamp(t, UTC)
        out.append(
            f"[{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond // 1000:03d}+0000][{t - START + 30:.3f}s] "
            f"GC({number}) Pause Young (Normal) (G1 Evacuation Pause) {after + 1500}M->{after}M(8192M) "
            f"{rng.uniform(2, 60):.3f}ms\n"
        )
        number += 1
        t += every_s * rng.uniform(0.5, 1.5)
    return "".join(out).encode()


def ctx(kind: LogKind, path: str = "gc.log", node: str = "node1") -> FileContext:
    return FileContext(path, node, kind, UTC)


def feed_whole(acc: GcAccumulator, data: bytes, context: FileContext) -> ChunkStats:
    stats = acc.feed(data, context)
    stats.merge(acc.end_file(context))
    return stats


def feed_in_pieces(acc: GcAccumulator, data: bytes, context: FileContext, rng: random.Random) -> ChunkStats:
    """Chunks of whole lines, cut at random line ends (one line to a dozen)."""
    lines = data.splitlines(keepends=True)
    stats, i = ChunkStats(), 0
    while i < len(lines):
        n = rng.randint(1, 12)
        stats.merge(acc.feed(b"".join(lines[i : i + n]), context))
        i += n
    stats.merge(acc.end_file(context))
    return stats


def counts(stats: ChunkStats) -> tuple:
    return stats.lines, stats.events, stats.unparsed, stats.first, stats.last, stats.notes


@pytest.mark.parametrize(("data", "kind"), [(JDK8_MIX, LogKind.GC_JDK8), (UNIFIED_MIX, LogKind.GC_UNIFIED)])
def test_chunk_boundaries_anywhere_give_the_same_summary(data: bytes, kind: LogKind) -> None:
    whole = GcAccumulator()
    expected = counts(feed_whole(whole, data, ctx(kind)))
    assert whole.summaries(60)[0].pauses >= 8
    for seed in range(25):
        acc = GcAccumulator()
        assert counts(feed_in_pieces(acc, data, ctx(kind), random.Random(seed))) == expected
        assert acc.summaries(60) == whole.summaries(60)


def test_files_of_one_node_merge_and_nodes_stay_apart() -> None:
    single = GcAccumulator()
    feed_whole(single, PARALLEL, ctx(LogKind.GC_JDK8, "n1/gc-1.log", "node1"))
    feed_whole(single, G1, ctx(LogKind.GC_UNIFIED, "n1/gc-2.log", "node1"))
    feed_whole(single, ZGC, ctx(LogKind.GC_UNIFIED, "n2/gc.log", "node2"))

    first, second = GcAccumulator(), GcAccumulator()
    feed_whole(first, G1, ctx(LogKind.GC_UNIFIED, "n1/gc-2.log", "node1"))
    feed_whole(second, PARALLEL, ctx(LogKind.GC_JDK8, "n1/gc-1.log", "node1"))
    feed_whole(second, ZGC, ctx(LogKind.GC_UNIFIED, "n2/gc.log", "node2"))
    first.merge(second)

    assert first.summaries(60) == single.summaries(60)
    node1, node2 = single.summaries(60)
    assert (node1.node, node1.pauses, node1.files) == ("node1", 3 + 4, ["n1/gc-1.log", "n1/gc-2.log"])
    assert node1.format == "unified"  # most of its pauses
    assert node1.collector == "G1"  # named by a "Using G1" line and by the G1 pause, once per file
    assert (node2.node, node2.pauses, node2.collector, node2.files) == ("node2", 3, "ZGC", ["n2/gc.log"])


def test_merge_order_does_not_matter() -> None:
    parts = []
    for i, data in enumerate([unified_log(1, 20, 2000, 0, seed=i) for i in range(3)]):
        acc = GcAccumulator()
        feed_whole(acc, data, ctx(LogKind.GC_UNIFIED, f"gc-{i}.log"))
        parts.append(acc)
    results = []
    for order in ([0, 1, 2], [2, 0, 1], [1, 2, 0]):
        merged = GcAccumulator()
        for i in order:
            merged.merge(pickle.loads(pickle.dumps(parts[i])))
        results.append(merged.summaries(60))
    assert results[0] == results[1] == results[2]
    assert len(results[0][0].longest) == TOP_PAUSES


def test_pickling_round_trip_also_in_the_middle_of_an_event() -> None:
    acc = GcAccumulator()
    lines = ADAPTIVE.splitlines(keepends=True)
    context = ctx(LogKind.GC_JDK8)
    acc.feed(PARALLEL + lines[0], context)  # the G1 event is open: its time comes two lines later
    revived = pickle.loads(pickle.dumps(acc))
    revived.feed(b"".join(lines[1:]), context)
    revived.end_file(context)
    whole = GcAccumulator()
    feed_whole(whole, PARALLEL + ADAPTIVE, context)
    assert revived.summaries(60) == whole.summaries(60)
    assert pickle.loads(pickle.dumps(whole)).summaries(300) == whole.summaries(300)


def test_share_per_bucket_and_overhead() -> None:
    data = (
        b"[2024-05-01T10:00:10.000+0000] GC(1) Pause Young (Normal) (G1 Evacuation Pause) 9M->3M(64M) 6000.000ms\n"
        b"[2024-05-01T10:02:30.000+0000] GC(2) Pause Young (Normal) (G1 Evacuation Pause) 9M->3M(64M) 30.000ms\n"
        b"[2024-05-01T10:07:00.000+0000] GC(3) Pause Full (G1 Compaction Pause) 9M->2M(64M) 3000.000ms\n"
    )
    acc = GcAccumulator()
    feed_whole(acc, data, ctx(LogKind.GC_UNIFIED))
    [minutes] = acc.summaries(60)
    assert [(m.at.strftime("%H:%M"), m.pauses, m.pause_ms, m.share) for m in minutes.per_minute] == [
        ("10:00", 1, 6000.0, 0.1),
        ("10:01", 0, 0.0, 0.0),  # gaps are filled with zeros
        ("10:02", 1, 30.0, 0.0005),
        ("10:03", 0, 0.0, 0.0),
        ("10:04", 0, 0.0, 0.0),
        ("10:05", 0, 0.0, 0.0),
        ("10:06", 1, 3000.0, 0.05),  # it ended at 10:07:00, so it started at 10:06:57
    ]
    assert minutes.span_s == pytest.approx(7 * 60 - 4)  # 10:00:04 to 10:07:00
    assert minutes.overhead == pytest.approx(9.03 / 416, abs=1e-6)
    assert (minutes.p50_ms, minutes.max_ms) == (pytest.approx(3000, rel=0.03), 6000.0)
    [five] = acc.summaries(300)
    assert [(m.pauses, m.pause_ms, m.share) for m in five.per_minute] == [
        (2, 6030.0, 0.0201),
        (1, 3000.0, 0.01),
    ]


def test_a_rising_heap_floor_gives_its_slope_and_a_flat_one_none_to_speak_of() -> None:
    rising, flat = GcAccumulator(), GcAccumulator()
    feed_whole(rising, unified_log(6, 15, 2000, 50), ctx(LogKind.GC_UNIFIED))
    feed_whole(flat, unified_log(6, 15, 2000, 0), ctx(LogKind.GC_UNIFIED))
    [up] = rising.summaries(60)
    [level] = flat.summaries(60)
    assert up.heap_floor_slope_mb_per_h == pytest.approx(50, abs=5)
    assert abs(level.heap_floor_slope_mb_per_h) < 5
    assert len(up.heap_after) <= HEAP_POINTS and up.heap_after[0].total_mb == 8192.0
    assert up.heap_after[-1].after_mb > up.heap_after[0].after_mb + 200
    [coarse] = rising.summaries(900)
    assert coarse.heap_floor_slope_mb_per_h == pytest.approx(50, abs=5)


def test_heap_points_are_capped_over_a_long_span_and_keep_the_floor() -> None:
    acc = GcAccumulator()
    feed_whole(acc, unified_log(48, 60, 3000, 0), ctx(LogKind.GC_UNIFIED))
    [summary] = acc.summaries(60)
    assert 200 < len(summary.heap_after) <= HEAP_POINTS
    assert min(p.after_mb for p in summary.heap_after) == min(
        int(line.split(b"->")[1].split(b"M")[0]) for line in unified_log(48, 60, 3000, 0).splitlines()
    )


def test_too_few_buckets_give_no_slope() -> None:
    acc = GcAccumulator()
    feed_whole(acc, G1, ctx(LogKind.GC_UNIFIED))
    [summary] = acc.summaries(60)
    assert summary.heap_floor_slope_mb_per_h is None


def test_the_ten_longest_are_kept_longest_first() -> None:
    acc = GcAccumulator()
    feed_whole(acc, unified_log(2, 10, 2000, 0), ctx(LogKind.GC_UNIFIED))
    [summary] = acc.summaries(60)
    longest = [p.pause_ms for p in summary.longest]
    assert len(longest) == TOP_PAUSES and longest == sorted(longest, reverse=True)
    assert longest[0] == summary.max_ms
    assert 600 < summary.pauses < 850  # one every 5 to 15 s for two hours


def test_empty_and_unknown_input() -> None:
    acc = GcAccumulator()
    stats = feed_whole(acc, b"", ctx(LogKind.GC_UNIFIED))
    assert stats.lines == 0
    [summary] = acc.summaries(60)
    assert (
        summary.pauses == 0 and summary.p50_ms is None and summary.max_ms is None and summary.overhead is None
    )


def test_the_simulated_estates_long_pauses_are_on_their_node_at_their_time(tmp_path) -> None:
    from sandbox.log_estate import EstatePlan, default_plants, write_folders

    plan = EstatePlan(app_bytes=2_000, access_bytes=2_000)
    write_folders(tmp_path, plan)
    acc = GcAccumulator()
    for node in plan.nodes:
        for path in sorted((tmp_path / node / "logs").glob("atlassian-jira-gc-*")):
            feed_whole(acc, path.read_bytes(), ctx(LogKind.GC_UNIFIED, str(path), node))
    by_node = {s.node: s for s in acc.summaries(choose_bucket(plan.start, plan.at(plan.hours)))}
    planted = {p.what: p for p in default_plants(plan) if p.what.endswith("-gc")}
    slow = by_node[planted["critical-gc"].node]
    assert [(p.pause_ms, p.full) for p in slow.longest[:2]] == [(35500.0, True), (8500.0, True)]
    assert abs(slow.longest[0].at.timestamp() + 35.5 - planted["critical-gc"].at) < 0.01
    assert slow.full_gcs == 2 and slow.collector == "G1"
    assert max(m.share for m in slow.per_minute) > 0.5
    others = [s for name, s in by_node.items() if name != slow.node]
    assert others and all(s.max_ms < 200 and s.full_gcs == 0 for s in others)


@pytest.mark.parametrize(
    ("kind", "line"),
    [
        (
            LogKind.GC_UNIFIED,
            b"[2024-05-01T10:00:00.000+0000][1.000s] GC(1) Pause Young (Normal) (G1 Evacuation "
            b"Pause) 24M->4M(256M) 100000000000000.000ms\n",
        ),
        (
            LogKind.GC_UNIFIED,
            b"[2024-05-01T10:00:00.000+0000][1.000s] GC(1) Pause Young (Normal) (G1 Evacuation "
            b"Pause) 24M->4M(256M) -3.000ms\n",
        ),
        (
            LogKind.GC_JDK8,
            b"2024-05-01T10:00:00.000+0000: 1.234: [GC (Allocation Failure) [PSYoungGen: "
            b"1024K->512K(2048K)] 4096K->1024K(8192K), 99999999999.0000000 secs]\n",
        ),
    ],
)
def test_a_pause_no_jvm_writes_is_an_unparsed_line_not_millions_of_minutes(kind, line):
    acc = GcAccumulator()
    stats = feed_whole(acc, line, ctx(kind))
    assert stats.unparsed == 1
    (summary,) = acc.summaries(60)
    assert summary.pauses == 0 and summary.per_minute == []
