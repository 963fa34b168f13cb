"""A process killed (SIGKILL) in the middle of logging leaves each entry whole or absent, and the
ledger opens cleanly afterwards, on SQLite and on PostgreSQL."""

from __future__ import annotations

import signal
import sqlite3

import pytest
from sqlalchemy.engine import make_url

from agent.ledger import Ledger
from tests.agent.ledger.audit import broken_entries
from tests.agent.ledger.processes import parse, start_worker
from tests.agent.ledger.worker import TERMS

pytestmark = [pytest.mark.slow]


def reopen_and_check(url: str, reported: dict[str, int], may_have_one_more: bool) -> None:
    with Ledger.open(url) as ledger:  # migrations check the schema; the crash left it usable
        assert broken_entries(ledger) == []
        stored = {e.report_id: e.id for e in ledger.entries("acme") if e.kind == "work"}
        assert set(reported.items()) <= set(stored.items())  # every entry it was told of is there
        extra = set(stored) - set(reported)
        assert len(extra) <= (1 if may_have_one_more else 0), extra
        balance = ledger.balance("acme", TERMS)
        assert balance.balance_minutes == 100 * 60 - 15 * len(stored)
        after = ledger.log("acme", activity_id="incident", minutes=15, engineer="after", terms=TERMS)
        assert after.created and after.balance.balance_minutes == balance.balance_minutes - 15
    database = make_url(url).database
    if url.startswith("sqlite"):
        with sqlite3.connect(database) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_killed_inside_an_entry_leaves_it_absent(ledger_url: str) -> None:
    with Ledger.open(ledger_url) as ledger:
        ledger.buy("acme", hours=100, price="17500", currency="GBP", terms=TERMS)
    process = start_worker(ledger_url, "crash", 200, "--crash-at", "50")
    stdout, stderr = process.communicate("go\n", timeout=300)
    assert process.returncode == -signal.SIGKILL, stderr
    result = parse("crash", process, stdout, stderr)
    assert len(result.ok) == 49 and not result.done  # the 50th died between its entry row and its movement
    reopen_and_check(ledger_url, result.ok, may_have_one_more=False)


def test_killed_at_any_moment_leaves_every_entry_whole(ledger_url: str) -> None:
    with Ledger.open(ledger_url) as ledger:
        ledger.buy("acme", hours=100, price="17500", currency="GBP", terms=TERMS)
    process = start_worker(ledger_url, "victim", 300)
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write("go\n")
    process.stdin.flush()
    lines = []
    while len(lines) < 100:  # let it log, then kill it wherever it is
        lines.append(process.stdout.readline())
    process.send_signal(signal.SIGKILL)
    rest, stderr = process.communicate(timeout=60)
    assert process.returncode == -signal.SIGKILL, stderr
    result = parse("victim", process, "".join(lines) + rest, stderr)
    assert len(result.ok) >= 100 and not result.done
    reopen_and_check(ledger_url, result.ok, may_have_one_more=True)
