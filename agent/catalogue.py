"""`atlas-health checks list`: the check catalogue as a table, JSON, or the README's Markdown table."""

from __future__ import annotations

import json

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from checks.registry import Registry

ALL_PRODUCTS = 6  # jira, confluence, bitbucket, bamboo, crowd, fecru
ALL_DEPLOYMENTS = 3  # datacenter, server, cloud


def catalogue_rows(registry: Registry) -> list[dict]:
    rows = []
    for registered in registry:
        meta = registered.meta
        rows.append(
            {
                "id": meta.id,
                "title": meta.title,
                "scope": registered.scope.name,  # instance, host or logs: what one run of the check looks at
                "products": [str(p) for p in meta.products],
                "deployments": [str(d) for d in meta.deployments],
                "category": str(meta.category),
                "default_severity": str(meta.default_severity),
                "thresholds": dict(meta.thresholds),
                "origin": registered.origin,
                "description": meta.description,
            }
        )
    return rows


def _products(row: dict) -> str:
    products = "all" if len(row["products"]) == ALL_PRODUCTS else ", ".join(row["products"])
    if len(row["deployments"]) < ALL_DEPLOYMENTS:
        products += f" ({', '.join(row['deployments'])})"
    return products


def markdown_table(rows: list[dict]) -> str:
    """The catalogue as the Markdown table of the README's "The checks" section."""
    lines = [
        "| check | scope | products | category | default severity | thresholds (defaults) |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        thresholds = ", ".join(f"`{k}={v}`" for k, v in row["thresholds"].items()) or "-"
        lines.append(
            f"| `{row['id']}`: {row['title']} | {row['scope']} | {_products(row)} | {row['category']} "
            f"| {row['default_severity']} | {thresholds} |"
        )
    return "\n".join(lines) + "\n"


def print_catalogue(registry: Registry, fmt: str, console: Console) -> None:
    rows = catalogue_rows(registry)
    if fmt == "json":
        console.file.write(json.dumps(rows, indent=2) + "\n")
        return
    if fmt == "markdown":
        console.file.write(markdown_table(rows))
        return
    table = Table(title=f"{len(rows)} checks")
    for column in ("Check", "Scope", "Products", "Category", "Severity", "Thresholds", "Title"):
        table.add_column(column, overflow="fold")
    for row in rows:
        products = "all" if len(row["products"]) == ALL_PRODUCTS else ", ".join(row["products"])
        thresholds = ", ".join(f"{k}={v}" for k, v in row["thresholds"].items())
        origin = "" if row["origin"] == "builtin" else f" ({row['origin']})"
        cells = (row["id"], row["scope"], products, row["category"], row["default_severity"], thresholds)
        # Third-party checks name themselves: their texts print as they are, never as markup.
        table.add_row(*(escape(str(c)) for c in cells), escape(row["title"] + origin))
    console.print(table)
