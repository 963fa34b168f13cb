"""`atlas-health checks list`: the check catalogue as a table or JSON."""

from __future__ import annotations

import json

from rich.console import Console
from rich.table import Table

from checks.registry import Registry


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


def print_catalogue(registry: Registry, fmt: str, console: Console) -> None:
    rows = catalogue_rows(registry)
    if fmt == "json":
        console.file.write(json.dumps(rows, indent=2) + "\n")
        return
    table = Table(title=f"{len(rows)} checks")
    for column in ("Check", "Scope", "Products", "Category", "Severity", "Thresholds", "Title"):
        table.add_column(column, overflow="fold")
    for row in rows:
        products = "all" if len(row["products"]) == 6 else ", ".join(row["products"])
        thresholds = ", ".join(f"{k}={v}" for k, v in row["thresholds"].items())
        origin = "" if row["origin"] == "builtin" else f" ({row['origin']})"
        table.add_row(
            row["id"],
            row["scope"],
            products,
            row["category"],
            row["default_severity"],
            thresholds,
            row["title"] + origin,
        )
    console.print(table)
