"""Jira endpoints of a healthy instance, Data Center, Server and Cloud, over real HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sandbox import Sandbox
from tests.sandbox.client import close_to, from_atlassian_iso, from_epoch_ms, get

pytestmark = pytest.mark.server


def test_server_info_reports_version_build_and_base_url(healthy: Sandbox) -> None:
    response = get(healthy, "jira-dc", "/rest/api/2/serverInfo")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    info = response.json()
    assert info["version"] == "10.3.4"
    assert info["versionNumbers"] == [10, 3, 4]
    assert info["buildNumber"] == 10030004
    assert info["databaseBuildNumber"] == 10030004
    assert info["deploymentType"] == "Server"
    assert info["baseUrl"] == healthy.url("jira-dc")
    assert info["serverTitle"] == "Jira"
    assert close_to(from_atlassian_iso(info["serverTime"]), datetime.now(UTC))


def test_server_info_is_readable_anonymously_but_not_with_wrong_credentials(healthy: Sandbox) -> None:
    anonymous = get(healthy, "jira-server", "/rest/api/2/serverInfo", authenticated=False)
    assert anonymous.status_code == 200
    assert anonymous.json()["version"] == "9.4.15"
    wrong = get(healthy, "jira-server", "/rest/api/2/serverInfo", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401


def test_myself_names_the_service_account(healthy: Sandbox) -> None:
    me = get(healthy, "jira-dc", "/rest/api/2/myself").json()
    assert me["name"] == "svc-health"
    assert me["key"] == "JIRAUSER10100"
    assert me["emailAddress"] == "svc-health@example.com"
    assert me["active"] is True
    assert me["self"].startswith(healthy.url("jira-dc") + "/rest/api/2/user")


def test_application_roles_count_seats(healthy: Sandbox) -> None:
    roles = {r["key"]: r for r in get(healthy, "jira-dc", "/rest/api/2/applicationrole").json()}
    assert set(roles) == {"jira-software", "jira-servicedesk"}
    software = roles["jira-software"]
    assert (software["numberOfSeats"], software["userCount"], software["remainingSeats"]) == (500, 312, 188)
    assert software["hasUnlimitedSeats"] is False
    assert software["name"] == "Jira Software"
    service = roles["jira-servicedesk"]
    assert (service["numberOfSeats"], service["userCount"], service["remainingSeats"]) == (50, 23, 27)


@pytest.mark.parametrize(("role", "seats"), [("jira-software", 500), ("jira-servicedesk", 50)])
def test_application_licence_expires_license_days_from_now(healthy: Sandbox, role: str, seats: int) -> None:
    licence = get(healthy, "jira-dc", f"/rest/plugins/applications/1.0/installed/{role}/license").json()
    now = datetime.now(UTC)
    assert close_to(from_epoch_ms(licence["expiryDate"]), now + timedelta(days=400))
    assert close_to(from_epoch_ms(licence["maintenanceExpiryDate"]), now + timedelta(days=400))
    assert licence["expired"] is False
    assert licence["valid"] is True
    assert licence["maximumNumberOfUsers"] == seats
    assert licence["licenseType"] == "COMMERCIAL"
    assert licence["dataCenter"] is True
    assert licence["organizationName"] == "Jira"
    assert licence["supportEntitlementNumber"].startswith("SEN-L")
    assert licence["rawLicense"].startswith("AAAB") and len(licence["rawLicense"]) > 200


def test_unknown_application_licence_is_404(healthy: Sandbox) -> None:
    response = get(healthy, "jira-dc", "/rest/plugins/applications/1.0/installed/jira-core-x/license")
    assert response.status_code == 404
    assert response.json() == {"errorMessages": ["Not found"]}


def test_server_licence_is_not_data_center(healthy: Sandbox) -> None:
    path = "/rest/plugins/applications/1.0/installed/jira-software/license"
    assert get(healthy, "jira-server", path).json()["dataCenter"] is False


def test_data_center_cluster_has_spec_nodes(healthy: Sandbox) -> None:
    nodes = get(healthy, "jira-dc", "/rest/api/2/cluster/nodes").json()
    assert [n["nodeId"] for n in nodes] == ["node1", "node2", "node3"]
    assert all(n["state"] == "ACTIVE" and n["alive"] is True for n in nodes)
    assert {n["nodeVersion"] for n in nodes} == {"10.3.4"}
    assert {n["nodeBuildNumber"] for n in nodes} == {10030004}
    assert nodes[0]["ip"] == "127.0.0.1"
    started = from_epoch_ms(nodes[0]["lastStateChangeTimestamp"])
    assert started < datetime.now(UTC) - timedelta(days=1)


def test_server_is_not_clustered(healthy: Sandbox) -> None:
    response = get(healthy, "jira-server", "/rest/api/2/cluster/nodes")
    assert response.status_code == 405
    assert response.json() == {"errorMessages": ["This Jira instance is not clustered"]}


def test_index_summary_has_a_queue_per_other_node(healthy: Sandbox) -> None:
    summary = get(healthy, "jira-dc", "/rest/api/2/index/summary").json()
    assert summary["nodeId"] == "node1"
    index = summary["issueIndex"]
    assert index["indexReadable"] is True
    assert index["countInDatabase"] == 120_720
    assert index["countInIndex"] == 120_718
    db_updated = from_atlassian_iso(index["lastUpdatedInDatabase"])
    assert close_to(db_updated, datetime.now(UTC))
    assert db_updated - from_atlassian_iso(index["lastUpdatedInIndex"]) < timedelta(seconds=5)
    assert set(summary["replicationQueues"]) == {"node2", "node3"}
    queue = summary["replicationQueues"]["node2"]
    assert queue["queueSize"] == 0
    assert queue["lastConsumedOperation"]["id"] == queue["lastOperationInQueue"]["id"] == 991


def test_server_index_summary_has_no_queues(healthy: Sandbox) -> None:
    summary = get(healthy, "jira-server", "/rest/api/2/index/summary").json()
    assert summary["replicationQueues"] == {}
    assert summary["issueIndex"]["countInDatabase"] == 120_720


def test_cloud_server_info_ignores_the_spec_version(healthy: Sandbox) -> None:
    info = get(healthy, "jira-cloud", "/rest/api/3/serverInfo").json()
    assert info["deploymentType"] == "Cloud"
    assert info["version"] == "1001.0.0-SNAPSHOT"
    assert info["versionNumbers"] == [1001, 0, 0]
    assert info["baseUrl"] == healthy.url("jira-cloud")


def test_cloud_myself_has_an_account_id(healthy: Sandbox) -> None:
    me = get(healthy, "jira-cloud", "/rest/api/3/myself").json()
    assert len(me["accountId"]) == 24
    assert me["emailAddress"] == "svc-health@example.com"
    assert me["active"] is True


def test_cloud_licence_and_roles(healthy: Sandbox) -> None:
    licence = get(healthy, "jira-cloud", "/rest/api/3/instance/license").json()
    assert licence == {"applications": [{"id": "jira-software", "plan": "PAID"}]}
    roles = get(healthy, "jira-cloud", "/rest/api/3/applicationrole").json()
    assert roles[0]["key"] == "jira-software"
    assert roles[0]["userCount"] == 312


@pytest.mark.parametrize(
    "path",
    [
        "/rest/troubleshooting/1.0/check",
        "/rest/plugins/1.0/",
        "/rest/api/2/cluster/nodes",
        "/rest/api/2/index/summary",
        "/rest/api/3/cluster/nodes",
        "/rest/api/2/serverInfo",
    ],
)
def test_cloud_has_no_server_endpoints(healthy: Sandbox, path: str) -> None:
    response = get(healthy, "jira-cloud", path)
    assert response.status_code == 404
    assert response.json() == {"errorMessages": ["Not found"]}


def test_cloud_rejects_a_wrong_api_token(healthy: Sandbox) -> None:
    response = get(healthy, "jira-cloud", "/rest/api/3/myself", auth=("svc-health@example.com", "wrong"))
    assert response.status_code == 401
