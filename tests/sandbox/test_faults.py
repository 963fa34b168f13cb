"""Each fault's effect, and the contract's order of precedence between them."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from collectors.model import Deployment, Product
from sandbox import Fault, InstanceSpec, Sandbox
from tests.sandbox.client import TIMEOUT_S, call, close_to, from_atlassian_iso, from_epoch_ms, get

pytestmark = pytest.mark.server

Factory = Callable[..., Sandbox]
UNAUTHENTICATED = {
    "errorMessages": ["You are not authenticated. Authentication required to perform this operation."]
}


def jira(*faults: Fault, **fields: object) -> InstanceSpec:
    return InstanceSpec("jira", Product.JIRA, Deployment.DATACENTER, faults=set(faults), **fields)


def confluence(*faults: Fault, **fields: object) -> InstanceSpec:
    return InstanceSpec("wiki", Product.CONFLUENCE, Deployment.DATACENTER, faults=set(faults), **fields)


def test_down_refuses_connections(sandbox_of: Factory) -> None:
    sandbox = sandbox_of(jira(Fault.DOWN))
    with pytest.raises(requests.ConnectionError):
        get(sandbox, "jira", "/status")
    port = urlsplit(sandbox.url("jira")).port
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT_S)


def test_tls_untrusted_fails_verification(sandbox_of: Factory, tmp_path: Path) -> None:
    sandbox = sandbox_of(jira(Fault.TLS_UNTRUSTED))
    assert sandbox.url("jira").startswith("https://127.0.0.1:")
    with pytest.raises(requests.exceptions.SSLError):
        get(sandbox, "jira", "/rest/api/2/myself")
    bundle = tmp_path / "sandbox.pem"
    bundle.write_bytes(sandbox.tls_certificate_pem())
    trusted = get(sandbox, "jira", "/rest/api/2/myself", verify=str(bundle))
    assert trusted.status_code == 200
    assert trusted.json()["name"] == "svc-health"


def test_latency_delays_status_too(sandbox_of: Factory) -> None:
    sandbox = sandbox_of(jira(latency_ms=150))
    started = time.monotonic()
    assert get(sandbox, "jira", "/status").status_code == 200
    assert time.monotonic() - started >= 0.15  # a lower bound only: sleeps never end early


def test_slow_adds_slow_ms(sandbox_of: Factory) -> None:
    sandbox = sandbox_of(jira(Fault.SLOW, slow_ms=200))
    started = time.monotonic()
    assert get(sandbox, "jira", "/rest/api/2/myself").status_code == 200
    assert time.monotonic() - started >= 0.2


def test_rate_limited_then_answers(sandbox_of: Factory) -> None:
    sandbox = sandbox_of(jira(Fault.RATE_LIMITED, rate_limit_count=2, retry_after_s=7))
    for _ in range(2):
        limited = get(sandbox, "jira", "/rest/api/2/myself")
        assert limited.status_code == 429
        assert limited.headers["Retry-After"] == "7"
        assert limited.headers["X-RateLimit-Remaining"] == "0"
        assert int(limited.headers["X-RateLimit-Limit"]) > 0
        assert limited.json() == {"message": "Rate limit exceeded"}
        # /status is not a REST call: never limited, never counted
        assert get(sandbox, "jira", "/status").status_code == 200
    answered = get(sandbox, "jira", "/rest/api/2/myself")
    assert answered.status_code == 200
    assert answered.json()["name"] == "svc-health"


def test_rate_limit_minus_one_limits_every_call(sandbox_of: Factory) -> None:
    sandbox = sandbox_of(jira(Fault.RATE_LIMITED, rate_limit_count=-1))
    codes = [get(sandbox, "jira", "/rest/api/2/serverInfo").status_code for _ in range(5)]
    assert codes == [429] * 5


def test_rate_limit_counts_per_instance(sandbox_of: Factory) -> None:
    sandbox = sandbox_of(jira(Fault.RATE_LIMITED), confluence(Fault.RATE_LIMITED))
    assert get(sandbox, "jira", "/rest/api/2/myself").status_code == 429
    assert get(sandbox, "wiki", "/rest/api/user/current").status_code == 429
    assert get(sandbox, "jira", "/rest/api/2/myself").status_code == 200
    assert get(sandbox, "wiki", "/rest/api/user/current").status_code == 200


@pytest.mark.parametrize(("spec", "title"), [(jira(Fault.HTML_LOGIN), "Jira"),
                                             (confluence(Fault.HTML_LOGIN), "Confluence")])  # fmt: skip
def test_html_login_page_instead_of_json(sandbox_of: Factory, spec: InstanceSpec, title: str) -> None:
    sandbox = sandbox_of(spec)
    response = get(sandbox, spec.name, "/rest/troubleshooting/1.0/check")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert f"<title>Log in - {title}</title>" in response.text
    assert "<form" in response.text
    assert get(sandbox, spec.name, "/status").json() == {"state": "RUNNING"}


def test_server_error_is_a_tomcat_page(sandbox_of: Factory) -> None:
    sandbox = sandbox_of(jira(Fault.SERVER_ERROR))
    response = get(sandbox, "jira", "/rest/api/2/serverInfo")
    assert response.status_code == 500
    assert response.headers["Content-Type"].startswith("text/html")
    assert "HTTP Status 500" in response.text
    assert get(sandbox, "jira", "/status").status_code == 200


def test_malformed_json_is_cut_mid_way(sandbox_of: Factory) -> None:
    sandbox = sandbox_of(jira(Fault.MALFORMED_JSON))
    response = get(sandbox, "jira", "/rest/troubleshooting/1.0/check")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.text.startswith('{"statuses": [{"id": 0, "completeKey": ')
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.text)
    assert get(sandbox, "jira", "/status").json() == {"state": "RUNNING"}


def test_unauthorized_rejects_even_valid_credentials(sandbox_of: Factory) -> None:
    sandbox = sandbox_of(jira(Fault.UNAUTHORIZED))
    for path in ("/rest/api/2/myself", "/rest/api/2/serverInfo"):
        response = get(sandbox, "jira", path)
        assert response.status_code == 401
        assert response.json() == UNAUTHENTICATED
        assert "WWW-Authenticate" in response.headers
    assert get(sandbox, "jira", "/status").status_code == 200


@pytest.mark.parametrize(
    "authorization",
    ["Bearer wrong-token", "Basic " + "c3ZjLWhlYWx0aDp3cm9uZw==", "Basic !!not-base64!!", "Token abc"],
)
def test_wrong_credentials_get_401(sandbox_of: Factory, authorization: str) -> None:
    sandbox = sandbox_of(jira())
    response = get(sandbox, "jira", "/rest/api/2/myself", headers={"Authorization": authorization})
    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED
    assert response.headers["WWW-Authenticate"].startswith("Basic realm=")


def test_basic_auth_with_the_accepted_password_works_on_server(sandbox_of: Factory) -> None:
    sandbox = sandbox_of(jira())
    spec = sandbox.spec("jira")
    response = get(sandbox, "jira", "/rest/api/2/myself", auth=(spec.username, spec.accepted_password()))
    assert response.status_code == 200


def test_missing_credentials_401_except_server_info(sandbox_of: Factory) -> None:
    sandbox = sandbox_of(jira(), confluence())
    assert get(sandbox, "jira", "/rest/api/2/myself", authenticated=False).status_code == 401
    assert get(sandbox, "jira", "/rest/does/not/exist", authenticated=False).status_code == 401
    assert get(sandbox, "jira", "/rest/api/2/serverInfo", authenticated=False).status_code == 200
    assert get(sandbox, "wiki", "/rest/api/server-information", authenticated=False).status_code == 200


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_anything_but_get_is_405(sandbox_of: Factory, method: str) -> None:
    sandbox = sandbox_of(jira())
    response = call(sandbox, "jira", method, "/rest/api/2/reindex", json={"type": "FOREGROUND"})
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET"
    assert call(sandbox, "jira", method, "/status").status_code == 405


def test_head_is_405_without_a_body(sandbox_of: Factory) -> None:
    sandbox = sandbox_of(jira())
    response = call(sandbox, "jira", "HEAD", "/rest/api/2/myself")
    assert response.status_code == 405
    assert response.content == b""


def test_unknown_path_is_404(sandbox_of: Factory) -> None:
    sandbox = sandbox_of(jira())
    response = get(sandbox, "jira", "/rest/api/2/nothing-here")
    assert response.status_code == 404
    assert response.json() == {"errorMessages": ["Not found"]}
    assert get(sandbox, "jira", "/nowhere").status_code == 404


@pytest.mark.parametrize(
    ("faults", "expected"),
    [
        ({Fault.RATE_LIMITED, Fault.HTML_LOGIN}, 429),
        ({Fault.HTML_LOGIN, Fault.SERVER_ERROR}, 200),
        ({Fault.SERVER_ERROR, Fault.MALFORMED_JSON}, 500),
        ({Fault.SERVER_ERROR, Fault.UNAUTHORIZED}, 500),
        ({Fault.MALFORMED_JSON, Fault.UNAUTHORIZED}, 200),
    ],
)
def test_precedence(sandbox_of: Factory, faults: set[Fault], expected: int) -> None:
    sandbox = sandbox_of(jira(*faults))
    assert get(sandbox, "jira", "/rest/api/2/myself").status_code == expected


def test_precedence_puts_faults_before_authentication(sandbox_of: Factory) -> None:
    sandbox = sandbox_of(jira(Fault.HTML_LOGIN))
    wrong = get(sandbox, "jira", "/rest/api/2/myself", headers={"Authorization": "Bearer wrong"})
    assert wrong.status_code == 200
    assert "Log in - Jira" in wrong.text


def test_license_expired(sandbox_of: Factory) -> None:
    sandbox = sandbox_of(jira(Fault.LICENSE_EXPIRED), confluence(Fault.LICENSE_EXPIRED))
    three_days_ago = datetime.now(UTC) - timedelta(days=3)
    licence = get(sandbox, "jira", "/rest/plugins/applications/1.0/installed/jira-software/license").json()
    assert close_to(from_epoch_ms(licence["expiryDate"]), three_days_ago)
    assert licence["expired"] is True
    assert licence["valid"] is False
    details = get(sandbox, "wiki", "/rest/license/1.0/license/details").json()
    assert close_to(from_epoch_ms(details["expiryDate"]), three_days_ago)
    assert details["expired"] is True


def test_license_expiring(sandbox_of: Factory) -> None:
    sandbox = sandbox_of(jira(Fault.LICENSE_EXPIRING), confluence(Fault.LICENSE_EXPIRING))
    in_five_days = datetime.now(UTC) + timedelta(days=5)
    licence = get(sandbox, "jira", "/rest/plugins/applications/1.0/installed/jira-servicedesk/license").json()
    assert close_to(from_epoch_ms(licence["expiryDate"]), in_five_days)
    assert licence["expired"] is False
    details = get(sandbox, "wiki", "/rest/license/1.0/license/details").json()
    assert close_to(from_epoch_ms(details["expiryDate"]), in_five_days)
    assert details["expired"] is False


def test_seats_full(sandbox_of: Factory) -> None:
    sandbox = sandbox_of(jira(Fault.SEATS_FULL), confluence(Fault.SEATS_FULL))
    roles = {r["key"]: r for r in get(sandbox, "jira", "/rest/api/2/applicationrole").json()}
    software = roles["jira-software"]
    assert software["userCount"] == software["numberOfSeats"] == 500
    assert software["remainingSeats"] == 0
    assert get(sandbox, "wiki", "/rest/license/1.0/license/userCount").json() == {"count": 500}
    assert get(sandbox, "wiki", "/rest/license/1.0/license/remainingSeats").json() == {"count": 0}


def test_atst_failing_jira(sandbox_of: Factory) -> None:
    sandbox = sandbox_of(jira(Fault.ATST_FAILING))
    statuses = get(sandbox, "jira", "/rest/troubleshooting/1.0/check").json()["statuses"]
    failing = {s["name"]: s for s in statuses if not s["isHealthy"]}
    assert len(statuses) == 6
    assert {name: s["severity"] for name, s in failing.items()} == {
        "Cluster Index Replication": "critical",
        "Lucene index": "major",
        "Supported database": "warning",
    }
    assert all(s["healthy"] is False and s["documentation"].startswith("https://") for s in failing.values())
    replication = failing["Cluster Index Replication"]["failureReason"]
    assert replication == "Index replication for cluster node 'node2' is behind by 763 seconds."
    lucene = failing["Lucene index"]
    assert lucene["completeKey"].endswith(":luceneSupportHealthCheck")
    assert "Database has (120720) issues but the index has (96576) issues." in lucene["failureReason"]
    assert failing["Supported database"]["failureReason"].startswith("PostgreSQL 9.6 is not supported")


def test_atst_failing_confluence(sandbox_of: Factory) -> None:
    sandbox = sandbox_of(confluence(Fault.ATST_FAILING))
    statuses = get(sandbox, "wiki", "/rest/troubleshooting/1.0/check").json()["statuses"]
    assert sorted(s["severity"] for s in statuses if not s["healthy"]) == ["critical", "major", "warning"]


def test_atst_legacy_only(sandbox_of: Factory) -> None:
    sandbox = sandbox_of(jira(Fault.ATST_LEGACY_ONLY))
    assert get(sandbox, "jira", "/rest/troubleshooting/1.0/check").status_code == 404
    legacy = get(sandbox, "jira", "/rest/supportHealthCheck/1.0/check/")
    assert legacy.status_code == 200
    assert len(legacy.json()["statuses"]) == 6


def test_index_lagging(sandbox_of: Factory) -> None:
    sandbox = sandbox_of(jira(Fault.INDEX_LAGGING, nodes=3))
    summary = get(sandbox, "jira", "/rest/api/2/index/summary").json()
    index = summary["issueIndex"]
    assert index["countInIndex"] == index["countInDatabase"] * 4 // 5 == 96_576
    gap = from_atlassian_iso(index["lastUpdatedInDatabase"]) - from_atlassian_iso(index["lastUpdatedInIndex"])
    assert gap == timedelta(minutes=25)
    queues = summary["replicationQueues"]
    assert sorted(q["queueSize"] for q in queues.values()) == [0, 4200]
    backed_up = next(q for q in queues.values() if q["queueSize"] == 4200)
    consumed = from_atlassian_iso(backed_up["lastConsumedOperation"]["replicationTime"])
    queued = from_atlassian_iso(backed_up["lastOperationInQueue"]["replicationTime"])
    assert queued - consumed == timedelta(minutes=20)


def test_node_offline(sandbox_of: Factory) -> None:
    sandbox = sandbox_of(jira(Fault.NODE_OFFLINE, nodes=3), confluence(Fault.NODE_OFFLINE, version="9.5.1"))
    nodes = get(sandbox, "jira", "/rest/api/2/cluster/nodes").json()
    assert [(n["nodeId"], n["state"], n["alive"]) for n in nodes] == [
        ("node1", "ACTIVE", True),
        ("node2", "ACTIVE", True),
        ("node3", "OFFLINE", False),
    ]
    results = get(sandbox, "wiki", "/rest/api/cluster/nodes").json()["results"]
    assert [(n["state"], n["alive"]) for n in results] == [("ACTIVE", True), ("OFFLINE", False)]
    zdu = get(sandbox, "wiki", "/rest/zdu/cluster").json()["nodes"]
    assert [n["state"] for n in zdu] == ["ACTIVE", "OFFLINE"]


def test_app_failed(sandbox_of: Factory) -> None:
    sandbox = sandbox_of(jira(Fault.APP_FAILED))
    plugins = {p["key"]: p for p in get(sandbox, "jira", "/rest/plugins/1.0/").json()["plugins"]}
    disabled, unloadable = plugins["com.example.diagrams"], plugins["com.example.automation"]
    assert (disabled["enabled"], disabled["unloadable"]) == (False, False)
    assert (unloadable["enabled"], unloadable["unloadable"]) == (False, True)
    assert plugins["com.example.timesheets"]["enabled"] is True
    system = [p for p in plugins.values() if not p["userInstalled"]]
    assert system, "the sandbox lists the product's own (system) apps too"
    assert [p["key"] for p in system if not p["enabled"]] == []
