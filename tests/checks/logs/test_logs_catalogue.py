"""The logs checks in `atlas-health checks list` (their layout is guarded by tests/checks/test_layout.py)."""

from __future__ import annotations

import json

from click.testing import CliRunner

from agent.catalogue import catalogue_rows
from agent.cli import cli
from atlas_health.testing.harness import registry

LOGS_CHECKS = {
    "logs.signatures",
    "logs.gc.pauses",
    "logs.gc.overhead",
    "logs.gc.heap_floor",
    "logs.gc.heap_floor_forecast",
    "logs.gc.evacuation",
    "logs.access.errors",
    "logs.access.latency",
    "logs.auth.bursts",
    "logs.restarts",
    "logs.files",
}


def test_the_catalogue_rows_carry_the_scope():
    rows = {row["id"]: row for row in catalogue_rows(registry())}
    assert {row["scope"] for row in rows.values()} == {"instance", "host", "logs"}
    assert {i for i, row in rows.items() if row["scope"] == "logs"} == LOGS_CHECKS
    assert rows["logs.gc.pauses"]["thresholds"] == {"warning_s": 5, "critical_s": 30}
    assert rows["host.disk.free"]["scope"] == "host"
    assert rows["instance.status"]["scope"] == "instance"


def test_checks_list_shows_the_logs_checks_with_their_scope():
    runner = CliRunner()
    listed = json.loads(runner.invoke(cli, ["checks", "list", "--format", "json"]).output)
    assert {row["id"] for row in listed if row["scope"] == "logs"} == LOGS_CHECKS
    table = runner.invoke(cli, ["checks", "list"], env={"COLUMNS": "250"}).output
    line = next(line for line in table.splitlines() if "logs.gc.pauses" in line)
    assert [cell.strip() for cell in line.split("│")[1:4]] == ["logs.gc.pauses", "logs", "all"]
    assert "Scope" in table
