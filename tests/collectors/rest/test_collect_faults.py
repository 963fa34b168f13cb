"""Every sandbox fault ends up in the snapshot as the right ErrorKind, or as the right data."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from collectors.model import Deployment, ErrorKind, InstanceSnapshot, Product
from collectors.rest import collect_instance
from collectors.target import CollectOptions
from sandbox import Fault, InstanceSpec, Sandbox
from sandbox.jira_payloads import raw_license
from tests.collectors.targets import FAST, secrets_of, target_for

pytestmark = pytest.mark.server

REST_FIELDS = ("server_info", "current_user", "health_checks", "license", "cluster", "index", "apps")


# Product faults (Fault.product set) are tested with their product's collector tests.
GENERIC_FAULTS = [fault for fault in Fault if fault.product is None]


def _name(fault: Fault) -> str:
    return f"jira-{fault.value.replace('_', '-')}"


SPECS = [
    InstanceSpec(_name(fault), Product.JIRA, Deployment.DATACENTER, faults={fault}, slow_ms=2000)
    for fault in GENERIC_FAULTS
] + [
    InstanceSpec("wiki-expired", Product.CONFLUENCE, faults={Fault.LICENSE_EXPIRED, Fault.NODE_OFFLINE}),
    InstanceSpec("jira-maintenance", Product.JIRA, state="MAINTENANCE"),
    InstanceSpec("jira-error", Product.JIRA, state="ERROR"),
    InstanceSpec(
        "jira-throttled", Product.JIRA, faults={Fault.RATE_LIMITED}, retry_after_s=1, rate_limit_count=1
    ),
    InstanceSpec(
        "jira-throttled-long",
        Product.JIRA,
        faults={Fault.RATE_LIMITED},
        retry_after_s=60,
        rate_limit_count=-1,
    ),
    InstanceSpec(
        "jira-throttled-zero", Product.JIRA, faults={Fault.RATE_LIMITED}, retry_after_s=0, rate_limit_count=-1
    ),
    InstanceSpec("jira-latent", Product.JIRA, latency_ms=400),
]


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(SPECS) as running:
        yield running


def collect(
    sandbox: Sandbox, name: str, options: CollectOptions = FAST, **changes: object
) -> InstanceSnapshot:
    return collect_instance(target_for(sandbox, name, **changes), options)


def error_kinds(snap: InstanceSnapshot) -> dict[str, ErrorKind]:
    return {e.call: e.kind for e in snap.errors}


# --- faults that stop collection at /status ---------------------------------------------------------


def assert_stopped_at_status(snap: InstanceSnapshot, kind: ErrorKind) -> str:
    assert error_kinds(snap) == {"status": kind}
    assert [c.call for c in snap.calls] == ["status"]
    assert all(
        getattr(snap, f) is None for f in ("status", "server_info", "current_user", "licenses", "apps")
    )
    error = snap.errors[0]
    assert error.url is not None and error.url.endswith("/status") and "\n" not in error.message
    return error.message


def check_down(sandbox: Sandbox, snap: InstanceSnapshot) -> None:
    message = assert_stopped_at_status(snap, ErrorKind.CONNECTION_REFUSED)
    port = sandbox.url(_name(Fault.DOWN)).rsplit(":", 1)[1]
    assert message == f"connection refused by 127.0.0.1:{port}"


def check_slow(sandbox: Sandbox, snap: InstanceSnapshot) -> None:
    # FAST allows 5 s and SLOW waits only 2 s: everything arrives, slowly. The timeout case is below.
    assert snap.errors == []
    assert min(c.elapsed_ms for c in snap.calls) >= 1900


def check_tls(sandbox: Sandbox, snap: InstanceSnapshot) -> None:
    message = assert_stopped_at_status(snap, ErrorKind.TLS)
    assert "certificate verify failed" in message


# --- faults on the REST layer -----------------------------------------------------------------------


def assert_every_rest_call(snap: InstanceSnapshot, kind: ErrorKind) -> list[str]:
    assert snap.status is not None and snap.status.state == "RUNNING"
    assert error_kinds(snap) == dict.fromkeys(REST_FIELDS, kind)
    assert all(getattr(snap, f) is None for f in ("server_info", "current_user", "health_checks", "licenses"))
    assert all(getattr(snap, f) is None for f in ("cluster", "index", "apps"))
    return [e.message for e in snap.errors if e.call != "status"]


def check_unauthorized(sandbox: Sandbox, snap: InstanceSnapshot) -> None:
    messages = assert_every_rest_call(snap, ErrorKind.UNAUTHORIZED)
    assert set(messages) == {"HTTP 401: credentials were rejected"}
    assert all(e.status_code == 401 for e in snap.errors)


def check_server_error(sandbox: Sandbox, snap: InstanceSnapshot) -> None:
    messages = assert_every_rest_call(snap, ErrorKind.SERVER_ERROR)
    assert set(messages) == {"HTTP 500: server error: HTTP Status 500 - Internal Server Error"}


def check_html_login(sandbox: Sandbox, snap: InstanceSnapshot) -> None:
    for message in assert_every_rest_call(snap, ErrorKind.HTML_INSTEAD_OF_JSON):
        assert "'Log in - Jira'" in message and "looks like a login page" in message


def check_malformed_json(sandbox: Sandbox, snap: InstanceSnapshot) -> None:
    for message in assert_every_rest_call(snap, ErrorKind.MALFORMED_JSON):
        assert message.startswith("malformed JSON at character ")


def check_rate_limited(sandbox: Sandbox, snap: InstanceSnapshot) -> None:
    # Default spec: the first REST call gets a 429 with Retry-After: 1, then answers resume.
    assert snap.errors == []
    retried = [c for c in snap.calls if c.attempts > 1]
    assert len(retried) == 1 and retried[0].attempts == 2 and retried[0].retry_after_waited_s == 1.0


# --- faults that are data ---------------------------------------------------------------------------


def check_license_expired(sandbox: Sandbox, snap: InstanceSnapshot) -> None:
    assert snap.errors == [] and snap.licenses
    for lic in snap.licenses:
        assert lic.expiry is not None and lic.expiry < snap.started_at - timedelta(days=2)
        assert lic.valid is False


def check_license_expiring(sandbox: Sandbox, snap: InstanceSnapshot) -> None:
    assert snap.errors == [] and snap.licenses
    for lic in snap.licenses:
        assert lic.expiry is not None
        assert snap.started_at + timedelta(days=4) < lic.expiry < snap.started_at + timedelta(days=6)
        assert lic.valid is True


def check_seats_full(sandbox: Sandbox, snap: InstanceSnapshot) -> None:
    assert snap.licenses is not None
    software = next(lic for lic in snap.licenses if lic.application == "jira-software")
    assert software.seats_used == software.seats_allowed == 500


def check_atst_failing(sandbox: Sandbox, snap: InstanceSnapshot) -> None:
    assert snap.health_checks is not None and snap.health_checks.source == "troubleshooting"
    failing = {s.name: s for s in snap.health_checks.statuses if not s.healthy}
    assert {s.severity for s in failing.values()} == {"critical", "major", "warning"}
    replication = failing["Cluster Index Replication"]
    assert replication.failure_reason is not None and "behind by 763 seconds" in replication.failure_reason
    assert all(s.documentation for s in failing.values())


def check_atst_legacy_only(sandbox: Sandbox, snap: InstanceSnapshot) -> None:
    assert snap.errors == []
    assert snap.health_checks is not None and snap.health_checks.source == "supportHealthCheck"
    assert len(snap.health_checks.statuses) == 6
    first = snap.call("health_checks")
    assert first is not None and first.status_code == 404
    assert snap.call("health_checks:supportHealthCheck") is not None


def check_index_lagging(sandbox: Sandbox, snap: InstanceSnapshot) -> None:
    index = snap.index
    assert index is not None and index.count_in_index is not None and index.count_in_database is not None
    assert index.count_in_index <= 0.8 * index.count_in_database
    assert index.last_updated_in_index is not None and index.last_updated_in_database is not None
    assert index.last_updated_in_database - index.last_updated_in_index >= timedelta(minutes=24)
    backed_up = [q for q in index.replication_queues if q.queue_size == 4200]
    assert len(backed_up) == 1
    queue = backed_up[0]
    assert queue.last_queued_time is not None and queue.last_consumed_time is not None
    assert queue.last_queued_time - queue.last_consumed_time >= timedelta(minutes=19)


def check_node_offline(sandbox: Sandbox, snap: InstanceSnapshot) -> None:
    assert snap.cluster is not None and snap.cluster.clustered
    last = snap.cluster.nodes[-1]
    assert (last.state, last.alive) == ("OFFLINE", False)
    assert snap.cluster.nodes[0].state == "ACTIVE"


def check_app_failed(sandbox: Sandbox, snap: InstanceSnapshot) -> None:
    assert snap.apps is not None
    disabled = [a for a in snap.apps if not a.enabled]
    assert len(disabled) == 2
    assert sum(a.unloadable for a in disabled) == 1


CHECKS: dict[Fault, Callable[[Sandbox, InstanceSnapshot], None]] = {
    Fault.DOWN: check_down,
    Fault.SLOW: check_slow,
    Fault.UNAUTHORIZED: check_unauthorized,
    Fault.RATE_LIMITED: check_rate_limited,
    Fault.CLOUD_RATE_LIMITED: check_rate_limited,  # the same 429, with Atlassian Cloud's headers
    Fault.SERVER_ERROR: check_server_error,
    Fault.HTML_LOGIN: check_html_login,
    Fault.MALFORMED_JSON: check_malformed_json,
    Fault.TLS_UNTRUSTED: check_tls,
    Fault.LICENSE_EXPIRED: check_license_expired,
    Fault.LICENSE_EXPIRING: check_license_expiring,
    Fault.SEATS_FULL: check_seats_full,
    Fault.ATST_FAILING: check_atst_failing,
    Fault.ATST_LEGACY_ONLY: check_atst_legacy_only,
    Fault.INDEX_LAGGING: check_index_lagging,
    Fault.NODE_OFFLINE: check_node_offline,
    Fault.APP_FAILED: check_app_failed,
}


def test_every_fault_has_an_expectation() -> None:
    assert set(CHECKS) == set(GENERIC_FAULTS)


@pytest.mark.parametrize("fault", GENERIC_FAULTS, ids=lambda f: f.value)
def test_fault(sandbox: Sandbox, fault: Fault) -> None:
    name = _name(fault)
    snap = collect(sandbox, name)
    CHECKS[fault](sandbox, snap)
    spec = sandbox.spec(name)
    dumped = snap.model_dump_json()
    for secret in [*secrets_of(spec), raw_license(spec), "rawLicense"]:
        assert secret not in dumped
    assert {r.method for r in sandbox.requests(name)} <= {"GET"}


# --- more than one fault, states, timeouts, budgets, 429 --------------------------------------------


def test_confluence_expired_licence_and_offline_node(sandbox: Sandbox) -> None:
    snap = collect(sandbox, "wiki-expired")
    assert snap.errors == []
    assert snap.licenses is not None and snap.licenses[0].expiry is not None
    assert snap.licenses[0].expiry < snap.started_at and snap.licenses[0].valid is False
    assert snap.cluster is not None and snap.cluster.nodes[-1].state == "OFFLINE"


@pytest.mark.parametrize(
    ("name", "state", "code"), [("jira-maintenance", "MAINTENANCE", 503), ("jira-error", "ERROR", 500)]
)
def test_a_non_running_state_is_data(sandbox: Sandbox, name: str, state: str, code: int) -> None:
    snap = collect(sandbox, name)
    assert snap.error_for("status") is None
    assert snap.status is not None and (snap.status.state, snap.status.http_status) == (state, code)
    status_call = snap.call("status")
    assert status_call is not None and status_call.ok and status_call.status_code == code


def test_a_sub_second_timeout_is_honoured(sandbox: Sandbox) -> None:
    started = time.monotonic()
    snap = collect(sandbox, _name(Fault.SLOW), replace(FAST, timeout_s=0.3))
    elapsed = time.monotonic() - started
    assert error_kinds(snap) == {"status": ErrorKind.TIMEOUT}
    assert snap.errors[0].message.endswith("within 0.3 s")
    assert elapsed < 1.5  # the library would have int()-cast 0.3 to 0 (no timeout at all)


def test_tls_with_the_sandbox_certificate_trusted(sandbox: Sandbox, tmp_path: Path) -> None:
    bundle = tmp_path / "sandbox-ca.pem"
    bundle.write_bytes(sandbox.tls_certificate_pem())
    snap = collect(sandbox, _name(Fault.TLS_UNTRUSTED), verify_tls=str(bundle))
    assert snap.errors == []
    assert snap.url.startswith("https://")


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_tls_verification_can_be_switched_off(sandbox: Sandbox) -> None:
    snap = collect(sandbox, _name(Fault.TLS_UNTRUSTED), verify_tls=False)
    assert snap.errors == []


def test_429_is_retried_after_retry_after(sandbox: Sandbox) -> None:
    sandbox.update("jira-throttled", rate_limit_count=1)  # restarts the count
    snap = collect(sandbox, "jira-throttled")
    assert snap.errors == []
    retried = [c for c in snap.calls if c.attempts > 1]
    assert len(retried) == 1
    assert (retried[0].attempts, retried[0].retry_after_waited_s, retried[0].ok) == (2, 1.0, True)
    assert retried[0].elapsed_ms >= 1000


def test_429_beyond_the_cap_is_rate_limited_without_waiting(sandbox: Sandbox) -> None:
    started = time.monotonic()
    snap = collect(sandbox, "jira-throttled-long")
    assert time.monotonic() - started < 3
    assert error_kinds(snap) == dict.fromkeys(REST_FIELDS, ErrorKind.RATE_LIMITED)
    error = snap.error_for("server_info")
    assert error is not None and error.status_code == 429
    assert error.message == "HTTP 429: rate limited (Retry-After: 60); 60 s exceeds the 5 s cap"
    assert all(c.attempts == 1 and c.retry_after_waited_s == 0 for c in snap.calls)


def test_429_retries_stop_at_max_retries(sandbox: Sandbox) -> None:
    snap = collect(sandbox, "jira-throttled-zero")
    assert error_kinds(snap) == dict.fromkeys(REST_FIELDS, ErrorKind.RATE_LIMITED)
    error = snap.error_for("apps")
    assert error is not None and error.message.endswith("still limited after 2 retries")
    assert all(c.attempts == 3 for c in snap.calls if c.call != "status")


def test_429_never_waits_beyond_the_instance_budget(sandbox: Sandbox) -> None:
    sandbox.update("jira-throttled", rate_limit_count=-1, retry_after_s=2)
    try:
        started = time.monotonic()
        snap = collect(sandbox, "jira-throttled", replace(FAST, instance_budget_s=1.0))
        assert time.monotonic() - started < 1.5
        error = snap.error_for("server_info")
        assert error is not None and error.kind is ErrorKind.RATE_LIMITED
        assert error.message.endswith("waiting 2 s would exceed the instance budget")
    finally:
        sandbox.update("jira-throttled", rate_limit_count=1, retry_after_s=1)


def test_calls_not_started_within_the_budget_are_recorded(sandbox: Sandbox) -> None:
    # /status takes 0.4 s, the budget is 0.2 s: /status is cut at the budget, nothing after it starts.
    snap = collect(sandbox, "jira-latent", replace(FAST, instance_budget_s=0.2))
    assert snap.status is None
    assert error_kinds(snap) == dict.fromkeys(("status", *REST_FIELDS), ErrorKind.BUDGET_EXCEEDED)
    assert [c.call for c in snap.calls] == ["status"]
    assert snap.errors[0].message.endswith("within the instance budget of 0.2 s")
    assert snap.errors[1].message == "not started: the instance budget of 0.2 s was used up"


def test_calls_within_an_instance_run_concurrently_but_bounded(sandbox: Sandbox) -> None:
    # 7 steps after /status, 0.4 s each, the first holding 2 sequential licence calls: 4 at a time.
    started = time.monotonic()
    snap = collect(sandbox, "jira-latent", replace(FAST, calls_per_instance=4))
    elapsed = time.monotonic() - started
    assert snap.errors == []
    assert 1.1 < elapsed < 2.5  # serially it would be 10 x 0.4 s = 4 s
