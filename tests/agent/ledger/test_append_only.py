"""The database itself refuses to update or delete ledger rows, whoever connects."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from agent.ledger import Ledger
from tests.agent.ledger.conftest import FULL
from tests.agent.ledger.postgres import Cluster

STATEMENTS = [
    "UPDATE ledger_entries SET minutes = 1",
    "DELETE FROM ledger_entries",
    "UPDATE ledger_movements SET minutes = 0",
    "DELETE FROM ledger_movements",
    "UPDATE ledger_customers SET name = 'other'",
    "DELETE FROM ledger_entitlements",
]


@pytest.mark.parametrize("statement", STATEMENTS)
def test_updates_and_deletes_are_refused(ledger: Ledger, statement: str) -> None:
    ledger.buy("acme", hours=20, price="3500", currency="GBP", terms=FULL)
    ledger.log("acme", activity_id="upgrade", minutes=60, engineer="ana", terms=FULL)
    with (
        pytest.raises(DatabaseError, match="the hours ledger is append-only"),
        ledger.engine.begin() as connection,
    ):
        connection.execute(text(statement))
    balance = ledger.balance("acme", FULL)
    assert (balance.balance_minutes, balance.addons[1].used_minutes) == (20 * 60, 60)


@pytest.mark.server
def test_truncate_is_refused_on_postgresql(pg_cluster: Cluster) -> None:
    with Ledger.open(pg_cluster.create_database("ledger_truncate")) as ledger:
        ledger.buy("acme", hours=20, price="3500", currency="GBP")
        with pytest.raises(DatabaseError, match="append-only"), ledger.engine.begin() as connection:
            connection.execute(text("TRUNCATE ledger_movements"))
        assert ledger.balance("acme").balance_minutes == 20 * 60
