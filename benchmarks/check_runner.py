"""Check runner benchmark: every built-in check over a large snapshot, no I/O.

Times ``checks.runner.run_checks`` over N healthy Jira Data Center instances, N hosts and one log
analysis per customer (the three scopes), so the runner's own cost (applicability, skipping, contexts,
budgets on reused threads) shows next to the checks'. Prints the best of --repeat runs at each size
and the time per check run; asserts nothing (machines are noisy).

    .venv/bin/python benchmarks/check_runner.py [--sizes 50 300 1000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import time

from atlas_health.testing.hosts import host
from atlas_health.testing.instances import instance
from atlas_health.testing.logs import analysis, logs_snapshot
from checks.registry import load_registry
from checks.runner import run_checks
from collectors.model import Snapshot


def estate(size: int) -> Snapshot:
    """``size`` instances and hosts over size/10 customers, each customer with its log analysis."""
    customers = [f"customer{c}" for c in range(max(1, size // 10))]
    instances = [instance(customer=customers[n % len(customers)], instance=f"jira{n}") for n in range(size)]
    hosts = [host(f"node{n}", customer=customers[n % len(customers)]) for n in range(size)]
    analyses = [analysis(customer=c) for c in customers]
    return logs_snapshot(*analyses, instances=tuple(instances), hosts=tuple(hosts))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 300, 1000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    registry = load_registry(include_plugins=False)
    print(f"{len(registry)} checks; best of {args.repeat}")
    for size in args.sizes:
        snapshot = estate(size)
        best, outcomes = float("inf"), 0
        for _ in range(args.repeat):
            started = time.perf_counter()
            result = run_checks(snapshot, registry)
            best = min(best, time.perf_counter() - started)
            outcomes = len(result.outcomes)
        per_run_us = best / outcomes * 1e6
        print(
            f"{size:>5} instances + {size} hosts + {len(snapshot.logs)} log analyses: "
            f"{best:6.2f} s for {outcomes:,} check runs ({per_run_us:.0f} µs each)"
        )


if __name__ == "__main__":
    main()
