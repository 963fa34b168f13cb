"""8 processes logging 200 entries each at once, on SQLite and on PostgreSQL: nothing lost or doubled.

No timing is asserted; the figures are printed (run with -s to see them).
"""

from __future__ import annotations

import time

import pytest

from agent.ledger import Ledger
from tests.agent.ledger.audit import broken_entries
from tests.agent.ledger.processes import run_together
from tests.agent.ledger.worker import TERMS

pytestmark = [pytest.mark.slow]

WORKERS, EACH, SHARED, MINUTES = 8, 200, 20, 15


def test_every_entry_is_recorded_exactly_once(ledger_url: str) -> None:
    with Ledger.open(ledger_url) as ledger:
        ledger.buy("acme", hours=500, price="87500", currency="GBP", terms=TERMS)
    started = time.monotonic()
    results = run_together(ledger_url, EACH, WORKERS, "--shared", str(SHARED))
    elapsed = time.monotonic() - started
    for r in results:
        assert (r.returncode, r.done, r.refused) == (0, True, []), r.stderr[-2000:]

    own = {
        report: entry for r in results for report, entry in r.ok.items() if not report.startswith("shared-")
    }
    assert len(own) == WORKERS * EACH
    # Each shared report id was created by exactly one worker; every other worker got that same entry back.
    shared_created = [
        (report, entry) for r in results for report, entry in r.ok.items() if report.startswith("shared-")
    ]
    assert sorted(report for report, _ in shared_created) == sorted(f"shared-{j}" for j in range(SHARED))
    creator = dict(shared_created)
    for r in results:
        for report, entry in r.again.items():
            assert creator[report] == entry
        assert len(r.ok) + len(r.again) == EACH + SHARED

    with Ledger.open(ledger_url) as ledger:
        entries = ledger.entries("acme")
        work = {e.report_id: e.id for e in entries if e.kind == "work"}
        assert work == {**own, **creator}  # the ids the workers were told are exactly the ones stored
        assert len({e.id for e in entries}) == len(entries) == 1 + WORKERS * EACH + SHARED
        balance = ledger.balance("acme", TERMS)
        assert balance.used_minutes == (WORKERS * EACH + SHARED) * MINUTES
        assert balance.balance_minutes == 500 * 60 - (WORKERS * EACH + SHARED) * MINUTES
        assert broken_entries(ledger) == []
    print(f"\n{ledger_url.split(':')[0]}: {WORKERS} x {EACH + SHARED} submissions in {elapsed:.1f} s")


def test_the_last_minutes_are_spent_once(ledger_url: str) -> None:
    """Only 1,000 entries fit in the balance: exactly 1,000 of the 1,600 are recorded, the balance is zero."""
    fits = 1000
    with Ledger.open(ledger_url) as ledger:
        ledger.buy("acme", hours=fits * MINUTES // 60, price="43750", currency="GBP", terms=TERMS)
    results = run_together(ledger_url, EACH, WORKERS)
    for r in results:
        assert (r.returncode, r.done) == (0, True), r.stderr[-2000:]
    accepted = {report: entry for r in results for report, entry in r.ok.items()}
    refused = [report for r in results for report in r.refused]
    assert (len(accepted), len(refused)) == (fits, WORKERS * EACH - fits)
    with Ledger.open(ledger_url) as ledger:
        stored = {e.report_id: e.id for e in ledger.entries("acme") if e.kind == "work"}
        assert stored == accepted
        assert ledger.balance("acme", TERMS).balance_minutes == 0
        assert broken_entries(ledger) == []
