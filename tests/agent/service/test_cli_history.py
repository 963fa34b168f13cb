"""`atlas-health history` in a subprocess, against a database filled through the service's own API."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agent.config.service_schema import Alerts
from agent.service.alerts import record_verdict
from agent.service.events import Observation, Verdict
from agent.service.history import claim_slot, finish_run
from agent.service.store import open_service_db
from checks.finding import Category, Finding, Severity, fingerprint
from tests.agent.ledger.cli import atlas, write_config

pytestmark = pytest.mark.server  # subprocesses

START = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)  # 09:00 in London in winter, 10:00 in Berlin
DISK = fingerprint("host.disk.free", "acme", "db1")


def disk_finding() -> Finding:
    return Finding(
        check="host.disk.free",
        severity=Severity.WARNING,
        category=Category.CAPACITY,
        customer="acme",
        target="db1",
        title="Disk /var is 91% full",
        message="9% left",
        fingerprint=DISK,
    )


def fill(config: Path) -> None:
    engine = open_service_db(f"sqlite:///{config.parent / 'ledger.sqlite'}", config.parent)
    try:
        for i, customer in enumerate(("acme", "acme", "beta")):
            at = START + timedelta(hours=i)
            run_id = claim_slot(
                engine,
                job="quick",
                schedule="quick",
                customer=customer,
                scheduled_for=at,
                worker="w1",
                now=at,
            )
            assert run_id is not None
            found = [disk_finding()] if customer == "acme" else []
            finish_run(engine, run_id, status="done", findings=found, duration_ms=2500, now=at)
            seen = [_observation(f) for f in found]
            judged = frozenset({("host.disk.free", "db1")})
            record_verdict(
                engine, Verdict(customer, at, seen, judged), Alerts(), channels=["hook"], muted=None, now=at
            )
    finally:
        engine.dispose()


def _observation(f: Finding) -> Observation:
    return Observation(
        customer=f.customer,
        fingerprint=f.fingerprint,
        check=f.check,
        target=f.target,
        category=f.category.value,
        severity=f.severity.value,
        title=f.title,
        message=f.message,
    )


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = write_config(tmp_path)
    fill(path)
    return path


def test_runs_as_a_table_in_the_configured_zone(config: Path) -> None:
    result = atlas(["history", "runs", "--config", str(config)])
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if "quick" in line]
    assert len(lines) == 3
    assert "2026-01-15 11:00" in lines[0] and "beta" in lines[0]  # newest first
    assert "acme" in lines[2] and "2026-01-15 09:00" in lines[2] and "warning" in lines[2]
    assert "Europe/London" in result.stdout


def test_runs_as_json_for_one_customer_with_a_limit(config: Path) -> None:
    result = atlas(
        ["history", "runs", "--config", str(config), "--customer", "acme", "--limit", "1", "--format", "json"]
    )
    assert result.returncode == 0, result.stderr
    (run,) = json.loads(result.stdout)["runs"]
    assert (run["customer"], run["status"], run["worst"], run["findings"]) == ("acme", "done", "warning", 1)
    assert run["started_at"] == (START + timedelta(hours=1)).isoformat()


def test_a_finding_over_time(config: Path) -> None:
    result = atlas(["history", "finding", DISK, "--config", str(config)])
    assert result.returncode == 0, result.stderr
    assert "host.disk.free on db1" in result.stdout
    assert result.stdout.count("Disk /var is 91% full") == 2
    missing = atlas(["history", "finding", "0" * 20, "--config", str(config)])
    assert missing.returncode == 0 and f"No run recorded the finding {'0' * 20}." in missing.stdout


def test_alerts_with_and_without_a_state(config: Path) -> None:
    result = atlas(["history", "alerts", "--config", str(config), "--format", "json"])
    assert result.returncode == 0, result.stderr
    (alert,) = json.loads(result.stdout)["alerts"]
    assert (alert["customer"], alert["state"], alert["fingerprint"], alert["sequence"]) == (
        "acme",
        "firing",
        DISK,
        1,
    )
    table = atlas(["history", "alerts", "--config", str(config), "--state", "firing"])
    assert table.returncode == 0 and "Disk /var is 91%" in table.stdout and DISK in table.stdout
    none = atlas(["history", "alerts", "--config", str(config), "--state", "resolved", "--customer", "acme"])
    assert none.returncode == 0 and none.stdout.strip() == "No resolved alerts for acme."


def test_an_empty_history_is_a_friendly_line_and_creates_nothing(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    result = atlas(["history", "runs", "--config", str(config)])
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.strip() == "No runs recorded yet: the service has not run a schedule."
    assert not (tmp_path / "ledger.sqlite").exists()
    default = atlas(["history", "alerts"], env={"ATLAS_HEALTH_DATA_DIR": str(tmp_path / "data")})
    assert (default.returncode, default.stdout.strip()) == (0, "No alerts.")


def test_an_unreadable_database_is_one_line_and_exit_3(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    (tmp_path / "ledger.sqlite").write_bytes(b"this is not a database" * 100)
    result = atlas(["history", "runs", "--config", str(config)])
    assert result.returncode == 3
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and "error:" in result.stderr
    assert "Traceback" not in result.stderr
    bad = atlas(["history", "runs", "--config", str(tmp_path / "missing.yaml")])
    assert bad.returncode == 3 and "Traceback" not in bad.stderr
