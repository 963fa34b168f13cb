"""/status, ATST health checks and the UPM plugin list, shared by Jira and Confluence."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from collectors.model import Product
from sandbox import InstanceSpec, Sandbox
from tests.sandbox.client import close_to, from_epoch_ms, get

pytestmark = pytest.mark.server

ATST_FIELDS = {
    "id", "completeKey", "name", "description", "isHealthy", "healthy", "failureReason", "application",
    "nodeId", "time", "severity", "documentation", "tag", "additionalLinks",
}  # fmt: skip


@pytest.mark.parametrize(
    ("state", "code"),
    [("RUNNING", 200), ("STARTING", 200), ("STOPPING", 200), ("FIRST_RUN", 200), ("MAINTENANCE", 503),
     ("ERROR", 500)],
)  # fmt: skip
def test_status_code_follows_the_state(sandbox_of: Callable[..., Sandbox], state: str, code: int) -> None:
    sandbox = sandbox_of(InstanceSpec("jira", Product.JIRA, state=state))
    response = get(sandbox, "jira", "/status", authenticated=False)
    assert response.status_code == code
    assert response.json() == {"state": state}


@pytest.mark.parametrize("path", ["/rest/troubleshooting/1.0/check", "/rest/troubleshooting/1.0/check/"])
def test_jira_health_checks_all_pass(healthy: Sandbox, path: str) -> None:
    statuses = get(healthy, "jira-dc", path).json()["statuses"]
    assert len(statuses) == 6
    assert all(set(s) == ATST_FIELDS for s in statuses)
    assert all(s["isHealthy"] is True and s["healthy"] is True for s in statuses)
    assert {s["severity"] for s in statuses} == {"undefined"}
    assert {s["application"] for s in statuses} == {"JIRA"}
    assert all(s["documentation"].startswith("https://") for s in statuses)
    ran_at = datetime.now(UTC) - timedelta(minutes=2)  # checks ran on the last scheduled run
    assert close_to(from_epoch_ms(statuses[0]["time"]), ran_at, timedelta(seconds=30))
    names = {s["name"] for s in statuses}
    assert {"End of Life", "Lucene index", "Cluster Index Replication", "Supported database"} <= names
    eol = next(s for s in statuses if s["name"] == "End of Life")
    assert "10.3.x" in eol["failureReason"]


def test_confluence_health_checks_all_pass(healthy: Sandbox) -> None:
    statuses = get(healthy, "conf-dc", "/rest/troubleshooting/1.0/check").json()["statuses"]
    assert len(statuses) == 6
    assert {s["application"] for s in statuses} == {"Confluence"}
    assert all(s["healthy"] for s in statuses)
    assert all(
        s["completeKey"].startswith("com.atlassian.troubleshooting.plugin-confluence:") for s in statuses
    )


def test_legacy_health_check_path_answers_the_same_checks(healthy: Sandbox) -> None:
    current = get(healthy, "jira-server", "/rest/troubleshooting/1.0/check").json()["statuses"]
    legacy = get(healthy, "jira-server", "/rest/supportHealthCheck/1.0/check").json()["statuses"]
    assert [s["completeKey"] for s in legacy] == [s["completeKey"] for s in current]


def test_plugins_list_system_and_user_installed_apps(healthy: Sandbox) -> None:
    plugins = get(healthy, "jira-dc", "/rest/plugins/1.0/").json()["plugins"]
    system = [p for p in plugins if not p["userInstalled"]]
    user = {p["key"]: p for p in plugins if p["userInstalled"]}
    assert any(p["key"] == "com.atlassian.upm.atlassian-universal-plugin-manager-plugin" for p in system)
    assert set(user) == {"com.example.timesheets", "com.example.diagrams", "com.example.automation"}
    assert all(p["enabled"] and not p["unloadable"] and p["restartState"] == "none" for p in plugins)
    timesheets = user["com.example.timesheets"]
    assert timesheets["vendor"] == {"name": "Example Ltd", "link": "https://example.com"}
    assert timesheets["version"] == "4.8.2"
    assert timesheets["links"]["self"] == "/rest/plugins/1.0/com.example.timesheets-key"


def test_plugin_links_carry_the_context_path(healthy: Sandbox) -> None:
    plugins = get(healthy, "conf-dc", "/rest/plugins/1.0").json()["plugins"]
    links = {p["key"]: p["links"]["self"] for p in plugins}
    assert links["com.example.timesheets"] == "/confluence/rest/plugins/1.0/com.example.timesheets-key"
    assert len(links) > 3  # system apps as well as the three user-installed ones
    assert [k for k, link in links.items() if not link.startswith("/confluence/rest/plugins/1.0/")] == []
