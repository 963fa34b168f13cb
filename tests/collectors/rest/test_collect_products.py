"""collect_instance against simulated Jira and Confluence instances (real HTTP on loopback)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from collectors.model import Deployment, ErrorKind, InstanceSnapshot, Product
from collectors.rest import collect_instance
from collectors.target import Credentials
from sandbox import InstanceSpec, Sandbox
from sandbox.jira_payloads import raw_license
from tests.collectors.targets import FAST, secrets_of, target_for

pytestmark = pytest.mark.server

CLOUD_USER = "svc-health@example.com"
SPECS = [
    InstanceSpec("jira-dc", Product.JIRA, Deployment.DATACENTER, nodes=2),
    InstanceSpec("jira-server", Product.JIRA, Deployment.SERVER),
    InstanceSpec("jira-cloud", Product.JIRA, Deployment.CLOUD, username=CLOUD_USER),
    InstanceSpec(
        "wiki-dc", Product.CONFLUENCE, Deployment.DATACENTER, version="9.5.1", context_path="/confluence"
    ),
    InstanceSpec("wiki-old", Product.CONFLUENCE, Deployment.DATACENTER, version="8.5.6", nodes=3),
    InstanceSpec("wiki-server", Product.CONFLUENCE, Deployment.SERVER, version="8.5.6"),
    InstanceSpec("wiki-cloud", Product.CONFLUENCE, Deployment.CLOUD, username=CLOUD_USER),
    InstanceSpec("bitbucket", Product.BITBUCKET, Deployment.DATACENTER),
    InstanceSpec("bamboo", Product.BAMBOO, Deployment.DATACENTER),
    InstanceSpec("crowd", Product.CROWD, Deployment.SERVER, context_path="/crowd"),
]


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(SPECS) as running:
        yield running


def collect(sandbox: Sandbox, name: str, **changes: object) -> InstanceSnapshot:
    return collect_instance(target_for(sandbox, name, **changes), FAST)


def assert_no_secrets(snapshot: InstanceSnapshot, spec: InstanceSpec) -> None:
    dumped = snapshot.model_dump_json()
    for secret in [*secrets_of(spec), raw_license(spec), "rawLicense"]:
        assert secret not in dumped


def test_healthy_jira_data_center(sandbox: Sandbox) -> None:
    snap = collect(sandbox, "jira-dc")
    assert snap.errors == []
    assert (snap.customer, snap.instance, snap.product, snap.deployment) == (
        "acme",
        "jira-dc",
        Product.JIRA,
        Deployment.DATACENTER,
    )
    assert snap.status is not None and (snap.status.state, snap.status.http_status) == ("RUNNING", 200)
    assert snap.server_info is not None and snap.server_info.version == "9.12.2"
    assert snap.current_user is not None and snap.current_user.authenticated
    assert snap.current_user.username == "svc-health"
    assert snap.health_checks is not None and snap.health_checks.source == "troubleshooting"
    assert len(snap.health_checks.statuses) == 6 and all(s.healthy for s in snap.health_checks.statuses)

    assert snap.licenses is not None
    assert [lic.application for lic in snap.licenses] == ["jira-software", "jira-servicedesk"]
    software = snap.licenses[0]
    assert (software.seats_used, software.seats_allowed, software.license_type) == (312, 500, "COMMERCIAL")
    assert software.expiry is not None and software.expiry > snap.started_at + timedelta(days=300)
    assert software.sen is not None and software.sen.startswith("SEN-L")

    assert snap.cluster is not None and snap.cluster.clustered
    assert [n.node_id for n in snap.cluster.nodes] == ["node1", "node2"]
    assert all(n.state == "ACTIVE" and n.alive for n in snap.cluster.nodes)
    assert snap.index is not None and snap.index.count_in_database == 120_720
    assert [q.name for q in snap.index.replication_queues] == ["node2"]
    assert snap.apps is not None and {a.key for a in snap.apps} == {
        "com.example.timesheets",
        "com.example.diagrams",
        "com.example.automation",
    }
    assert all(a.enabled and not a.unloadable for a in snap.apps)

    calls = {c.call for c in snap.calls}
    assert calls == {
        "status",
        "server_info",
        "current_user",
        "health_checks",
        "license",
        "license:jira-software",
        "license:jira-servicedesk",
        "cluster",
        "index",
        "apps",
    }
    for record in snap.calls:
        assert record.ok and record.status_code == 200 and record.attempts == 1
        assert record.started_at.utcoffset() == timedelta(0)
        assert record.url.startswith(sandbox.url("jira-dc"))
    assert snap.started_at <= snap.calls[0].started_at <= snap.finished_at
    assert_no_secrets(snap, sandbox.spec("jira-dc"))


def test_status_is_called_first(sandbox: Sandbox) -> None:
    sandbox.reset_requests("jira-dc")
    collect(sandbox, "jira-dc")
    assert sandbox.requests("jira-dc")[0].path == "/status"


def test_requests_authenticate_with_the_right_scheme(sandbox: Sandbox) -> None:
    sandbox.reset_requests("jira-dc")
    sandbox.reset_requests("jira-cloud")
    collect(sandbox, "jira-dc")
    collect(sandbox, "jira-cloud")
    assert {r.auth_scheme for r in sandbox.requests("jira-dc")} == {"Bearer"}
    assert {r.auth_scheme for r in sandbox.requests("jira-cloud")} == {"Basic"}


def test_jira_server_is_not_clustered_and_that_is_not_an_error(sandbox: Sandbox) -> None:
    snap = collect(sandbox, "jira-server")
    assert snap.errors == []
    assert snap.cluster is not None and not snap.cluster.clustered and snap.cluster.nodes == []
    cluster_call = snap.call("cluster")
    assert cluster_call is not None and cluster_call.status_code == 405
    # the index summary is collected on Server too; it has no replication queues there
    assert snap.index is not None and snap.index.replication_queues == []
    assert snap.licenses is not None and snap.health_checks is not None and snap.apps is not None


def test_a_data_center_target_on_one_node_is_not_clustered(sandbox: Sandbox) -> None:
    # Configured as Data Center, but the instance says "not clustered" (405): a fact for the checks
    # (a single-node Data Center), not a collection failure.
    snap = collect(sandbox, "jira-server", deployment=Deployment.DATACENTER)
    assert snap.error_for("cluster") is None
    assert snap.cluster is not None and snap.cluster.clustered is False
    assert [c.status_code for c in snap.calls if c.call == "cluster"] == [405]


def test_jira_cloud(sandbox: Sandbox) -> None:
    sandbox.reset_requests("jira-cloud")
    snap = collect(sandbox, "jira-cloud")
    assert snap.errors == []
    assert snap.server_info is not None and snap.server_info.deployment_type == "Cloud"
    assert snap.current_user is not None and snap.current_user.account_id
    assert snap.licenses is not None
    software = next(lic for lic in snap.licenses if lic.application == "jira-software")
    assert (software.license_type, software.expiry, software.seats_allowed) == ("PAID", None, 500)
    # not applicable on Cloud: left empty, without errors
    assert (snap.health_checks, snap.cluster, snap.index, snap.apps) == (None, None, None, None)
    paths = {r.path for r in sandbox.requests("jira-cloud")}
    assert paths == {
        "/status",
        "/rest/api/3/serverInfo",
        "/rest/api/3/myself",
        "/rest/api/3/applicationrole",
        "/rest/api/3/instance/license",
    }
    assert_no_secrets(snap, sandbox.spec("jira-cloud"))


def test_confluence_data_center_with_a_context_path(sandbox: Sandbox) -> None:
    sandbox.reset_requests("wiki-dc")
    snap = collect(sandbox, "wiki-dc")
    assert snap.errors == []
    assert snap.url.endswith("/confluence")
    assert all("/confluence/" in c.url for c in snap.calls)
    assert snap.server_info is not None and snap.server_info.version == "9.5.1"
    assert snap.current_user is not None and snap.current_user.username == "svc-health"
    assert snap.licenses is not None and len(snap.licenses) == 1
    lic = snap.licenses[0]
    assert (lic.application, lic.seats_used, lic.seats_allowed, lic.unlimited_seats) == (
        "confluence",
        312,
        500,
        False,
    )
    assert lic.expiry is not None and lic.expiry > snap.started_at
    assert snap.cluster is not None and snap.cluster.clustered and len(snap.cluster.nodes) == 2
    assert snap.index is None  # Confluence has no index summary endpoint
    assert snap.health_checks is not None and snap.apps is not None
    assert "/confluence/rest/zdu/cluster" not in {r.path for r in sandbox.requests("wiki-dc")}
    assert_no_secrets(snap, sandbox.spec("wiki-dc"))


def test_older_confluence_falls_back_to_the_zdu_cluster_endpoint(sandbox: Sandbox) -> None:
    snap = collect(sandbox, "wiki-old")
    assert snap.errors == []
    assert snap.cluster is not None and snap.cluster.clustered
    assert [n.node_id for n in snap.cluster.nodes] == ["node1", "node2", "node3"]
    first, fallback = snap.call("cluster"), snap.call("cluster:zdu")
    assert first is not None and first.status_code == 404 and not first.ok
    assert fallback is not None and fallback.ok


def test_confluence_server_is_not_clustered_and_that_is_not_an_error(sandbox: Sandbox) -> None:
    snap = collect(sandbox, "wiki-server")
    assert snap.errors == []
    assert snap.cluster is not None and not snap.cluster.clustered
    zdu = snap.call("cluster:zdu")
    assert zdu is not None and zdu.status_code == 403


def test_confluence_cloud(sandbox: Sandbox) -> None:
    snap = collect(sandbox, "wiki-cloud")
    assert snap.errors == []
    assert snap.url.endswith("/wiki")
    assert snap.status is not None and snap.status.state == "RUNNING"
    assert snap.current_user is not None and snap.current_user.account_id
    assert [c.call for c in snap.calls] == ["status", "current_user", "cloud.products"]


def test_wrong_credentials_are_rejected_but_anonymous_data_still_comes(sandbox: Sandbox) -> None:
    snap = collect(sandbox, "jira-dc", credentials=Credentials("token", None, "not-the-token"))
    error = snap.error_for("current_user")
    assert error is not None and error.kind is ErrorKind.UNAUTHORIZED
    assert error.message == "HTTP 401: credentials were rejected"
    assert snap.current_user is None and snap.status is not None
    assert "not-the-token" not in snap.model_dump_json()


def test_no_credentials(sandbox: Sandbox) -> None:
    snap = collect(sandbox, "jira-dc", credentials=Credentials("none"))
    # serverInfo answers anonymously on Jira: only the current-user call proves credentials
    assert snap.server_info is not None
    error = snap.error_for("current_user")
    assert (
        error is not None and error.message == "HTTP 401: authentication required, no credentials configured"
    )


def test_credentials_in_the_url_never_reach_the_snapshot(sandbox: Sandbox) -> None:
    spec = sandbox.spec("jira-dc")
    password = spec.accepted_password()
    url = sandbox.url("jira-dc").replace("http://", f"http://{spec.username}:{password}@")
    snap = collect(sandbox, "jira-dc", url=url, credentials=Credentials("none"))
    assert snap.current_user is not None  # requests used the URL's user info
    dumped = snap.model_dump_json()
    assert password not in dumped and spec.username + ":" not in dumped
    assert snap.url.startswith("http://***@127.0.0.1:")


def test_only_get_requests_reached_the_sandbox(sandbox: Sandbox) -> None:
    for spec in SPECS:
        collect(sandbox, spec.name)
    methods = {r.method for spec in SPECS for r in sandbox.requests(spec.name)}
    assert methods == {"GET"}


def test_the_library_logger_never_logs_bodies(sandbox: Sandbox, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("DEBUG", logger="atlassian"):
        collect(sandbox, "jira-dc")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "HTTP: GET rest/api/2/myself -> 200" in logged  # DEBUG was on: the filter, not the level, did it
    assert "HTTP: Response text" not in logged and "rawLicense" not in logged
    assert sandbox.spec("jira-dc").accepted_token() not in logged
