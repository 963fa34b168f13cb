"""Forecast benchmark: the robust fit over series of growing length, and the disk forecast of a host.

Times ``checks.forecasting.fit.days_until`` on noisy linear series of 30 points (a month of daily
runs) up to 100,000 (the fit buckets them: its pairwise work is bounded), and ``host.disk.forecast``
on a host with 20 filesystems each carrying a month of hourly runs (720 points). Prints the best of
--repeat runs; asserts nothing (machines are noisy).

    .venv/bin/python benchmarks/forecast_fit.py [--sizes 30 720 2000 100000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from datetime import timedelta
from functools import partial

from atlas_health.testing.history import history
from atlas_health.testing.hosts import GIB, filesystem, host, run_host_check
from atlas_health.testing.instances import NOW
from checks.forecasting.fit import days_until
from checks.host.disk_forecast import HostDiskForecast
from collectors.history_model import DISK_USED, MetricPoint
from collectors.hosts.model import HostSnapshot


def best(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def noisy(size: int, seed: int = 1) -> list[tuple[float, float]]:
    rng = random.Random(seed)
    return [(30 * i / size - 30, 100 + 2 * (30 * i / size) + rng.gauss(0, 3)) for i in range(size)]


def hourly_host(mounts: int, hours: int = 720) -> HostSnapshot:
    rng = random.Random(2)
    series = []
    for m in range(mounts):
        points = [
            MetricPoint(at=NOW - timedelta(hours=hours - h), value=(100 + h / 24) * GIB) for h in range(hours)
        ]
        points = [p.model_copy(update={"value": p.value + rng.gauss(0, GIB)}) for p in points]
        series.append((DISK_USED, f"/data{m}", points))
    filesystems = [filesystem(f"/data{m}", 500, 370, ["home"]) for m in range(mounts)]
    return host(filesystems=filesystems, history=history(*series))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[30, 720, 2000, 100_000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"best of {args.repeat}")
    for size in args.sizes:
        points = noisy(size)
        elapsed = best(partial(days_until, points, 1000), args.repeat)
        print(f"days_until over {size:>7,} points: {elapsed * 1000:8.1f} ms")
    subject = hourly_host(20)
    elapsed = best(lambda: run_host_check(HostDiskForecast, subject), args.repeat)
    print(f"host.disk.forecast, 20 filesystems x 720 hourly points: {elapsed * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
