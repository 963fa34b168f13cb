"""collect_instance against a simulated Crowd under /crowd (real HTTP on loopback), with an administrator's
user name and password (basic): healthy, the Crowd faults and the generic ones."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from collectors.facts.crowd import CrowdDirectory
from collectors.model import Deployment, ErrorKind, InstanceSnapshot, Product
from collectors.rest import collect_instance
from collectors.target import CollectOptions, Credentials
from sandbox import Fault, InstanceSpec, Sandbox
from sandbox.crowd_payloads import LDAP_DIRECTORY, SYNC_FAILURE
from tests.collectors.targets import FAST, secrets_of, target_for

pytestmark = pytest.mark.server

REST_CALLS = ("server_info", "current_user", "health_checks", "apps", "crowd.directories")


def spec(name: str, **kwargs: Any) -> InstanceSpec:
    values: dict[str, Any] = {"version": "7.2.3", "context_path": "/crowd", **kwargs}
    return InstanceSpec(name, Product.CROWD, Deployment.SERVER, **values)


SPECS = [
    spec("crowd"),
    spec("crowd-failed", faults={Fault.CROWD_SYNC_FAILED}),
    spec("crowd-stale", faults={Fault.CROWD_SYNC_STALE}),
    spec("crowd-down", faults={Fault.DOWN}),
    spec("crowd-401", faults={Fault.UNAUTHORIZED}),
    spec("crowd-login", faults={Fault.HTML_LOGIN}),
    spec("crowd-500", faults={Fault.SERVER_ERROR}),
    spec("crowd-malformed", faults={Fault.MALFORMED_JSON}),
    spec("crowd-429", faults={Fault.RATE_LIMITED}, retry_after_s=60, rate_limit_count=-1),
]


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(SPECS) as running:
        yield running


def password(sandbox: Sandbox, name: str) -> Credentials:
    s = sandbox.spec(name)
    return Credentials("basic", s.username, s.accepted_password())


def collect(sandbox: Sandbox, name: str, options: CollectOptions = FAST, **changes: Any) -> InstanceSnapshot:
    changes.setdefault("credentials", password(sandbox, name))
    snap = collect_instance(target_for(sandbox, name, **changes), options)
    dumped = snap.model_dump_json()
    assert not any(secret in dumped for secret in secrets_of(sandbox.spec(name)))
    assert {r.method for r in sandbox.requests(name)} <= {"GET"}
    return snap


def ldap(snap: InstanceSnapshot) -> CrowdDirectory:
    assert snap.crowd is not None and snap.crowd.directories is not None
    return next(d for d in snap.crowd.directories if d.name == LDAP_DIRECTORY)


def kinds(snap: InstanceSnapshot) -> dict[str, ErrorKind]:
    return {e.call: e.kind for e in snap.errors}


def test_healthy(sandbox: Sandbox) -> None:
    sandbox.reset_requests("crowd")
    snap = collect(sandbox, "crowd")
    assert snap.errors == []
    assert snap.url.endswith("/crowd")
    paths = [r.path for r in sandbox.requests("crowd")]
    assert paths[0] == "/crowd/status" and all(p.startswith("/crowd/rest/") for p in paths[1:])
    assert {r.auth_scheme for r in sandbox.requests("crowd")[1:]} == {"Basic"}
    assert snap.status is not None and snap.status.state == "RUNNING"
    assert snap.server_info is not None
    assert (snap.server_info.version, snap.server_info.version_numbers) == ("7.2.3", [7, 2, 3])
    assert snap.server_info.server_title == "Crowd" and snap.server_info.base_url == sandbox.url("crowd")
    assert snap.current_user is not None
    assert (snap.current_user.authenticated, snap.current_user.username) == (True, "svc-health")
    assert snap.crowd is not None and snap.crowd.directories is not None
    internal, directory = snap.crowd.directories
    assert (internal.name, internal.type, internal.synchronizable, internal.last_sync) == (
        "Crowd internal",
        "INTERNAL",
        False,
        None,
    )
    assert (directory.type, directory.description, directory.active) == (
        "CONNECTOR",
        "Microsoft Active Directory",
        True,
    )
    sync = directory.last_sync
    assert sync is not None and (sync.state, sync.mode, sync.duration_ms) == (
        "SUCCESS",
        "INCREMENTAL",
        42_000,
    )
    assert sync.started_at is not None and snap.started_at - sync.started_at < timedelta(minutes=21)
    assert sync.failure_message is None
    assert snap.health_checks is not None and snap.apps is not None
    assert (snap.licenses, snap.cluster) == (None, None)  # not collected for Crowd, and not an error


def test_sync_failed_carries_the_message(sandbox: Sandbox) -> None:
    sync = ldap(collect(sandbox, "crowd-failed")).last_sync
    assert sync is not None and (sync.state, sync.failure_message) == ("FAILURE", SYNC_FAILURE)


def test_sync_stale(sandbox: Sandbox) -> None:
    snap = collect(sandbox, "crowd-stale")
    sync = ldap(snap).last_sync
    assert sync is not None and sync.started_at is not None and sync.state == "SUCCESS"
    assert snap.started_at - sync.started_at > timedelta(days=3, minutes=19)


def test_a_token_is_refused(sandbox: Sandbox) -> None:
    token = Credentials("token", None, sandbox.spec("crowd").accepted_token())
    snap = collect(sandbox, "crowd", credentials=token)
    assert kinds(snap) == dict.fromkeys(REST_CALLS, ErrorKind.UNAUTHORIZED)
    assert snap.crowd is not None and snap.crowd.directories is None


def test_without_credentials(sandbox: Sandbox) -> None:
    snap = collect(sandbox, "crowd", credentials=Credentials("none"))
    error = snap.error_for("current_user")
    assert (
        error is not None and error.message == "HTTP 401: authentication required, no credentials configured"
    )


def test_down(sandbox: Sandbox) -> None:
    snap = collect(sandbox, "crowd-down")
    assert kinds(snap) == {"status": ErrorKind.CONNECTION_REFUSED}
    assert snap.crowd is None


@pytest.mark.parametrize(
    ("name", "kind", "words"),
    [
        ("crowd-401", ErrorKind.UNAUTHORIZED, "HTTP 401: credentials were rejected"),
        ("crowd-login", ErrorKind.HTML_INSTEAD_OF_JSON, "'Log in - Crowd'"),
        ("crowd-500", ErrorKind.SERVER_ERROR, "HTTP 500: server error"),
        ("crowd-malformed", ErrorKind.MALFORMED_JSON, "malformed JSON at character"),
        ("crowd-429", ErrorKind.RATE_LIMITED, "60 s exceeds the 5 s cap"),
    ],
)
def test_every_rest_call_fails_the_same_way(sandbox: Sandbox, name: str, kind: ErrorKind, words: str) -> None:
    snap = collect(sandbox, name)
    assert snap.status is not None and snap.status.state == "RUNNING"
    assert kinds(snap) == dict.fromkeys(REST_CALLS, kind)
    assert all(words in e.message for e in snap.errors)
    assert snap.crowd is not None and snap.crowd.directories is None
