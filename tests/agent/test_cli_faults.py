"""`atlas-health check` against the sandbox with each fault injected in turn.

Real parts only: the agent runs as a subprocess (as a user or Nagios would run it) and talks HTTP
over loopback to the simulated estate. Each fault must give its finding and exit code, never a
traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from collectors.model import Deployment, Product
from sandbox import Fault, InstanceSpec, Sandbox, sandbox_config

pytestmark = [pytest.mark.server]

JIRA = "acme-jira"


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory):
    specs = [
        InstanceSpec(
            name=JIRA,
            product=Product.JIRA,
            deployment=Deployment.DATACENTER,
            version="10.3.4",
            nodes=2,
            slow_ms=1500,
            retry_after_s=1,
        )
    ]
    with Sandbox(specs) as sandbox:
        config, env = sandbox_config(sandbox, {"acme": [JIRA]})
        # Version support depends on today's date against the end-of-life table: tested on its own.
        config["checks"] = {"disabled": ["instance.version.support"]}
        config["settings"] = {"timeout_seconds": 5, "retry_after_cap_seconds": 2, "max_retries": 1}
        path = tmp_path_factory.mktemp("config") / "config.yaml"
        path.write_text(yaml.safe_dump(config))
        yield sandbox, path, env


def atlas(args: list[str], env: dict[str, str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "agent.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        cwd=cwd,
        timeout=120,
    )


def check_json(estate) -> tuple[int, dict, str]:
    _, path, env = estate
    result = atlas(["check", "--config", str(path), "--format", "json"], env)
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, json.loads(result.stdout), result.stderr


def findings(report: dict, check: str) -> list[dict]:
    return [f for f in report["findings"] if f["check"] == check]


CASES = [
    pytest.param({}, {}, "instance.status", "ok", 0, id="healthy"),
    pytest.param({Fault.DOWN}, {}, "instance.status", "critical", 2, id="down"),
    pytest.param({Fault.TLS_UNTRUSTED}, {}, "instance.status", "critical", 2, id="tls-untrusted"),
    pytest.param({Fault.SLOW}, {}, "instance.api.latency", "warning", 1, id="slow"),
    pytest.param({Fault.UNAUTHORIZED}, {}, "instance.credentials", "critical", 2, id="401"),
    pytest.param({Fault.HTML_LOGIN}, {}, "instance.credentials", "critical", 2, id="html-login-page"),
    pytest.param(
        {Fault.RATE_LIMITED}, {"rate_limit_count": 1}, "instance.api.rate_limit", "info", 0, id="429-retried"
    ),
    pytest.param(
        {Fault.RATE_LIMITED},
        {"rate_limit_count": -1, "retry_after_s": 30},
        "instance.api.rate_limit",
        "warning",
        1,
        id="429-beyond-cap",
    ),
    pytest.param({Fault.SERVER_ERROR}, {}, "instance.collection", "warning", 1, id="500"),
    pytest.param({Fault.MALFORMED_JSON}, {}, "instance.collection", "warning", 1, id="malformed-json"),
    pytest.param({Fault.LICENSE_EXPIRED}, {}, "instance.license.expiry", "critical", 2, id="licence-expired"),
    pytest.param({Fault.LICENSE_EXPIRING}, {}, "instance.license.expiry", "critical", 2, id="licence-5-days"),
    pytest.param({Fault.SEATS_FULL}, {}, "instance.license.seats", "critical", 2, id="seats-full"),
    pytest.param({Fault.ATST_FAILING}, {}, "instance.atst", "critical", 2, id="atst-failing"),
    pytest.param({Fault.ATST_LEGACY_ONLY}, {}, "instance.atst", "ok", 0, id="atst-legacy-path"),
    pytest.param({Fault.INDEX_LAGGING}, {}, "jira.index.consistency", "critical", 2, id="index-lagging"),
    pytest.param({Fault.INDEX_LAGGING}, {}, "jira.index.replication", "critical", 2, id="replication-lag"),
    pytest.param({Fault.NODE_OFFLINE}, {}, "instance.cluster.nodes", "critical", 2, id="node-offline"),
    pytest.param({Fault.APP_FAILED}, {}, "instance.apps.state", "critical", 2, id="app-failed"),
    pytest.param(set(), {"state": "STARTING"}, "instance.status", "warning", 1, id="starting"),
    pytest.param(set(), {"state": "FIRST_RUN"}, "instance.status", "warning", 1, id="first-run"),
    pytest.param(set(), {"state": "MAINTENANCE"}, "instance.status", "critical", 2, id="maintenance"),
    pytest.param(set(), {"state": "ERROR"}, "instance.status", "critical", 2, id="error-state"),
]


@pytest.mark.parametrize(("faults", "changes", "check", "severity", "code"), CASES)
def test_each_fault_gives_its_finding_and_exit_code(estate, faults, changes, check, severity, code) -> None:
    sandbox = estate[0]
    defaults = {"state": "RUNNING", "rate_limit_count": 1, "retry_after_s": 1}
    sandbox.update(JIRA, faults=set(faults), **{**defaults, **changes})
    try:
        returncode, report, _ = check_json(estate)
    finally:
        sandbox.update(JIRA, faults=set(), **defaults)
    severities = [f["severity"] for f in findings(report, check)]
    assert severity in severities, (severities, [f["title"] for f in report["findings"]])
    assert returncode == code, [(f["check"], f["severity"], f["title"]) for f in report["findings"]]
    assert report["summary"]["exit_code"] == code


def test_only_get_requests_reach_the_customer(estate) -> None:
    sandbox = estate[0]
    sandbox.reset_requests(JIRA)
    check_json(estate)
    methods = {r.method for r in sandbox.requests(JIRA)}
    assert methods == {"GET"}


def test_secrets_never_reach_output(estate, tmp_path: Path) -> None:
    sandbox, path, env = estate
    out = tmp_path / "reports"
    result = atlas(["check", "--config", str(path), "--output", str(out)], env)
    assert result.returncode == 0, result.stderr
    written = sorted(p.name.rsplit(".", 1)[1] for p in out.iterdir())
    assert written == ["html", "json", "md"]
    secret = sandbox.spec(JIRA).accepted_token()
    for file in out.iterdir():
        assert secret not in file.read_text()
    assert secret not in result.stdout + result.stderr
