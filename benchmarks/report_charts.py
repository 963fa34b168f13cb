"""Report benchmark: drawing the log section's charts and rendering the report for a realistic day.

The analysis is tests/reports/logs_estate.analysis(): a day of one-minute buckets from three nodes,
GC for each, access logs of two products, a security log (8 charts). Prints the first draw (with
matplotlib's import), then the median and fastest of --runs further draws, wall and CPU time, and
the sizes of the HTML and JSON reports. Nothing is asserted: machines are noisy.

    .venv/bin/python benchmarks/report_charts.py [--runs 5] [--minutes 1440]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reports.context import build_health_check
from reports.logs_section import log_section
from reports.render import render
from tests.reports import estate, logs_estate


def timed(work) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--minutes", type=int, default=1440)
    args = parser.parse_args(argv)
    zone = ZoneInfo("Europe/Berlin")
    analysis = logs_estate.analysis(minutes=args.minutes)
    snapshot, checked = logs_estate.snapshot(analysis), estate.analysis()
    wall = time.perf_counter()
    report = build_health_check(
        snapshot, checked, estate.CUSTOMER, generated_at=estate.GENERATED, tz=zone, tool_version="bench"
    )
    build_s = time.perf_counter() - wall
    first_wall, first_cpu = timed(lambda: log_section(report.logs, zone))
    runs = [timed(lambda: log_section(report.logs, zone)) for _ in range(args.runs)]
    section = log_section(report.logs, zone)
    assert section is not None
    html_wall, html_cpu = timed(lambda: render(report, "html"))
    html = render(report, "html").content
    json_text = render(report, "json").content
    walls, cpus = [w for w, _ in runs], [c for _, c in runs]
    print(
        f"analysis: {args.minutes} buckets of 1 min, {len(analysis.nodes)} nodes, "
        f"{len(section.charts)} charts"
    )
    print(f"build the report (logs into the report's zone): {build_s:.3f} s")
    print(f"first draw, matplotlib import included: {first_wall:.2f} s wall, {first_cpu:.2f} s CPU")
    print(
        f"draw all charts, median of {args.runs}: {statistics.median(walls):.2f} s wall "
        f"(fastest {min(walls):.2f} s), {statistics.median(cpus):.2f} s CPU "
        f"({statistics.median(cpus) / len(section.charts) * 1000:.0f} ms per chart)"
    )
    print(f"render the HTML report: {html_wall:.2f} s wall, {html_cpu:.2f} s CPU")
    svg_kb = sum(len(c.svg) for c in section.charts) / 1e3
    print(f"sizes: SVG {svg_kb:.0f} kB, HTML {len(html) / 1e3:.0f} kB, JSON {len(json_text) / 1e3:.0f} kB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
