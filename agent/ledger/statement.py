"""A customer's ledger over a period as the statement's plain data: every balance and total worked out
here, and checked to add up, so that reports only lay it out.

The data is plain dicts, lists, str, int, Decimal, date and datetime (``StatementData`` and its parts
describe the keys); reports read it without importing the ledger.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TypedDict
from zoneinfo import ZoneInfo

from agent.ledger.activities import title
from agent.ledger.errors import InvalidInputError
from agent.ledger.service import Ledger
from agent.ledger.terms import SupportTerms
from agent.ledger.views import AddOnBalance, EntryView

PAYG, UPGRADES, HEALTH_CHECK, OUTSIDE = "payg", "upgrades", "health_check", "outside"


class StatementError(ValueError):
    """The ledger's data does not add up; a defect, never shown as a statement."""


class MovementData(TypedDict):
    bucket: str  # payg | upgrades | health_check | outside
    minutes: int  # + credits the bucket, - draws on it
    days: int


class EntryData(TypedDict):
    id: int
    kind: str  # purchase | work | void
    effective_at: datetime
    recorded_at: datetime
    recorded_by: str
    minutes: int
    movements: list[MovementData]
    buckets: str  # the buckets it moved, in order, joined by "+"
    payg_minutes: int  # what it moved on each bucket (+ credit, - draw)
    upgrades_minutes: int
    health_check_days: int
    outside_minutes: int
    payg_balance_minutes: int  # the PAYG balance after it
    activity: str | None
    activity_title: str | None
    engineer: str | None
    minutes_logged: int | None
    note: str | None
    report_id: str | None
    outside_contract: bool
    price: Decimal | None
    currency: str | None
    reference: str | None
    voids_entry_id: int | None
    voided_kind: str | None  # for a void: what it cancels (purchase or work)
    voided_activity_title: str | None
    reason: str | None
    voided_by: int | None  # the void that cancels it, when recorded by the statement's end


class ActivityTotal(TypedDict):
    activity: str
    title: str
    bucket: str
    entries: int
    minutes: int  # drawn from the bucket by this activity's work in the period


class AddOnData(TypedDict):
    addon: str  # administration | upgrades | health_check
    start: date
    end: date
    granted_minutes: int
    used_minutes: int  # up to the statement's end
    used_in_period_minutes: int
    left_minutes: int
    granted_days: int
    used_days: int
    used_in_period_days: int
    left_days: int


class PeriodSummary(TypedDict):
    """The period's entries and PAYG arithmetic: opening + movements = closing, checked."""

    opening_minutes: int  # PAYG balance before the period
    closing_minutes: int  # PAYG balance at its end
    purchased_minutes: int  # PAYG credited by purchases in the period
    purchased_amount: Decimal
    used_minutes: int  # PAYG drawn by work in the period
    voided_minutes: int  # PAYG given back (+) or taken back (-) by voids in the period
    outside_minutes: int  # billed outside the contract in the period
    entries: list[EntryData]  # effective in the period, oldest first
    by_activity: list[ActivityTotal]  # work by activity and bucket


class StatementData(PeriodSummary):
    customer: str
    currency: str | None
    period_start: date
    period_end: date  # included
    timezone: str
    generated_at: datetime
    tool_version: str
    addons: list[AddOnData]
    low_balance: str | None  # the notice at the closing balance, if any
    overdraft: bool


def period_bounds(start: date, end: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[start 00:00, the day after end 00:00) in the statement's time zone."""
    if end < start:
        raise InvalidInputError(f"the period ends ({end}) before it starts ({start})")
    return datetime.combine(start, time(), zone), datetime.combine(end + timedelta(days=1), time(), zone)


def build_statement(
    ledger: Ledger,
    customer: str,
    terms: SupportTerms,
    start: date,
    end: date,
    *,
    zone: ZoneInfo,
    generated_at: datetime,
    tool_version: str,
) -> StatementData:
    start_at, end_at = period_bounds(start, end, zone)
    opening = ledger.balance(customer, terms, before=start_at)
    closing = ledger.balance(customer, terms, before=end_at)
    history = ledger.entries(customer, None, end_at)  # up to the period's end: voids of earlier entries
    in_period = [e for e in history if e.effective_at >= start_at]
    summary = summarise_period(
        customer, opening.balance_minutes, closing.balance_minutes, in_period, {e.id: e for e in history}
    )
    return StatementData(
        **summary,
        customer=customer,
        currency=closing.currency,
        period_start=start,
        period_end=end,
        timezone=zone.key,
        generated_at=generated_at,
        tool_version=tool_version,
        addons=_addons(closing.addons, in_period, start, end),
        low_balance=closing.warning(),
        overdraft=terms.overdraft,
    )


def summarise_period(
    customer: str,
    opening_minutes: int,
    closing_minutes: int,
    entries: Sequence[EntryView],
    history: Mapping[int, EntryView],
) -> PeriodSummary:
    """The period's totals and running PAYG balance; ``history`` (by id, up to the period's end) names
    what voids cancel. Raises StatementError when opening + movements is not the closing balance."""
    balance = opening_minutes
    rows = []
    for entry in entries:
        balance += _moved(entry, PAYG)
        rows.append(_entry(entry, history, balance))
    if balance != closing_minutes:
        raise StatementError(
            f"{customer}: opening {opening_minutes} min and the period's movements give "
            f"{balance} min, but the ledger's closing balance is {closing_minutes} min"
        )
    purchases = [e for e in entries if e.kind == "purchase"]
    work = [e for e in entries if e.kind == "work"]
    voids = [e for e in entries if e.kind == "void"]
    return PeriodSummary(
        opening_minutes=opening_minutes,
        closing_minutes=closing_minutes,
        purchased_minutes=sum(_moved(e, PAYG) for e in purchases),
        purchased_amount=sum((e.price or Decimal(0) for e in purchases), Decimal(0)),
        used_minutes=-sum(_moved(e, PAYG) for e in work),
        voided_minutes=sum(_moved(e, PAYG) for e in voids),
        outside_minutes=-sum(_moved(e, OUTSIDE) for e in work + voids),
        entries=rows,
        by_activity=_by_activity(work),
    )


def _moved(entry: EntryView, bucket: str) -> int:
    return sum(m.minutes for m in entry.movements if m.bucket == bucket)


def _moved_days(entry: EntryView, bucket: str) -> int:
    return sum(m.days for m in entry.movements if m.bucket == bucket)


def _entry(entry: EntryView, history: Mapping[int, EntryView], payg_balance: int) -> EntryData:
    voided = history.get(entry.voids_entry_id) if entry.voids_entry_id else None
    return EntryData(
        id=entry.id,
        kind=entry.kind,
        effective_at=entry.effective_at,
        recorded_at=entry.recorded_at,
        recorded_by=entry.recorded_by,
        minutes=entry.minutes,
        movements=[MovementData(bucket=m.bucket, minutes=m.minutes, days=m.days) for m in entry.movements],
        buckets=entry.buckets,
        payg_minutes=_moved(entry, PAYG),
        upgrades_minutes=_moved(entry, UPGRADES),
        health_check_days=_moved_days(entry, HEALTH_CHECK),
        outside_minutes=_moved(entry, OUTSIDE),
        payg_balance_minutes=payg_balance,
        activity=entry.activity,
        activity_title=title(entry.activity) if entry.activity else None,
        engineer=entry.engineer,
        minutes_logged=entry.minutes_logged,
        note=entry.note,
        report_id=entry.report_id,
        outside_contract=entry.outside_contract,
        price=entry.price,
        currency=entry.currency,
        reference=entry.reference,
        voids_entry_id=entry.voids_entry_id,
        voided_kind=voided.kind if voided else None,
        voided_activity_title=title(voided.activity) if voided and voided.activity else None,
        reason=entry.reason,
        # Only a void recorded by the statement's end: a statement reads the same whenever it is printed.
        voided_by=entry.voided_by if entry.voided_by in history else None,
    )


def _by_activity(work: Sequence[EntryView]) -> list[ActivityTotal]:
    totals: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    titles: dict[str, str] = {}
    for entry in work:
        activity = entry.activity or "?"
        titles[activity] = title(entry.activity) if entry.activity else activity
        for bucket in dict.fromkeys(m.bucket for m in entry.movements):
            line = totals[(activity, bucket)]
            line[0] += 1
            line[1] += -_moved(entry, bucket)
    return [
        ActivityTotal(
            activity=activity, title=titles[activity], bucket=bucket, entries=count, minutes=minutes
        )
        for (activity, bucket), (count, minutes) in sorted(totals.items())
    ]


def _addons(
    addons: tuple[AddOnBalance, ...], entries: Sequence[EntryView], start: date, end: date
) -> list[AddOnData]:
    out = []
    for addon in addons:
        if addon.end < start or addon.start > end:
            continue
        period = (addon.start, addon.end)
        moved = [
            m for e in entries for m in e.movements if m.bucket == addon.addon and m.addon_period == period
        ]
        out.append(
            AddOnData(
                addon=addon.addon,
                start=addon.start,
                end=addon.end,
                granted_minutes=addon.granted_minutes,
                used_minutes=addon.used_minutes,
                used_in_period_minutes=-sum(m.minutes for m in moved),
                left_minutes=addon.left_minutes,
                granted_days=addon.granted_days,
                used_days=addon.used_days,
                used_in_period_days=-sum(m.days for m in moved),
                left_days=addon.left_days,
            )
        )
    return out
