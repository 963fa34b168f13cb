"""collect_estate: many instances at once, results in the order of the targets."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import pytest

from collectors.estate import collect_estate
from collectors.model import Deployment, ErrorKind, InstanceSnapshot, Product
from sandbox import Fault, InstanceSpec, Sandbox, fleet_estate
from tests.collectors.targets import FAST, target_for

pytestmark = pytest.mark.server


def test_twenty_instances_with_one_down_come_back_in_order() -> None:
    specs = fleet_estate(19, latency_ms=50)
    specs.insert(7, InstanceSpec("down-jira", Product.JIRA, Deployment.DATACENTER, faults={Fault.DOWN}))
    done: list[str] = []
    threads: set[str] = set()

    def on_done(snapshot: InstanceSnapshot) -> None:
        done.append(snapshot.instance)
        threads.add(threading.current_thread().name)

    with Sandbox(specs) as sandbox:
        targets = [target_for(sandbox, spec.name, customer=f"c{i % 3}") for i, spec in enumerate(specs)]
        started = time.monotonic()
        snapshot = collect_estate(
            targets, replace(FAST, instance_concurrency=8), tool_version="1.2.3", on_done=on_done
        )
        elapsed = time.monotonic() - started

    assert [i.instance for i in snapshot.instances] == [s.name for s in specs]
    assert sorted(done) == sorted(s.name for s in specs)
    assert threads == {threading.current_thread().name}  # on_done runs in the caller's thread
    down = snapshot.instances[7]
    assert [(e.call, e.kind) for e in down.errors] == [("status", ErrorKind.CONNECTION_REFUSED)]
    for inst in snapshot.instances[:7] + snapshot.instances[8:]:
        assert inst.errors == [], inst.instance
        assert inst.status is not None and inst.licenses is not None
    assert snapshot.tool_version == "1.2.3"
    assert snapshot.started_at <= snapshot.instances[0].started_at <= snapshot.finished_at
    assert snapshot.limits_hit == []
    assert snapshot.customers() == ["c0", "c1", "c2"]
    # 19 live instances x (50 ms x 3-4 rounds) serially would take several seconds
    assert elapsed < 5


def test_budget_overruns_are_listed_as_limits_hit() -> None:
    spec = InstanceSpec("slow-jira", Product.JIRA, Deployment.DATACENTER, latency_ms=300)
    with Sandbox([spec]) as sandbox:
        snapshot = collect_estate(
            [target_for(sandbox, "slow-jira")], replace(FAST, instance_budget_s=0.1), tool_version="t"
        )
    assert len(snapshot.limits_hit) == 1
    assert snapshot.limits_hit[0].startswith(
        "acme/slow-jira: instance budget of 0.1 s used up; not collected: "
    )
    assert "server_info" in snapshot.limits_hit[0]


def test_a_failing_callback_does_not_stop_collection(caplog: pytest.LogCaptureFixture) -> None:
    specs = [InstanceSpec(f"jira-{i}", Product.JIRA, Deployment.SERVER) for i in range(3)]

    def explode(snapshot: InstanceSnapshot) -> None:
        raise RuntimeError("progress bar broke")

    with Sandbox(specs) as sandbox:
        targets = [target_for(sandbox, s.name) for s in specs]
        snapshot = collect_estate(targets, FAST, tool_version="t", on_done=explode)
    assert len(snapshot.instances) == 3
    assert "on_done callback failed" in caplog.text


def test_an_empty_estate() -> None:
    snapshot = collect_estate([], FAST, tool_version="t")
    assert snapshot.instances == [] and snapshot.limits_hit == []


def test_a_collector_bug_becomes_an_error_of_that_instance(monkeypatch: pytest.MonkeyPatch) -> None:
    from collectors import estate
    from collectors.target import Credentials, InstanceTarget

    def broken(target: InstanceTarget, options: object) -> InstanceSnapshot:
        raise RuntimeError(f"bug while using {target.credentials.secret}")

    monkeypatch.setattr(estate, "collect_instance", broken)
    target = InstanceTarget(
        "acme",
        "jira",
        Product.JIRA,
        Deployment.SERVER,
        "http://127.0.0.1:9",
        Credentials("token", None, "tok-secret"),
    )
    snapshot = collect_estate([target], FAST, tool_version="t")
    (inst,) = snapshot.instances
    assert [(e.call, e.kind) for e in inst.errors] == [("collector", ErrorKind.UNEXPECTED_SHAPE)]
    assert inst.errors[0].message == "collector error: RuntimeError: bug while using ***"
