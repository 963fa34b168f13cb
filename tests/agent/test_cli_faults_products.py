"""`atlas-health check` against every product of the sandbox with each product fault (and the generic ones
that take another path per product) injected in turn.

Real parts only, as in test_cli_faults.py: the agent runs as a subprocess and talks HTTP over loopback to
the simulated estate. Each instance has its own configuration file, so the exit code is that instance's.
Each fault must give its finding and exit code, never a traceback.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from collectors.model import Deployment, Product
from sandbox import Fault, InstanceSpec
from sandbox.bitbucket_payloads import raw_license
from tests.agent.per_instance_estate import atlas, check_json, per_instance_estate

pytestmark = [pytest.mark.server]

BITBUCKET = "acme-bitbucket"
CROWD = "acme-crowd"
SPECS = [
    InstanceSpec(
        BITBUCKET, Product.BITBUCKET, Deployment.DATACENTER, version="10.2.1", nodes=2, retry_after_s=1
    ),
    InstanceSpec(CROWD, Product.CROWD, Deployment.SERVER, version="7.2.3", context_path="/crowd"),
]


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory):
    yield from per_instance_estate(SPECS, tmp_path_factory)


CASES = [
    # Bitbucket: its own faults, its /status semantics, and the generic faults
    pytest.param(BITBUCKET, set(), {}, "instance.status", "ok", 0, id="bitbucket-healthy"),
    pytest.param(
        BITBUCKET, {Fault.BITBUCKET_SEATS_NEAR_LIMIT}, {}, "instance.license.seats", "warning", 1,
        id="bitbucket-seats-95-percent",
    ),
    pytest.param(
        BITBUCKET, {Fault.BITBUCKET_INDEX_DOWN}, {}, "bitbucket.search.index", "warning", 1,
        id="bitbucket-index-down",
    ),
    pytest.param(BITBUCKET, {Fault.NODE_OFFLINE}, {}, "instance.cluster.nodes", "critical", 2, id="bitbucket-node-offline"),
    pytest.param(BITBUCKET, {Fault.SEATS_FULL}, {}, "instance.license.seats", "critical", 2, id="bitbucket-seats-full"),
    pytest.param(
        BITBUCKET, {Fault.LICENSE_EXPIRED}, {}, "instance.license.expiry", "critical", 2, id="bitbucket-licence-expired"
    ),
    pytest.param(
        BITBUCKET, set(), {"state": "MAINTENANCE"}, "instance.status", "warning", 1, id="bitbucket-maintenance-200"
    ),
    pytest.param(BITBUCKET, set(), {"state": "STARTING"}, "instance.status", "warning", 1, id="bitbucket-starting-503"),
    pytest.param(BITBUCKET, {Fault.DOWN}, {}, "instance.status", "critical", 2, id="bitbucket-down"),
    pytest.param(BITBUCKET, {Fault.UNAUTHORIZED}, {}, "instance.credentials", "critical", 2, id="bitbucket-401"),
    pytest.param(BITBUCKET, {Fault.HTML_LOGIN}, {}, "instance.credentials", "critical", 2, id="bitbucket-html-login"),
    pytest.param(BITBUCKET, {Fault.SERVER_ERROR}, {}, "instance.collection", "warning", 1, id="bitbucket-500"),
    pytest.param(
        BITBUCKET, {Fault.RATE_LIMITED}, {"rate_limit_count": 1}, "instance.api.rate_limit", "info", 0,
        id="bitbucket-429-retried",
    ),
    pytest.param(BITBUCKET, {Fault.APP_FAILED}, {}, "instance.apps.state", "critical", 2, id="bitbucket-app-failed"),
    pytest.param(BITBUCKET, {Fault.ATST_FAILING}, {}, "instance.atst", "critical", 2, id="bitbucket-atst-failing"),
    # Crowd
    pytest.param(CROWD, set(), {}, "crowd.directories.sync", "ok", 0, id="crowd-healthy"),
    pytest.param(CROWD, {Fault.CROWD_SYNC_FAILED}, {}, "crowd.directories.sync", "critical", 2, id="crowd-sync-failed"),
    pytest.param(CROWD, {Fault.CROWD_SYNC_STALE}, {}, "crowd.directories.stale", "critical", 2, id="crowd-sync-stale"),
    pytest.param(CROWD, {Fault.DOWN}, {}, "instance.status", "critical", 2, id="crowd-down"),
    pytest.param(CROWD, {Fault.UNAUTHORIZED}, {}, "instance.credentials", "critical", 2, id="crowd-401"),
    pytest.param(CROWD, {Fault.HTML_LOGIN}, {}, "instance.credentials", "critical", 2, id="crowd-html-login"),
    pytest.param(CROWD, {Fault.SERVER_ERROR}, {}, "instance.collection", "warning", 1, id="crowd-500"),
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
    estate.sandbox.update(CROWD, faults={Fault.CROWD_SYNC_FAILED})
    try:
        _, report = check_json(estate, CROWD)
    finally:
        estate.sandbox.update(CROWD, faults=set())
    (finding,) = [f for f in report["findings"] if f["check"] == "crowd.directories.sync"]
    assert finding["title"] == "Directory Corporate LDAP failed to synchronise"
    assert "java.net.ConnectException: Connection refused" in finding["message"]


@pytest.mark.parametrize("name", [BITBUCKET, CROWD])
def test_only_get_requests_and_no_secrets_in_any_output(estate, name: str, tmp_path: Path) -> None:
    estate.sandbox.reset_requests(name)
    out = tmp_path / "reports"
    result = atlas(["check", "--config", str(estate.configs[name]), "--output", str(out)], estate.env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert {r.method for r in estate.sandbox.requests(name)} == {"GET"}
    spec = estate.sandbox.spec(name)
    secrets = [spec.accepted_token(), spec.accepted_password(), raw_license(spec)]
    written = sorted(out.iterdir())
    assert sorted(p.name.rsplit(".", 1)[1] for p in written) == ["html", "json", "md"]
    for text in [result.stdout + result.stderr, *(p.read_text() for p in written)]:
        assert not any(secret in text for secret in secrets)
