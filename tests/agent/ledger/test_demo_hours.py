"""The demo logs its reports against demo customers with a purchased block, and prints the balance."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.ledger import Ledger
from tests.agent.ledger.cli import atlas

pytestmark = [pytest.mark.slow, pytest.mark.server]


def test_the_demo_buys_once_logs_each_run_and_prints_the_balance(tmp_path: Path) -> None:
    output = tmp_path / "demo"
    first = atlas(["demo", "--output", str(output)])
    assert first.returncode == 0, first.stderr
    assert "hours: acme: 15 min logged (entry #3); PAYG balance 19 h 45 min" in first.stdout
    assert "hours: globex: 15 min logged (entry #4); PAYG balance 19 h 45 min" in first.stdout
    reports = {p.name.split("-health-check-")[0]: p for p in output.glob("*-health-check-*.json")}
    assert sorted(reports) == ["acme", "globex"]  # each demo customer's report carries its hours
    for report_file in reports.values():
        hours = json.loads(report_file.read_text())["hours"]
        assert hours["minutes_logged"] == 15 and hours["balance_minutes"] == 1185
    html = next(output.glob("acme-health-check-*.html")).read_text()
    assert "Support hours: 15 min logged for this report" in html

    second = atlas(
        ["demo", "--output", str(output)]
    )  # the same throwaway ledger: the block is not bought again
    assert second.returncode == 0, second.stderr
    assert "PAYG balance 19 h 30 min" in second.stdout
    with Ledger.open(f"sqlite:///{output / 'ledger.sqlite'}") as ledger:
        # the post-incident report of the demo's incident is logged too (tests/agent/test_demo_incident.py)
        kinds = [e.kind for e in ledger.entries("acme") if e.activity != "post_incident"]
        assert kinds == ["purchase", "work", "work"]
        assert ledger.entries("globex")[0].currency == "USD"
