"""The demo's support hours: a throwaway SQLite ledger in the demo's output folder, a purchased block
for each demo customer, each report logged against it, and the balance printed at the end."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape

from agent.config.loader import LoadedConfig
from agent.ledger import Ledger, customer_terms
from agent.ledger.reporting import log_reports
from reports.model import HealthCheckReport
from reports.units import duration

LEDGER_FILE = "ledger.sqlite"
# What each demo customer bought: 20 hours, as in the support offering (GBP 3,500 or USD 5,500).
DEMO_BLOCKS = {"acme": ("20", "3500", "GBP"), "globex": ("20", "5500", "USD")}


def _contract(currency: str, with_addons: bool) -> dict[str, Any]:
    year = datetime.now(UTC).year
    period = {"start": f"{year}-01-01", "end": f"{year}-12-31"}
    addons = [
        {"kind": "administration", **period},
        {"kind": "upgrades", **period, "hours": 24},
        {"kind": "health_check", **period, "days": 1},
    ]
    return {"currency": currency, "addons": addons if with_addons else []}


def add_demo_support(config: dict[str, Any], output: Path) -> None:
    """Give the demo configuration its ledger (in ``output``) and each customer a support contract."""
    config["ledger"] = {"url": f"sqlite:///{(output / LEDGER_FILE).resolve()}"}
    for customer in config["customers"]:
        block = DEMO_BLOCKS.get(customer["name"])
        if block is not None:
            customer["support"] = _contract(block[2], with_addons=customer["name"] == "acme")


def log_demo_hours(
    reports: Sequence[HealthCheckReport], loaded: LoadedConfig, err: Console
) -> list[HealthCheckReport]:
    """Record each demo customer's block (once: its reference is the same every run), then log the
    reports against it."""
    config = loaded.config
    # Bought no later than the reports were written, so a statement shows the block before the work.
    bought = min((r.generated_at for r in reports), default=None)
    with Ledger.open(config.ledger.url, base_dir=loaded.base_dir) as ledger:
        for name, (hours, price, currency) in DEMO_BLOCKS.items():
            terms = customer_terms(config, name)
            if terms is not None:
                ledger.buy(
                    name,
                    hours=hours,
                    price=price,
                    currency=currency,
                    terms=terms,
                    when=bought,
                    reference="demo-block",
                )

    def warn(line: str) -> None:
        err.print(f"[yellow]warning:[/] {escape(line)}")

    return log_reports(reports, config, base_dir=loaded.base_dir, warn=warn)


def print_hours(out: Console, reports: Sequence[HealthCheckReport]) -> None:
    for report in reports:
        h = report.hours
        if h is None:
            continue
        logged = f"{duration(h.minutes_logged)} logged (entry #{h.entry_id})" if h.entry_id else "not logged"
        left = duration(h.balance_minutes) if h.balance_minutes is not None else "unknown"
        out.print(f"hours: {escape(report.customer)}: {logged}; PAYG balance {left}")
