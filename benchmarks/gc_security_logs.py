"""GC and security log benchmark: how fast GcAccumulator and SecurityAccumulator read their logs.

Generates (seeded) about --mb megabytes of each of: a JDK 17 ``-Xlog:gc*:...:time,uptime`` G1 log
(15 lines per young pause, as the JVM writes them, a full GC now and then), a JDK 8 G1 log with
``-XX:+PrintGCDetails`` (a multi-line event per pause), a JDK 8 Parallel log (one line per pause), and an
atlassian-jira-security.log (logins, failures with their second line, session lines). Each is fed to
one accumulator in 4 MB chunks cut at line ends, as the engine does, on one core; prints MB/s for
feed() (wall clock, and per CPU second for a shared machine) and the time of summaries(). The unified
log is also read, in turns with the product's reader, by the reader as it was before it read pause lines
in one pass (kept in the tests as the reference it must equal: tests/collectors/logs/
gc_unified_reference.py); the line after it gives that reader's MB/s and how many times faster the
product's is (best CPU time of each). Nothing is asserted (machines are noisy).

    .venv/bin/python benchmarks/gc_security_logs.py [--mb 100] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from collectors.logs.context import FileContext
from collectors.logs.gc import GcAccumulator
from collectors.logs.model import LogKind
from collectors.logs.security import SecurityAccumulator
from tests.collectors.logs.gc_unified_reference import ReferenceAccumulator

CHUNK = 4 << 20
START = datetime(2024, 5, 1, tzinfo=UTC).timestamp()


def _iso(t: float, sep: str = "T", frac: str = ".") -> str:
    moment = datetime.fromtimestamp(t, UTC)
    return f"{moment:%Y-%m-%d}{sep}{moment:%H:%M:%S}{frac}{moment.microsecond // 1000:03d}+0000"


def unified(rng: random.Random, budget: int) -> Iterator[str]:
    t, n, size = START, 0, 0
    while size < budget:
        up = t - START + 30
        d = f"[{_iso(t)}][{up:.3f}s]"
        full = rng.random() < 0.01
        kind = "Pause Full (G1 Compaction Pause)" if full else "Pause Young (Normal) (G1 Evacuation Pause)"
        ms = rng.uniform(200, 3000) if full else rng.uniform(2, 80)
        e = f"[{_iso(t + ms / 1000)}][{up + ms / 1000:.3f}s]"
        after = rng.randint(1500, 3000)
        block = (
            f"{d} GC({n}) {kind}\n{d} GC({n}) Using 8 workers of 8 for evacuation\n"
            f"{e} GC({n})   Pre Evacuate Collection Set: 0.1ms\n{e} GC({n})   Merge Heap Roots: 0.2ms\n"
            f"{e} GC({n})   Evacuate Collection Set: {ms * 0.8:.1f}ms\n"
            f"{e} GC({n})   Post Evacuate Collection Set: 0.4ms\n{e} GC({n})   Other: 0.3ms\n"
            f"{e} GC({n}) Eden regions: 230->0(235)\n{e} GC({n}) Survivor regions: 12->13(30)\n"
            f"{e} GC({n}) Old regions: 1203->1210\n{e} GC({n}) Archive regions: 2->2\n"
            f"{e} GC({n}) Humongous regions: 4->4\n"
            f"{e} GC({n}) Metaspace: 293380K(297536K)->293380K(297536K) NonClass: 258207K(260320K)->258207K("
            f"260320K) Class: 35131K(37216K)->35131K(37216K)\n"
            f"{e} GC({n}) {kind} {after + 900}M->{after}M(8192M) {ms:.3f}ms\n"
            f"{e} GC({n}) User=0.05s Sys=0.00s Real=0.01s\n"
        )
        yield block
        size += len(block)
        n += 1
        t += rng.uniform(0.5, 8)


def jdk8_g1(rng: random.Random, budget: int) -> Iterator[str]:
    t, size = START, 0
    while size < budget:
        s = rng.uniform(0.002, 0.08)
        block = (
            f"{_iso(t)}: {t - START + 30:.3f}: [GC pause (G1 Evacuation Pause) (young), {s:.7f} secs]\n"
            "   [Parallel Time: 5.9 ms, GC Workers: 8]\n"
            "      [GC Worker Start (ms): Min: 314.6, Avg: 316.8, Max: 320.3, Diff: 5.7]\n"
            "      [Ext Root Scanning (ms): Min: 0.0, Avg: 0.2, Max: 0.7, Diff: 0.7, Sum: 1.6]\n"
            "      [Update RS (ms): Min: 0.0, Avg: 0.0, Max: 0.0, Diff: 0.0, Sum: 0.0]\n"
            "         [Processed Buffers: Min: 0, Avg: 0.0, Max: 0, Diff: 0, Sum: 0]\n"
            "      [Scan RS (ms): Min: 0.0, Avg: 0.0, Max: 0.0, Diff: 0.0, Sum: 0.1]\n"
            "      [Object Copy (ms): Min: 0.0, Avg: 3.2, Max: 5.4, Diff: 5.4, Sum: 25.5]\n"
            "      [Termination (ms): Min: 0.0, Avg: 0.1, Max: 0.3, Diff: 0.3, Sum: 0.9]\n"
            "      [GC Worker Total (ms): Min: 0.1, Avg: 3.6, Max: 5.7, Diff: 5.7, Sum: 28.5]\n"
            "      [GC Worker End (ms): Min: 320.3, Avg: 320.3, Max: 320.3, Diff: 0.0]\n"
            "   [Code Root Fixup: 0.0 ms]\n   [Clear CT: 0.2 ms]\n   [Other: 0.7 ms]\n"
            f"   [Eden: 100.0M(100.0M)->0.0B(84.0M) Survivors: 0.0B->16.0M Heap: 1200.0M(4096.0M)->"
            f"{rng.uniform(600, 900):.1f}M(4096.0M)]\n"
            " [Times: user=0.05 sys=0.00, real=0.01 secs]\n"
        )
        yield block
        size += len(block)
        t += rng.uniform(0.5, 8)


def jdk8_parallel(rng: random.Random, budget: int) -> Iterator[str]:
    t, size = START, 0
    while size < budget:
        s = rng.uniform(0.002, 0.08)
        line = (
            f"{_iso(t)}: {t - START + 30:.3f}: [GC (Allocation Failure) "
            f"[PSYoungGen: 1048576K->131072K(1179648K)] "
            f"3145728K->{rng.randint(2000000, 2500000)}K(4194304K), {s:.7f} secs] "
            f"[Times: user=0.04 sys=0.00, real={s:.2f} secs] \n"
        )
        yield line
        size += len(line)
        t += rng.uniform(0.5, 8)


def security(rng: random.Random, budget: int) -> Iterator[str]:
    t, size, n = START, 0, 0
    users = [f"user{i}" for i in range(3000)] + ["svc-ci", "admin"]
    # most people log in from their own desk, some through a VPN pool
    desks = {user: f"10.{i % 10}.{i // 250 % 256}.{i % 250 + 1}" for i, user in enumerate(users)}
    vpn = [f"172.16.0.{i}" for i in range(1, 200)]
    while size < budget:
        n += 1
        user = rng.choice(users)
        address = desks[user] if rng.random() < 0.8 else rng.choice(vpn)
        thread = f"http-nio-8080-exec-{rng.randint(1, 200)}"
        head = f"{_iso(t, ' ', ',')} {thread} {{u}} {n % 1440}x{n}x1 1qvu69a {address}"
        roll = rng.random()
        if roll < 0.5:
            text = f"{head.format(u=user)} /secure/Dashboard.jspa HttpSession created [1qvu69a]\n"
        elif roll < 0.85:
            text = f"{head.format(u=user)} /login.jsp The user '{user}' has PASSED authentication.\n"
        else:
            h = head.format(u="anonymous")
            text = (
                f"{h} /login.jsp login : '{user}' tried to login but they do not have USE permission or "
                f"weren't found. Deleting remember me cookie.\n"
                f"{h} /login.jsp The user '{user}' has FAILED authentication.  Failure count equals 1\n"
            )
        yield text
        size += len(text)
        t += rng.uniform(0.01, 2)


def chunks(data: bytes) -> Iterator[bytes]:
    start = 0
    while start < len(data):
        end = data.find(b"\n", start + CHUNK)
        end = len(data) if end < 0 else end + 1
        yield data[start:end]
        start = end


def feed(acc: object, data: bytes, context: FileContext) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of feeding ``data`` to ``acc`` and ending the file."""
    began, cpu = time.perf_counter(), time.process_time()
    for chunk in chunks(data):
        acc.feed(chunk, context)  # type: ignore[attr-defined]
    acc.end_file(context)  # type: ignore[attr-defined]
    return time.perf_counter() - began, time.process_time() - cpu


def run(
    name: str,
    make: Callable[[], object],
    kind: LogKind,
    data: bytes,
    repeat: int,
    reference: Callable[[], object] | None = None,
) -> None:
    context = FileContext(name, "node1", kind, UTC)
    rates, cpu_rates, summary_s, reference_cpu = [], [], [], []
    for _ in range(repeat):
        acc = make()
        wall, cpu = feed(acc, data, context)
        rates.append(len(data) / 1e6 / wall)
        cpu_rates.append(len(data) / 1e6 / cpu)
        began = time.perf_counter()
        if isinstance(acc, GcAccumulator):
            acc.summaries(60)
        else:
            acc.summary(60)  # type: ignore[attr-defined]
        summary_s.append(time.perf_counter() - began)
        if reference is not None:  # in turns, so that a busy moment of the machine slows both
            reference_cpu.append(feed(reference(), data, context)[1])
    print(
        f"{name:<16} {len(data) / 1e6:7.1f} MB  feed {statistics.median(rates):6.1f} MB/s "
        f"(best {max(rates):6.1f}; per CPU second {statistics.median(cpu_rates):6.1f})  "
        f"summary {statistics.median(summary_s) * 1000:6.1f} ms"
    )
    if reference_cpu:
        mine_s, before_s = len(data) / 1e6 / max(cpu_rates), min(reference_cpu)
        before = f"per CPU second {len(data) / 1e6 / before_s:6.1f} MB/s (best)"
        print(f"{'  reader before':<29} {before}; the reader now is {before_s / mine_s:4.2f}x as fast")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=100.0, help="megabytes per generated log")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    budget = int(args.mb * 1e6)
    cases = [
        ("unified G1 gc*", unified, GcAccumulator, LogKind.GC_UNIFIED, ReferenceAccumulator),
        ("jdk8 G1 details", jdk8_g1, GcAccumulator, LogKind.GC_JDK8, None),
        ("jdk8 Parallel", jdk8_parallel, GcAccumulator, LogKind.GC_JDK8, None),
        ("security", security, SecurityAccumulator, LogKind.JIRA_SECURITY, None),
    ]
    for name, generate, make, kind, reference in cases:
        data = "".join(generate(random.Random(7), budget)).encode()
        run(name, make, kind, data, args.repeat, reference)


if __name__ == "__main__":
    main()
