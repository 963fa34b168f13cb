"""Fleet benchmark: a full check of N sandbox instances against the same check of one instance.

Every sandbox call answers after --latency-ms (default 200 ms), so the run measures how well the
agent overlaps calls across and within instances. The sandbox is served from its own process, as real
instances are on their own machines: in the agent's process its request handling would compete with
the agent for the GIL (--sandbox-in-process measures it that way). Prints both times, the ratio and
the agent's memory peak; asserts nothing (machines are noisy).

- Default: N Jira and Confluence Data Center instances against one Jira DC. Target: 50 instances
  within 5x the time of one.
- ``--mixed``: 200 instances of every product (Jira, Confluence, Bitbucket, Bamboo, Crowd,
  Fisheye/Crucible on Data Center and Server, plus --cloud-sites Cloud sites), in the proportions of
  ``sandbox.estates.MIXED_FLEET``. "One instance" is each kind of instance in the mix checked
  alone; the ratio is taken against the slowest of them (the fleet can never beat its slowest
  member) and, for comparison with the default mode, against the Jira DC instance. Target: 8x.

    .venv/bin/python benchmarks/fleet.py [--instances 50] [--latency-ms 200] [--repeat 3]
    .venv/bin/python benchmarks/fleet.py --mixed [--instances 200] [--cloud-sites 2]
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import statistics
import time
import tracemalloc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from multiprocessing.connection import Connection
from typing import Any

import yaml

from agent import pipeline
from agent.config.loader import parse_config
from agent.config.targets import check_settings
from checks.registry import Registry, load_registry
from sandbox import InstanceSpec, Sandbox, fleet_estate, mixed_fleet_estate, sandbox_config

SETTINGS = {"concurrency": {"instances": 256, "calls_per_instance": 4}, "timeout_seconds": 10}
Served = tuple[dict[str, Any], dict[str, str]]  # the sandbox's config for every instance, its secrets


def _serve(specs: Sequence[InstanceSpec], conn: Connection) -> None:
    """In the sandbox's process: serve ``specs`` until the benchmark says stop."""
    with Sandbox(specs) as sandbox:
        conn.send(sandbox_config(sandbox, {"fleet": [s.name for s in specs]}))
        conn.recv()


@contextmanager
def served(specs: Sequence[InstanceSpec], in_process: bool) -> Iterator[Served]:
    if in_process:
        with Sandbox(specs) as sandbox:
            yield sandbox_config(sandbox, {"fleet": [s.name for s in specs]})
        return
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    process = context.Process(target=_serve, args=(list(specs), theirs), name="sandbox", daemon=True)
    process.start()
    try:
        yield ours.recv()
    finally:
        ours.send("stop")
        process.join(30)


def full_check(estate: Served, names: list[str], registry: Registry) -> tuple[float, int]:
    full, env = estate
    wanted = set(names)
    instances = [i for i in full["customers"][0]["instances"] if i["name"] in wanted]
    config = {"customers": [{"name": "fleet", "instances": instances}], "settings": SETTINGS}
    loaded = parse_config(yaml.safe_dump(config), source="fleet", registry=registry, env=env)
    started = time.perf_counter()
    snapshot = pipeline.collect(loaded)
    analysis = pipeline.analyze(snapshot, check_settings(loaded.config), registry)
    pipeline.render_reports(pipeline.build_reports(snapshot, analysis, "UTC"), pipeline.FORMATS)
    elapsed = time.perf_counter() - started
    errors = sum(len(i.errors) for i in snapshot.instances)
    return elapsed, errors


def _kind(spec: InstanceSpec) -> str:
    return f"{spec.product.label} {spec.deployment.label}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mixed", action="store_true", help="every product, 200 instances by default")
    parser.add_argument("--instances", type=int, help="fleet size (default 50, or 200 with --mixed)")
    parser.add_argument("--cloud-sites", type=int, default=2, help="Cloud sites in a --mixed fleet")
    parser.add_argument("--latency-ms", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--sandbox-in-process",
        action="store_true",
        help="serve the sandbox from the agent's own process (the GIL is then shared)",
    )
    args = parser.parse_args()
    count = args.instances if args.instances is not None else (200 if args.mixed else 50)
    if count < 1 or args.repeat < 1 or args.latency_ms < 0:
        parser.error("--instances and --repeat must be at least 1, --latency-ms at least 0")

    registry = load_registry()
    if args.mixed:
        specs = mixed_fleet_estate(count, args.latency_ms, cloud_sites=args.cloud_sites)
    else:
        specs = fleet_estate(count, args.latency_ms)
    names = [s.name for s in specs]
    # The single instances: the first of each kind (only the first instance in the default mode).
    singles: dict[str, str] = {}
    for spec in specs if args.mixed else specs[:1]:
        singles.setdefault(_kind(spec), spec.name)
    with served(specs, args.sandbox_in_process) as estate:
        one = {
            kind: [full_check(estate, [name], registry) for _ in range(args.repeat)]
            for kind, name in singles.items()
        }
        fleet = [full_check(estate, names, registry) for _ in range(args.repeat)]
        # Memory in a separate run: tracing every allocation slows Python down too much to time it.
        tracemalloc.start()
        full_check(estate, names, registry)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    one_s = {kind: statistics.median(t for t, _ in runs) for kind, runs in one.items()}
    fleet_s = statistics.median(t for t, _ in fleet)
    errors = max(e for _, e in [r for runs in one.values() for r in runs] + fleet)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    where = "in the agent's process" if args.sandbox_in_process else "from its own process"
    print(
        f"calls answer after {args.latency_ms} ms; the sandbox served {where}; "
        f"median of {args.repeat} runs each"
    )
    if args.mixed:
        counts = {kind: sum(1 for s in specs if _kind(s) == kind) for kind in singles}
        print(f"mixed fleet: {count} instances: " + ", ".join(f"{n} {kind}" for kind, n in counts.items()))
        for kind, seconds in sorted(one_s.items(), key=lambda item: -item[1]):
            print(f"  one {kind + ':':34} {seconds:6.2f} s")
        slowest = max(one_s, key=one_s.__getitem__)
        jira = one_s.get("Jira Data Center")
        print(f"{count} instances:       {fleet_s:6.2f} s")
        print(
            f"ratio:               {fleet_s / one_s[slowest]:6.2f}x  against one {slowest} "
            f"(the slowest single instance; target <= 8x)"
        )
        if jira is not None:
            print(f"                     {fleet_s / jira:6.2f}x  against one Jira Data Center")
    else:
        single = next(iter(one_s.values()))
        print(f"one instance:        {single:6.2f} s")
        print(f"{count} instances:       {fleet_s:6.2f} s")
        print(f"ratio:               {fleet_s / single:6.2f}x  (target <= 5x)")
    print(
        f"memory peak:         {peak / 2**20:6.1f} MiB heap in a fleet run; "
        f"the agent's max RSS {rss_mb:.0f} MiB"
    )
    print(f"collection errors:   {errors} (must be 0)")


if __name__ == "__main__":
    main()
