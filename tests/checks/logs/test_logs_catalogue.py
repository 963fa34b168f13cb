"""Guard the logs check package and its place in `atlas-health checks list`."""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil

from click.testing import CliRunner

import checks.logs
from agent.catalogue import catalogue_rows
from agent.cli import cli
from checks.base import Check
from tests.checks.harness import registry

LOGS_CHECKS = {
    "logs.signatures",
    "logs.gc.pauses",
    "logs.gc.overhead",
    "logs.gc.heap_floor",
    "logs.access.errors",
    "logs.access.latency",
    "logs.auth.bursts",
    "logs.restarts",
    "logs.files",
}


def test_one_logs_check_per_module_all_logs_scoped_with_positive_thresholds():
    classes = []
    for info in pkgutil.iter_modules(checks.logs.__path__, prefix="checks.logs."):
        module = importlib.import_module(info.name)
        defined = [
            c
            for _, c in inspect.getmembers(module, inspect.isclass)
            if issubclass(c, Check) and c is not Check and c.__module__ == module.__name__
        ]
        assert len(defined) <= 1, f"{info.name} defines {len(defined)} checks"
        classes += defined
    assert {c.meta.id for c in classes} == LOGS_CHECKS
    for cls in classes:
        assert cls.meta.scope == "logs", cls.meta.id
        assert all(value > 0 for value in cls.meta.thresholds.values()), cls.meta.id


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
