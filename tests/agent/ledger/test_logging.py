"""The ledger logs the store it opens (never the password), its migrations, each entry and each refusal.

A refusal is logged at info: the command line or the report that asked says it already, in one line.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from agent.ledger import Ledger, LedgerError, RefusedError
from tests.agent.ledger.conftest import terms


def messages(caplog: pytest.LogCaptureFixture) -> list[tuple[str, str, str]]:
    return [
        (r.name, r.levelname, r.getMessage()) for r in caplog.records if r.name.startswith("agent.ledger")
    ]


def test_opening_a_new_ledger_logs_its_migration(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="agent.ledger")
    path = tmp_path / "ledger.sqlite"
    Ledger.open(f"sqlite:///{path}").close()
    logged = messages(caplog)
    assert logged[0] == ("agent.ledger.service", "DEBUG", f"opening the ledger at sqlite:///{path}")
    assert logged[1][:2] == ("agent.ledger.storage", "INFO")
    assert logged[1][2].startswith(f"migrating the ledger at sqlite:///{path} from schema revision (new) to ")
    caplog.clear()
    Ledger.open(f"sqlite:///{path}").close()  # up to date: nothing to migrate
    assert [level for _, level, _ in messages(caplog)] == ["DEBUG", "DEBUG"]


def test_each_entry_and_each_refusal_is_logged(ledger: Ledger, caplog) -> None:
    caplog.set_level(logging.INFO, logger="agent.ledger")
    bought = ledger.buy("acme", hours=2, price=200, currency="GBP", terms=terms(), reference="PO-7")
    ledger.buy("acme", hours=2, price=200, currency="GBP", terms=terms(), reference="PO-7")
    work = ledger.log("acme", activity_id="support", minutes=50, engineer="ann", terms=terms())
    void = ledger.void(work.entry.id, reason="wrong customer")
    with pytest.raises(RefusedError):
        ledger.log("acme", activity_id="support", minutes=500, engineer="ann", terms=terms())
    with pytest.raises(LedgerError):
        ledger.void(999, reason="no such entry")
    assert messages(caplog) == [
        ("agent.ledger.service", "INFO", f"recorded #{bought.entry.id}: purchase for acme, 120 min"),
        ("agent.ledger.service", "INFO", f"purchase for acme: already recorded as #{bought.entry.id}"),
        ("agent.ledger.service", "INFO", f"recorded #{work.entry.id}: work for acme (support), 60 min"),
        (
            "agent.ledger.service",
            "INFO",
            f"recorded #{void.entry.id}: void for acme (support), 60 min, voids #{work.entry.id}",
        ),
        (
            "agent.ledger.service",
            "INFO",
            "work for acme not recorded: acme has 2 h of PAYG hours left and this entry needs 8 h 30 min (rounded "
            "up to 15-minute steps); buy hours (atlas-health hours buy acme ...) or allow overdraft "
            "(support.overdraft: true)",
        ),
        (
            "agent.ledger.service",
            "INFO",
            "void of #999 not recorded: no ledger entry #999; `atlas-health hours statement` lists them",
        ),
    ]


def test_a_password_in_the_url_is_never_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with pytest.raises(LedgerError):
        Ledger.open("postgresql://atlas:s3cret-pw@127.0.0.1:9/ledger", busy_timeout_seconds=1)
    assert "opening the ledger at postgresql+psycopg://atlas:***@127.0.0.1:9/ledger" in caplog.text
    assert "s3cret-pw" not in caplog.text
