"""Fisheye/Crucible collection against the sandbox: healthy, FECRU_REPO_STOPPED, the generic faults."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from collectors.model import ErrorKind, InstanceSnapshot, Product
from collectors.rest import collect_instance
from collectors.rest.fecru_parsing import parse_repositories
from sandbox import Fault, InstanceSpec, Sandbox
from tests.collectors.targets import FAST, secrets_of, target_for

pytestmark = pytest.mark.server

GENERIC = [Fault.DOWN, Fault.UNAUTHORIZED, Fault.HTML_LOGIN, Fault.SERVER_ERROR, Fault.RATE_LIMITED]
SPECS = [
    InstanceSpec("fecru", Product.FECRU, version="4.8.15"),
    InstanceSpec("fecru-stopped", Product.FECRU, version="4.8.15", faults={Fault.FECRU_REPO_STOPPED}),
    *(InstanceSpec(f"fecru-{f.value}", Product.FECRU, faults={f}) for f in GENERIC),
]


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(SPECS) as running:
        yield running


def collect(sandbox: Sandbox, name: str) -> InstanceSnapshot:
    return collect_instance(target_for(sandbox, name), FAST)


def test_healthy(sandbox: Sandbox) -> None:
    sandbox.reset_requests("fecru")
    snap = collect(sandbox, "fecru")
    assert snap.errors == []
    # no /status on Fisheye/Crucible: the server info stands in as the probe
    assert snap.status is not None and snap.status.state == "RUNNING" and snap.status.http_status == 200
    assert snap.server_info is not None and snap.server_info.version == "4.8.15"
    assert (
        snap.server_info.version_numbers == [4, 8, 15] and snap.server_info.server_title == "Fisheye/Crucible"
    )
    assert snap.apps and snap.health_checks is not None
    repositories = snap.fecru.repositories if snap.fecru else None
    assert repositories is not None
    assert {r.name: r.state for r in repositories} == {
        "core": "RUNNING",
        "web": "RUNNING",
        "infra": "RUNNING",
        "legacy-svn": "RUNNING",
        "archive-2015": "DISABLED",
    }
    assert all(r.indexing is not None and r.indexing.failed is False for r in repositories if r.enabled)
    assert next(r for r in repositories if not r.enabled).indexing is None  # disabled: not asked
    requests = sandbox.requests("fecru")
    assert {r.method for r in requests} == {"GET"}
    dumped = snap.model_dump_json()
    assert not any(secret in dumped for secret in secrets_of(sandbox.spec("fecru")))


def test_repository_stopped(sandbox: Sandbox) -> None:
    snap = collect(sandbox, "fecru-stopped")
    assert snap.errors == []
    assert snap.fecru is not None and snap.fecru.repositories is not None
    stopped = next(r for r in snap.fecru.repositories if r.name == "legacy-svn")
    assert stopped.state == "STOPPED" and stopped.indexing is not None
    assert (
        stopped.indexing.failed and stopped.indexing.stopped and "E170013" in (stopped.indexing.message or "")
    )


def test_down(sandbox: Sandbox) -> None:
    snap = collect(sandbox, "fecru-down")
    assert [(e.call, e.kind) for e in snap.errors] == [("status", ErrorKind.CONNECTION_REFUSED)]
    assert snap.fecru is None


@pytest.mark.parametrize(
    ("fault", "kind"),
    [
        (Fault.UNAUTHORIZED, ErrorKind.UNAUTHORIZED),
        (Fault.HTML_LOGIN, ErrorKind.HTML_INSTEAD_OF_JSON),
        (Fault.SERVER_ERROR, ErrorKind.SERVER_ERROR),
    ],
)
def test_generic_faults(sandbox: Sandbox, fault: Fault, kind: ErrorKind) -> None:
    snap = collect(sandbox, f"fecru-{fault.value}")
    repositories = snap.error_for("fecru.repositories")
    assert repositories is not None and repositories.kind is kind
    assert snap.fecru is not None and snap.fecru.repositories is None
    if fault is Fault.UNAUTHORIZED:  # the server info is anonymous: the probe still answers
        assert snap.status is not None and snap.status.state == "RUNNING"
    else:  # the probe itself is behind the fault
        status = snap.error_for("status")
        assert status is not None and status.kind is kind and snap.status is None


def test_rate_limited_once_is_retried(sandbox: Sandbox) -> None:
    snap = collect(sandbox, "fecru-rate_limited")
    assert snap.errors == [] and [c.attempts for c in snap.calls if c.attempts > 1] == [2]


@pytest.mark.parametrize(
    "payload",
    [
        {
            "start": 0,
            "lastPage": True,
            "values": [{"name": "core", "type": "git", "enabled": True, "started": False}],
        },
        {"repository": [{"name": "core", "enabled": "true", "repositoryState": "STOPPED"}]},
        {"repositories": {"repoData": [{"name": "core", "enabled": True, "state": "stopped"}]}},
    ],
    ids=["admin-api", "fisheye-service", "nested"],
)
def test_both_listing_shapes_are_accepted(payload: object) -> None:
    [repository] = parse_repositories(payload)
    assert repository.name == "core" and repository.state == "STOPPED" and repository.enabled is True
