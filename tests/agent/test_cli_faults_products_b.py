"""`atlas-health check` against Bamboo, Fisheye/Crucible and Cloud sites (Jira Cloud, Bitbucket Cloud),
each product fault (and the generic ones that take another path per product) injected in turn.

Real parts only, as in test_cli_faults.py: the agent runs as a subprocess and talks HTTP over loopback to
the simulated estate. Each instance has its own configuration file, so the exit code is that instance's.
Each fault must give its finding and exit code, never a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from collectors.model import Deployment, Product
from sandbox import Fault, InstanceSpec
from tests.agent.per_instance_estate import atlas, check_json, per_instance_estate

pytestmark = [pytest.mark.server]

BAMBOO = "acme-bamboo"
FECRU = "acme-fecru"
BB_CLOUD = "acme-bitbucket-cloud"
JIRA_CLOUD = "acme-jira-cloud"
CLOUD_USER = "svc-health@example.com"
SPECS = [
    InstanceSpec(BAMBOO, Product.BAMBOO, Deployment.DATACENTER, version="10.2.3", retry_after_s=1),
    InstanceSpec(FECRU, Product.FECRU, Deployment.SERVER, version="4.8.15", context_path="/fecru"),
    InstanceSpec(BB_CLOUD, Product.BITBUCKET, Deployment.CLOUD, username=CLOUD_USER, retry_after_s=1),
    InstanceSpec(JIRA_CLOUD, Product.JIRA, Deployment.CLOUD, username=CLOUD_USER, retry_after_s=1),
]


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory):
    yield from per_instance_estate(SPECS, tmp_path_factory)


CASES = [
    # Bamboo: its own faults and the generic faults
    pytest.param(BAMBOO, set(), {}, "bamboo.agents.online", "ok", 0, id="bamboo-healthy"),
    pytest.param(BAMBOO, {Fault.BAMBOO_PAUSED}, {}, "bamboo.server.state", "warning", 1, id="bamboo-paused"),
    pytest.param(BAMBOO, {Fault.BAMBOO_AGENTS_OFFLINE}, {}, "bamboo.agents.offline", "critical", 2, id="bamboo-agents-offline"),
    pytest.param(BAMBOO, {Fault.BAMBOO_NO_AGENTS_ONLINE}, {}, "bamboo.agents.online", "critical", 2, id="bamboo-no-agents"),
    pytest.param(BAMBOO, {Fault.BAMBOO_QUEUE_BACKLOG}, {}, "bamboo.queue.backlog", "critical", 2, id="bamboo-backlog"),
    pytest.param(BAMBOO, {Fault.BAMBOO_QUEUE_BACKLOG}, {}, "bamboo.queue.age", "warning", 2, id="bamboo-queue-age"),
    pytest.param(BAMBOO, {Fault.BAMBOO_LEGACY_STATUS}, {}, "instance.status", "ok", 0, id="bamboo-status-field"),
    pytest.param(BAMBOO, {Fault.DOWN}, {}, "instance.status", "critical", 2, id="bamboo-down"),
    pytest.param(BAMBOO, {Fault.UNAUTHORIZED}, {}, "instance.credentials", "critical", 2, id="bamboo-401"),
    pytest.param(BAMBOO, {Fault.HTML_LOGIN}, {}, "instance.credentials", "critical", 2, id="bamboo-html-login"),
    pytest.param(BAMBOO, {Fault.SERVER_ERROR}, {}, "instance.collection", "warning", 1, id="bamboo-500"),
    pytest.param(BAMBOO, {Fault.RATE_LIMITED}, {}, "instance.api.rate_limit", "info", 0, id="bamboo-429-retried"),
    pytest.param(BAMBOO, {Fault.APP_FAILED}, {}, "instance.apps.state", "critical", 2, id="bamboo-app-failed"),
    # Fisheye/Crucible
    pytest.param(FECRU, set(), {}, "fecru.repositories", "ok", 0, id="fecru-healthy"),
    pytest.param(FECRU, {Fault.FECRU_REPO_STOPPED}, {}, "fecru.repositories", "warning", 1, id="fecru-repo-stopped"),
    pytest.param(FECRU, {Fault.DOWN}, {}, "instance.status", "critical", 2, id="fecru-down"),
    pytest.param(FECRU, {Fault.UNAUTHORIZED}, {}, "instance.collection", "warning", 1, id="fecru-401"),
    pytest.param(FECRU, {Fault.HTML_LOGIN}, {}, "instance.status", "warning", 1, id="fecru-html-login"),
    pytest.param(FECRU, {Fault.SERVER_ERROR}, {}, "instance.status", "critical", 2, id="fecru-500"),
    pytest.param(FECRU, {Fault.RATE_LIMITED}, {}, "instance.api.rate_limit", "info", 0, id="fecru-429-retried"),
    # Cloud sites
    pytest.param(BB_CLOUD, set(), {}, "cloud.rate_limit", "ok", 0, id="bitbucket-cloud-healthy"),
    pytest.param(BB_CLOUD, set(), {}, "cloud.products", "info", 0, id="bitbucket-cloud-workspaces"),
    pytest.param(BB_CLOUD, {Fault.CLOUD_RATE_LIMITED}, {}, "cloud.rate_limit", "warning", 1, id="bitbucket-cloud-429"),
    pytest.param(BB_CLOUD, {Fault.DOWN}, {}, "instance.status", "critical", 2, id="bitbucket-cloud-down"),
    pytest.param(BB_CLOUD, {Fault.UNAUTHORIZED}, {}, "instance.credentials", "critical", 2, id="bitbucket-cloud-401"),
    pytest.param(BB_CLOUD, {Fault.SERVER_ERROR}, {}, "instance.status", "critical", 2, id="bitbucket-cloud-500"),
    pytest.param(JIRA_CLOUD, set(), {}, "cloud.products", "info", 0, id="jira-cloud-products"),
    pytest.param(JIRA_CLOUD, {Fault.CLOUD_RATE_LIMITED}, {}, "cloud.rate_limit", "warning", 1, id="jira-cloud-429"),
    pytest.param(
        JIRA_CLOUD, {Fault.CLOUD_RATE_LIMITED}, {"rate_limit_count": -1}, "instance.api.rate_limit", "warning", 1,
        id="jira-cloud-429-persistent",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("name", "faults", "changes", "check", "severity", "code"), CASES)
def test_each_fault_gives_its_finding_and_exit_code(
    estate, name, faults, changes, check, severity, code
) -> None:
    defaults = {"state": "RUNNING", "rate_limit_count": 1}
    estate.sandbox.update(name, faults=set(faults), **{**defaults, **changes})
    try:
        returncode, report = check_json(estate, name)
    finally:
        estate.sandbox.update(name, faults=set(), **defaults)
    found = [f for f in report["findings"] if f["check"] == check]
    assert severity in [f["severity"] for f in found], [
        (f["check"], f["severity"], f["title"]) for f in report["findings"]
    ]
    assert returncode == code, [(f["check"], f["severity"], f["title"]) for f in report["findings"]]
    assert report["summary"]["exit_code"] == code


def test_product_fault_findings_say_what_happened(estate) -> None:
    estate.sandbox.update(FECRU, faults={Fault.FECRU_REPO_STOPPED})
    try:
        _, report = check_json(estate, FECRU)
    finally:
        estate.sandbox.update(FECRU, faults=set())
    (finding,) = [f for f in report["findings"] if f["check"] == "fecru.repositories"]
    assert finding["title"] == "Repository legacy-svn is stopped"
    assert "E170013: Unable to connect" in finding["message"]


@pytest.mark.parametrize("name", [BAMBOO, FECRU, BB_CLOUD])
def test_only_get_requests_no_secrets_and_the_apps_inventory(estate, name: str, tmp_path: Path) -> None:
    estate.sandbox.reset_requests(name)
    out = tmp_path / "reports"
    result = atlas(["check", "--config", str(estate.configs[name]), "--output", str(out)], estate.env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert {r.method for r in estate.sandbox.requests(name)} == {"GET"}
    spec = estate.sandbox.spec(name)
    written = sorted(out.iterdir())
    assert sorted(p.name.rsplit(".", 1)[1] for p in written) == ["html", "json", "md"]
    for text in [result.stdout + result.stderr, *(p.read_text() for p in written)]:
        assert spec.accepted_token() not in text and spec.accepted_password() not in text
    report = json.loads(next(p for p in written if p.suffix == ".json").read_text())
    [inventory] = report["inventory"]["instances"]
    if spec.deployment is Deployment.CLOUD:
        assert inventory["apps"] is None  # no UPM listing on Cloud
    else:  # one inventory of user-installed apps per Server/DC instance: name, key, version, enabled
        assert {a["key"]: a["enabled"] for a in inventory["apps"]} == {
            "com.example.automation": True,
            "com.example.diagrams": True,
            "com.example.timesheets": True,
        }
        assert all(a["name"] and a["version"] for a in inventory["apps"])
