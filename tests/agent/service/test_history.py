"""The run history: claiming slots (also from two threads), finishing runs, pruning, reading."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from agent.config.service_schema import Alerts
from agent.service.alerts import record_verdict
from agent.service.history import (
    claim_slot,
    finding_history,
    finish_run,
    firing_counts,
    list_alerts,
    list_runs,
    mark_interrupted,
    prune,
)
from agent.service.models import OutboxMessage, RunFinding
from checks.finding import Category, Finding, Severity, fingerprint
from tests.agent.service.alert_helpers import (  # noqa: F401 - fixtures
    START,
    engine,
    observation,
    verdict,
)


def finding(check: str, severity: Severity, target: str = "jira") -> Finding:
    return Finding(
        check=check,
        severity=severity,
        category=Category.CAPACITY,
        customer="acme",
        target=target,
        title=f"{check} title",
        message=f"{check} message",
        fingerprint=fingerprint(check, "acme", target),
    )


def claim(engine: Engine, customer: str = "acme", minutes: int = 0, worker: str = "w1") -> int | None:  # noqa: F811
    return claim_slot(
        engine,
        job="quick",
        schedule="quick",
        customer=customer,
        scheduled_for=START + timedelta(minutes=minutes),
        worker=worker,
        now=START + timedelta(minutes=minutes, seconds=1),
    )


def test_a_slot_is_claimed_once(engine: Engine) -> None:  # noqa: F811
    first = claim(engine)
    assert first is not None
    assert claim(engine, worker="w2") is None
    assert claim(engine, customer="globex") is not None
    assert claim(engine, minutes=15) is not None
    runs = list_runs(engine, customer="acme")
    assert [(r.status, r.worker) for r in runs] == [("running", "w1"), ("running", "w1")]


def test_two_threads_claiming_one_slot_get_it_once(engine: Engine) -> None:  # noqa: F811
    barrier = threading.Barrier(2)
    results: list[int | None] = []

    def worker(name: str) -> None:
        barrier.wait()
        results.append(claim(engine, worker=name))

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == 2 and results.count(None) == 1
    assert len(list_runs(engine)) == 1


def test_finishing_a_run_keeps_its_problems_and_works_out_the_worst(engine: Engine) -> None:  # noqa: F811
    run_id = claim(engine)
    assert run_id is not None
    findings = [
        finding("instance.status", Severity.OK),
        finding("host.disk.free", Severity.WARNING, "db1"),
        finding("instance.license.expiry", Severity.CRITICAL),
        finding("instance.atst", Severity.UNKNOWN),
    ]
    finish_run(
        engine,
        run_id,
        status="done",
        findings=findings,
        collection_errors=1,
        checks_run=30,
        checks_not_run=2,
        duration_ms=1234,
        report_id="r-1",
        report_path="/reports/acme/r-1.html",
        now=START + timedelta(minutes=1),
    )
    (run,) = list_runs(engine)
    assert (run.status, run.worst, run.findings, run.collection_errors) == ("done", "critical", 3, 1)
    assert (run.checks_run, run.checks_not_run, run.duration_ms) == (30, 2, 1234)
    assert (run.report_id, run.report_path, run.finished_at) == (
        "r-1",
        "/reports/acme/r-1.html",
        START + timedelta(minutes=1),
    )
    disk = finding_history(engine, fingerprint("host.disk.free", "acme", "db1"))
    assert [(h.run_id, h.severity, h.target, h.title) for h in disk] == [
        (run_id, "warning", "db1", "host.disk.free title")
    ]
    assert finding_history(engine, fingerprint("instance.status", "acme", "jira")) == []  # ok: not kept
    assert finding_history(engine, disk[0].fingerprint, customer="globex") == []


def test_a_run_without_findings_has_no_worst(engine: Engine) -> None:  # noqa: F811
    run_id = claim(engine)
    assert run_id is not None
    finish_run(engine, run_id, status="failed", findings=[], error="collection failed", now=START)
    (run,) = list_runs(engine)
    assert (run.status, run.worst, run.findings, run.error) == ("failed", None, 0, "collection failed")


def test_running_rows_of_a_stopped_service_become_interrupted(engine: Engine) -> None:  # noqa: F811
    mine = claim(engine, worker="w1")
    claim(engine, customer="globex", worker="w2")
    done = claim(engine, minutes=15, worker="w1")
    assert mine is not None and done is not None
    finish_run(engine, done, status="done", findings=[], now=START)
    assert mark_interrupted(engine, "w1", START + timedelta(hours=1)) == 1
    statuses = {(r.customer, r.worker): r.status for r in list_runs(engine) if r.id != done}
    assert statuses == {("acme", "w1"): "interrupted", ("globex", "w2"): "running"}
    assert mark_interrupted(engine, "w1", START, any_worker=True) == 1
    assert {r.status for r in list_runs(engine)} == {"interrupted", "done"}


def test_listing_is_newest_first_and_limited(engine: Engine) -> None:  # noqa: F811
    for minutes in range(0, 60, 15):
        claim(engine, minutes=minutes)
    claim(engine, customer="globex", minutes=100)
    assert [r.scheduled_for for r in list_runs(engine, customer="acme", limit=2)] == [
        START + timedelta(minutes=45),
        START + timedelta(minutes=30),
    ]
    assert list_runs(engine, limit=1)[0].customer == "globex"


def test_prune_deletes_what_is_older_than_the_retention(engine: Engine) -> None:  # noqa: F811
    old = claim(engine)
    new = claim(engine, minutes=60 * 24 * 20)
    assert old is not None and new is not None
    for run_id in (old, new):
        finish_run(engine, run_id, status="done", findings=[finding("a", Severity.WARNING)], now=START)
    policy = Alerts(confirm_runs=1, resolve_runs=1)
    down, disk = observation(), observation(check="host.disk.free", target="db1")
    judged = (("instance.status", "jira"), ("host.disk.free", "db1"))
    record_verdict(
        engine, verdict(START, down, disk, judged=judged), policy, channels=["hook"], muted=None, now=START
    )
    later = START + timedelta(days=3)
    record_verdict(
        engine, verdict(later, disk, judged=judged), policy, channels=["hook"], muted=None, now=later
    )
    with Session(engine) as session, session.begin():  # the first two notifications were delivered
        for message in session.scalars(select(OutboxMessage).where(OutboxMessage.event == "firing")):
            message.sent_at = START + timedelta(minutes=1)

    counts = prune(engine, now=START + timedelta(days=15), retention_days=10)
    assert counts == {"runs": 1, "alerts": 1, "outbox": 2}
    assert [r.id for r in list_runs(engine)] == [new]
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(RunFinding)) == 1
        remaining = session.scalars(select(OutboxMessage.event)).all()
    assert sorted(remaining) == ["reminder", "resolved"]  # unsent: kept whatever their age
    assert [(a.check, a.state) for a in list_alerts(engine)] == [("host.disk.free", "firing")]
    assert prune(engine, now=START + timedelta(days=15), retention_days=10) == {
        "runs": 0,
        "alerts": 0,
        "outbox": 0,
    }


def test_alerts_and_firing_counts(engine: Engine) -> None:  # noqa: F811
    policy = Alerts(confirm_runs=1)
    record_verdict(engine, verdict(START, observation()), policy, channels=[], muted=None, now=START)
    record_verdict(
        engine,
        verdict(START, observation(customer="globex"), customer="globex"),
        Alerts(),
        channels=[],
        muted=None,
        now=START,
    )
    assert firing_counts(engine) == {"acme": 1}
    assert [(a.customer, a.state) for a in list_alerts(engine)] == [("acme", "firing"), ("globex", "pending")]
    assert [a.customer for a in list_alerts(engine, states=["pending"])] == ["globex"]
    assert list_alerts(engine, customer="acme", states=["resolved"]) == []
    (firing,) = list_alerts(engine, customer="acme")
    assert (firing.sequence, firing.notified, firing.fired_at) == (1, "firing", START)
