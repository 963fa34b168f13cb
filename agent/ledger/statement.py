"""Reading a customer's ledger over a period into the statement's plain data (rendered by reports)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from agent.ledger.activities import title
from agent.ledger.errors import InvalidInputError
from agent.ledger.service import Ledger
from agent.ledger.terms import SupportTerms
from agent.ledger.views import AddOnBalance, EntryView
from reports.statement import StatementAddOn, StatementData, StatementEntry, StatementMovement


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
    by_id = {e.id: e for e in history}
    in_period = [e for e in history if e.effective_at >= start_at]
    return StatementData(
        customer=customer,
        currency=closing.currency,
        period_start=start,
        period_end=end,
        timezone=zone.key,
        generated_at=generated_at,
        tool_version=tool_version,
        opening_minutes=opening.balance_minutes,
        closing_minutes=closing.balance_minutes,
        entries=tuple(_entry(e, by_id) for e in in_period),
        addons=tuple(_addons(closing.addons, in_period, start, end)),
        low_balance=closing.warning(),
        overdraft=terms.overdraft,
    )


def _entry(entry: EntryView, by_id: dict[int, EntryView]) -> StatementEntry:
    voided = by_id.get(entry.voids_entry_id) if entry.voids_entry_id else None
    return StatementEntry(
        id=entry.id,
        kind=entry.kind,
        effective_at=entry.effective_at,
        recorded_at=entry.recorded_at,
        recorded_by=entry.recorded_by,
        minutes=entry.minutes,
        movements=tuple(StatementMovement(m.bucket, m.minutes, m.days) for m in entry.movements),
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
        voided_by=entry.voided_by if entry.voided_by in by_id else None,
    )


def _addons(
    addons: tuple[AddOnBalance, ...], entries: list[EntryView], start: date, end: date
) -> list[StatementAddOn]:
    out = []
    for addon in addons:
        if addon.end < start or addon.start > end:
            continue
        period = (addon.start, addon.end)
        moved = [
            m for e in entries for m in e.movements if m.bucket == addon.addon and m.addon_period == period
        ]
        out.append(
            StatementAddOn(
                addon=addon.addon,
                start=addon.start,
                end=addon.end,
                granted_minutes=addon.granted_minutes,
                used_minutes=addon.used_minutes,
                used_in_period_minutes=-sum(m.minutes for m in moved),
                granted_days=addon.granted_days,
                used_days=addon.used_days,
                used_in_period_days=-sum(m.days for m in moved),
            )
        )
    return out
