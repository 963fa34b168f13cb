"""Cloud sites against the sandbox: rate-limit headers, licensed products, Bitbucket Cloud."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from collectors.model import Deployment, ErrorKind, InstanceSnapshot, Product
from collectors.rest import collect_instance
from collectors.rest.cloud import read_headers
from sandbox import Fault, InstanceSpec, Sandbox
from tests.collectors.targets import FAST, secrets_of, target_for

pytestmark = pytest.mark.server

USER = "svc-health@example.com"
GENERIC = [Fault.DOWN, Fault.UNAUTHORIZED, Fault.HTML_LOGIN, Fault.SERVER_ERROR, Fault.RATE_LIMITED]


def _bb(name: str, *faults: Fault, **changes: object) -> InstanceSpec:
    return InstanceSpec(
        name, Product.BITBUCKET, Deployment.CLOUD, username=USER, faults=set(faults), **changes
    )  # type: ignore[arg-type]


SPECS = [
    InstanceSpec("jira-cloud", Product.JIRA, Deployment.CLOUD, username=USER),
    InstanceSpec(
        "jira-cloud-limited", Product.JIRA, Deployment.CLOUD, username=USER, faults={Fault.CLOUD_RATE_LIMITED}
    ),
    InstanceSpec("wiki-cloud", Product.CONFLUENCE, Deployment.CLOUD, username=USER),
    InstanceSpec("jira-dc", Product.JIRA, Deployment.DATACENTER),
    _bb("bb-cloud"),
    _bb("bb-cloud-limited", Fault.CLOUD_RATE_LIMITED),
    _bb("bb-cloud-limited-long", Fault.CLOUD_RATE_LIMITED, retry_after_s=60, rate_limit_count=-1),
    *(_bb(f"bb-cloud-{f.value}", f) for f in GENERIC),
]


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(SPECS) as running:
        yield running


def collect(sandbox: Sandbox, name: str) -> InstanceSnapshot:
    return collect_instance(target_for(sandbox, name), FAST)


def test_jira_cloud_headers_and_products(sandbox: Sandbox) -> None:
    snap = collect(sandbox, "jira-cloud")
    assert snap.errors == [] and snap.cloud is not None and snap.cloud.rate_limits
    seen = snap.cloud.rate_limits
    assert {s.call for s in seen} >= {"server_info", "current_user", "license"}
    assert all(s.limit == 350 and s.remaining is not None and 0 < s.remaining < 350 for s in seen)
    assert all(s.reset_at is not None and s.near_limit is False for s in seen)
    products = {p.key: p for p in snap.cloud.products or []}
    assert products["jira-software"].plan == "PAID" and products["jira-software"].user_count == 312
    assert products["jira-servicedesk"].user_count == 23


def test_confluence_cloud_edition(sandbox: Sandbox) -> None:
    snap = collect(sandbox, "wiki-cloud")
    assert snap.errors == [] and snap.cloud is not None
    assert [(p.key, p.plan) for p in snap.cloud.products or []] == [("confluence", "STANDARD")]


def test_data_center_has_no_cloud_part(sandbox: Sandbox) -> None:
    snap = collect(sandbox, "jira-dc")
    assert snap.cloud is None and snap.errors == []


def test_jira_cloud_rate_limited_429_headers_are_kept(sandbox: Sandbox) -> None:
    snap = collect(sandbox, "jira-cloud-limited")
    assert snap.errors == [] and snap.cloud is not None and snap.cloud.rate_limits
    [throttled] = [s for s in snap.cloud.rate_limits if s.status_code == 429]
    assert throttled.remaining == 0 and throttled.near_limit is True and throttled.retry_after_s == 1.0
    assert throttled.reason == "jira-burst-based" and throttled.call is not None


def test_bitbucket_cloud_healthy(sandbox: Sandbox) -> None:
    sandbox.reset_requests("bb-cloud")
    snap = collect(sandbox, "bb-cloud")
    assert snap.errors == []
    assert snap.status is not None and snap.status.state == "RUNNING"
    assert (
        snap.current_user is not None
        and snap.current_user.account_id
        and snap.current_user.username == "svc-health"
    )
    assert snap.cloud is not None
    assert [(w.slug, w.members) for w in snap.cloud.workspaces or []] == [("acme", 42), ("acme-oss", 7)]
    assert snap.cloud.products is None  # Bitbucket Cloud has no licence API
    assert snap.cloud.rate_limits and all(
        s.limit == 1000 and s.reason == "api" for s in snap.cloud.rate_limits
    )
    requests = sandbox.requests("bb-cloud")
    assert {r.method for r in requests} == {"GET"} and {r.auth_scheme for r in requests} == {"Basic"}
    assert [r.path for r in requests].count("/2.0/user") == 1  # one call serves status and current user
    dumped = snap.model_dump_json()
    assert not any(secret in dumped for secret in secrets_of(sandbox.spec("bb-cloud")))


def test_bitbucket_cloud_rate_limited_once(sandbox: Sandbox) -> None:
    snap = collect(sandbox, "bb-cloud-limited")
    assert snap.errors == [] and snap.cloud is not None
    assert next(s.status_code for s in snap.cloud.rate_limits or []) == 429


def test_bitbucket_cloud_rate_limited_beyond_the_cap(sandbox: Sandbox) -> None:
    snap = collect(sandbox, "bb-cloud-limited-long")
    assert snap.status is not None and snap.status.state == "RUNNING"  # the API answered: it is up
    error = snap.error_for("current_user")
    assert error is not None and error.kind is ErrorKind.RATE_LIMITED
    assert snap.cloud is not None and snap.cloud.rate_limits  # the 429 answers' headers were kept
    assert all(s.status_code == 429 for s in snap.cloud.rate_limits)


@pytest.mark.parametrize(
    ("fault", "status_kind", "user_kind"),
    [
        (Fault.DOWN, ErrorKind.CONNECTION_REFUSED, None),
        (Fault.UNAUTHORIZED, None, ErrorKind.UNAUTHORIZED),
        (Fault.HTML_LOGIN, ErrorKind.HTML_INSTEAD_OF_JSON, ErrorKind.HTML_INSTEAD_OF_JSON),
        (Fault.SERVER_ERROR, ErrorKind.SERVER_ERROR, ErrorKind.SERVER_ERROR),
    ],
)
def test_bitbucket_cloud_generic_faults(
    sandbox: Sandbox, fault: Fault, status_kind: ErrorKind | None, user_kind: ErrorKind | None
) -> None:
    snap = collect(sandbox, f"bb-cloud-{fault.value}")
    status = snap.error_for("status")
    assert (status.kind if status else None) is status_kind
    user = snap.error_for("current_user")
    assert (user.kind if user else None) is user_kind
    if status_kind is None:
        assert snap.status is not None and snap.status.state == "RUNNING"


def test_bitbucket_cloud_rate_limited_generic(sandbox: Sandbox) -> None:
    snap = collect(sandbox, "bb-cloud-rate_limited")
    assert snap.errors == [] and [c.attempts for c in snap.calls if c.attempts > 1] == [2]


def test_read_headers_understands_each_reset_form() -> None:
    at = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
    iso = read_headers({"X-RateLimit-Reset": "2026-11-26T10:01Z"}, url="u", status_code=200, at=at)
    epoch = read_headers({"X-RateLimit-Reset": "1795701660"}, url="u", status_code=200, at=at)
    delta = read_headers({"X-RateLimit-Reset": "30", "Retry-After": "5"}, url="u", status_code=429, at=at)
    assert iso is not None and iso.reset_at == datetime(2026, 11, 26, 10, 1, tzinfo=UTC)
    assert epoch is not None and epoch.reset_at == datetime.fromtimestamp(1795701660, tz=UTC)
    assert delta is not None and delta.reset_at == datetime(2026, 11, 26, 10, 0, 30, tzinfo=UTC)
    assert delta.retry_after_s == 5.0
    assert read_headers({"Content-Type": "application/json"}, url="u", status_code=200, at=at) is None
