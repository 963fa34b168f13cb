"""The CLI's workflows end to end: collect then analyze offline, JSON on stdout, errors as one line."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from collectors.model import Deployment, Product
from sandbox import Fault, InstanceSpec, Sandbox, sandbox_config

pytestmark = [pytest.mark.server]


def atlas(args: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "agent.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory):
    specs = [
        InstanceSpec(
            name="acme-jira",
            product=Product.JIRA,
            deployment=Deployment.DATACENTER,
            version="9.12.2",
            nodes=3,
            faults={Fault.NODE_OFFLINE, Fault.LICENSE_EXPIRING},
        ),
        InstanceSpec(
            name="acme-wiki",
            product=Product.CONFLUENCE,
            deployment=Deployment.SERVER,
            version="8.5.6",
            context_path="/confluence",
            faults={Fault.APP_FAILED},
        ),
        InstanceSpec(
            name="beta-jira",
            product=Product.JIRA,
            deployment=Deployment.SERVER,
            version="10.3.4",
            faults={Fault.DOWN},
        ),
    ]
    with Sandbox(specs) as sandbox:
        config, env = sandbox_config(sandbox, {"acme": ["acme-jira", "acme-wiki"], "beta": ["beta-jira"]})
        path = tmp_path_factory.mktemp("config") / "config.yaml"
        path.write_text(yaml.safe_dump(config))
        yield path, env


def comparable(report: dict) -> list[tuple]:
    return [
        (f["check"], f["severity"], f["target"], f["fingerprint"], f["message"]) for f in report["findings"]
    ]


def test_offline_analysis_gives_the_same_findings_as_the_live_run(estate, tmp_path: Path) -> None:
    path, env = estate
    bundle = tmp_path / "bundle"
    collected = atlas(["collect", "--config", str(path), "-o", str(bundle)], env)
    assert collected.returncode == 0, collected.stderr
    assert sorted(p.name for p in bundle.iterdir()) == [
        "check-settings.json",
        "manifest.json",
        "snapshot.json",
    ]
    offline = atlas(["analyze", str(bundle), "--format", "json"])
    assert offline.returncode == 2, offline.stderr
    reports = [json.loads(line) for line in offline.stdout.splitlines()]
    assert [r["customer"] for r in reports] == ["acme", "beta"]

    # A live run collects again, so only its timings (latency findings) and wording that quotes a
    # clock may differ; what was concluded about which target must not.
    live = atlas(["check", "--config", str(path), "--format", "json"], env)
    live_reports = [json.loads(line) for line in live.stdout.splitlines()]

    def conclusions(rs: list[dict]) -> list[tuple]:
        return [t[:4] for r in rs for t in comparable(r) if t[0] != "instance.api.latency"]

    assert conclusions(reports) == conclusions(live_reports)
    assert live.returncode == offline.returncode == 2


def test_analyze_twice_is_identical(estate, tmp_path: Path) -> None:
    path, env = estate
    bundle = tmp_path / "bundle"
    assert atlas(["collect", "--config", str(path), "-o", str(bundle)], env).returncode == 0
    first = atlas(["analyze", str(bundle), "--format", "json"]).stdout
    second = atlas(["analyze", str(bundle), "--format", "json"]).stdout
    assert [comparable(json.loads(x)) for x in first.splitlines()] == [
        comparable(json.loads(x)) for x in second.splitlines()
    ]


def test_json_stdout_is_clean_and_customers_can_be_chosen(estate) -> None:
    path, env = estate
    result = atlas(["check", "--config", str(path), "--format", "json", "--customer", "beta"], env)
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    report = json.loads(lines[0])
    assert report["customer"] == "beta"
    assert report["summary"]["overall"] == "critical"
    assert result.returncode == 2
    unknown = atlas(["check", "--config", str(path), "--customer", "gamma"], env)
    assert unknown.returncode == 3
    assert "unknown customer 'gamma'; the configuration has: acme, beta" in unknown.stderr


def test_markdown_and_html_to_stdout(estate) -> None:
    path, env = estate
    md = atlas(["check", "--config", str(path), "--format", "md", "--customer", "acme"], env)
    assert md.stdout.lstrip().startswith("#") and "acme-wiki" in md.stdout
    html = atlas(["check", "--config", str(path), "--format", "html", "--customer", "acme"], env)
    assert html.stdout.lstrip().lower().startswith("<!doctype html>")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ["check", "--config", "/nonexistent/c.yaml"], "cannot read the file", id="missing-config"
        ),
        pytest.param(["analyze", "/nonexistent/bundle"], "no such file or folder", id="missing-path"),
        pytest.param(["analyze", "/"], "give the folders that hold the logs", id="whole-disk"),
        pytest.param(["check"], "Missing option '--config'", id="usage"),
        pytest.param(["nonsense"], "No such command", id="unknown-command"),
    ],
)
def test_bad_input_is_one_clear_line_and_exit_3(args: list[str], message: str) -> None:
    result = atlas(args)
    assert result.returncode == 3
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_unwritable_output_is_refused_cleanly(estate, tmp_path: Path) -> None:
    path, env = estate
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = atlas(["check", "--config", str(path), "--output", str(blocker / "out")], env)
    assert result.returncode == 3
    assert f"cannot write {blocker}/out" in result.stderr


def test_damaged_bundle_is_refused(estate, tmp_path: Path) -> None:
    path, env = estate
    bundle = tmp_path / "bundle"
    assert atlas(["collect", "--config", str(path), "-o", str(bundle)], env).returncode == 0
    snapshot = bundle / "snapshot.json"
    snapshot.write_text(snapshot.read_text()[:-20])
    result = atlas(["analyze", str(bundle)])
    assert result.returncode == 3
    assert "snapshot.json does not match its checksum" in result.stderr


def test_config_validate(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("customers:\n  - name: a\n    instances:\n      - name: j\n        product: jira\n")
    result = atlas(["config", "validate", str(bad)])
    assert result.returncode == 3
    assert f"{bad}:4: customers[0].instances[0].url: missing required key 'url'" in result.stderr
    assert (
        f"{bad}:4: customers[0].instances[0].deployment: missing required key 'deployment'" in result.stderr
    )
    good = tmp_path / "good.yaml"
    good.write_text(
        "customers:\n  - name: a\n    instances:\n      - {name: j, product: jira, url: 'http://127.0.0.1:1',"
        " deployment: server, auth: {type: none}}\n"
    )
    ok = atlas(["config", "validate", str(good)])
    assert ok.returncode == 0, ok.stderr
    assert "valid (1 customer(s), 1 instance(s))" in ok.stderr


def test_version() -> None:
    result = atlas(["--version"])
    assert result.returncode == 0
    assert result.stdout.startswith("atlas-health, version ")


@pytest.mark.slow
def test_demo_writes_three_reports_with_every_severity(tmp_path: Path) -> None:
    result = atlas(["demo", "--output", str(tmp_path / "demo")])
    assert result.returncode == 0, result.stderr
    files = sorted(p.name for p in (tmp_path / "demo").iterdir())
    for customer in ("acme", "globex"):
        for ext in ("html", "md", "json"):
            assert any(f.startswith(f"{customer}-health-check-") and f.endswith(f".{ext}") for f in files), (
                files
            )
    severities = set()
    products, deployments = set(), set()
    for report_file in (tmp_path / "demo").glob("*-health-check-*.json"):  # not the post-incident report
        report = json.loads(report_file.read_text())
        severities |= {f["severity"] for f in report["findings"]}
        products |= {t["product"] for t in report["targets"]}
        deployments |= {(t["product"], t["deployment"]) for t in report["targets"]}
        assert all(t["facts"] is not None for t in report["targets"])  # each instance has its section
    assert {"ok", "warning", "critical"} <= severities
    assert products == {"jira", "confluence", "bitbucket", "bamboo", "crowd", "fecru"}
    assert {("jira", "cloud"), ("bitbucket", "cloud")} <= deployments
    html = next((tmp_path / "demo").glob("acme-health-check-*.html")).read_text()
    for heading in ("acme-bitbucket", "acme-bamboo", "acme-crowd", "acme-fisheye", "acme-cloud"):
        assert re.search(rf'<h3 id="product-\d+">{heading} <span', html), heading
    assert "demo finished in" in result.stdout
