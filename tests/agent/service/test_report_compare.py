"""Kept reports compare with the customer's previous kept report: the second run's report names the
first and lists what changed; a damaged or foreign file in the folder is passed over with a warning."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from agent import pipeline
from agent.config.loader import LoadedConfig, load_config
from agent.config.targets import check_settings
from agent.service.report_files import KeptReport, keep_reports
from checks.registry import Registry, load_registry
from collectors.model import Deployment, Product
from sandbox import Fault, InstanceSpec, Sandbox, sandbox_config

pytestmark = [pytest.mark.server]

JIRA = "acme-jira"
NODE_CHECK = "instance.cluster.nodes"
T0 = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry(include_plugins=False)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    spec = InstanceSpec(JIRA, Product.JIRA, Deployment.DATACENTER, version="10.3.4", nodes=2)
    with Sandbox([spec]) as running:
        yield running


@pytest.fixture
def loaded(sandbox: Sandbox, tmp_path: Path, registry: Registry) -> LoadedConfig:
    config, env = sandbox_config(sandbox, {"acme": [JIRA]})
    config["checks"] = {"disabled": ["instance.version.support"]}  # depends on today's date
    config["settings"] = {"timezone": "Europe/London", "timeout_seconds": 5, "max_retries": 0}
    config["ledger"] = {"url": f"sqlite:///{tmp_path / 'ledger.sqlite'}"}
    config["service"] = {
        "schedules": [{"name": "nightly", "cron": "0 2 * * *", "report": True}],
        "reports_dir": "reports",
    }
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    return load_config(path, registry=registry, env=env)


def _keep(loaded: LoadedConfig, registry: Registry, at: datetime) -> KeptReport:
    snapshot = pipeline.collect(loaded)
    analysis = pipeline.analyze(snapshot, check_settings(loaded.config), registry)
    return keep_reports(loaded, snapshot, analysis, at=at)["acme"]


def _json(kept: KeptReport) -> dict:
    return json.loads(kept.path.with_suffix(".json").read_text(encoding="utf-8"))


def test_the_second_kept_report_names_the_first(
    sandbox: Sandbox, loaded: LoadedConfig, registry: Registry, caplog: pytest.LogCaptureFixture
) -> None:
    sandbox.update(JIRA, faults=set())
    first = _keep(loaded, registry, T0)
    assert first.previous_report_id is None and _json(first)["comparison"] is None

    sandbox.update(JIRA, faults={Fault.NODE_OFFLINE})
    try:
        second = _keep(loaded, registry, T0 + timedelta(days=1))
    finally:
        sandbox.update(JIRA, faults=set())
    assert second.path.parent == first.path.parent
    assert second.previous_report_id == first.report_id != second.report_id
    comparison = _json(second)["comparison"]
    assert comparison["previous_report_id"] == first.report_id
    assert comparison["previous_generated_at"] == "2026-12-01T02:00:00Z"  # Europe/London in winter
    assert [c["check"] for c in comparison["new"]] == [NODE_CHECK]
    assert comparison["resolved"] == []
    assert f'Since the last report (<span class="mono">{first.report_id}</span>' in second.path.read_text(
        encoding="utf-8"
    )

    # Newer files that are no report of acme's are passed over, with a warning each; the newest real
    # one is compared with. A file of the same minute is the one being replaced: never compared with.
    folder = second.path.parent
    (folder / "acme-health-check-20261202T0300Z.json").write_bytes(b"\x00garbage")
    foreign = _json(second) | {"customer": "ACME"}  # another customer whose name makes the same folder
    (folder / "acme-health-check-20261202T0301Z.json").write_text(json.dumps(foreign), encoding="utf-8")
    third_at = T0 + timedelta(days=2)
    same_minute = _json(second) | {"report_id": "hc-same-minute"}
    (folder / "acme-health-check-20261203T0200Z.json").write_text(json.dumps(same_minute), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="agent.service.report_files"):
        third = _keep(loaded, registry, third_at)
    assert third.previous_report_id == second.report_id
    passed_over = [r.getMessage() for r in caplog.records if "previous report passed over" in r.getMessage()]
    assert len(passed_over) == 2
    assert "20261202T0301Z.json: a report of customer 'ACME', not of 'acme'" in passed_over[0]
    assert "20261202T0300Z.json: not JSON" in passed_over[1]
    comparison = _json(third)["comparison"]
    assert [c["check"] for c in comparison["resolved"]] == [NODE_CHECK]
    assert comparison["new"] == []


def test_the_first_report_of_a_customer_has_nothing_to_compare(
    sandbox: Sandbox, loaded: LoadedConfig, registry: Registry
) -> None:
    sandbox.update(JIRA, faults=set())
    kept = _keep(loaded, registry, T0)
    assert kept.previous_report_id is None
    assert "Since the last report" not in kept.path.read_text(encoding="utf-8")
