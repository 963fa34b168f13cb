"""Corrections: a void references the original, gives back exactly what it moved, and says why."""

from __future__ import annotations

import pytest

from agent.ledger import Ledger, NotFoundError, RefusedError
from tests.agent.ledger.conftest import FULL, STANDARD, Clock, terms


def test_a_void_gives_back_what_the_entry_drew(ledger: Ledger, clock: Clock) -> None:
    ledger.buy("acme", hours=20, price="3500", currency="GBP", terms=STANDARD)
    work = ledger.log("acme", activity_id="incident", minutes=90, engineer="ana", terms=STANDARD)
    void = ledger.void(
        work.entry.id, reason="logged against the wrong customer", terms_for=lambda _: STANDARD
    )
    assert (void.entry.kind, void.entry.voids_entry_id, void.entry.reason) == (
        "void", work.entry.id, "logged against the wrong customer",
    )  # fmt: skip
    assert [(m.bucket, m.minutes) for m in void.entry.movements] == [("payg", 90)]
    assert void.entry.recorded_by == "tester@host"
    assert void.balance.balance_minutes == 20 * 60
    assert void.balance.used_minutes == 0
    original = ledger.entry(work.entry.id)
    assert (original.minutes, original.voided_by) == (90, void.entry.id)  # untouched, and marked
    assert [e.kind for e in ledger.entries("acme")] == ["purchase", "work", "void"]


def test_voiding_upgrade_and_health_check_work_restores_their_buckets(ledger: Ledger) -> None:
    ledger.buy("acme", hours=20, price="3500", currency="GBP", terms=FULL)
    upgrade = ledger.log("acme", activity_id="upgrade", minutes=25 * 60, engineer="ana", terms=FULL)
    day = ledger.log("acme", activity_id="health_check", minutes=420, engineer="ana", terms=FULL)
    ledger.void(upgrade.entry.id, reason="duplicate", terms_for=lambda _: FULL)
    ledger.void(day.entry.id, reason="duplicate", terms_for=lambda _: FULL)
    balance = ledger.balance("acme", FULL)
    assert balance.balance_minutes == 20 * 60
    upgrades, health = balance.addons[1], balance.addons[2]
    assert (upgrades.addon, upgrades.used_minutes, health.addon, health.used_days) == (
        "upgrades",
        0,
        "health_check",
        0,
    )


def test_an_entry_is_voided_once_and_a_void_is_never_voided(ledger: Ledger) -> None:
    ledger.buy("acme", hours=20, price="3500", currency="GBP")
    work = ledger.log("acme", activity_id="incident", minutes=30, engineer="ana")
    void = ledger.void(work.entry.id, reason="mistake")
    with pytest.raises(
        RefusedError, match=rf"#{work.entry.id} was already voided by #{void.entry.id} on 2026-06-15"
    ):
        ledger.void(work.entry.id, reason="again")
    with pytest.raises(RefusedError, match=rf"#{void.entry.id} is itself a void \(of #{work.entry.id}\)"):
        ledger.void(void.entry.id, reason="undo")
    with pytest.raises(NotFoundError, match="no ledger entry #999"):
        ledger.void(999, reason="nothing")
    with pytest.raises(ValueError, match="reason must not be empty"):
        ledger.void(work.entry.id, reason=" ")
    assert ledger.balance("acme").balance_minutes == 20 * 60


def test_voiding_a_spent_purchase_needs_overdraft(ledger: Ledger) -> None:
    ledger.buy("acme", hours=20, price="3500", currency="GBP", terms=STANDARD)
    wrong = ledger.buy("acme", hours=200, price="35000", currency="GBP", terms=STANDARD)
    ledger.log("acme", activity_id="support", minutes=21 * 60, engineer="ana", terms=STANDARD)
    with pytest.raises(RefusedError, match=r"would leave acme's PAYG balance at -1 h and overdraft is off"):
        ledger.void(wrong.entry.id, reason="typo: 20 hours", terms_for=lambda _: STANDARD)
    lenient = terms(overdraft=True)
    void = ledger.void(wrong.entry.id, reason="typo: 20 hours", terms_for=lambda _: lenient)
    assert void.balance.balance_minutes == -60
    assert (void.balance.purchased_minutes, void.balance.last_purchase_minutes) == (20 * 60, 20 * 60)
