"""How fast `atlas-health analyze` reads logs, against grep with the knowledge base's own patterns.

Generates (seeded, cached between runs) a realistic mix of application, access and GC logs of a
three-node Jira cluster, then times:
  - grep:     grep -c -E -f PATTERNS over every file, PATTERNS = `atlas-health signatures export --grep`
  - analyze:  atlas-health analyze <the folder> --format json   (everything: signatures, levels,
              exceptions, GC, access, security, checks and the JSON report)
  - app only: atlas-health analyze on the application logs alone, for the MB/s of the fast path
grep and analyze take turns (--runs times), and each figure is the best of its runs; the ratio of
each turn is printed too. Peak memory is the largest sum of PSS (each shared page counted once, split
among its sharers) over the analyze process and its workers, sampled every 50 ms; the summed RSS is
printed beside it.
Targets (issue 5): analysis <= 2x grep's time, >= 300 MB/s on application logs, peak memory < 300 MB.

    .venv/bin/python benchmarks/logscan.py [--size-mb 1024] [--dir /tmp/atlas-health-logscan] [--runs 3]
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
from dataclasses import dataclass
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sandbox.log_estate import EstatePlan, write_folders  # noqa: E402

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


@dataclass
class Run:
    seconds: float
    peak_pss: int = 0  # bytes: proportional set size, summed over the process and its workers
    peak_rss: int = 0  # bytes: resident set size, summed (counts pages the workers share with it once each)


def timed(command: list[str], sample: bool = False) -> Run:
    """Wall time, and with ``sample`` the peak memory of the process tree, sampled every 50 ms.

    Sampling reads /proc of every process in the tree, which costs CPU: timed runs do not sample,
    a separate run measures memory.

    Everything runs in the C locale: grep's [[:alnum:]] then means ASCII, as in the knowledge base.
    """
    env = {**os.environ, "LC_ALL": "C"}
    started = time.perf_counter()
    process = psutil.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT, env=env)
    run = Run(0.0)
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            pss = rss = 0
            try:
                for proc in [process, *process.children(recursive=True)]:
                    info = proc.memory_full_info()
                    pss, rss = pss + info.pss, rss + info.rss
            except psutil.Error:
                pass
            run.peak_pss, run.peak_rss = max(run.peak_pss, pss), max(run.peak_rss, rss)
            stop.wait(0.05)

    sampler = threading.Thread(target=watch, daemon=True)
    if sample:
        sampler.start()
    _, err = process.communicate()
    run.seconds = time.perf_counter() - started
    stop.set()
    if sample:
        sampler.join()
    if process.returncode not in (0, 1, 2):
        raise SystemExit(f"{' '.join(command[:4])} ... failed ({process.returncode}): {err.decode()[-800:]}")
    return run


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "atlas-health-logscan")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runs", type=int, default=3, help="turns of grep and analyze; best of N for each")
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
    # grep and analyze take turns, so that a slow spell of a shared machine slows both alike
    greps, runs, app_runs = [], [], []
    for _ in range(args.runs):
        greps.append(timed(["grep", "-c", "-E", "-f", str(pattern_file), *map(str, files)]).seconds)
        runs.append(timed([*CLI, "analyze", str(args.dir), "--format", "json"]).seconds)
        app_runs.append(timed([*CLI, "analyze", *map(str, app_files), "--format", "json"]).seconds)
    memory = timed([*CLI, "analyze", str(args.dir), "--format", "json"], sample=True)
    grep, analyze, app = min(greps), min(runs), min(app_runs)
    pss, rss = memory.peak_pss, memory.peak_rss

    total_mb, app_mb = _mb(files), _mb(app_files)
    ratio = analyze / grep
    turns = sorted(a / g for a, g in zip(runs, greps, strict=True))

    def verdict(ok: bool) -> str:
        return "met" if ok else "NOT met"

    print(
        f"input: {total_mb:.0f} MB in {len(files)} files over 3 nodes ({app_mb:.0f} MB application logs), "
        f"{count} patterns, {os.cpu_count()} cores; best of {args.runs}"
    )
    print(f"grep -c -E -f PATTERNS (all files):   {grep:6.2f} s  {total_mb / grep:5.0f} MB/s")
    print(
        f"atlas-health analyze (all files):     {analyze:6.2f} s  {total_mb / analyze:5.0f} MB/s  "
        f"ratio {ratio:.2f}x grep (target <= 2x: {verdict(ratio <= 2)})"
    )
    each = " ".join(f"{r:.2f}" for r in turns)
    median = turns[len(turns) // 2]
    print(f"  ratio in each turn (analyze over the grep just before it): {each}, median {median:.2f}x")
    print(
        f"atlas-health analyze (application):   {app:6.2f} s  {app_mb / app:5.0f} MB/s  "
        f"(target >= 300 MB/s: {verdict(app_mb / app >= 300)})"
    )
    print(
        f"peak memory, analyze and its workers: {pss / 1e6:6.0f} MB PSS "
        f"(target < 300 MB: {verdict(pss < 300e6)}); "
        f"{rss / 1e6:.0f} MB summed RSS, which counts the pages workers share with it once per process"
    )


if __name__ == "__main__":
    main()
