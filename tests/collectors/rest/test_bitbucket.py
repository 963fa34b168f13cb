"""collect_instance against simulated Bitbucket Server and Data Center (real HTTP on loopback): healthy,
every Bitbucket fault, the generic faults, and a real 204 from a mail-server resource."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from collectors.model import Deployment, ErrorKind, InstanceSnapshot, Product
from collectors.rest import collect_instance
from collectors.target import CollectOptions, Credentials, InstanceTarget
from sandbox import Fault, InstanceSpec, Sandbox
from sandbox.bitbucket_payloads import SEARCH_DOWN_MESSAGE, raw_license
from tests.collectors.targets import FAST, secrets_of, target_for

pytestmark = pytest.mark.server

# Every call after /status; each is filed under this name when it fails.
REST_CALLS = (
    "server_info", "current_user", "health_checks", "license", "cluster", "apps",
    "bitbucket.index", "bitbucket.mail", "bitbucket.mirrors",
)  # fmt: skip


def spec(name: str, deployment: Deployment = Deployment.DATACENTER, **kwargs: Any) -> InstanceSpec:
    values: dict[str, Any] = {"version": "9.4.3", "nodes": 3, **kwargs}
    return InstanceSpec(name, Product.BITBUCKET, deployment, **values)


SPECS = [
    spec("bb-dc"),
    spec("bb-server", Deployment.SERVER, version="8.19.5"),
    spec("bb-seats", faults={Fault.BITBUCKET_SEATS_NEAR_LIMIT}),
    spec("bb-index", faults={Fault.BITBUCKET_INDEX_DOWN}),
    spec("bb-node", faults={Fault.NODE_OFFLINE}),
    spec("bb-expired", faults={Fault.LICENSE_EXPIRED}),
    spec("bb-maintenance", state="MAINTENANCE"),
    spec("bb-starting", state="STARTING"),
    spec("bb-down", faults={Fault.DOWN}),
    spec("bb-401", faults={Fault.UNAUTHORIZED}),
    spec("bb-login", faults={Fault.HTML_LOGIN}),
    spec("bb-500", faults={Fault.SERVER_ERROR}),
    spec("bb-malformed", faults={Fault.MALFORMED_JSON}),
    spec("bb-429", faults={Fault.RATE_LIMITED}, retry_after_s=1, rate_limit_count=1),
    spec("bb-429-long", faults={Fault.RATE_LIMITED}, retry_after_s=60, rate_limit_count=-1),
    spec("bb-tls", faults={Fault.TLS_UNTRUSTED}),
    spec("bb-slow", faults={Fault.SLOW}, slow_ms=1500),
]


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(SPECS) as running:
        yield running


def collect(
    sandbox: Sandbox, name: str, options: CollectOptions = FAST, **changes: object
) -> InstanceSnapshot:
    snap = collect_instance(target_for(sandbox, name, **changes), options)
    dumped = snap.model_dump_json()
    spec = sandbox.spec(name)
    for secret in [*secrets_of(spec), raw_license(spec)]:
        assert secret not in dumped
    assert {r.method for r in sandbox.requests(name)} <= {"GET"}
    return snap


def kinds(snap: InstanceSnapshot) -> dict[str, ErrorKind]:
    return {e.call: e.kind for e in snap.errors}


# --- healthy ----------------------------------------------------------------------------------------


def test_healthy_data_center(sandbox: Sandbox) -> None:
    snap = collect(sandbox, "bb-dc")
    assert snap.errors == []
    assert snap.status is not None and (snap.status.state, snap.status.http_status) == ("RUNNING", 200)
    assert snap.server_info is not None
    assert (snap.server_info.version, snap.server_info.version_numbers) == ("9.4.3", [9, 4, 3])
    assert snap.current_user is not None and snap.current_user.authenticated
    assert snap.current_user.username == "svc-health"  # from the X-AUSERNAME header
    (licence,) = snap.licenses or []
    assert (licence.application, licence.seats_used, licence.seats_allowed) == ("bitbucket", 312, 500)
    assert licence.expiry is not None and licence.maintenance_expiry == licence.expiry
    assert licence.valid is True and licence.sen and licence.sen.startswith("SEN-L")
    assert snap.cluster is not None and snap.cluster.clustered
    assert [(n.node_id.split("-")[0], n.state) for n in snap.cluster.nodes] == [
        ("node1", "ACTIVE"),
        ("node2", "ACTIVE"),
        ("node3", "ACTIVE"),
    ]
    assert snap.health_checks is not None and len(snap.health_checks.statuses) == 6
    assert snap.apps is not None and len(snap.apps) == 3
    facts = snap.bitbucket
    assert (
        facts is not None and facts.index is not None and facts.mail is not None and facts.mirrors is not None
    )
    assert (facts.index.available, facts.index.state) == (True, "IDLE")
    assert (facts.mail.configured, facts.mail.hostname, facts.mail.port) == (True, "smtp.example.com", 587)
    (mirror,) = facts.mirrors
    assert mirror.enabled and mirror.version == "9.4.3" and mirror.last_seen is not None
    assert [c.call for c in snap.calls if c.call != "status"] and all(c.ok for c in snap.calls)


def test_healthy_server(sandbox: Sandbox) -> None:
    snap = collect(sandbox, "bb-server")
    assert snap.errors == []
    # no rolling upgrade resource on Server: admin/cluster lists the one node
    assert snap.cluster is not None and not snap.cluster.clustered and len(snap.cluster.nodes) == 1
    assert [c.call for c in snap.calls if c.call.startswith("cluster")] == ["cluster", "cluster:admin"]
    assert snap.bitbucket is not None
    assert snap.bitbucket.mail is not None and snap.bitbucket.mail.configured is False  # Bitbucket's 404
    assert snap.bitbucket.mirrors is None and snap.error_for("bitbucket.mirrors") is None  # no mirroring


def test_without_credentials_the_user_is_anonymous(sandbox: Sandbox) -> None:
    snap = collect(sandbox, "bb-dc", credentials=Credentials("none"))
    assert snap.current_user is not None and snap.current_user.authenticated is False
    assert snap.server_info is not None  # application-properties answers anyone
    assert kinds(snap)["license"] is ErrorKind.UNAUTHORIZED


# --- Bitbucket faults -------------------------------------------------------------------------------


def test_seats_near_limit(sandbox: Sandbox) -> None:
    (licence,) = collect(sandbox, "bb-seats").licenses or []
    assert (licence.seats_used, licence.seats_allowed) == (475, 500)


def test_index_down_is_data_not_a_failed_call(sandbox: Sandbox) -> None:
    snap = collect(sandbox, "bb-index")
    assert snap.errors == []
    assert snap.bitbucket is not None and snap.bitbucket.index is not None
    index = snap.bitbucket.index
    assert (index.available, index.http_status, index.message) == (False, 503, SEARCH_DOWN_MESSAGE)


def test_node_offline(sandbox: Sandbox) -> None:
    snap = collect(sandbox, "bb-node")
    assert snap.cluster is not None
    assert [n.state for n in snap.cluster.nodes] == ["ACTIVE", "ACTIVE", "OFFLINE"]


def test_licence_expired(sandbox: Sandbox) -> None:
    (licence,) = collect(sandbox, "bb-expired").licenses or []
    assert licence.expiry is not None and licence.valid is False


@pytest.mark.parametrize(
    ("name", "state", "code"), [("bb-maintenance", "MAINTENANCE", 200), ("bb-starting", "STARTING", 503)]
)
def test_states_are_data(sandbox: Sandbox, name: str, state: str, code: int) -> None:
    snap = collect(sandbox, name)
    assert snap.error_for("status") is None
    assert snap.status is not None and (snap.status.state, snap.status.http_status) == (state, code)


# --- generic faults ---------------------------------------------------------------------------------


def test_down(sandbox: Sandbox) -> None:
    snap = collect(sandbox, "bb-down")
    assert kinds(snap) == {"status": ErrorKind.CONNECTION_REFUSED}
    assert [c.call for c in snap.calls] == ["status"] and snap.bitbucket is None


def test_tls_untrusted(sandbox: Sandbox) -> None:
    assert kinds(collect(sandbox, "bb-tls")) == {"status": ErrorKind.TLS}


def test_slow_beyond_the_timeout(sandbox: Sandbox) -> None:
    snap = collect(sandbox, "bb-slow", replace(FAST, timeout_s=0.5))
    assert kinds(snap) == {"status": ErrorKind.TIMEOUT}


@pytest.mark.parametrize(
    ("name", "kind", "words"),
    [
        ("bb-401", ErrorKind.UNAUTHORIZED, "HTTP 401: credentials were rejected"),
        ("bb-login", ErrorKind.HTML_INSTEAD_OF_JSON, "'Log in - Bitbucket'"),
        ("bb-500", ErrorKind.SERVER_ERROR, "HTTP 500: server error"),
        ("bb-malformed", ErrorKind.MALFORMED_JSON, "malformed JSON at character"),
        ("bb-429-long", ErrorKind.RATE_LIMITED, "60 s exceeds the 5 s cap"),
    ],
)
def test_every_rest_call_fails_the_same_way(sandbox: Sandbox, name: str, kind: ErrorKind, words: str) -> None:
    snap = collect(sandbox, name)
    assert snap.status is not None and snap.status.state == "RUNNING"
    assert kinds(snap) == dict.fromkeys(REST_CALLS, kind)
    assert all(words in e.message for e in snap.errors)
    assert snap.bitbucket is not None
    assert (snap.bitbucket.index, snap.bitbucket.mail, snap.bitbucket.mirrors) == (None, None, None)
    assert (snap.licenses, snap.cluster, snap.current_user) == (None, None, None)


def test_rate_limited_then_answered(sandbox: Sandbox) -> None:
    sandbox.update("bb-429", rate_limit_count=1)
    snap = collect(sandbox, "bb-429")
    assert snap.errors == []
    retried = [c for c in snap.calls if c.attempts > 1]
    assert len(retried) == 1 and retried[0].retry_after_waited_s == 1.0


# --- a real 204 from the mail-server resource -------------------------------------------------------


class _NoMailServer(BaseHTTPRequestHandler):
    """Answers the mail-server resource with 204 No Content (older versions' "not configured")."""

    def do_GET(self) -> None:
        code = 204 if self.path.endswith("/admin/mail-server") else 404
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_a_204_mail_answer_means_not_configured() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _NoMailServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        target = InstanceTarget("acme", "bb-204", Product.BITBUCKET, Deployment.DATACENTER, url)
        snap = collect_instance(target, FAST)
    finally:
        server.shutdown()
        server.server_close()
    assert snap.bitbucket is not None and snap.bitbucket.mail is not None
    assert snap.bitbucket.mail.configured is False and snap.error_for("bitbucket.mail") is None
    record = snap.call("bitbucket.mail")
    assert record is not None and record.status_code == 204
    assert snap.error_for("bitbucket.index") is not None  # the other resources really were 404s


def test_expired_licence_dates_come_from_the_answer(sandbox: Sandbox) -> None:
    snap = collect(sandbox, "bb-expired")
    (licence,) = snap.licenses or []
    assert licence.expiry is not None
    assert snap.started_at - timedelta(days=4) < licence.expiry < snap.started_at - timedelta(days=2)
