"""GC logs written by a real JVM (the JDK that scripts/setup.sh installs), one per collector, with
Jira 9's decorations (time,uptime) and with others (utctime,uptimemillis,level,tags plus safepoints).

A small program churns through a 24 MB heap for a moment so that every collector pauses, including
full collections; the accumulator must read every pause line the JVM wrote, no more and no fewer.
"""

from __future__ import annotations

import random
import re
import shutil
import subprocess
from datetime import UTC
from pathlib import Path

import pytest

from collectors.logs.context import ChunkStats, FileContext
from collectors.logs.gc import GcAccumulator
from collectors.logs.model import LogKind

CHURN = """
import java.util.*;
public class Churn {
  public static void main(String[] args) {
    List<byte[]> keep = new ArrayList<>();
    Random random = new Random(7);
    long end = System.currentTimeMillis() + Long.parseLong(args[0]);
    while (System.currentTimeMillis() < end) {
      byte[] chunk = new byte[1024 * (1 + random.nextInt(64))];
      if (random.nextInt(40) == 0) keep.add(chunk);
      if (keep.size() > 2500) keep.subList(0, 1200).clear();
    }
    System.gc();
  }
}
"""
COLLECTORS = {"G1": "G1", "Parallel": "Parallel", "Serial": "Serial", "Z": "ZGC", "Shenandoah": "Shenandoah"}
# What the JVM wrote, read by a plain regex: the end line of every pause.
PAUSE_LINE = re.compile(r"GC\(\d+\) (?:[A-Za-z]: )?(Pause .*?) ([\d.]+)ms$")

pytestmark = pytest.mark.slow  # five JVMs: about six seconds


def _supported(flag: str) -> bool:
    return subprocess.run(["java", f"-XX:+Use{flag}GC", "-version"], capture_output=True).returncode == 0


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    assert shutil.which("java") and shutil.which("javac"), (
        "the JDK is missing: ./scripts/setup.sh installs it"
    )
    folder = tmp_path_factory.mktemp("gc")
    (folder / "Churn.java").write_text(CHURN)
    subprocess.run(["javac", "-d", str(folder), str(folder / "Churn.java")], check=True, timeout=120)
    runs, paths = [], {}
    for flag in COLLECTORS:
        if not _supported(flag):
            continue
        paths[flag] = folder / f"gc-{flag}.log"
        decorations = "time,uptime" if flag != "Parallel" else "utctime,uptimemillis,level,tags"
        selectors = "gc*" if flag != "Parallel" else "gc*,safepoint"
        command = [
            "java", "-Xmx24m", f"-XX:+Use{flag}GC", f"-Xlog:{selectors}:file={paths[flag]}:{decorations}",
            "-cp", str(folder), "Churn", "600",
        ]  # fmt: skip
        runs.append(subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    for run in runs:
        run.wait(timeout=120)
    assert {"G1", "Parallel", "Serial", "Z"} <= set(paths), "the JDK lacks a standard collector"
    return paths


@pytest.mark.parametrize("flag", list(COLLECTORS))
def test_every_pause_the_jvm_wrote_is_read(logs: dict[str, Path], flag: str) -> None:
    if flag not in logs:
        pytest.skip(f"this JDK has no {flag} collector")
    data = logs[flag].read_bytes()
    written = [PAUSE_LINE.search(line) for line in data.decode().splitlines()]
    pauses = [(m.group(1), float(m.group(2))) for m in written if m]
    assert pauses, "the JVM paused at least once"

    acc = GcAccumulator()
    context = FileContext(str(logs[flag]), "node1", LogKind.GC_UNIFIED, UTC)
    stats = acc.feed(data, context)
    stats.merge(acc.end_file(context))
    [summary] = acc.summaries(60)

    assert stats.unparsed == 0 and stats.lines == data.count(b"\n")
    assert summary.collector == COLLECTORS[flag]
    assert summary.pauses == len(pauses)
    assert summary.full_gcs == sum(kind.startswith("Pause Full") for kind, _ in pauses)
    assert summary.total_pause_s == pytest.approx(sum(ms for _, ms in pauses) / 1000, abs=1e-5)
    assert summary.max_ms == pytest.approx(max(ms for _, ms in pauses), abs=1e-3)
    assert summary.heap_after and all(0 <= p.after_mb <= 24 for p in summary.heap_after)
    assert summary.span_s and 0 < summary.overhead < 1
    assert sum(m.pauses for m in summary.per_minute) == len(pauses)
    # G1 running out of free regions in a 24 MB heap: a "To-space exhausted" line (JDK 17) or
    # "(Evacuation Failure...)" in the pause (newer JDKs)
    failures = [kind for kind, _ in pauses if "(Evacuation Failure" in kind]
    assert summary.evacuation_failures == len(failures) + data.count(b"To-space exhausted")
    if flag == "Parallel":  # this one also logs safepoints, in JDK 17's "Total: N ns" form
        assert summary.safepoints == data.count(b'] Safepoint "') > 0
        assert summary.safepoint_total_s >= summary.total_pause_s * 0.9  # a safepoint holds its pauses

    pieces = GcAccumulator()
    lines, i, rng = data.splitlines(keepends=True), 0, random.Random(flag)
    split_stats = ChunkStats()
    while i < len(lines):
        n = rng.randint(1, 200)
        split_stats.merge(pieces.feed(b"".join(lines[i : i + n]), context))
        i += n
    split_stats.merge(pieces.end_file(context))
    assert pieces.summaries(60) == acc.summaries(60)
    assert (split_stats.lines, split_stats.events, split_stats.first) == (
        stats.lines,
        stats.events,
        stats.first,
    )
