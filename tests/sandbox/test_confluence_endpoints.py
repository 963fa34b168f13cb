"""Confluence endpoints of a healthy instance, Data Center (old and new), Server and Cloud."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests

from sandbox import Sandbox
from tests.sandbox.client import TIMEOUT_S, close_to, from_epoch_ms, get

pytestmark = pytest.mark.server


def test_base_url_includes_the_context_path(healthy: Sandbox) -> None:
    url = healthy.url("conf-dc")
    assert url.startswith("http://127.0.0.1:") and url.endswith("/confluence")
    assert get(healthy, "conf-dc", "/status").json() == {"state": "RUNNING"}


def test_paths_outside_the_context_path_are_404(healthy: Sandbox) -> None:
    root = healthy.url("conf-dc").removesuffix("/confluence")
    response = requests.get(root + "/status", timeout=TIMEOUT_S)
    assert response.status_code == 404
    assert response.json() == {"errorMessages": ["Not found"]}


def test_server_information(healthy: Sandbox) -> None:
    info = get(healthy, "conf-dc", "/rest/api/server-information").json()
    assert info["version"] == "9.5.1"
    assert info["buildNumber"] == "9501"
    assert info["marketplaceBuildNumber"] == "9501"
    assert info["deploymentType"] == "Server"
    assert info["baseUrl"] == healthy.url("conf-dc")


def test_server_information_is_anonymous(healthy: Sandbox) -> None:
    response = get(healthy, "conf-server", "/rest/api/server-information", authenticated=False)
    assert response.status_code == 200
    assert response.json()["version"] == "8.5.6"


def test_current_user(healthy: Sandbox) -> None:
    user = get(healthy, "conf-server", "/rest/api/user/current").json()
    assert user["type"] == "known"
    assert user["username"] == "svc-health"
    assert user["displayName"] == "Health Check Service"
    assert user["userKey"]


def test_current_user_needs_credentials(healthy: Sandbox) -> None:
    assert get(healthy, "conf-server", "/rest/api/user/current", authenticated=False).status_code == 401


def test_licence_details_and_counts(healthy: Sandbox) -> None:
    details = get(healthy, "conf-dc", "/rest/license/1.0/license/details").json()
    assert close_to(from_epoch_ms(details["expiryDate"]), datetime.now(UTC) + timedelta(days=400))
    assert details["expired"] is False
    assert details["dataCenter"] is True
    assert details["maxUsers"] == 500
    assert details["licenseType"] == "COMMERCIAL"
    assert details["supportEntitlementNumber"].startswith("SEN-L")
    assert get(healthy, "conf-dc", "/rest/license/1.0/license/userCount").json() == {"count": 312}
    assert get(healthy, "conf-dc", "/rest/license/1.0/license/maxUsers").json() == {"count": 500}
    assert get(healthy, "conf-dc", "/rest/license/1.0/license/remainingSeats").json() == {"count": 188}


def test_cluster_api_on_9_5_and_later(healthy: Sandbox) -> None:
    cluster = get(healthy, "conf-dc", "/rest/api/cluster/nodes").json()
    assert cluster["size"] == 2
    assert (cluster["start"], cluster["limit"]) == (0, 25)
    assert [n["nodeId"] for n in cluster["results"]] == ["node1", "node2"]
    assert all(n["state"] == "ACTIVE" and n["alive"] is True for n in cluster["results"])
    assert cluster["results"][0]["version"] == "9.5.1"


def test_older_data_center_has_only_the_zdu_cluster(healthy: Sandbox) -> None:
    assert get(healthy, "conf-dc-old", "/rest/api/cluster/nodes").status_code == 404
    zdu = get(healthy, "conf-dc-old", "/rest/zdu/cluster").json()
    assert zdu["state"] == "STABLE"
    assert [n["id"] for n in zdu["nodes"]] == ["node1", "node2", "node3"]
    assert {n["state"] for n in zdu["nodes"]} == {"ACTIVE"}
    assert zdu["nodes"][0]["version"] == "8.5.6"
    assert zdu["nodes"][0]["ipAddress"] == "127.0.0.1"


def test_server_is_not_clustered(healthy: Sandbox) -> None:
    assert get(healthy, "conf-server", "/rest/api/cluster/nodes").status_code == 404
    zdu = get(healthy, "conf-server", "/rest/zdu/cluster")
    assert zdu.status_code == 403
    assert zdu.json() == {"message": "This feature requires a clustered installation"}


def test_server_licence_is_not_data_center(healthy: Sandbox) -> None:
    assert get(healthy, "conf-server", "/rest/license/1.0/license/details").json()["dataCenter"] is False


def test_cloud_lives_under_wiki(healthy: Sandbox) -> None:
    assert healthy.url("conf-cloud").endswith("/wiki")
    assert get(healthy, "conf-cloud", "/status").json() == {"state": "RUNNING"}
    user = get(healthy, "conf-cloud", "/rest/api/user/current").json()
    assert user["type"] == "known"
    assert user["email"] == "svc-health@example.com"
    assert user["accountId"]
    assert user["displayName"] == "Health Check Service"


@pytest.mark.parametrize(
    "path",
    ["/rest/api/server-information", "/rest/license/1.0/license/details", "/rest/troubleshooting/1.0/check"],
)
def test_cloud_answers_404_elsewhere(healthy: Sandbox, path: str) -> None:
    response = get(healthy, "conf-cloud", path)
    assert response.status_code == 404
