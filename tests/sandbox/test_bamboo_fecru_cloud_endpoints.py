"""The simulated Bamboo, Fisheye/Crucible and Bitbucket Cloud, and Cloud rate-limit headers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest

from collectors.model import Deployment, Product
from sandbox import Fault, InstanceSpec, Sandbox
from tests.sandbox.client import get

pytestmark = pytest.mark.server

CLOUD_USER = "svc-health@example.com"
SPECS = [
    InstanceSpec("bamboo", Product.BAMBOO, Deployment.DATACENTER, version="10.2.3"),
    InstanceSpec("fecru", Product.FECRU, Deployment.SERVER, version="4.8.15"),
    InstanceSpec("bb-cloud", Product.BITBUCKET, Deployment.CLOUD, username=CLOUD_USER),
    InstanceSpec("jira-cloud", Product.JIRA, Deployment.CLOUD, username=CLOUD_USER),
    InstanceSpec("conf-cloud", Product.CONFLUENCE, Deployment.CLOUD, username=CLOUD_USER),
    InstanceSpec("jira-dc", Product.JIRA, Deployment.DATACENTER),
]


@pytest.fixture(scope="module")
def estate() -> Iterator[Sandbox]:
    with Sandbox(SPECS) as sandbox:
        yield sandbox


# --- Bamboo ------------------------------------------------------------------------------------------


def test_bamboo_healthy(estate: Sandbox) -> None:
    assert get(estate, "bamboo", "/rest/api/latest/status", authenticated=False).json() == {
        "state": "RUNNING"
    }
    info = get(estate, "bamboo", "/rest/api/latest/info", authenticated=False).json()
    assert info["version"] == "10.2.3" and info["buildNumber"] == "100203" and info["state"] == "RUNNING"
    assert get(estate, "bamboo", "/rest/api/latest/server").json() == {
        "state": "RUNNING",
        "reindexInProgress": False,
    }
    assert get(estate, "bamboo", "/rest/api/latest/currentUser").json()["name"] == "svc-health"
    agents = get(estate, "bamboo", "/rest/api/latest/agent/remote").json()
    assert len(agents) == 6 and all(a["active"] and a["enabled"] and a["type"] == "REMOTE" for a in agents)
    queue = get(estate, "bamboo", "/rest/api/latest/queue", params={"expand": "queuedBuilds"}).json()
    assert queue["queuedBuilds"]["size"] == 2 and len(queue["queuedBuilds"]["queuedBuild"]) == 2
    deployments = get(estate, "bamboo", "/rest/api/latest/queue/deployment").json()
    assert deployments["queuedDeployments"]["queuedDeployment"] == []
    assert get(estate, "bamboo", "/rest/plugins/1.0").status_code == 200  # UPM, shared with the others


def test_bamboo_needs_credentials_except_for_its_probes(estate: Sandbox) -> None:
    assert get(estate, "bamboo", "/rest/api/latest/server", authenticated=False).status_code == 401
    assert get(estate, "bamboo", "/rest/api/latest/info", authenticated=False).status_code == 200


@pytest.mark.parametrize(
    ("fault", "offline"), [(Fault.BAMBOO_AGENTS_OFFLINE, 4), (Fault.BAMBOO_NO_AGENTS_ONLINE, 6)]
)
def test_bamboo_agents_offline(sandbox_of: Callable[..., Sandbox], fault: Fault, offline: int) -> None:
    sandbox = sandbox_of(InstanceSpec("b", Product.BAMBOO, faults={fault}))
    agents = get(sandbox, "b", "/rest/api/latest/agent/remote").json()
    assert sum(not a["active"] for a in agents) == offline
    assert not any(a["busy"] for a in agents if not a["active"])


def test_bamboo_paused_and_legacy_status(sandbox_of: Callable[..., Sandbox]) -> None:
    sandbox = sandbox_of(
        InstanceSpec("b", Product.BAMBOO, faults={Fault.BAMBOO_PAUSED, Fault.BAMBOO_LEGACY_STATUS})
    )
    assert get(sandbox, "b", "/rest/api/latest/status", authenticated=False).json() == {"status": "PAUSED"}
    assert get(sandbox, "b", "/rest/api/latest/server").json()["state"] == "PAUSED"


def test_bamboo_queue_backlog(sandbox_of: Callable[..., Sandbox]) -> None:
    sandbox = sandbox_of(InstanceSpec("b", Product.BAMBOO, faults={Fault.BAMBOO_QUEUE_BACKLOG}))
    queued = get(sandbox, "b", "/rest/api/latest/queue").json()["queuedBuilds"]
    assert queued["size"] == 40 and len(queued["queuedBuild"]) == 25  # the first page only
    oldest = datetime.fromisoformat(queued["queuedBuild"][0]["queuedTime"])
    assert 44 <= (datetime.now(UTC) - oldest).total_seconds() / 60 <= 46


def test_bamboo_status_is_a_probe_outside_the_rest_faults(sandbox_of: Callable[..., Sandbox]) -> None:
    sandbox = sandbox_of(InstanceSpec("b", Product.BAMBOO, faults={Fault.SERVER_ERROR}))
    assert get(sandbox, "b", "/rest/api/latest/status", authenticated=False).json() == {"state": "RUNNING"}
    assert get(sandbox, "b", "/rest/api/latest/server").status_code == 500


# --- Fisheye/Crucible --------------------------------------------------------------------------------


def test_fecru_healthy(estate: Sandbox) -> None:
    assert get(estate, "fecru", "/status", authenticated=False).status_code == 404  # no such probe
    info = get(estate, "fecru", "/rest-service-fecru/server-v1", authenticated=False).json()
    assert info["isFishEye"] and info["version"]["releaseNumber"] == "4.8.15"
    page = get(estate, "fecru", "/rest-service-fecru/admin/repositories").json()
    assert page["lastPage"] and page["size"] == 5
    assert [r["name"] for r in page["values"] if not r["started"]] == ["archive-2015"]  # disabled on purpose
    status = get(estate, "fecru", "/rest-service-fecru/indexing-status-v1/status/core").json()
    assert status == {
        "scanningPercentage": 100.0,
        "indexingPercentage": 100.0,
        "stopped": False,
        "failed": False,
    }
    assert get(estate, "fecru", "/rest-service-fecru/indexing-status-v1/status/nope").status_code == 404


def test_fecru_admin_listing_needs_credentials(estate: Sandbox) -> None:
    assert (
        get(estate, "fecru", "/rest-service-fecru/admin/repositories", authenticated=False).status_code == 401
    )


def test_fecru_repository_stopped(sandbox_of: Callable[..., Sandbox]) -> None:
    sandbox = sandbox_of(InstanceSpec("f", Product.FECRU, faults={Fault.FECRU_REPO_STOPPED}))
    values = get(sandbox, "f", "/rest-service-fecru/admin/repositories").json()["values"]
    stopped = next(r for r in values if r["name"] == "legacy-svn")
    assert stopped["enabled"] and not stopped["started"]
    status = get(sandbox, "f", "/rest-service-fecru/indexing-status-v1/status/legacy-svn").json()
    assert status["stopped"] and status["failed"] and "E170013" in status["message"]


def test_fecru_rest_service_paths_get_the_generic_faults(sandbox_of: Callable[..., Sandbox]) -> None:
    sandbox = sandbox_of(InstanceSpec("f", Product.FECRU, faults={Fault.HTML_LOGIN}))
    answer = get(sandbox, "f", "/rest-service-fecru/server-v1")
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/html")
    assert "Fisheye/Crucible" in answer.text


# --- Bitbucket Cloud and Cloud rate-limit headers ----------------------------------------------------


def test_bitbucket_cloud_user_and_workspaces(estate: Sandbox) -> None:
    user = get(estate, "bb-cloud", "/2.0/user").json()
    assert user["account_id"] and user["nickname"] == "svc-health" and user["display_name"]
    workspaces = get(estate, "bb-cloud", "/2.0/user/permissions/workspaces").json()
    assert [w["workspace"]["slug"] for w in workspaces["values"]] == ["acme", "acme-oss"]
    members = get(estate, "bb-cloud", "/2.0/workspaces/acme/members", params={"pagelen": 1}).json()
    assert members["size"] == 42 and len(members["values"]) == 1 and "next" in members
    assert get(estate, "bb-cloud", "/2.0/user", authenticated=False).status_code == 401


def test_bitbucket_cloud_rate_limit_headers(estate: Sandbox) -> None:
    headers = get(estate, "bb-cloud", "/2.0/user").headers
    assert headers["X-RateLimit-Limit"] == "1000" and headers["X-RateLimit-Resource"] == "api"
    assert headers["X-RateLimit-NearLimit"] == "false"


def test_jira_cloud_remaining_counts_down(estate: Sandbox) -> None:
    first = get(estate, "jira-cloud", "/rest/api/3/myself").headers
    second = get(estate, "jira-cloud", "/rest/api/3/myself").headers
    assert first["X-RateLimit-Limit"] == "350"
    assert int(second["X-RateLimit-Remaining"]) == int(first["X-RateLimit-Remaining"]) - 1
    reset = datetime.strptime(first["X-RateLimit-Reset"], "%Y-%m-%dT%H:%MZ")  # ISO 8601 to the minute
    assert reset.year >= 2024


def test_confluence_cloud_system_info(estate: Sandbox) -> None:
    info = get(estate, "conf-cloud", "/rest/api/settings/systemInfo").json()
    assert info["edition"] == "standard" and info["cloudId"]
    assert "X-RateLimit-Remaining" in get(estate, "conf-cloud", "/rest/api/user/current").headers


def test_data_center_answers_carry_no_cloud_headers(estate: Sandbox) -> None:
    headers = get(estate, "jira-dc", "/rest/api/2/myself").headers
    assert not any(name.lower().startswith("x-ratelimit") for name in headers)


@pytest.mark.parametrize("product", [Product.JIRA, Product.BITBUCKET])
def test_cloud_rate_limited(sandbox_of: Callable[..., Sandbox], product: Product) -> None:
    spec = InstanceSpec(
        "c",
        product,
        Deployment.CLOUD,
        username=CLOUD_USER,
        faults={Fault.CLOUD_RATE_LIMITED},
        retry_after_s=7,
        rate_limit_count=1,
    )
    sandbox = sandbox_of(spec)
    path = "/2.0/user" if product is Product.BITBUCKET else "/rest/api/3/myself"
    limited = get(sandbox, "c", path)
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "7" and limited.headers["X-RateLimit-Remaining"] == "0"
    assert limited.headers["X-RateLimit-NearLimit"] == "true"
    reason = limited.headers.get("RateLimit-Reason") or limited.headers.get("X-RateLimit-Resource")
    assert reason == ("api" if product is Product.BITBUCKET else "jira-burst-based")
    assert get(sandbox, "c", path).status_code == 200  # only the first call was limited
