"""The hours statement: a customer's ledger over a period, as HTML, Markdown or CSV.

The agent reads the ledger and passes plain data in (``StatementData``); everything decided for the
reader (totals by activity and bucket, the reconciliation of opening and closing balances) is done
here, and the templates only lay it out. Minutes are integers and money is Decimal throughout.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Literal
from zoneinfo import ZoneInfo

from reports.document import MEDIA_TYPES, Document, slugify
from reports.formats import STATEMENT_FORMATS
from reports.render import environment

StatementFormat = Literal["html", "md", "csv"]
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


# --- what the agent passes in ------------------------------------------------------------------


@dataclass(frozen=True)
class StatementMovement:
    bucket: str
    minutes: int  # + credits the bucket, - draws on it
    days: int = 0


@dataclass(frozen=True)
class StatementEntry:
    id: int
    kind: str  # purchase | work | void
    effective_at: datetime
    recorded_at: datetime
    recorded_by: str
    minutes: int
    movements: tuple[StatementMovement, ...]
    activity: str | None = None
    activity_title: str | None = None
    engineer: str | None = None
    minutes_logged: int | None = None
    note: str | None = None
    report_id: str | None = None
    outside_contract: bool = False
    price: Decimal | None = None
    currency: str | None = None
    reference: str | None = None
    voids_entry_id: int | None = None
    voided_kind: str | None = None  # for a void: what it cancels (purchase or work)
    voided_activity_title: str | None = None
    reason: str | None = None
    voided_by: int | None = None

    def moved(self, bucket: str) -> int:
        return sum(m.minutes for m in self.movements if m.bucket == bucket)

    def moved_days(self, bucket: str) -> int:
        return sum(m.days for m in self.movements if m.bucket == bucket)


@dataclass(frozen=True)
class StatementAddOn:
    addon: str  # administration | upgrades | health_check
    start: date
    end: date
    granted_minutes: int = 0
    used_minutes: int = 0  # up to the statement's end
    used_in_period_minutes: int = 0
    granted_days: int = 0
    used_days: int = 0
    used_in_period_days: int = 0

    @property
    def label(self) -> str:
        return ADDON_LABELS.get(self.addon, self.addon)

    @property
    def left_minutes(self) -> int:
        return self.granted_minutes - self.used_minutes

    @property
    def left_days(self) -> int:
        return self.granted_days - self.used_days


@dataclass(frozen=True)
class StatementData:
    customer: str
    currency: str | None
    period_start: date
    period_end: date  # included
    timezone: str
    generated_at: datetime
    tool_version: str
    opening_minutes: int  # PAYG balance before the period
    closing_minutes: int  # PAYG balance at its end
    entries: tuple[StatementEntry, ...]  # effective in the period, oldest first
    addons: tuple[StatementAddOn, ...] = ()
    low_balance: str | None = None  # the notice at the closing balance, if any
    overdraft: bool = False


# --- what the templates read --------------------------------------------------------------------


@dataclass(frozen=True)
class ActivityLine:
    activity: str
    title: str
    bucket: str
    entries: int
    minutes: int

    @property
    def bucket_label(self) -> str:
        return BUCKET_LABELS.get(self.bucket, self.bucket)


@dataclass(frozen=True)
class StatementContext:
    data: StatementData
    purchases: list[StatementEntry]
    work: list[StatementEntry]
    voids: list[StatementEntry]
    by_activity: list[ActivityLine]
    purchased_minutes: int  # PAYG credited by purchases in the period
    purchased_amount: Decimal
    used_minutes: int  # PAYG drawn by work in the period
    voided_minutes: int  # PAYG given back (+) or taken back (-) by voids in the period
    outside_minutes: int  # billed outside the contract in the period
    running: dict[int, int] = field(default_factory=dict)  # entry id -> PAYG balance after it


class StatementError(ValueError):
    """The ledger's data does not add up; a defect, never shown as a statement."""


def build_context(data: StatementData) -> StatementContext:
    purchases = [e for e in data.entries if e.kind == "purchase"]
    work = [e for e in data.entries if e.kind == "work"]
    voids = [e for e in data.entries if e.kind == "void"]
    totals: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    titles: dict[str, str] = {}
    for entry in work:
        activity = entry.activity or "?"
        titles[activity] = entry.activity_title or activity
        for bucket in dict.fromkeys(m.bucket for m in entry.movements):
            line = totals[(activity, bucket)]
            line[0] += 1
            line[1] += -entry.moved(bucket)
    by_activity = [
        ActivityLine(activity, titles[activity], bucket, count, minutes)
        for (activity, bucket), (count, minutes) in sorted(totals.items())
    ]
    running: dict[int, int] = {}
    balance = data.opening_minutes
    for entry in data.entries:
        balance += entry.moved("payg")
        running[entry.id] = balance
    if balance != data.closing_minutes:
        raise StatementError(
            f"{data.customer}: opening {data.opening_minutes} min and the period's movements give "
            f"{balance} min, but the ledger's closing balance is {data.closing_minutes} min"
        )
    return StatementContext(
        data=data,
        purchases=purchases,
        work=work,
        voids=voids,
        by_activity=by_activity,
        purchased_minutes=sum(e.moved("payg") for e in purchases),
        purchased_amount=sum((e.price or Decimal(0) for e in purchases), Decimal(0)),
        used_minutes=-sum(e.moved("payg") for e in work),
        voided_minutes=sum(e.moved("payg") for e in voids),
        outside_minutes=-sum(e.moved("outside") for e in work + voids),
        running=running,
    )


def statement_filename(data: StatementData, fmt: str) -> str:
    return (
        f"{slugify(data.customer)}-hours-statement-{data.period_start:%Y%m%d}-{data.period_end:%Y%m%d}.{fmt}"
    )


def render_statement(data: StatementData, fmt: StatementFormat) -> Document:
    context = build_context(data)
    if fmt == "csv":
        content = _csv(context)
    elif fmt in STATEMENT_TEMPLATES:
        template = environment().get_template(STATEMENT_TEMPLATES[fmt])
        content = template.render(statement=context, timezone=ZoneInfo(data.timezone), BUCKETS=BUCKET_LABELS)
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


def _csv(context: StatementContext) -> str:
    data = context.data
    zone = ZoneInfo(data.timezone)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    blank = {c: "" for c in CSV_COLUMNS}
    writer.writerow(
        {**blank, "date": data.period_start.isoformat(), "kind": "opening",
         "payg_balance_minutes": data.opening_minutes}.values()
    )  # fmt: skip
    for e in data.entries:
        row = {
            **blank,
            "entry": e.id,
            "date": e.effective_at.astimezone(zone).date().isoformat(),
            "kind": e.kind,
            "activity": _cell(e.activity),
            "engineer": _cell(e.engineer),
            "buckets": "+".join(dict.fromkeys(m.bucket for m in e.movements)),
            "minutes_billed": e.minutes,
            "minutes_logged": "" if e.minutes_logged is None else e.minutes_logged,
            "payg_minutes": e.moved("payg"),
            "payg_balance_minutes": context.running[e.id],
            "upgrades_minutes": e.moved("upgrades"),
            "health_check_days": e.moved_days("health_check"),
            "outside_minutes": e.moved("outside"),
            "price": "" if e.price is None else f"{e.price:.2f}",
            "currency": e.currency or "",
            "reference": _cell(e.reference),
            "report_id": _cell(e.report_id),
            "voids_entry": e.voids_entry_id or "",
            "voided_by": e.voided_by or "",
            "reason": _cell(e.reason),
            "note": _cell(e.note),
            "recorded_by": _cell(e.recorded_by),
            "recorded_at": e.recorded_at.isoformat(),
        }
        writer.writerow(row.values())
    writer.writerow(
        {**blank, "date": data.period_end.isoformat(), "kind": "closing",
         "payg_balance_minutes": data.closing_minutes}.values()
    )  # fmt: skip
    return out.getvalue()
