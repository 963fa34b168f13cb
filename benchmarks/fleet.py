"""Fleet benchmark: a full check of N sandbox instances against the same check of one instance.

Every sandbox call answers after --latency-ms (default 200 ms), so the run measures how well the
agent overlaps calls across and within instances. Target for the spine: 50 instances within 5x the
time of one. Prints both times, the ratio and the memory peak; asserts nothing (machines are noisy).

    .venv/bin/python benchmarks/fleet.py [--instances 50] [--latency-ms 200] [--repeat 3]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
import tracemalloc

import yaml

from agent import pipeline
from agent.config.loader import parse_config
from agent.config.targets import check_settings
from agent.sandbox import Sandbox, fleet_estate, sandbox_config
from checks.registry import Registry, load_registry


def full_check(sandbox: Sandbox, names: list[str], registry: Registry) -> tuple[float, int]:
    config, env = sandbox_config(sandbox, {"fleet": names})
    config["settings"] = {"concurrency": {"instances": 256, "calls_per_instance": 4}, "timeout_seconds": 10}
    loaded = parse_config(yaml.safe_dump(config), source="fleet", registry=registry, env=env)
    started = time.perf_counter()
    snapshot = pipeline.collect(loaded)
    analysis = pipeline.analyze(snapshot, check_settings(loaded.config), registry)
    pipeline.render_reports(pipeline.build_reports(snapshot, analysis, "UTC"), pipeline.FORMATS)
    elapsed = time.perf_counter() - started
    errors = sum(len(i.errors) for i in snapshot.instances)
    return elapsed, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=50)
    parser.add_argument("--latency-ms", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    registry = load_registry()
    specs = fleet_estate(args.instances, args.latency_ms)
    names = [s.name for s in specs]
    with Sandbox(specs) as sandbox:
        one = [full_check(sandbox, names[:1], registry) for _ in range(args.repeat)]
        fleet = [full_check(sandbox, names, registry) for _ in range(args.repeat)]
        # Memory in a separate run: tracing every allocation slows Python down too much to time it.
        tracemalloc.start()
        full_check(sandbox, names, registry)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    one_s = statistics.median(t for t, _ in one)
    fleet_s = statistics.median(t for t, _ in fleet)
    errors = max(e for _, e in one + fleet)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"calls answer after {args.latency_ms} ms; median of {args.repeat} runs each")
    print(f"one instance:        {one_s:6.2f} s")
    print(f"{args.instances} instances:       {fleet_s:6.2f} s")
    print(f"ratio:               {fleet_s / one_s:6.2f}x  (target <= 5x)")
    print(f"memory peak:         {peak / 2**20:6.1f} MiB heap in a fleet run; max RSS {rss_mb:.0f} MiB")
    print(f"collection errors:   {errors} (must be 0)")


if __name__ == "__main__":
    main()
