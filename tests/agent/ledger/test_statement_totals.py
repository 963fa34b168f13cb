"""The statement's arithmetic, from entries alone: totals by activity and bucket, the running PAYG
balance, and the check that opening + movements = closing before anything is rendered."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from agent.ledger.statement import PeriodSummary, StatementError, summarise_period
from agent.ledger.views import EntryView, MovementView

WHEN = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)


def entry(id: int, kind: str, *moves: tuple[str, int], **fields: object) -> EntryView:
    minutes = abs(sum(m for _, m in moves))
    return EntryView(
        id=id, customer="acme", kind=kind, effective_at=WHEN, recorded_at=WHEN, recorded_by="ana@host",
        minutes=minutes, movements=tuple(MovementView(b, m) for b, m in moves), **fields,  # type: ignore[arg-type]
    )  # fmt: skip


def summary(opening: int, closing: int, *entries: EntryView) -> PeriodSummary:
    return summarise_period("Acme & Söhne", opening, closing, entries, {e.id: e for e in entries})


def test_totals_by_activity_and_bucket_and_the_running_balance() -> None:
    s = summary(
        100, 1180,
        entry(1, "purchase", ("payg", 1200), price=Decimal("3500.00"), currency="GBP"),
        entry(2, "work", ("payg", -60), activity="incident"),
        entry(3, "work", ("payg", -30), activity="incident"),
        entry(4, "work", ("upgrades", -240), ("payg", -60), activity="upgrade"),
        entry(5, "void", ("payg", 30), voids_entry_id=3, reason="dup"),
    )  # fmt: skip
    assert [(a["activity"], a["bucket"], a["entries"], a["minutes"]) for a in s["by_activity"]] == [
        ("incident", "payg", 2, 90), ("upgrade", "payg", 1, 60), ("upgrade", "upgrades", 1, 240),
    ]  # fmt: skip
    assert (s["purchased_minutes"], s["used_minutes"], s["voided_minutes"]) == (1200, 150, 30)
    assert s["purchased_amount"] == Decimal("3500.00")
    assert {e["id"]: e["payg_balance_minutes"] for e in s["entries"]} == {
        1: 1300, 2: 1240, 3: 1210, 4: 1150, 5: 1180,
    }  # fmt: skip


def test_a_statement_that_does_not_add_up_is_never_rendered() -> None:
    with pytest.raises(StatementError, match="opening 0 min and the period's movements give 1200 min"):
        summary(0, 999, entry(1, "purchase", ("payg", 1200), price=Decimal(1), currency="GBP"))
