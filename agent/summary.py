"""The one-screen terminal summary of a run (stderr or stdout, never mixed with JSON output)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from reports.model import HealthCheckReport, ReportFinding

STYLE = {"ok": "green", "info": "cyan", "warning": "yellow", "critical": "bold red", "unknown": "magenta"}


def _other_targets(report: HealthCheckReport) -> list[tuple[str, str, ReportFinding]]:
    """Rows for what is not an instance: each host, and the logs (findings on "logs/node1" roll up)."""
    instances = {t.name for t in report.targets}
    worst: dict[str, ReportFinding] = {}
    for finding in report.findings:
        root = finding.target.split("/", 1)[0]
        if root in instances:
            continue
        current = worst.get(root)
        if current is None or finding.severity.rank > current.severity.rank:
            worst[root] = finding
    return [(name, "logs" if name == "logs" else "host", f) for name, f in sorted(worst.items())]


def print_summary(
    console: Console, reports: Sequence[HealthCheckReport], written: Sequence[Path] = ()
) -> None:
    """One table per customer, so the widest column (the worst finding) keeps room at 80 columns."""
    for report in reports:
        counts = ", ".join(f"{n} {sev}" for sev, n in report.summary.counts.model_dump().items() if n)
        overall = report.summary.overall
        style = STYLE.get(str(overall), "")
        table = Table(
            title=f"[bold]{escape(report.customer)}[/]: overall [{style}]{overall}[/] ({counts})",
            title_justify="left",
            box=box.SIMPLE_HEAD,
            pad_edge=False,
            collapse_padding=True,
        )
        table.add_column("Instance", no_wrap=True)
        table.add_column("Product", overflow="fold", max_width=18)
        table.add_column("Status", no_wrap=True, min_width=8)
        table.add_column("Worst finding", overflow="fold", ratio=1)
        for target in report.targets:
            table.add_row(
                escape(target.name),
                escape(f"{target.product.label} {target.version or ''}".strip()),
                f"[{STYLE.get(str(target.overall), '')}]{target.overall}[/]",
                escape(target.worst_finding or ""),
            )
        for name, kind, worst in _other_targets(report):
            status = f"[{STYLE.get(str(worst.severity), '')}]{worst.severity}[/]"
            table.add_row(escape(name), kind, status, escape(worst.title))
        console.print(table)
    for path in written:
        console.print(f"wrote {escape(str(path))}")
