"""Work logged for an earlier day is paid from the hours bought by that day: without overdraft, the
PAYG balance then, and at every later entry, must cover it (the statement never closes below zero)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agent.ledger import Ledger, RefusedError
from tests.agent.ledger.conftest import TODAY, entry_count, terms

WITHOUT_OVERDRAFT = terms(overdraft=False)


def _day(day: int) -> datetime:
    return datetime(2026, 6, day, 9, 0, tzinfo=UTC)


def _work(ledger: Ledger, minutes: int, day: int, contract=WITHOUT_OVERDRAFT) -> None:
    ledger.log(
        "acme", activity_id="incident", minutes=minutes, engineer="ana", terms=contract, when=_day(day)
    )


def test_work_before_any_purchase_is_refused_without_overdraft(ledger: Ledger) -> None:
    ledger.buy("acme", hours=10, price="1750", currency="GBP", terms=WITHOUT_OVERDRAFT)  # today
    with pytest.raises(RefusedError) as refused:
        _work(ledger, 60, day=1)
    assert str(refused.value).startswith(
        "acme has 0 min of PAYG hours left from 2026-06-01 on and this entry needs 1 h; buy hours"
    )
    assert entry_count(ledger) == 1  # the purchase only
    start, end = datetime(2026, 6, 1, tzinfo=UTC), TODAY
    assert ledger.entries("acme", start, end) == []  # nothing before the purchase, nothing negative


def test_earlier_work_may_not_spend_hours_later_work_already_used(ledger: Ledger) -> None:
    ledger.buy("acme", hours=2, price="350", currency="GBP", terms=WITHOUT_OVERDRAFT, when=_day(1))
    _work(ledger, 90, day=10)
    # On the 5th the balance was 2 h, but after the 10th's work only 30 min are left for it.
    with pytest.raises(RefusedError, match="acme has 30 min of PAYG hours left and this entry needs 1 h"):
        _work(ledger, 60, day=5)
    _work(ledger, 30, day=5)
    assert ledger.balance("acme", WITHOUT_OVERDRAFT).balance_minutes == 0


def test_work_after_an_earlier_purchase_is_paid_from_it(ledger: Ledger) -> None:
    ledger.buy("acme", hours=2, price="350", currency="GBP", terms=WITHOUT_OVERDRAFT, when=_day(1))
    ledger.buy("acme", hours=5, price="875", currency="GBP", terms=WITHOUT_OVERDRAFT, when=_day(12))
    with pytest.raises(RefusedError, match="left from 2026-06-05 on"):
        _work(ledger, 3 * 60, day=5)  # 7 h bought by now, but only 2 h by the 5th
    _work(ledger, 2 * 60, day=5)
    _work(ledger, 5 * 60, day=13)
    assert ledger.balance("acme", WITHOUT_OVERDRAFT).balance_minutes == 0


def test_with_overdraft_work_before_any_purchase_is_taken(ledger: Ledger) -> None:
    contract = terms(overdraft=True)
    ledger.buy("acme", hours=10, price="1750", currency="GBP", terms=contract)
    _work(ledger, 60, day=1, contract=contract)
    assert ledger.balance("acme", contract).balance_minutes == 9 * 60
