"""The service's work against the simulated estate: a fault switched on fires an alert after the
confirming runs and resolves after the clearing ones; a slot runs once; a filtered schedule leaves
the alerts it does not judge alone; reports are kept and logged; balances alert; statements are
written; quiet hours hold notifications back. The clock is the test's: no sleeping."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from agent.config.loader import LoadedConfig, load_config
from agent.ledger.service import Ledger
from agent.ledger.terms import customer_terms
from agent.service import history
from agent.service.models import OutboxMessage
from agent.service.plan import plan_jobs
from agent.service.store import open_service_db
from agent.service.sweep import ServiceWork
from checks.registry import Registry, load_registry
from collectors import history_model as m
from collectors.model import Deployment, Product, Snapshot
from sandbox import Fault, InstanceSpec, Sandbox, sandbox_config

pytestmark = [pytest.mark.server]

JIRA = "acme-jira"
NODE_CHECK = "instance.cluster.nodes"
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry(include_plugins=False)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    spec = InstanceSpec(JIRA, Product.JIRA, Deployment.DATACENTER, version="10.3.4", nodes=2)
    with Sandbox([spec]) as running:
        yield running


@dataclass
class Service:
    loaded: LoadedConfig
    engine: Engine
    work: ServiceWork
    clock: list[datetime]

    def run(self, job: str, at: datetime) -> list:
        self.clock[0] = at
        spec = next(j for j in plan_jobs(self.loaded.config) if j.job_id == job)
        return self.work.run_job(spec, at).runs

    def alerts(self, check: str | None = None) -> list:
        found = history.list_alerts(self.engine, customer="acme")
        return [a for a in found if check is None or a.check == check]

    def outbox(self) -> list[dict]:
        with Session(self.engine) as session:
            rows = session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars()
            return [{"event": r.event, "channel": r.channel, **json.loads(r.payload)} for r in rows]


def make_service(
    sandbox: Sandbox,
    tmp_path: Path,
    registry: Registry,
    monkeypatch: pytest.MonkeyPatch,
    *,
    contract: dict | None = None,
    customer_service: dict | None = None,
) -> Service:
    sandbox.update(JIRA, faults=set())
    config, env = sandbox_config(sandbox, {"acme": [JIRA]})
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    config["checks"] = {"disabled": ["instance.version.support"]}  # depends on today's date
    config["settings"] = {"timezone": "Europe/London", "timeout_seconds": 5, "max_retries": 0}
    config["ledger"] = {"url": "sqlite:///ledger.sqlite"}
    config["service"] = {
        "schedules": [
            {"name": "quick", "every": "5m"},
            {"name": "licences", "every": "1h", "categories": ["licensing"]},
            {"name": "nightly", "cron": "0 2 * * *", "report": True},
            {"name": "statements", "cron": "0 7 1 * *", "statement": True},
        ],
        "reports_dir": "reports",
        "alerts": {
            "confirm_runs": 2,
            "resolve_runs": 2,
            "renotify": "4h",
            "channels": [{"type": "webhook", "name": "ops", "url": "http://127.0.0.1:9/hook"}],
        },
    }
    if contract is not None:
        config["customers"][0]["support"] = contract
    if customer_service is not None:
        config["customers"][0]["service"] = customer_service
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    loaded = load_config(path, registry=registry, env=env)
    engine = open_service_db("sqlite:///ledger.sqlite", tmp_path)
    clock = [T0]
    work = ServiceWork(loaded, engine, "test:1", lambda: clock[0], registry=registry)
    return Service(loaded, engine, work, clock)


def minutes(n: int) -> timedelta:
    return timedelta(minutes=n)


def test_an_offline_node_fires_after_two_runs_and_resolves_after_two_clean_ones(
    sandbox: Sandbox, tmp_path: Path, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = make_service(sandbox, tmp_path, registry, monkeypatch)
    service.run("quick", T0)
    assert service.alerts(NODE_CHECK) == []

    sandbox.update(JIRA, faults={Fault.NODE_OFFLINE})
    [run] = service.run("quick", T0 + minutes(5))
    assert run.status == "done" and run.worst == "critical"
    assert run.instances[JIRA] == "critical"
    [alert] = service.alerts(NODE_CHECK)
    assert alert.state == "pending" and service.outbox() == []

    service.run("quick", T0 + minutes(10))
    [alert] = service.alerts(NODE_CHECK)
    assert alert.state == "firing"
    [message] = service.outbox()
    assert (message["event"], message["channel"], message["check"]) == ("firing", "ops", NODE_CHECK)
    assert (message["customer"], message["target"], message["severity"]) == (
        "acme",
        f"{JIRA}/node2",
        "critical",
    )

    service.run("quick", T0 + minutes(15))  # still firing: no second notification before renotify
    assert len(service.outbox()) == 1

    sandbox.update(JIRA, faults=set())
    service.run("quick", T0 + minutes(20))
    assert service.alerts(NODE_CHECK)[0].state == "firing"  # one clean run is not enough
    service.run("quick", T0 + minutes(25))
    assert service.alerts(NODE_CHECK)[0].state == "resolved"
    assert [m["event"] for m in service.outbox()] == ["firing", "resolved"]

    runs = history.list_runs(service.engine, customer="acme")
    assert len(runs) == 6 and {r.status for r in runs} == {"done"}


def test_a_slot_runs_once_and_a_filtered_schedule_judges_only_its_checks(
    sandbox: Sandbox, tmp_path: Path, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = make_service(sandbox, tmp_path, registry, monkeypatch)
    sandbox.update(JIRA, faults={Fault.NODE_OFFLINE})
    service.run("quick", T0)
    [again] = service.run("quick", T0)  # the same slot, e.g. after a restart
    assert (again.status, again.run_id) == ("skipped", None)
    service.run("quick", T0 + minutes(5))
    assert service.alerts(NODE_CHECK)[0].state == "firing"

    sandbox.update(JIRA, faults=set())
    service.run("licences", T0 + minutes(60))  # licensing checks only: the node check did not run
    service.run("licences", T0 + minutes(120))
    assert service.alerts(NODE_CHECK)[0].state == "firing"
    assert [r.schedule for r in history.list_runs(service.engine, customer="acme")].count("licences") == 2


def test_an_unreachable_instance_fires_its_own_alert_and_judges_nothing_else(
    sandbox: Sandbox, tmp_path: Path, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = make_service(sandbox, tmp_path, registry, monkeypatch)
    sandbox.update(JIRA, faults={Fault.NODE_OFFLINE})
    service.run("quick", T0)
    service.run("quick", T0 + minutes(5))
    sandbox.update(JIRA, faults={Fault.DOWN})
    service.run("quick", T0 + minutes(10))
    [run] = service.run("quick", T0 + minutes(15))
    assert run.collection_errors > 0
    states = {a.check: a.state for a in service.alerts()}
    assert states[NODE_CHECK] == "firing"  # not resolved: it could not be judged
    availability = [a for a in service.alerts() if a.category == "availability" and a.check != NODE_CHECK]
    assert availability and {a.state for a in availability} == {"firing"}
    assert {a.target for a in availability} == {JIRA}
    sandbox.update(JIRA, faults=set())


def test_a_nightly_report_is_kept_and_logged_and_a_low_balance_alerts(
    sandbox: Sandbox, tmp_path: Path, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    contract = {"currency": "GBP", "low_balance": {"hours": 5}}
    service = make_service(sandbox, tmp_path, registry, monkeypatch, contract=contract)
    terms = customer_terms(service.loaded.config, "acme")
    assert terms is not None
    ledger = Ledger(service.engine, clock=lambda: T0 - timedelta(days=40))
    ledger.buy("acme", hours="5.25", price="700", currency="GBP", terms=terms)

    nightly = T0.replace(hour=2)
    [run] = service.run("nightly", nightly)
    assert run.report_path is not None and Path(run.report_path).is_file()
    assert Path(run.report_path).parent == tmp_path / "reports" / "acme"
    assert sorted(p.suffix for p in Path(run.report_path).parent.iterdir()) == [".html", ".json", ".md"]
    assert run.hours_left_minutes == 5 * 60  # 5 h 15 min bought, the report logged 15 min
    [stored] = history.list_runs(service.engine, customer="acme")
    assert stored.report_path == run.report_path

    service.run("nightly", nightly + timedelta(days=1))
    balance = [a for a in service.alerts() if a.check == "support.hours.balance"]
    assert [(a.state, a.severity) for a in balance] == [("firing", "warning")]
    assert "low" in balance[0].message


def test_the_monthly_statement_covers_the_previous_month(
    sandbox: Sandbox, tmp_path: Path, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = make_service(sandbox, tmp_path, registry, monkeypatch, contract={"currency": "GBP"})
    terms = customer_terms(service.loaded.config, "acme")
    assert terms is not None
    Ledger(service.engine, clock=lambda: T0 - timedelta(days=20)).buy(
        "acme", hours="10", price="1400", currency="GBP", terms=terms
    )
    [run] = service.run("statements", T0.replace(hour=7))
    assert run.status == "done" and run.report_path is not None
    statement = Path(run.report_path)
    assert statement.parent == tmp_path / "reports" / "acme" / "statements"
    assert "20261101-20261130" in statement.name and statement.with_suffix(".md").is_file()
    assert "10 h" in statement.with_suffix(".md").read_text()


def test_quiet_hours_track_alerts_but_hold_notifications_until_they_end(
    sandbox: Sandbox, tmp_path: Path, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    quiet = {"quiet_hours": [{"start": "08:00", "end": "10:00"}]}  # Europe/London = UTC in December
    service = make_service(sandbox, tmp_path, registry, monkeypatch, customer_service=quiet)
    sandbox.update(JIRA, faults={Fault.NODE_OFFLINE})
    service.run("quick", T0)
    service.run("quick", T0 + minutes(5))
    assert service.alerts(NODE_CHECK)[0].state == "firing"
    assert service.outbox() == []  # 09:05, quiet
    service.run("quick", T0 + minutes(60))  # 10:00: quiet hours are over
    assert [m["event"] for m in service.outbox()] == ["firing"]
    sandbox.update(JIRA, faults=set())


def test_a_licence_near_expiry_alerts(
    sandbox: Sandbox, tmp_path: Path, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = make_service(sandbox, tmp_path, registry, monkeypatch)
    sandbox.update(JIRA, faults={Fault.LICENSE_EXPIRING})
    service.run("licences", T0)
    service.run("licences", T0 + minutes(60))
    licence = [a for a in service.alerts() if a.check == "instance.license.expiry"]
    assert licence and {(a.state, a.category, a.target) for a in licence} == {("firing", "licensing", JIRA)}
    assert [m["check"] for m in service.outbox()] == ["instance.license.expiry"] * len(licence)
    sandbox.update(JIRA, faults=set())


def test_each_run_keeps_its_figures_and_the_next_run_sees_them(
    sandbox: Sandbox, tmp_path: Path, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = make_service(sandbox, tmp_path, registry, monkeypatch)
    seen: list[Snapshot] = []
    attach = service.work._with_history

    def spy(snapshot: Snapshot) -> Snapshot:  # records what the checks were given
        attached = attach(snapshot)
        seen.append(attached)
        return attached

    monkeypatch.setattr(service.work, "_with_history", spy)
    service.run("quick", T0)
    service.run("quick", T0 + minutes(5))
    series = {(s.target, s.metric, s.key): s for s in history.metric_series(service.engine, "acme", since=T0)}
    up = series[(JIRA, m.UP, "")]
    assert [p.value for p in up.points] == [1.0, 1.0]
    assert [p.at for p in up.points] == [T0, T0 + minutes(5)]
    assert (JIRA, m.RESPONSE_MS, "") in series
    first, second = (shot.instances[0].history for shot in seen)
    assert first is not None and first.series == []  # nothing earlier
    assert second is not None and [p.at for p in second.points(m.UP)] == [T0]
