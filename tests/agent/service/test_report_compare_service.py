"""The service's nightly reports end to end (ServiceWork against the simulated estate, a real SQLite
history): the first report has nothing to compare and no earlier figures; the next names the first,
lists what changed, and draws the trends of the figures the first run recorded."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from agent.config.loader import load_config
from agent.service.plan import plan_jobs
from agent.service.store import open_service_db
from agent.service.sweep import ServiceWork
from checks.registry import Registry, load_registry
from collectors.history_model import RESPONSE_MS, SEATS_USED
from collectors.model import Deployment, Product
from sandbox import Fault, InstanceSpec, Sandbox, sandbox_config

pytestmark = [pytest.mark.server]

JIRA = "acme-jira"
T0 = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry(include_plugins=False)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    spec = InstanceSpec(JIRA, Product.JIRA, Deployment.DATACENTER, version="10.3.4", nodes=2)
    with Sandbox([spec]) as running:
        yield running


def test_nightly_reports_compare_and_draw_trends(
    sandbox: Sandbox, tmp_path: Path, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox.update(JIRA, faults=set())
    config, env = sandbox_config(sandbox, {"acme": [JIRA]})
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    config["checks"] = {"disabled": ["instance.version.support"]}  # depends on today's date
    config["settings"] = {"timezone": "UTC", "timeout_seconds": 5, "max_retries": 0}
    config["ledger"] = {"url": "sqlite:///ledger.sqlite"}
    config["service"] = {
        "schedules": [{"name": "nightly", "cron": "0 2 * * *", "report": True}],
        "reports_dir": "reports",
    }
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    loaded = load_config(path, registry=registry, env=env)
    engine = open_service_db("sqlite:///ledger.sqlite", tmp_path)
    clock = [T0]
    work = ServiceWork(loaded, engine, "test:1", lambda: clock[0], registry=registry)
    [spec] = plan_jobs(loaded.config)

    def nightly(at: datetime) -> dict:
        clock[0] = at
        [run] = work.run_job(spec, at).runs
        assert run.report_path is not None
        return json.loads(Path(run.report_path).with_suffix(".json").read_text(encoding="utf-8"))

    first = nightly(T0)
    assert first["comparison"] is None
    assert first["trends"] == []  # the service attached history, but there is no earlier run yet
    [first_html] = (tmp_path / "reports" / "acme").glob("*.html")
    assert "The service has no earlier figures of this customer yet." in first_html.read_text(
        encoding="utf-8"
    )

    sandbox.update(JIRA, faults={Fault.NODE_OFFLINE})
    try:
        second = nightly(T0 + timedelta(days=1))
    finally:
        sandbox.update(JIRA, faults=set())
    assert second["comparison"]["previous_report_id"] == first["report_id"]
    assert "instance.cluster.nodes" in [c["check"] for c in second["comparison"]["new"]]
    series = {(s["target"], s["metric"], s["key"]): s for s in second["trends"]}
    response = series[(JIRA, RESPONSE_MS, "")]
    # the first run's figure as the service stored it (at the run's start), this run's as collected
    assert len(response["points"]) == 2 and response["points"][0]["at"] == "2026-12-01T02:00:00Z"
    assert response["points"][1]["at"] > response["points"][0]["at"]
    assert response["trend"] is None  # two runs are a line to draw, too few to fit
    assert any(metric == SEATS_USED for _, metric, _ in series)
    [html] = [p for p in (tmp_path / "reports" / "acme").glob("*20261202T0200Z.html")]
    page = html.read_text(encoding="utf-8")
    assert f"{JIRA}: response time over time" in page and 'id="trend-chart-1"' in page
