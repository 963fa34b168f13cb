"""The hours statement: a customer's ledger over a period, as HTML, Markdown or CSV.

The agent's ledger works out every balance and total, checks that they add up, and passes them in as
plain data (a mapping of str, int, Decimal, date, datetime and lists of such mappings); this module
and the templates only lay it out. Minutes are integers and money is Decimal throughout.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any, Literal
from zoneinfo import ZoneInfo

from reports.document import MEDIA_TYPES, Document, slugify
from reports.formats import STATEMENT_FORMATS
from reports.render import environment

StatementFormat = Literal["html", "md", "csv"]
StatementData = Mapping[str, Any]  # the ledger's statement: its keys are documented where it is built
STATEMENT_TEMPLATES = {"html": "hours_statement.html.j2", "md": "hours_statement.md.j2"}
BUCKET_LABELS = {
    "payg": "PAYG",
    "upgrades": "Annual Upgrades",
    "health_check": "Annual Health Check",
    "outside": "Outside the contract",
}
ADDON_LABELS = {
    "administration": "Administration",
    "upgrades": "Annual Upgrades",
    "health_check": "Annual Health Check",
}


def statement_filename(data: StatementData, fmt: str) -> str:
    return (
        f"{slugify(data['customer'])}-hours-statement-"
        f"{data['period_start']:%Y%m%d}-{data['period_end']:%Y%m%d}.{fmt}"
    )


def render_statement(data: StatementData, fmt: StatementFormat) -> Document:
    if fmt == "csv":
        content = _csv(data)
    elif fmt in STATEMENT_TEMPLATES:
        template = environment().get_template(STATEMENT_TEMPLATES[fmt])
        content = template.render(
            statement=data,
            timezone=ZoneInfo(data["timezone"]),
            BUCKETS=BUCKET_LABELS,
            ADDONS=ADDON_LABELS,
        )
    else:
        raise ValueError(f"unknown statement format {fmt!r}: use one of {', '.join(STATEMENT_FORMATS)}")
    return Document(
        format=fmt,
        filename=statement_filename(data, fmt),
        media_type=MEDIA_TYPES[fmt],
        content=content,
    )


# --- CSV ---------------------------------------------------------------------------------------

CSV_COLUMNS = (
    "entry", "date", "kind", "activity", "engineer", "buckets", "minutes_billed", "minutes_logged",
    "payg_minutes", "payg_balance_minutes", "upgrades_minutes", "health_check_days", "outside_minutes",
    "price", "currency", "reference", "report_id", "voids_entry", "voided_by", "reason", "note",
    "recorded_by", "recorded_at",
)  # fmt: skip


def _cell(value: object) -> str:
    """Text for a spreadsheet: a cell that starts like a formula is quoted so it stays text."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def _csv(data: StatementData) -> str:
    zone = ZoneInfo(data["timezone"])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    blank = {c: "" for c in CSV_COLUMNS}
    writer.writerow(
        {**blank, "date": data["period_start"].isoformat(), "kind": "opening",
         "payg_balance_minutes": data["opening_minutes"]}.values()
    )  # fmt: skip
    for e in data["entries"]:
        row = {
            **blank,
            "entry": e["id"],
            "date": e["effective_at"].astimezone(zone).date().isoformat(),
            "kind": e["kind"],
            "activity": _cell(e["activity"]),
            "engineer": _cell(e["engineer"]),
            "buckets": e["buckets"],
            "minutes_billed": e["minutes"],
            "minutes_logged": "" if e["minutes_logged"] is None else e["minutes_logged"],
            "payg_minutes": e["payg_minutes"],
            "payg_balance_minutes": e["payg_balance_minutes"],
            "upgrades_minutes": e["upgrades_minutes"],
            "health_check_days": e["health_check_days"],
            "outside_minutes": e["outside_minutes"],
            "price": "" if e["price"] is None else f"{e['price']:.2f}",
            "currency": e["currency"] or "",
            "reference": _cell(e["reference"]),
            "report_id": _cell(e["report_id"]),
            "voids_entry": e["voids_entry_id"] or "",
            "voided_by": e["voided_by"] or "",
            "reason": _cell(e["reason"]),
            "note": _cell(e["note"]),
            "recorded_by": _cell(e["recorded_by"]),
            "recorded_at": e["recorded_at"].isoformat(),
        }
        writer.writerow(row.values())
    writer.writerow(
        {**blank, "date": data["period_end"].isoformat(), "kind": "closing",
         "payg_balance_minutes": data["closing_minutes"]}.values()
    )  # fmt: skip
    return out.getvalue()
