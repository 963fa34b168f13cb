"""Service benchmark: 500 simulated instances of 50 customers, checked "every minute" for 10
minutes by the service's real work (collect, check, history, alert state, outbox) on APScheduler.

The clock is compressed: a minute lasts --minute-seconds (default 20 s, the issue's sweep budget), so
a sweep that takes longer than its minute makes APScheduler skip the next one, which this counts as
missed. The sandbox is served from its own process (as real instances are on other machines); 5 % of
the instances have an offline cluster node, so alerts really fire and notifications are queued.

Prints per sweep: its time, the process's RSS and the database's size; then missed and overlapping
runs, the RSS growth from the second sweep to the last (target under 10 %), and the database growth
per sweep. Asserts nothing (machines are noisy).

    .venv/bin/python benchmarks/service.py [--instances 500] [--customers 50] [--sweeps 10]
        [--minute-seconds 20] [--latency-ms 100]
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psutil
import yaml
from apscheduler.events import EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED, JobEvent
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agent.config.loader import load_config
from agent.service import history
from agent.service.events import SweepResult
from agent.service.plan import plan_jobs
from agent.service.store import open_service_db
from agent.service.sweep import ServiceWork
from benchmarks.fleet import served  # the sandbox in its own process
from checks.registry import load_registry
from sandbox import Fault, fleet_estate

SETTINGS = {"concurrency": {"instances": 256, "calls_per_instance": 4}, "timeout_seconds": 10}
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def write_config(folder: Path, full: dict, customers: int) -> Path:
    instances = full["customers"][0]["instances"]
    per = -(-len(instances) // customers)
    config = {
        "settings": {**SETTINGS, "timezone": "UTC"},
        "checks": {"disabled": ["instance.version.support"]},
        "ledger": {"url": "sqlite:///service.sqlite"},
        "customers": [
            {"name": f"customer-{i + 1:03d}", "instances": instances[i * per : (i + 1) * per]}
            for i in range(customers)
            if instances[i * per : (i + 1) * per]
        ],
        "service": {
            "schedules": [{"name": "minutely", "every": "1m"}],
            "alerts": {"channels": [{"type": "webhook", "name": "ops", "url": "http://127.0.0.1:9/hook"}]},
        },
    }
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def db_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.glob("service.sqlite*"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=500)
    parser.add_argument("--customers", type=int, default=50)
    parser.add_argument("--sweeps", type=int, default=10)
    parser.add_argument("--minute-seconds", type=float, default=20.0)
    parser.add_argument("--latency-ms", type=int, default=100)
    args = parser.parse_args()
    if args.instances < 1 or not 1 <= args.customers <= args.instances or args.sweeps < 2:
        parser.error("need --instances >= --customers >= 1 and --sweeps >= 2")

    specs = fleet_estate(args.instances, args.latency_ms)
    for spec in specs[::20]:  # 5 %: an offline node, so alerts fire
        spec.faults = {Fault.NODE_OFFLINE}
    registry = load_registry()
    process = psutil.Process()
    with served(specs, in_process=False) as (full, env), tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = write_config(folder, full, args.customers)
        loaded = load_config(path, registry=registry, env=env)
        engine = open_service_db("sqlite:///service.sqlite", folder)
        work = ServiceWork(loaded, engine, "benchmark:1", lambda: datetime.now(UTC), registry=registry)
        [job] = plan_jobs(loaded.config)

        results: list[SweepResult] = []
        samples: list[tuple[int, int]] = []  # (RSS, database bytes) after each sweep
        skipped: list[str] = []
        done = threading.Event()

        def sweep() -> None:
            slot = T0 + timedelta(minutes=len(results))
            results.append(work.run_job(job, slot))
            samples.append((process.memory_info().rss, db_bytes(folder)))
            last = results[-1]
            print(
                f"sweep {len(results):2d}: {last.duration_s:5.1f} s, "
                f"{sum(r.status == 'done' for r in last.runs)} customer runs, "
                f"{sum(last.alerts_firing.values())} alerts firing, RSS {samples[-1][0] / 2**20:6.1f} MiB, "
                f"database {samples[-1][1] / 2**20:6.2f} MiB",
                flush=True,
            )
            if len(results) >= args.sweeps:
                done.set()

        def missed(event: JobEvent) -> None:
            skipped.append(f"{event.code} at {datetime.now(UTC):%H:%M:%S}")

        scheduler = BackgroundScheduler(timezone="UTC")
        scheduler.add_listener(missed, EVENT_JOB_MAX_INSTANCES | EVENT_JOB_MISSED)
        start = datetime.now(UTC) + timedelta(seconds=1)
        scheduler.add_job(
            sweep,
            IntervalTrigger(seconds=args.minute_seconds, start_date=start),
            next_run_time=start,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=1,
        )
        print(
            f"{args.instances} instances answering after {args.latency_ms} ms, "
            f"{len(job.customers)} customers, a minute of {args.minute_seconds:g} s, {args.sweeps} sweeps"
        )
        scheduler.start()
        done.wait(timeout=args.minute_seconds * (args.sweeps + 5) + 120)
        scheduler.shutdown(wait=True)

        runs = history.list_runs(engine, limit=10_000_000)
        overlapping = 0
        by_customer: dict[str, list] = {}
        for run in runs:
            by_customer.setdefault(run.customer, []).append(run)
        for own in by_customer.values():
            own.sort(key=lambda r: r.started_at)
            overlapping += sum(
                1 for a, b in itertools.pairwise(own) if a.finished_at is None or b.started_at < a.finished_at
            )
        slots = {(r.customer, r.scheduled_for) for r in runs}
        expected = len(job.customers) * len(results)

    durations = [r.duration_s for r in results]
    print(f"sweeps: {len(results)} of {args.sweeps}; slowest {max(durations):.1f} s (target under 20 s)")
    print(f"missed (skipped by the scheduler): {len(skipped)} {skipped or ''}")
    print(
        f"customer runs: {len(runs)} for {expected} slots; distinct slots {len(slots)}; "
        f"overlapping {overlapping}"
    )
    rss = [s[0] for s in samples]
    growth = (rss[-1] - rss[1]) / rss[1] * 100
    print(
        f"RSS: {rss[1] / 2**20:.1f} MiB after sweep 2, {rss[-1] / 2**20:.1f} MiB after the last: "
        f"{growth:+.1f} % (target under 10 %)"
    )
    sizes = [s[1] for s in samples]
    per_sweep = (sizes[-1] - sizes[0]) / max(1, len(sizes) - 1)
    print(
        f"database growth: {per_sweep / 1024:.1f} KiB per sweep "
        f"({sizes[0] / 2**20:.2f} -> {sizes[-1] / 2**20:.2f} MiB)"
    )


if __name__ == "__main__":
    main()
