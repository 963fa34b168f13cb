"""Work logged for an earlier day is paid from the hours bought by that day: without overdraft, the
PAYG balance then, and at every later entry, must cover it (the statement never closes below zero)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agent.ledger import Ledger, RefusedError
from tests.agent.ledger.cli import atlas, write_config
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


@pytest.mark.server  # the command line in a subprocess
def test_hours_log_dated_before_the_purchase_is_refused_and_the_statement_stays_above_zero(
    tmp_path: Path,
) -> None:
    config = ["--config", str(write_config(tmp_path))]
    today = datetime.now(UTC).date()
    bought = atlas(["hours", "buy", "acme", "--hours", "2", "--price", "350", "--currency", "GBP", *config])
    assert bought.returncode == 0, bought.stderr
    earlier = (today - timedelta(days=7)).isoformat()
    args = ["--activity", "incident", "--minutes", "60", "--engineer", "ana", "--date", earlier]
    logged = atlas(["hours", "log", "acme", *args, *config])
    assert logged.returncode == 3, logged.stderr
    assert logged.stderr.strip().splitlines() == [
        f"error: acme has 0 min of PAYG hours left from {earlier} on and this entry needs 1 h; buy hours "
        "(atlas-health hours buy acme ...) or allow overdraft (support.overdraft: true)"
    ]
    period = ["--from", (today - timedelta(days=30)).isoformat(), "--to", today.isoformat()]
    statement = atlas(["hours", "statement", "acme", *period, "--format", "csv", *config])
    assert statement.returncode == 0, statement.stderr
    rows = list(csv.DictReader(io.StringIO(statement.stdout)))
    assert [r["kind"] for r in rows] == ["opening", "purchase", "closing"]
    assert rows[-1]["payg_balance_minutes"] == "120"
