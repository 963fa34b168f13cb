"""An entry linked to a report or run id is recorded once, however often it is submitted."""

from __future__ import annotations

from agent.ledger import Ledger
from tests.agent.ledger.conftest import STANDARD, entry_count


def test_replaying_a_report_id_100_times_records_one_entry(ledger: Ledger) -> None:
    ledger.buy("acme", hours=20, price="3500", currency="GBP", terms=STANDARD)
    results = [
        ledger.log(
            "acme",
            activity_id="report",
            minutes=15,
            engineer="atlas-health",
            terms=STANDARD,
            report_id="hc-1",
        )
        for _ in range(100)
    ]
    assert [r.created for r in results] == [True] + [False] * 99
    assert {r.entry.id for r in results} == {results[0].entry.id}
    assert entry_count(ledger) == 2
    assert ledger.balance("acme", STANDARD).balance_minutes == 20 * 60 - 15
    assert all(r.balance.balance_minutes == 20 * 60 - 15 for r in results)


def test_a_replay_returns_the_first_entry_even_if_it_differs_or_was_voided(ledger: Ledger) -> None:
    ledger.buy("acme", hours=20, price="3500", currency="GBP", terms=STANDARD)
    first = ledger.log(
        "acme", activity_id="report", minutes=15, engineer="x", terms=STANDARD, report_id="run-9"
    )
    ledger.void(first.entry.id, reason="not billable")
    replay = ledger.log(
        "acme", activity_id="report", minutes=60, engineer="y", terms=STANDARD, report_id="run-9"
    )
    assert (replay.created, replay.entry.id, replay.entry.minutes) == (False, first.entry.id, 15)
    assert replay.entry.voided_by is not None
    assert ledger.balance("acme", STANDARD).balance_minutes == 20 * 60


def test_report_ids_are_per_customer(ledger: Ledger) -> None:
    for customer in ("acme", "globex"):
        ledger.buy(customer, hours=1, price="175", currency="GBP", terms=STANDARD)
        ledger.log(
            customer, activity_id="report", minutes=15, engineer="x", terms=STANDARD, report_id="run-1"
        )
    assert entry_count(ledger, "acme") == entry_count(ledger, "globex") == 2


def test_a_replay_is_not_refused_when_the_balance_has_run_out(ledger: Ledger) -> None:
    ledger.buy("acme", hours="0.25", price="43.75", currency="GBP", terms=STANDARD)
    first = ledger.log("acme", activity_id="report", minutes=15, engineer="x", terms=STANDARD, report_id="r")
    again = ledger.log("acme", activity_id="report", minutes=15, engineer="x", terms=STANDARD, report_id="r")
    assert (again.created, again.entry.id, again.balance.balance_minutes) == (False, first.entry.id, 0)
