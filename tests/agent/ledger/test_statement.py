"""Statements from a real ledger: opening and closing balances, purchases, work by activity and
bucket, voids, add-on use, the low-balance notice, and period bounds in the configured zone."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from agent.ledger import InvalidInputError, Ledger
from agent.ledger.statement import StatementData, build_statement
from reports.statement import render_statement
from tests.agent.ledger.conftest import FULL, Clock, terms

LONDON = ZoneInfo("Europe/London")


def at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


def statement(ledger: Ledger, start: date, end: date, contract=FULL) -> StatementData:
    return build_statement(
        ledger, "acme", contract, start, end, zone=LONDON, generated_at=at(7, 1), tool_version="9.9"
    )


@pytest.fixture
def history(ledger: Ledger, clock: Clock) -> Ledger:
    def on(month: int, day: int, hour: int = 10) -> None:
        clock.now = at(month, day, hour)

    on(5, 2)
    ledger.buy("acme", hours=20, price="3500", currency="GBP", terms=FULL, reference="INV-1")
    on(5, 10)
    ledger.log("acme", activity_id="incident", minutes=90, engineer="ana", terms=FULL, note="Jira down")
    on(6, 3)
    ledger.log("acme", activity_id="upgrade", minutes=25 * 60, engineer="bo", terms=FULL)
    on(6, 5)
    ledger.log("acme", activity_id="health_check", minutes=420, engineer="ana", terms=FULL)
    on(6, 6)
    ledger.log(
        "acme", activity_id="administration", minutes=40, engineer="bo", terms=FULL, outside_contract=True
    )
    on(6, 7)
    ledger.void(2, reason="was a duplicate", terms_for=lambda _: FULL)
    on(6, 20)
    ledger.buy("acme", hours=10, price="1750.50", currency="GBP", terms=FULL, reference="INV-2")
    on(6, 30, 23)  # 00:30 on 1 July in London: next month's
    ledger.log("acme", activity_id="support", minutes=15, engineer="ana", terms=FULL)
    return ledger


def test_a_month_with_purchases_work_voids_and_add_ons(history: Ledger) -> None:
    data = statement(history, date(2026, 6, 1), date(2026, 6, 30))
    assert (data["opening_minutes"], data["closing_minutes"]) == (1200 - 90, 1200 - 90 - 60 + 90 + 600)
    assert [(e["id"], e["kind"]) for e in data["entries"]] == [
        (3, "work"),
        (4, "work"),
        (5, "work"),
        (6, "void"),
        (7, "purchase"),
    ]
    assert data["currency"] == "GBP" and data["low_balance"] is None
    upgrades, health = data["addons"][1], data["addons"][2]
    assert [upgrades[k] for k in ("used_in_period_minutes", "used_minutes", "left_minutes")] == [
        1440,
        1440,
        0,
    ]
    assert (health["used_in_period_days"], health["left_days"]) == (1, 0)

    md = render_statement(data, "md").content
    assert "| Opening balance (2026-06-01) | 18 h 30 min |" in md
    assert "| Purchased | +10 h |" in md and "| Used | -1 h |" in md and "| Voids | +1 h 30 min |" in md
    assert "| **Closing balance (2026-06-30)** | **29 h** |" in md
    assert "| Major upgrade consultancy (`upgrade`) | Annual Upgrades | 1 | 24 h |" in md
    assert "| Major upgrade consultancy (`upgrade`) | PAYG | 1 | 1 h |" in md
    assert "| On-site health check (`health_check`) | Annual Health Check | 1 | 7 h |" in md
    assert "| #6 | 2026-06-07 | #2 (work: Incident break-fix) | PAYG | 1 h 30 min | was a duplicate |" in md
    assert "| #7 | 2026-06-20 | INV-2 | 10 h | GBP 1,750.50 |" in md
    assert "Billed outside the contract in this period: 45 min" in md

    rows = list(csv.DictReader(io.StringIO(render_statement(data, "csv").content)))
    assert [r["kind"] for r in rows] == ["opening", "work", "work", "work", "void", "purchase", "closing"]
    assert [r["payg_balance_minutes"] for r in rows] == [
        "1110",
        "1050",
        "1050",
        "1050",
        "1140",
        "1740",
        "1740",
    ]
    assert rows[1]["buckets"] == "upgrades+payg" and rows[1]["upgrades_minutes"] == "-1440"
    assert rows[2]["health_check_days"] == "-1" and rows[3]["outside_minutes"] == "-45"
    assert rows[5]["price"] == "1750.50"


def test_an_earlier_statement_reads_the_same_after_later_corrections(history: Ledger) -> None:
    may = statement(history, date(2026, 5, 1), date(2026, 5, 31))
    assert (may["opening_minutes"], may["closing_minutes"]) == (0, 1110)
    incident = next(e for e in may["entries"] if e["kind"] == "work")
    assert incident["voided_by"] is None  # voided in June: not part of May's statement
    june = statement(history, date(2026, 6, 1), date(2026, 6, 30))
    assert june["opening_minutes"] == may["closing_minutes"]


def test_the_period_follows_the_configured_time_zone(history: Ledger) -> None:
    july = statement(history, date(2026, 7, 1), date(2026, 7, 31))
    assert [(e["kind"], e["activity"]) for e in july["entries"]] == [("work", "support")]


def test_a_low_closing_balance_is_noticed(ledger: Ledger, clock: Clock) -> None:
    contract = terms(low_balance_minutes=120)
    ledger.buy("acme", hours=2, price="350", currency="GBP", terms=contract)
    ledger.log("acme", activity_id="incident", minutes=30, engineer="ana", terms=contract)
    data = statement(ledger, date(2026, 6, 1), date(2026, 6, 30), contract)
    assert data["low_balance"] == "acme: PAYG balance is low: 1 h 30 min left (threshold 2 h)"
    assert "**Low balance:** acme: PAYG balance is low" in render_statement(data, "md").content
    assert "<strong>Low balance:</strong> acme: PAYG balance is low" in render_statement(data, "html").content


def test_text_from_the_ledger_cannot_become_markup_or_a_formula(ledger: Ledger) -> None:
    contract = terms()
    ledger.buy("acme", hours=2, price="350", currency="GBP", terms=contract, reference="=HYPERLINK(1)")
    ledger.log("acme", activity_id="incident", minutes=30, engineer="<b>eve</b>", terms=contract,
               note="<script>alert(1)</script> | *bold*")  # fmt: skip
    data = statement(ledger, date(2026, 6, 1), date(2026, 6, 30), contract)
    html = render_statement(data, "html").content
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;eve&lt;/b&gt;" in html
    md = render_statement(data, "md").content
    assert "&lt;script&gt;" in md and r"\| \*bold\*" in md
    rows = list(csv.DictReader(io.StringIO(render_statement(data, "csv").content)))
    assert rows[1]["reference"] == "'=HYPERLINK(1)"
    assert rows[2]["note"] == "<script>alert(1)</script> | *bold*"


def test_a_period_that_ends_before_it_starts_is_refused(ledger: Ledger) -> None:
    with pytest.raises(
        InvalidInputError, match=r"the period ends \(2026-05-01\) before it starts \(2026-06-01\)"
    ):
        statement(ledger, date(2026, 6, 1), date(2026, 5, 1))
