"""The one-screen terminal summary of a run (stderr or stdout, never mixed with JSON output)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table

from reports.model import HealthCheckReport

STYLE = {"ok": "green", "info": "cyan", "warning": "yellow", "critical": "bold red", "unknown": "magenta"}


def print_summary(
    console: Console, reports: Sequence[HealthCheckReport], written: Sequence[Path] = ()
) -> None:
    table = Table(title="atlas-health", show_lines=False)
    # Names and versions never wrap; the worst finding's title takes what width is left.
    for column in ("Customer", "Instance", "Product", "Version", "Status"):
        table.add_column(column, no_wrap=True)
    table.add_column("Worst finding", overflow="fold", ratio=1)
    for report in reports:
        for target in report.targets:
            table.add_row(
                report.customer,
                target.name,
                target.product.label,
                target.version or "-",
                f"[{STYLE.get(str(target.overall), '')}]{target.overall}[/]",
                target.worst_finding or "",
            )
    console.print(table)
    for report in reports:
        counts = ", ".join(f"{n} {sev}" for sev, n in report.summary.counts.model_dump().items() if n)
        console.print(
            f"[bold]{report.customer}[/]: overall [{STYLE.get(str(report.summary.overall), '')}]"
            f"{report.summary.overall}[/] ({counts})"
        )
    for path in written:
        console.print(f"wrote {path}")
