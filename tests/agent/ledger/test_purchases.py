"""Purchases: exact hours and money, one currency per customer, a reference recorded once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import text

from agent.ledger import InvalidInputError, Ledger, RefusedError, SupportTerms
from tests.agent.ledger.conftest import entry_count, terms


def test_a_purchase_credits_payg_with_exact_hours_and_money(ledger: Ledger) -> None:
    recorded = ledger.buy(
        "acme", hours="7.5", price="1312.50", currency="GBP", terms=terms(), reference="PO-1"
    )
    entry = recorded.entry
    assert (entry.kind, entry.minutes, entry.price, entry.currency, entry.reference) == (
        "purchase", 450, Decimal("1312.50"), "GBP", "PO-1",
    )  # fmt: skip
    assert isinstance(entry.price, Decimal)
    assert recorded.balance.purchased_minutes == recorded.balance.balance_minutes == 450
    stored = ledger.entry(entry.id)
    assert stored.price == Decimal("1312.50") and str(stored.price) == "1312.50"


def test_money_is_stored_as_exact_decimal_text_or_numeric(ledger: Ledger) -> None:
    ledger.buy("acme", hours=20, price="3500.10", currency="GBP")
    with ledger.engine.connect() as connection:
        raw = connection.execute(text("SELECT price FROM ledger_entries")).scalar_one()
    if ledger.engine.dialect.name == "sqlite":
        assert raw == "3500.10"  # text: SQLite's NUMERIC affinity would have made it a binary float
    else:
        assert raw == Decimal("3500.10")


@pytest.mark.parametrize(
    ("hours", "price", "currency", "message"),
    [
        ("0", "3500", "GBP", "hours must be more than 0"),
        ("-1", "3500", "GBP", "hours must be more than 0"),
        ("0.01", "3500", "GBP", "0.01 hours is not a whole number of minutes"),
        ("twenty", "3500", "GBP", "hours must be a number such as 20 or 7.5, not 'twenty'"),
        ("NaN", "3500", "GBP", "hours must be more than 0"),
        ("20", "3500.001", "GBP", "price 3500.001 has more than two decimal places"),
        ("20", "-1", "GBP", "price must be 0 or more"),
        ("20", "lots", "GBP", "price must be a number"),
        ("20", "3500", "gbp", "currency 'gbp' must be an ISO 4217 code"),
        ("20", "3500", "POUNDS", "currency 'POUNDS' must be an ISO 4217 code"),
    ],
)
def test_bad_purchases_are_refused(
    ledger: Ledger, hours: str, price: str, currency: str, message: str
) -> None:
    with pytest.raises(
        InvalidInputError, match=message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")
    ):
        ledger.buy("acme", hours=hours, price=price, currency=currency)
    assert ledger.customers() == []


def test_a_purchase_in_another_currency_than_the_contract_is_refused(ledger: Ledger) -> None:
    with pytest.raises(RefusedError, match="acme's support contract is in GBP; this purchase is in USD"):
        ledger.buy("acme", hours=20, price="5500", currency="USD", terms=terms())


def test_one_balance_holds_one_currency(ledger: Ledger) -> None:
    no_currency = SupportTerms(currency=None)
    ledger.buy("acme", hours=20, price="3500", currency="GBP", terms=no_currency)
    with pytest.raises(
        RefusedError, match="acme's earlier purchases are in GBP; one balance holds one currency"
    ):
        ledger.buy("acme", hours=20, price="5500", currency="USD", terms=no_currency)
    assert ledger.balance("acme", no_currency).currency == "GBP"


def test_a_reference_is_recorded_once(ledger: Ledger) -> None:
    first = ledger.buy("acme", hours=20, price="3500", currency="GBP", reference="INV-7")
    again = ledger.buy("acme", hours=20, price="3500.00", currency="GBP", reference="INV-7")
    assert (first.created, again.created, again.entry.id) == (True, False, first.entry.id)
    assert again.balance.balance_minutes == 20 * 60
    with pytest.raises(RefusedError, match="reference 'INV-7' is already recorded for acme as #1"):
        ledger.buy("acme", hours=40, price="7000", currency="GBP", reference="INV-7")
    other = ledger.buy("globex", hours=20, price="3500", currency="GBP", reference="INV-7")
    assert other.created  # references are per customer
    assert entry_count(ledger) == 1
