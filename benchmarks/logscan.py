"""How fast `atlas-health analyze` reads logs, against grep with the knowledge base's own patterns.

Generates (seeded, cached between runs) a realistic mix of application, access and GC logs of a
three-node Jira cluster, then times:
  - grep:     grep -c -E -f PATTERNS over every file, PATTERNS = `atlas-health signatures export --grep`
  - analyze:  atlas-health analyze <the folder> --format json   (everything: signatures, levels,
              exceptions, GC, access, security, checks and the JSON report)
  - app only: atlas-health analyze on the application logs alone, for the MB/s of the fast path
Peak memory is the largest sum of RSS over the analyze process and its workers, sampled every 20 ms.
Targets (issue 5): analysis <= 2x grep's time, >= 300 MB/s on application logs, peak RSS < 300 MB.

    .venv/bin/python benchmarks/logscan.py [--size-mb 1024] [--dir /tmp/atlas-health-logscan] [--runs 2]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from agent.sandbox.log_estate import EstatePlan, write_folders  # noqa: E402

_SCRIPT = Path(sys.executable).with_name("atlas-health")
CLI = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "agent.cli"]


def generate(folder: Path, size_mb: int, seed: int) -> None:
    marker = folder / ".generated"
    wanted = json.dumps({"size_mb": size_mb, "seed": seed, "version": 2})
    if marker.exists() and marker.read_text() == wanted:
        return
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    per_node = size_mb * 1024 * 1024 // 3
    plan = EstatePlan(
        hours=24.0,
        app_bytes=int(per_node * 0.62),
        access_bytes=int(per_node * 0.30),
        gc_pauses=int(per_node * 0.07 / 1900),  # -Xlog:gc* writes about 15 lines per pause
        security_events=int(per_node * 0.01 / 150),
        seed=seed,
    )
    started = time.perf_counter()
    write_folders(folder, plan)
    marker.write_text(wanted)
    print(f"generated {_mb(_files(folder)):.0f} MB in {time.perf_counter() - started:.0f} s into {folder}")


def _files(folder: Path, only: str | None = None) -> list[Path]:
    found = sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))
    return [p for p in found if only is None or p.name.startswith(only)]


def _mb(files: list[Path]) -> float:
    return sum(p.stat().st_size for p in files) / 1e6


def _timed(command: list[str], stdout: int | None = subprocess.DEVNULL) -> tuple[float, int]:
    """Wall time and the peak of the summed RSS of the process and its children, in bytes."""
    started = time.perf_counter()
    process = psutil.Popen(command, stdout=stdout, stderr=subprocess.PIPE, cwd=ROOT)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            try:
                tree = [process, *process.children(recursive=True)]
                peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
            except psutil.Error:
                pass
            stop.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = process.communicate()
    elapsed = time.perf_counter() - started
    stop.set()
    sampler.join()
    if process.returncode not in (0, 1, 2):
        raise SystemExit(f"{' '.join(command[:4])} ... failed ({process.returncode}): {err.decode()[-800:]}")
    return elapsed, peak


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "atlas-health-logscan")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runs", type=int, default=2, help="best of N for each timing")
    args = parser.parse_args()

    generate(args.dir, args.size_mb, args.seed)
    files = _files(args.dir)
    app_files = [p for p in files if p.name.startswith("atlassian-jira.log")]
    patterns = subprocess.run(
        [*CLI, "signatures", "export", "--grep"], check=True, capture_output=True, cwd=ROOT
    )
    pattern_file = args.dir / ".patterns.ere"
    pattern_file.write_bytes(patterns.stdout)
    count = len(patterns.stdout.splitlines())

    for path in files:  # warm the page cache so both sides read from memory
        with path.open("rb") as handle:
            while handle.read(1 << 24):
                pass
    grep = min(
        _timed(["grep", "-c", "-E", "-f", str(pattern_file), *map(str, files)])[0] for _ in range(args.runs)
    )
    runs = [_timed([*CLI, "analyze", str(args.dir), "--format", "json"]) for _ in range(args.runs)]
    analyze, peak = min(r[0] for r in runs), max(r[1] for r in runs)
    app_runs = [_timed([*CLI, "analyze", *map(str, app_files), "--format", "json"]) for _ in range(args.runs)]
    app = min(r[0] for r in app_runs)

    total_mb, app_mb = _mb(files), _mb(app_files)
    ratio = analyze / grep
    print(
        f"input: {total_mb:.0f} MB in {len(files)} files over 3 nodes ({app_mb:.0f} MB application logs), "
        f"{count} patterns, {os.cpu_count()} cores"
    )
    print(f"grep -c -E -f PATTERNS:        {grep:6.2f} s  {total_mb / grep:6.0f} MB/s")
    print(
        f"atlas-health analyze (all):    {analyze:6.2f} s  {total_mb / analyze:6.0f} MB/s   "
        f"ratio {ratio:.2f}x grep (target <= 2x: {'met' if ratio <= 2 else 'NOT met'})"
    )
    print(
        f"atlas-health analyze (app):    {app:6.2f} s  {app_mb / app:6.0f} MB/s   "
        f"(target >= 300 MB/s: {'met' if app_mb / app >= 300 else 'NOT met'})"
    )
    print(
        f"peak RSS (analyze + workers):  {peak / 1e6:6.0f} MB   "
        f"(target < 300 MB: {'met' if peak < 300e6 else 'NOT met'})"
    )


if __name__ == "__main__":
    main()
