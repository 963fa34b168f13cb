"""High availability on the tests' PostgreSQL: one leader by advisory lock, the standby takes over
within 30 s of the leader's death, and no slot is run twice."""

from __future__ import annotations

import itertools
import signal
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from agent.service.leader import LEADER_LOCK_KEY, PostgresLeadership, leadership_for
from tests.agent.ledger.postgres import Cluster, start_cluster
from tests.agent.service.fake_work import read_log
from tests.agent.service.serve_process import Serve, free_port, write_config

pytestmark = pytest.mark.server
_databases = itertools.count(1)


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    started = start_cluster()
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture
def database(cluster: Cluster) -> str:
    return cluster.create_database(f"service_ha_{next(_databases)}")


def test_the_advisory_lock_has_one_holder_and_a_dropped_connection_loses_it(database: str):
    engine = create_engine(database)
    first, second = leadership_for(engine), leadership_for(engine)
    assert isinstance(first, PostgresLeadership)
    try:
        assert first.try_acquire() and first.still_held()
        assert not second.try_acquire()
        with engine.connect() as admin:  # the leader's backend dies (as when its host goes away)
            admin.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' "
                    "AND objid = :low AND granted"
                ),
                {"low": LEADER_LOCK_KEY & 0xFFFFFFFF},
            )
            admin.commit()
        assert not first.still_held() and not first.held
        assert second.try_acquire()
        assert not first.try_acquire()
    finally:
        first.release()
        second.release()
        engine.dispose()


@pytest.mark.slow
def test_the_standby_takes_over_when_the_leader_is_killed_and_no_slot_runs_twice(
    tmp_path: Path, database: str
):
    work_log = tmp_path / "work.jsonl"
    schedules = "    - {name: quick, every: 10s}\n"
    processes: list[Serve] = []
    try:
        for name in ("a", "b"):
            port = free_port()
            config = write_config(tmp_path / f"{name}.yaml", database, port, schedules)
            processes.append(Serve(config, work_log, port, tmp_path / f"{name}.log"))
            if name == "a":
                processes[0].wait_for("a leader", lambda: processes[0].health()["status"] == "ok")
        leader, standby = processes
        health = standby.wait_for("a standby", lambda: (h := standby.health())["status"] == "standby" and h)
        assert health["http"] == 200 and health["role"] == "standby"
        assert b"atlas_health_leader 0.0" in standby.get("/metrics")[1]
        leader.wait_for("the leader's run", lambda: [e for e in leader.work() if e["event"] == "run_job"])
        assert standby.work() == []  # a standby builds no Work and runs nothing

        leader.signal(signal.SIGKILL)
        leader.process.wait(10)
        standby.wait_for("the takeover", lambda: standby.health()["status"] == "ok", timeout=30)
        standby.wait_for(
            "the new leader's run", lambda: [e for e in standby.work() if e["event"] == "run_job"]
        )

        runs = [(e["job"], e["scheduled_for"]) for e in read_log(work_log) if e["event"] == "run_job"]
        assert [slot for slot, count in Counter(runs).items() if count > 1] == []
        by_leader = [e["scheduled_for"] for e in leader.work() if e["event"] == "run_job"]
        by_standby = [e["scheduled_for"] for e in standby.work() if e["event"] == "run_job"]
        assert max(by_leader) < min(by_standby)
    finally:
        for process in processes:
            process.stop()
