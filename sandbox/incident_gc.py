"""One JVM's G1 garbage collection, as JDK 17 writes it with Jira 9's ``-Xlog:gc*:file=...:time,uptime``.

A healthy 8 GB heap: young pauses every half minute or so (sooner when traffic is busy), each
promoting a little into the old generation, so the heap left after a young pause (its floor) climbs
from about 2.2 GB until it passes the initiating occupancy (45 %); a concurrent cycle (Concurrent
Start, Remark, Cleanup) and a few mixed pauses then bring it back down. No trend over hours: no leak.

A scenario presses on the heap with a ``Pressure``: the floor heads for a target at a given speed (a
leak, a huge export), and once it is near the top, young pauses fail (``To-space exhausted``) and full
collections follow one another with short gaps (heap exhaustion, GC thrashing). A one-off slow full
collection (the decoy an hour before an incident) is scheduled with ``force_full``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime

HEAP_MB = 8192
REGION_MB = 4
EDEN_MB = 2400
IHOP_MB = HEAP_MB * 0.45
NORMAL_FLOOR_MB = 2200
FULL_FLOOR_MB = 7600  # from here on, young pauses fail and full collections take over


@dataclass(frozen=True)
class Pressure:
    floor_mb: float  # where the heap floor is heading
    rise_mb_s: float  # how fast it gets there
    full_gap_s: tuple[float, float] = (8.0, 20.0)  # time between full collections once the heap is full
    full_ms: tuple[float, float] = (6_000.0, 20_000.0)
    young_factor: float = 1.0  # young pauses take this many times longer


def stamp(at: float, uptime: float) -> str:
    moment = datetime.fromtimestamp(at, UTC)
    return f"[{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond // 1000:03d}+0000][{uptime:.3f}s]"


class GcRun:
    """The GC log of one JVM run: call ``until`` with increasing times; it returns (time, text) blocks."""

    def __init__(self, rng: random.Random, jvm_start: float, number: int, floor_mb: float) -> None:
        self.rng = rng
        self.jvm_start = jvm_start
        self.number = number
        self.floor = floor_mb
        self.next_at: float | None = None
        self.mixed_left = 0
        self.forced: list[tuple[float, float, float]] = []  # (at, pause ms, floor after)

    def startup(self) -> tuple[float, str]:
        """The lines a JVM writes as it starts, before any collection."""
        at = self.jvm_start + 0.012
        head = stamp(at, 0.012)
        lines = (
            "Using G1",
            "Version: 17.0.10+7 (release)",
            "CPUs: 8 total, 8 available",
            "Memory: 31873M",
            "Large Page Support: Disabled",
            "NUMA Support: Disabled",
            "Compressed Oops: Enabled (Zero based)",
            "Heap Region Size: 4M",
            "Heap Min Capacity: 8G",
            "Heap Initial Capacity: 8G",
            "Heap Max Capacity: 8G",
            "Pre-touch: Disabled",
            "Parallel Workers: 8",
            "Concurrent Workers: 2",
            "Concurrent Refinement Workers: 8",
            "Periodic GC: Disabled",
            "CDS archive(s) mapped at: [0x0000000800000000-0x0000000800bd5000-0x0000000800bd5000), size "
            "12406784, SharedBaseAddress: 0x0000000800000000, ArchiveRelocationMode: 0.",
            "Compressed class space mapped at: 0x0000000800c00000-0x0000000840c00000, reserved size: "
            "1073741824",
            "Narrow klass base: 0x0000000800000000, Narrow klass shift: 0, Narrow klass range: 0x100000000",
        )
        return at, "".join(f"{head} {line}\n" for line in lines)

    def shutdown(self, at: float) -> tuple[float, str]:
        """The heap summary a JVM writes when it exits normally (a killed one writes nothing)."""
        head = stamp(at, at - self.jvm_start)
        used = int((self.floor + EDEN_MB / 2) * 1024)
        young = int(EDEN_MB / 2 / REGION_MB)
        return at, (
            f"{head} Heap\n"
            f"{head}  garbage-first heap   total {HEAP_MB * 1024}K, used {used}K [0x0000000600000000, "
            "0x0000000800000000)\n"
            f"{head}   region size {REGION_MB * 1024}K, {young} young ({young * REGION_MB * 1024}K), 8 "
            "survivors (32768K)\n"
            f"{head}  Metaspace       used 312345K, committed 315392K, reserved 1343488K\n"
            f"{head}   class space    used 38889K, committed 40960K, reserved 1048576K\n"
        )

    def force_full(self, at: float, millis: float, floor_after: float) -> None:
        self.forced.append((at, millis, floor_after))

    def until(
        self, end: float, alloc_mb_s: float, pressure: Pressure | None, start: float
    ) -> list[tuple[float, str]]:
        """The collections that end before ``end``; ``start`` is where the window of this call begins."""
        out: list[tuple[float, str]] = []
        interval = max(2.0, EDEN_MB / max(alloc_mb_s, 1.0))
        if self.next_at is None:
            self.next_at = start + self.rng.uniform(0, interval)
        while self.forced and self.forced[0][0] < start:  # its JVM was not running then
            self.forced.pop(0)
        while min(self.next_at, self.forced[0][0] if self.forced else end) < end:
            at = self.next_at
            if self.forced and self.forced[0][0] <= at:
                at, millis, after = self.forced.pop(0)
                out.append(self._full(at, millis, after))
                self.floor = after
                self.next_at = at + millis / 1000 + interval * self.rng.uniform(0.5, 1.0)
                continue
            if pressure is not None:
                step = pressure.rise_mb_s * interval
                if self.floor < pressure.floor_mb:
                    self.floor = min(pressure.floor_mb, self.floor + step * self.rng.uniform(0.6, 1.4))
                if self.floor >= FULL_FLOOR_MB:
                    out.append(self._young(at, 1.0 + 6 * pressure.young_factor, failed=True))
                    millis = self.rng.uniform(*pressure.full_ms)
                    begin = at + 1.0
                    recovered = self.rng.uniform(30, 260)
                    out.append(self._full(begin, millis, max(FULL_FLOOR_MB, self.floor - recovered)))
                    self.next_at = begin + millis / 1000 + self.rng.uniform(*pressure.full_gap_s)
                    continue
                out.append(self._young(at, pressure.young_factor))
                self.next_at = at + interval * self.rng.uniform(0.7, 1.3)
                continue
            blocks = self._healthy(at)
            out.extend(blocks)
            self.next_at = max(at + interval * self.rng.uniform(0.7, 1.3), blocks[-1][0] + 1.0)
        return out

    def _healthy(self, at: float) -> list[tuple[float, str]]:
        if self.mixed_left > 0:
            self.mixed_left -= 1
            self.floor = max(NORMAL_FLOOR_MB, self.floor - self.rng.uniform(250, 450))
            if self.floor <= NORMAL_FLOOR_MB + 50:
                self.mixed_left = 0
            return [self._young(at, 1.6, kind="Mixed")]
        if self.floor > IHOP_MB:
            young = self._young(at, 1.2, kind="Concurrent Start")
            cycle = self._concurrent_cycle(at + 0.2)
            self.mixed_left = 4 + int((self.floor - IHOP_MB) // 400)
            return [young, cycle, self._young(at + 3.5, 1.0, kind="Prepare Mixed")]
        self.floor += self.rng.uniform(12, 38)
        return [self._young(at, 1.0)]

    def _head(self, at: float) -> str:
        return stamp(at, at - self.jvm_start)

    def _young(
        self, at: float, factor: float, kind: str = "Normal", failed: bool = False
    ) -> tuple[float, str]:
        n = self.number
        self.number += 1
        millis = self.rng.lognormvariate(3.0, 0.45) * factor
        begin, end = self._head(at), self._head(at + millis / 1000)
        after = min(HEAP_MB - 4, self.floor + self.rng.uniform(40, 90))
        before = min(HEAP_MB - 2, after + EDEN_MB * (0.15 if failed else 0.9) + self.rng.uniform(-80, 80))
        eden = int((before - after) // REGION_MB)
        old = int(self.floor // REGION_MB)
        name = f"Pause Young ({kind}) (G1 Evacuation Pause)"
        text = (
            f"{begin} GC({n}) {name}\n"
            f"{begin} GC({n}) Using 8 workers of 8 for evacuation\n"
            + (f"{end} GC({n}) To-space exhausted\n" if failed else "")
            + f"{end} GC({n})   Pre Evacuate Collection Set: 0.{n % 7 + 1}ms\n"
            f"{end} GC({n})   Merge Heap Roots: 0.{(n + 3) % 9 + 1}ms\n"
            f"{end} GC({n})   Evacuate Collection Set: {millis * 0.82:.1f}ms\n"
            f"{end} GC({n})   Post Evacuate Collection Set: {millis * 0.12:.1f}ms\n"
            f"{end} GC({n})   Other: {millis * 0.04:.1f}ms\n"
            f"{end} GC({n}) Eden regions: {eden}->0({eden})\n"
            f"{end} GC({n}) Survivor regions: 14->{13 + n % 4}(75)\n"
            f"{end} GC({n}) Old regions: {old - 6}->{old}\n"
            f"{end} GC({n}) Archive regions: 2->2\n"
            f"{end} GC({n}) Humongous regions: {4 + n % 3}->4\n"
            f"{end} GC({n}) Metaspace: 312345K(315392K)->312345K(315392K) NonClass: "
            "273456K(274432K)->273456K(274432K) Class: 38889K(40960K)->38889K(40960K)\n"
            f"{end} GC({n}) {name} {before:.0f}M->{after:.0f}M({HEAP_MB}M) {millis:.3f}ms\n"
            f"{end} GC({n}) User={millis * 7.4 / 1000:.2f}s Sys=0.00s Real={millis / 1000:.2f}s\n"
        )
        return at, text

    def _full(self, at: float, millis: float, after: float) -> tuple[float, str]:
        n = self.number
        self.number += 1
        begin, end = self._head(at), self._head(at + millis / 1000)
        before = min(HEAP_MB - 2, max(self.floor, after) + self.rng.uniform(60, 180))
        phases = (0.45, 0.12, 0.18, 0.25)
        names = ("Mark live objects", "Prepare for compaction", "Adjust pointers", "Compact heap")
        lines = [f"{begin} GC({n}) Pause Full (G1 Compaction Pause)\n"]
        for i, (share, name) in enumerate(zip(phases, names, strict=True)):
            lines.append(f"{begin} GC({n}) Phase {i + 1}: {name}\n")
            lines.append(f"{end} GC({n}) Phase {i + 1}: {name} {millis * share:.3f}ms\n")
        lines += [
            f"{end} GC({n}) Eden regions: 0->0(102)\n",
            f"{end} GC({n}) Survivor regions: 0->0(13)\n",
            f"{end} GC({n}) Old regions: {int(before // REGION_MB)}->{int(after // REGION_MB)}\n",
            f"{end} GC({n}) Archive regions: 2->2\n",
            f"{end} GC({n}) Humongous regions: 6->4\n",
            f"{end} GC({n}) Metaspace: 312345K(315392K)->312345K(315392K) NonClass: "
            "273456K(274432K)->273456K(274432K) Class: 38889K(40960K)->38889K(40960K)\n",
            f"{end} GC({n}) Pause Full (G1 Compaction Pause) {before:.0f}M->{after:.0f}M({HEAP_MB}M) "
            f"{millis:.3f}ms\n",
            f"{end} GC({n}) User={millis * 7.1 / 1000:.2f}s Sys={millis / 40000:.2f}s "
            f"Real={millis / 1000:.2f}s\n",
        ]
        return at, "".join(lines)

    def _concurrent_cycle(self, at: float) -> tuple[float, str]:
        n = self.number
        self.number += 1
        rng = self.rng
        mark = rng.uniform(600, 1400)
        remark, rebuild = rng.uniform(15, 60), rng.uniform(200, 600)
        t = at
        parts: list[str] = []

        def line(offset_ms: float, text: str) -> None:
            parts.append(f"{self._head(t + offset_ms / 1000)} GC({n}) {text}\n")

        after = self.floor + 60
        line(0, "Concurrent Mark Cycle")
        line(0.1, "Concurrent Clear Claimed Marks")
        line(0.2, f"Concurrent Clear Claimed Marks {rng.uniform(0.02, 0.09):.3f}ms")
        line(0.3, "Concurrent Scan Root Regions")
        line(12, f"Concurrent Scan Root Regions {rng.uniform(5, 15):.3f}ms")
        line(12.1, "Concurrent Mark")
        line(12.2, "Concurrent Mark From Roots")
        line(12.3, "Using 2 workers of 2 for marking")
        line(mark, f"Concurrent Mark From Roots {mark - 12:.3f}ms")
        line(mark + 0.1, "Concurrent Preclean")
        line(mark + 3, f"Concurrent Preclean {rng.uniform(1, 3):.3f}ms")
        line(mark + 3.1, "Pause Remark")
        line(mark + 3.1 + remark, f"Pause Remark {after + 40:.0f}M->{after:.0f}M({HEAP_MB}M) {remark:.3f}ms")
        line(mark + 3.2 + remark, f"Concurrent Mark {mark + remark:.3f}ms")
        line(mark + 3.3 + remark, "Concurrent Rebuild Remembered Sets")
        end = mark + 3.3 + remark + rebuild
        line(end, f"Concurrent Rebuild Remembered Sets {rebuild:.3f}ms")
        line(end + 0.1, "Pause Cleanup")
        line(end + 0.7, f"Pause Cleanup {after:.0f}M->{after:.0f}M({HEAP_MB}M) 0.612ms")
        line(end + 0.8, "Concurrent Cleanup for Next Mark")
        line(end + 6, f"Concurrent Cleanup for Next Mark {rng.uniform(3, 6):.3f}ms")
        line(end + 6.1, f"Concurrent Mark Cycle {end + 6:.3f}ms")
        return at, "".join(parts)
