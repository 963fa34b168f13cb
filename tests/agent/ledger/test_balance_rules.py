"""Overdraft on and off, low-balance thresholds (hours or a share of the last purchase)."""

from __future__ import annotations

import pytest

from agent.ledger import Ledger, RefusedError
from tests.agent.ledger.conftest import entry_count, terms


def test_without_overdraft_work_beyond_the_balance_is_refused(ledger: Ledger) -> None:
    contract = terms(overdraft=False)
    ledger.buy("acme", hours=1, price="175", currency="GBP", terms=contract)
    ledger.log("acme", activity_id="incident", minutes=45, engineer="ana", terms=contract)
    with pytest.raises(RefusedError) as refused:
        ledger.log("acme", activity_id="incident", minutes=20, engineer="ana", terms=contract)
    assert str(refused.value).startswith(
        "acme has 15 min of PAYG hours left and this entry needs 30 min (rounded up to 15-minute steps); "
        "buy hours (atlas-health hours buy acme ...) or allow overdraft (support.overdraft: true)"
    )
    assert entry_count(ledger) == 2
    exact = ledger.log("acme", activity_id="incident", minutes=15, engineer="ana", terms=contract)
    assert exact.balance.balance_minutes == 0  # down to exactly zero is allowed
    assert exact.balance.warning() == "acme: no PAYG hours left; buy hours to log more work"


def test_a_customer_who_never_bought_cannot_log_without_overdraft(ledger: Ledger) -> None:
    with pytest.raises(RefusedError, match="acme has 0 min of PAYG hours left"):
        ledger.log("acme", activity_id="incident", minutes=15, engineer="ana", terms=terms())
    assert ledger.customers() == []  # the refused write left nothing behind, not even the customer


def test_with_overdraft_the_balance_goes_negative_and_says_so(ledger: Ledger) -> None:
    contract = terms(overdraft=True)
    ledger.buy("acme", hours=1, price="175", currency="GBP", terms=contract)
    recorded = ledger.log("acme", activity_id="incident", minutes=100, engineer="ana", terms=contract)
    balance = recorded.balance
    assert (balance.balance_minutes, balance.negative, balance.low) == (-45, True, True)
    assert balance.warning() == "acme: PAYG balance is negative: -45 min (overdraft)"
    assert ledger.balance("acme", contract).balance_minutes == -45


@pytest.mark.parametrize(
    ("hours", "percent", "used", "low"),
    [
        (None, 20, 16 * 60 - 1, False),  # 4 h 1 min left of 20 h: above 20 %
        (None, 20, 16 * 60, True),  # exactly 20 % left
        (5, None, 15 * 60 - 15, False),
        (5, None, 15 * 60, True),  # exactly 5 h left
        (2, 25, 15 * 60, True),  # 5 h left: the share (25 % = 5 h) is reached, the hours are not
        (6, 10, 14 * 60, True),  # 6 h left: the hours are reached, the share (2 h) is not
        (None, None, 19 * 60, False),  # no threshold: low only at zero
    ],
)
def test_low_balance_when_either_threshold_is_reached(
    ledger: Ledger, hours: int | None, percent: int | None, used: int, low: bool
) -> None:
    contract = terms(
        low_balance_minutes=None if hours is None else hours * 60,
        low_balance_percent=percent,
        rounding_minutes=1,
    )
    ledger.buy("acme", hours=20, price="3500", currency="GBP", terms=contract)
    balance = ledger.log("acme", activity_id="support", minutes=used, engineer="ana", terms=contract).balance
    assert balance.low is low
    warning = balance.warning()
    if low:
        assert warning is not None and warning.startswith("acme: PAYG balance is low: ")
        assert f"(threshold {balance.low_threshold_minutes // 60} h)" in warning
    else:
        assert warning is None


def test_the_share_follows_the_last_purchase(ledger: Ledger) -> None:
    contract = terms(low_balance_percent=50)
    ledger.buy("acme", hours=20, price="3500", currency="GBP", terms=contract)
    assert ledger.balance("acme", contract).low_threshold_minutes == 600
    ledger.buy("acme", hours=2, price="350", currency="GBP", terms=contract)
    balance = ledger.balance("acme", contract)
    assert (balance.last_purchase_minutes, balance.low_threshold_minutes) == (120, 60)
