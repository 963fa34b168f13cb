"""`atlas-health demo` investigates the incident planted in Acme's support zips: the post-incident
report in every format, its notes template, and one hour logged as post-incident investigation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.ledger import Ledger
from tests.agent.ledger.cli import atlas

pytestmark = [pytest.mark.slow, pytest.mark.server]


def test_the_demo_writes_acmes_post_incident_report_and_logs_it(tmp_path: Path) -> None:
    output = tmp_path / "demo"
    result = atlas(["demo", "--output", str(output)])
    assert result.returncode == 0, result.stderr
    written = sorted(
        p.name for p in output.glob("acme-*") if "-post-incident-" in p.name or "-pir-" in p.name
    )
    assert [n.rsplit(".", 1)[1] for n in written if not n.endswith("-notes.md")] == [
        "html",
        "json",
        "md",
    ]
    report = json.loads(next(output.glob("acme-post-incident-*.json")).read_text())
    assert f"acme-{report['report_id']}-notes.md" in written  # the template of the engineer's notes
    assert not list(output.glob("globex-post-incident-*"))  # only Acme's logs hold an incident
    for name in written:
        assert f"wrote {output / name}" in result.stdout

    incident = report["incident"]
    assert report["customer"] == "acme" and incident["found"] and incident["causes"]
    assert incident["start"].startswith("2024-05-01")
    # after the two health checks (entries 3 and 4): an hour of Acme's 20, less its health check's 15 min
    assert report["hours"] == {
        "minutes_logged": 60,
        "entry_id": 5,
        "balance_minutes": 20 * 60 - 15 - 60,
        "notice": None,
    }
    assert "post-incident: acme: incident from 2024-05-01" in result.stdout
    assert (
        "hours: acme: 1 h logged for the post-incident investigation (entry #5); PAYG balance 18 h 45 min"
        in result.stdout
    )
    with Ledger.open(f"sqlite:///{output / 'ledger.sqlite'}") as ledger:
        work = [(e.activity, e.report_id) for e in ledger.entries("acme") if e.kind == "work"]
    assert work[-1] == ("post_incident", report["report_id"])
