"""The unified GC reader gives exactly what the reference reader (gc_unified_reference.py, the reader
as it was before it read pause lines in one pass) gives: the same summaries, line counts, time span,
notes and node state, bit for bit, for every collector's lines in many decoration layouts, damaged
lines, time windows, zones, and chunks cut anywhere. Both ways of finding the lines worth reading
(Hyperscan, and bytes.find where Hyperscan is missing) are checked.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from collectors.logs import gc_unified
from collectors.logs.context import ChunkStats, FileContext
from collectors.logs.gc import GcAccumulator
from collectors.logs.gc_lines import LineFinder, hyperscan
from collectors.logs.model import LogKind
from tests.collectors.logs.gc_unified_reference import ReferenceAccumulator
from tests.collectors.logs.test_gc_real_jvm import logs  # noqa: F401 - the fixture: real JVM logs
from tests.collectors.logs.test_gc_unified import (
    G1,
    PARALLEL,
    REFERENCE_FULL,
    SAFEPOINTS,
    SERIAL,
    SHENANDOAH,
    ZGC,
    ZGC_GENERATIONAL,
)

START = datetime(2024, 5, 1, 8, 0, tzinfo=UTC).timestamp()
ENGINES = ["hyperscan", "find"] if hyperscan is not None else ["find"]

# Decoration layouts, as -Xlog writes them: {t} a date, {u} uptime in s, {um} uptime in ms, {em} epoch ms.
LAYOUTS = [
    "[{t}][{u}s]",  # Jira 9's time,uptime
    "[{t}]",
    "[{tz}][{um}ms][info][gc,phases   ]",  # utctime,uptimemillis,level,tags
    "[{t}][{u}s][26981][27048][info][gc]",  # with pid and tid
    "[{t}] [{u}s] ",  # spaces between (hand-edited logs)
    "[{t}]GC",  # nothing between the date and the message: "GC" is the message's own
    "[{u}s][{t}]",  # uptime first
    "[info][gc][{t}]",  # level and tags first
    "[{u}s]",  # no date
    "[{em}ms][info][gc]",  # timemillis
    "[{tc}][{uc}s]",  # a comma locale
    "[{tl}][{u}s]",  # no offset: read in the user's zone
    "[{tzz}][{u}s]",  # Z for UTC
    "[{tp}][{u}s]",  # +0200
]

# Message parts (after the decorations) that the JVM writes or that damage may leave.
EXTRA_MESSAGES = [
    "GC(1) Pause Young (Normal) (G1 Evacuation Pause) 2G->1536M(4G) 10.000ms",
    "GC(2) Pause Young (Normal) (G1 Evacuation Pause) 900M->524288K(4G) 10.5ms",
    "GC(3) Pause Young (Normal) (G1 Evacuation Pause) 1.5G->1,2G(4G) 7,250ms",
    "GC(4) Pause Young (Normal) (G1 Evacuation Pause) 24M->4M 3.456ms",  # no heap size
    "GC(5) Pause Full (G1 Compaction Pause) 7800M->7700M(8192M) 185000.000ms",  # spills over minutes
    "GC(6) Pause Young  24M->4M(256M)  3.000ms",
    "GC(7) Pause  3.000ms",
    "GC(8) Pause 3.000ms",
    "GC(9) Pause Young (Normal) 1M->1M(2M) 2M->1M(2M) 3.000ms",
    "GC(10) Pause Young (Normal) (G1 Evacuation Pause) 24M->4M(256M) 3.456ms   ",
    "GC(11) Pause Young (Normal) (G1 Evacuation Pause) 24M->4M(256M) 3.456ms\r",
    "GC(12) ab Pause Young 1.000ms",
    "GC(13) Y: Pause Mark Start (Major) 0.021ms",
    "GC(14) Pause Young nanms",
    "GC(15) Pause Young 1" + "0" * 320 + ".0ms",  # too long to count
    "GC() Pause Young 1.000ms",
    "GC(x) Pause Young oops 1.0ms",
    "GC(17) Pause Remark 8M(12%)->6M(9%) 1.000ms",
    "GC(18) Pause Young (Normal) 24M->4M(256M) 3.456ms Pause Young 1.000ms",
    "GC(19) Concurrent cleanup 17M->17M(64M) 0.016ms",
    "GC(20) Garbage Collection (Allocation Stall) 30M(47%)->12M(19%)",
    "GC(21) Pause Young (Prepare Mixed) (G1 Evacuation Pause) 14M->3M(64M) 2.088ms",
    "Using Parallel",
    "Using G1",
    'Safepoint "G1CollectForAllocation", Time since last: 1080 ns, Total: 8755310 ns',
    "Total time for which application threads were stopped: 0.0123456 seconds, Stopping threads took: 0 seconds",
    "GC(22) Pause Young (Normal) (G1 Evacuation Pause)",
]


def _messages(log: bytes) -> list[str]:
    """The messages of a decorated log, without their decorations."""
    out = []
    for line in log.decode().splitlines():
        rest = line
        while rest.startswith("["):
            rest = rest[rest.index("]") + 1 :]
        out.append(rest.lstrip(" "))
    return out


JVM_MESSAGES = [
    m for log in (G1, PARALLEL, SERIAL, ZGC, ZGC_GENERATIONAL, SHENANDOAH, SAFEPOINTS) for m in _messages(log)
]


def _stamp(epoch: float, offset_h: int = 0, sep: str = ".", zone: str | None = None) -> str:
    moment = datetime.fromtimestamp(epoch + offset_h * 3600, UTC)
    suffix = zone if zone is not None else f"{'+' if offset_h >= 0 else '-'}{abs(offset_h):02d}00"
    return f"{moment:%Y-%m-%dT%H:%M:%S}{sep}{moment.microsecond // 1000:03d}{suffix}"


def decorate(layout: str, epoch: float, uptime: float) -> str:
    return layout.format(
        t=_stamp(epoch), tz=_stamp(epoch), tc=_stamp(epoch, sep=","), tl=_stamp(epoch, zone=""),
        tzz=_stamp(epoch, zone="Z"), tp=_stamp(epoch, 2), u=f"{uptime:.3f}", uc=f"{uptime:.3f}".replace(".", ","),
        um=int(uptime * 1000), em=int(epoch * 1000),
    )  # fmt: skip


def real_shaped(rng: random.Random, lines: int, layouts: list[str]) -> bytes:
    """A log of the JVM's messages and the extra ones, in random order, each under a layout from
    ``layouts``, times rising with now and then a JVM restart (the uptime starts again)."""
    out, epoch, uptime = [], START, 0.5
    for _ in range(lines):
        message = rng.choice(JVM_MESSAGES) if rng.random() < 0.8 else rng.choice(EXTRA_MESSAGES)
        out.append(decorate(rng.choice(layouts), epoch, uptime) + message)
        step = rng.choice([0.0, 0.001, 0.2, 3.0, 45.0])
        epoch += step
        uptime = 0.3 if rng.random() < 0.01 else uptime + step
    return ("\n".join(out) + rng.choice(["\n", "", "\n\n", "\n\n\n"])).encode()


def g1_gc_star(rng: random.Random, pauses: int) -> bytes:
    """Jira 9's G1 log (-Xlog:gc*:time,uptime): the start line, phases, regions, metaspace, the end line
    and the CPU times of every pause; now and then a full GC."""
    out, t = [f"[{_stamp(START)}][0.500s] Using G1"], START + 2
    for n in range(pauses):
        full = rng.random() < 0.02
        kind = "Pause Full (G1 Compaction Pause)" if full else "Pause Young (Normal) (G1 Evacuation Pause)"
        ms = rng.uniform(500, 90000) if full else rng.uniform(1, 200)
        d, e = (
            f"[{_stamp(t)}][{t - START:.3f}s] GC({n})",
            f"[{_stamp(t + ms / 1000)}][{t - START + ms / 1000:.3f}s] GC({n})",
        )
        after = rng.randint(1000, 3000)
        out += [
            f"{d} {kind}", f"{d} Using 8 workers of 8 for evacuation", f"{e}   Pre Evacuate Collection Set: 0.1ms",
            f"{e}   Evacuate Collection Set: {ms * 0.8:.1f}ms", f"{e}   Other: 0.3ms", f"{e} Eden regions: 100->0(120)",
            f"{e} Metaspace: 151234K(153600K)->151234K(153600K) NonClass: 132345K(133632K)->132345K(133632K)",
            f"{e} {kind} {after + 900}M->{after}M(8192M) {ms:.3f}ms", f"{e} User=0.10s Sys=0.00s Real=0.15s",
        ]  # fmt: skip
        t += ms / 1000 + rng.uniform(0.2, 20)
    return ("\n".join(out) + "\n").encode()


def line_cuts(data: bytes, rng: random.Random, most: int) -> Iterator[bytes]:
    """Chunks of whole lines (as the engine cuts GC logs), 1 to ``most`` lines each."""
    lines, i = data.splitlines(keepends=True), 0
    while i < len(lines):
        n = rng.randint(1, most)
        yield b"".join(lines[i : i + n])
        i += n


def byte_cuts(data: bytes, rng: random.Random) -> Iterator[bytes]:
    """Chunks cut at any byte, even inside a line."""
    i = 0
    while i < len(data):
        n = rng.randint(1, 400)
        yield data[i : i + n]
        i += n


# Counted since the reference was written (test_gc_unified.py and test_gc_real_jvm.py check them): left out
NEWER = ("evacuation_failures", "evacuation_samples")


def read(acc: GcAccumulator, chunks: list[bytes], context: FileContext) -> str:
    """Everything the accumulator ends with, as text (repr keeps nan and -0.0 apart and comparable)."""
    stats = ChunkStats()
    for chunk in chunks:
        stats.merge(acc.feed(chunk, context))
    stats.merge(acc.end_file(context))
    nodes = []
    for node in acc.nodes.values():
        state = dict(vars(node))
        hist = state.pop("hist")
        for newer in NEWER:
            state.pop(newer, None)
        nodes.append((state, hist.buckets, hist.count, hist.total, hist.max))
    summaries = tuple(
        [s.model_copy(update=dict.fromkeys(NEWER)) for s in acc.summaries(bucket)] for bucket in (60, 3600)
    )
    return repr(
        (summaries, nodes, stats.lines, stats.events, stats.unparsed, stats.first, stats.last, stats.notes)
    )


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Which way the product's reader finds its lines (the reference always uses bytes.find)."""
    monkeypatch.setattr(gc_unified, "_FINDER", LineFinder(use_hyperscan=request.param == "hyperscan"))
    return request.param


def assert_same(
    chunks: list[bytes], tz: tzinfo = UTC, since: float | None = None, until: float | None = None
) -> None:
    context = FileContext("gc.log", "node1", LogKind.GC_UNIFIED, tz, since, until)
    assert read(GcAccumulator(), chunks, context) == read(ReferenceAccumulator(), chunks, context)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_each_layout_with_every_message(engine: str, layout: str) -> None:
    messages = JVM_MESSAGES + EXTRA_MESSAGES
    data = "\n".join(decorate(layout, START + 7 * i, 30 + 7 * i) + m for i, m in enumerate(messages)).encode()
    assert_same([data])
    assert_same([data], tz=ZoneInfo("Europe/Berlin"))


@pytest.mark.parametrize("seed", range(6))
def test_mixed_logs_in_chunks_cut_at_line_ends(engine: str, seed: int) -> None:
    rng = random.Random(seed)
    data = real_shaped(rng, 3000, rng.sample(LAYOUTS, rng.randint(1, 4)))
    assert_same([data])
    assert_same(list(line_cuts(data, rng, 40)))
    assert_same(list(line_cuts(data, rng, 2)))


@pytest.mark.parametrize("seed", range(3))
def test_chunks_cut_inside_lines(engine: str, seed: int) -> None:
    rng = random.Random(100 + seed)
    data = real_shaped(rng, 1500, LAYOUTS)
    assert_same(list(byte_cuts(data, rng)))


@pytest.mark.parametrize(
    ("since_h", "until_h"), [(0.5, None), (None, 1.0), (0.25, 0.75), (5.0, None), (None, -1.0)]
)
def test_time_windows(engine: str, since_h: float | None, until_h: float | None) -> None:
    rng = random.Random(7)
    data = g1_gc_star(rng, 800) + real_shaped(rng, 2000, LAYOUTS)
    since = None if since_h is None else START + since_h * 3600
    until = None if until_h is None else START + until_h * 3600
    assert_same(list(line_cuts(data, rng, 500)), since=since, until=until)


@pytest.mark.parametrize("since", [None, START + 10 * 3600])
def test_a_file_dated_only_by_its_pause_lines(engine: str, since: float | None) -> None:
    """Dated pause lines (even outside the window) mean the undated ones' uptime span is not added."""
    pause = "GC({n}) Pause Young (Normal) (G1 Evacuation Pause) 24M->4M(256M) 3.456ms"
    data = "\n".join(
        decorate("[{t}][{u}s]" if n % 3 else "[{u}s]", START + 5 * n, 30 + 5 * n) + pause.format(n=n)
        for n in range(60)
    ).encode()
    assert_same([data], since=since)


def test_jira_g1_log_with_full_gcs(engine: str) -> None:
    rng = random.Random(3)
    data = g1_gc_star(rng, 3000)
    chunks = list(line_cuts(data, rng, 4000))
    assert_same(chunks)
    acc = GcAccumulator()
    context = FileContext("gc.log", "node1", LogKind.GC_UNIFIED, UTC)
    for chunk in chunks:
        acc.feed(chunk, context)
    [summary] = acc.summaries(60)
    assert (
        summary.pauses == 3000 and summary.full_gcs > 0 and summary.collector == "G1"
    )  # not a vacuous match


def test_damaged_lines(engine: str) -> None:
    rng = random.Random(11)
    sample = real_shaped(rng, 400, LAYOUTS) + REFERENCE_FULL + SAFEPOINTS
    for _ in range(150):
        damaged = bytearray(sample)
        for _ in range(rng.randint(1, 40)):
            damaged[rng.randrange(len(damaged))] = rng.choice([rng.randrange(256), *b" []()->.:\n"])
        assert_same(list(line_cuts(bytes(damaged), rng, 30)))


@pytest.mark.slow
def test_real_jvm_logs(engine: str, logs: dict[str, Path]) -> None:  # noqa: F811 - the imported fixture
    rng = random.Random(1)
    for path in logs.values():
        data = path.read_bytes()
        assert_same([data])
        assert_same(list(line_cuts(data, rng, 200)))


@pytest.mark.parametrize(
    "chunk", [b"\n", b"\n\n", b"\n\n\n", b"x", b"[", b"[\n\n[x\n", b"a\n\n\nb\n\n", b"\n[\n", b"\r\n\r\n"]
)
def test_line_counts_equal_bytes_count(engine: str, chunk: bytes) -> None:
    lines = chunk.count(b"\n") + (0 if chunk.endswith(b"\n") else 1)
    blank = chunk.count(b"\n\n") + (1 if chunk.startswith(b"\n") else 0)
    decorated = chunk.count(b"\n[") + (1 if chunk.startswith(b"[") else 0)
    found = gc_unified._FINDER.lines(chunk, True)  # type: ignore[union-attr]
    assert (found.lines, found.blank, found.decorated) == (lines, blank, decorated)


@pytest.mark.parametrize("collector_words", [False, True])
def test_both_finders_find_the_same_lines(collector_words: bool) -> None:
    if hyperscan is None:
        pytest.skip("Hyperscan is not installed on this platform")
    rng = random.Random(2)
    data = real_shaped(rng, 2000, LAYOUTS)
    fast = LineFinder(use_hyperscan=True).lines(data, collector_words)
    plain = LineFinder(use_hyperscan=False).lines(data, collector_words)
    assert fast[:3] == plain[:3]
    found = set(zip(fast.starts, fast.ends, strict=True))
    searched = set(zip(plain.starts, plain.ends, strict=True))
    assert found <= searched
    # bytes.find also finds the start lines of pauses ("Pause " without the "ms"): Hyperscan skips them
    skipped = searched - found
    assert skipped and all(not data[start:end].rstrip().endswith(b"ms") for start, end in skipped)
    assert all(
        data[start:end].count(b"\n") == 0 and data[start - 1 : start] in (b"", b"\n") for start, end in found
    )
