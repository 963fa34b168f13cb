"""Bamboo collection against the sandbox: healthy, every Bamboo fault, the generic faults."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from collectors.model import ErrorKind, InstanceSnapshot, Product
from collectors.rest import collect_instance
from sandbox import Fault, InstanceSpec, Sandbox
from tests.collectors.targets import FAST, secrets_of, target_for

pytestmark = pytest.mark.server

BAMBOO_CALLS = ["bamboo.server", "bamboo.agents", "bamboo.queue", "bamboo.deployment_queue"]
GENERIC = [Fault.DOWN, Fault.UNAUTHORIZED, Fault.HTML_LOGIN, Fault.SERVER_ERROR, Fault.RATE_LIMITED]
PRODUCT = [f for f in Fault if f.product is Product.BAMBOO]


def _spec(name: str, *faults: Fault, **changes: object) -> InstanceSpec:
    return InstanceSpec(name, Product.BAMBOO, version="10.2.3", faults=set(faults), **changes)  # type: ignore[arg-type]


SPECS = [
    _spec("bamboo"),
    *(_spec(f"bamboo-{f.value}", f) for f in [*GENERIC, *PRODUCT, Fault.MALFORMED_JSON]),
    _spec("bamboo-limited-long", Fault.RATE_LIMITED, retry_after_s=60, rate_limit_count=-1),
]


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(SPECS) as running:
        yield running


def collect(sandbox: Sandbox, name: str) -> InstanceSnapshot:
    return collect_instance(target_for(sandbox, name), FAST)


def test_healthy(sandbox: Sandbox) -> None:
    snap = collect(sandbox, "bamboo")
    assert snap.errors == []
    assert snap.status is not None and snap.status.state == "RUNNING" and snap.status.http_status == 200
    assert snap.server_info is not None and snap.server_info.version == "10.2.3"
    assert snap.current_user is not None and snap.current_user.username == "svc-health"
    assert snap.health_checks is not None and snap.apps  # ATST and UPM, as for every Server/DC product
    assert {a.key for a in snap.apps} >= {"com.example.timesheets"}
    bamboo = snap.bamboo
    assert bamboo is not None and bamboo.server is not None
    assert bamboo.server.state == "RUNNING" and bamboo.server.reindex_in_progress is False
    assert bamboo.agents is not None and len(bamboo.agents) == 6 and all(a.online for a in bamboo.agents)
    assert sum(bool(a.busy) for a in bamboo.agents) == 2
    assert bamboo.queue is not None and bamboo.queue.size == 2
    assert [b.plan_key for b in bamboo.queue.builds] == ["CORE-BUILD", "CORE-IT"]
    assert all(b.queued_at is not None for b in bamboo.queue.builds)
    assert bamboo.deployment_queue == []
    assert {c.call for c in snap.calls} >= {"status", "server_info", *BAMBOO_CALLS}


def test_only_gets_and_no_secrets(sandbox: Sandbox) -> None:
    sandbox.reset_requests("bamboo")
    snap = collect(sandbox, "bamboo")
    requests = sandbox.requests("bamboo")
    assert {r.method for r in requests} == {"GET"}
    assert not any("reindex" in r.path for r in requests)  # the library's reindex helpers are never used
    dumped = snap.model_dump_json()
    assert not any(secret in dumped for secret in secrets_of(sandbox.spec("bamboo")))


def test_paused(sandbox: Sandbox) -> None:
    snap = collect(sandbox, "bamboo-bamboo_paused")
    assert snap.errors == []
    assert snap.status is not None and snap.status.state == "PAUSED"
    assert snap.bamboo is not None and snap.bamboo.server is not None and snap.bamboo.server.state == "PAUSED"


def test_status_field_named_status_is_accepted(sandbox: Sandbox) -> None:
    snap = collect(sandbox, "bamboo-bamboo_legacy_status")
    assert snap.errors == [] and snap.status is not None
    assert snap.status.state == "RUNNING" and snap.status.raw == {"status": "RUNNING"}


@pytest.mark.parametrize(("name", "online"), [("agents_offline", 2), ("no_agents_online", 0)])
def test_agents_offline(sandbox: Sandbox, name: str, online: int) -> None:
    snap = collect(sandbox, f"bamboo-bamboo_{name}")
    assert snap.bamboo is not None and snap.bamboo.agents is not None
    assert sum(bool(a.online) for a in snap.bamboo.agents) == online


def test_queue_backlog(sandbox: Sandbox) -> None:
    snap = collect(sandbox, "bamboo-bamboo_queue_backlog")
    queue = snap.bamboo.queue if snap.bamboo else None
    assert queue is not None and queue.size == 40 and len(queue.builds) == 25
    oldest = min(b.queued_at for b in queue.builds if b.queued_at)
    assert 44 <= (snap.started_at - oldest).total_seconds() / 60 <= 46


def test_down_collects_nothing_else(sandbox: Sandbox) -> None:
    snap = collect(sandbox, "bamboo-down")
    assert [e.call for e in snap.errors] == ["status"] and snap.errors[0].kind is ErrorKind.CONNECTION_REFUSED
    assert snap.bamboo is None and snap.server_info is None


@pytest.mark.parametrize(
    ("fault", "kind"),
    [
        (Fault.UNAUTHORIZED, ErrorKind.UNAUTHORIZED),
        (Fault.HTML_LOGIN, ErrorKind.HTML_INSTEAD_OF_JSON),
        (Fault.SERVER_ERROR, ErrorKind.SERVER_ERROR),
        (Fault.MALFORMED_JSON, ErrorKind.MALFORMED_JSON),
    ],
)
def test_generic_faults_fill_each_part_with_its_error(
    sandbox: Sandbox, fault: Fault, kind: ErrorKind
) -> None:
    snap = collect(sandbox, f"bamboo-{fault.value}")
    assert snap.status is not None and snap.status.state == "RUNNING"  # the probe is outside the REST faults
    assert snap.bamboo is not None
    assert (snap.bamboo.server, snap.bamboo.agents, snap.bamboo.queue, snap.bamboo.deployment_queue) == (
        None,
    ) * 4
    for call in BAMBOO_CALLS:
        error = snap.error_for(call)
        assert error is not None and error.kind is kind, call
    assert snap.error_for("current_user") is not None


def test_rate_limited_once_is_retried(sandbox: Sandbox) -> None:
    snap = collect(sandbox, "bamboo-rate_limited")
    assert snap.errors == []
    assert [c.attempts for c in snap.calls if c.attempts > 1] == [2]


def test_rate_limited_beyond_the_cap(sandbox: Sandbox) -> None:
    snap = collect(sandbox, "bamboo-limited-long")
    error = snap.error_for("bamboo.agents")
    assert (
        error is not None and error.kind is ErrorKind.RATE_LIMITED and "exceeds the 5 s cap" in error.message
    )
