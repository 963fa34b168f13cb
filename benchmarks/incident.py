"""How long `atlas-health incident` takes against `atlas-health analyze` on the same logs, and its memory.

Writes (seeded, cached between runs) the simulated estate's three-node Jira incident scenario at each
size asked for, then times, taking turns so a slow spell of a shared machine slows both alike:
  - analyze:  atlas-health analyze <folder> --format json
  - incident: atlas-health incident <folder> --format json  (reading, checks, investigation, report)
Each figure is the best of --runs. Peak memory is the largest sum of PSS over the incident process and
its workers, sampled every 50 ms in a separate run (sampling costs CPU).
Target (issue 12): incident within 1.5x analyze's time; peak memory under 400 MB, at every size.

    .venv/bin/python benchmarks/incident.py [--sizes-mb 100,1024] [--scenario db-pool-exhausted] [--runs 2]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent
ROOT = BENCHMARKS.parent
sys.path[:0] = [str(ROOT), str(BENCHMARKS)]

from logscan import CLI, timed  # noqa: E402

from sandbox.incident_scenarios import write_scenario  # noqa: E402

TARGET_RATIO = 1.5
TARGET_PEAK_MB = 400


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def generate(folder: Path, scenario: str, size_mb: int, seed: int) -> float:
    """The scenario's logs at about ``size_mb``; returns the size written, in MB."""
    marker = folder / ".generated"
    wanted = json.dumps({"scenario": scenario, "size_mb": size_mb, "seed": seed, "version": 1})
    if marker.exists() and marker.read_text() == wanted:
        return _size(folder) / 1e6
    shutil.rmtree(folder, ignore_errors=True)
    probe = folder.with_name(folder.name + "-probe")
    shutil.rmtree(probe, ignore_errors=True)
    write_scenario(scenario, probe, seed=seed)  # scale 1: the size per unit of scale
    per_scale = _size(probe)
    shutil.rmtree(probe)
    started = time.perf_counter()
    write_scenario(scenario, folder, seed=seed, scale=max(1.0, size_mb * 1e6 / per_scale))
    written = _size(folder)
    print(f"wrote {written / 1e6:,.0f} MB of {scenario} logs in {time.perf_counter() - started:.0f} s")
    marker.write_text(wanted)
    return written / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes-mb", default="100,1024", help="comma-separated sizes (MB)")
    parser.add_argument("--scenario", default="db-pool-exhausted")
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "atlas-health-incident")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--runs", type=int, default=2, help="turns of analyze and incident; best of N")
    args = parser.parse_args()
    rows = []
    for size_mb in (int(s) for s in args.sizes_mb.split(",")):
        folder = args.dir / f"{args.scenario}-{size_mb}mb"
        mb = generate(folder, args.scenario, size_mb, args.seed)
        for path in folder.rglob("*"):  # warm the page cache so both commands read from memory
            if path.is_file():
                path.read_bytes()
        analyze, incident = [], []
        for _ in range(args.runs):
            analyze.append(timed([*CLI, "analyze", str(folder), "--format", "json"]).seconds)
            incident.append(timed([*CLI, "incident", str(folder), "--format", "json"]).seconds)
        memory = timed([*CLI, "incident", str(folder), "--format", "json"], sample=True)
        a, i = min(analyze), min(incident)
        rows.append((mb, a, i, i / a, memory.peak_pss / 1e6))
    print(f"{'logs':>8}  {'analyze':>9}  {'incident':>9}  {'ratio':>6}  {'peak PSS':>9}")
    for mb, a, i, ratio, peak in rows:
        verdict = "ok" if ratio <= TARGET_RATIO and peak < TARGET_PEAK_MB else "MISSED"
        print(f"{mb:>6,.0f}MB  {a:>8.1f}s  {i:>8.1f}s  {ratio:>5.2f}x  {peak:>7.0f}MB  {verdict}")
    print(f"targets: incident <= {TARGET_RATIO}x analyze, peak memory < {TARGET_PEAK_MB} MB")


if __name__ == "__main__":
    main()
