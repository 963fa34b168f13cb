"""`atlas-health check --compare-with PREVIOUS.json` against the simulated estate: the report names
the previous one the tool wrote and lists what changed; a bad previous file is one line on stderr,
exit 3 and nothing written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from collectors.model import Deployment, Product
from sandbox import Fault, InstanceSpec, Sandbox, sandbox_config

pytestmark = [pytest.mark.server]

NODE_CHECK = "instance.cluster.nodes"


def atlas(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "agent.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
    )


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Sandbox, Path, dict[str, str]]]:
    specs = [
        InstanceSpec("acme-jira", Product.JIRA, Deployment.DATACENTER, version="10.3.4", nodes=2),
        InstanceSpec("beta-jira", Product.JIRA, Deployment.SERVER, version="10.3.4"),
    ]
    with Sandbox(specs) as sandbox:
        config, env = sandbox_config(sandbox, {"acme": ["acme-jira"], "beta": ["beta-jira"]})
        config["checks"] = {"disabled": ["instance.version.support"]}  # depends on today's date
        folder = tmp_path_factory.mktemp("config")
        config["ledger"] = {"url": f"sqlite:///{folder / 'ledger.sqlite'}"}
        path = folder / "config.yaml"
        path.write_text(yaml.safe_dump(config))
        yield sandbox, path, env


def _json(folder: Path, customer: str) -> dict:
    [path] = folder.glob(f"{customer}-health-check-*.json")
    return json.loads(path.read_text(encoding="utf-8"))


def test_the_second_report_names_the_first_and_lists_the_changes(
    estate: tuple[Sandbox, Path, dict[str, str]], tmp_path: Path
) -> None:
    sandbox, config, env = estate
    sandbox.update("acme-jira", faults=set())
    first = atlas(["check", "--config", str(config), "-o", str(tmp_path / "first")], env)
    assert first.returncode in (0, 1), first.stderr
    before = _json(tmp_path / "first", "acme")
    assert before["comparison"] is None
    assert NODE_CHECK not in {f["check"] for f in before["findings"] if f["severity"] != "ok"}

    sandbox.update("acme-jira", faults={Fault.NODE_OFFLINE})
    try:
        previous = next((tmp_path / "first").glob("acme-health-check-*.json"))
        second = atlas(
            [
                "check",
                "--config",
                str(config),
                "-o",
                str(tmp_path / "second"),
                "--compare-with",
                str(previous),
            ],
            env,
        )
    finally:
        sandbox.update("acme-jira", faults=set())
    assert second.returncode == 2, second.stderr
    after = _json(tmp_path / "second", "acme")
    comparison = after["comparison"]
    assert comparison["previous_report_id"] == before["report_id"] != after["report_id"]
    new = [c for c in comparison["new"] if c["check"] == NODE_CHECK]
    assert [(c["severity"], c["previous_severity"]) for c in new] == [("critical", None)]
    problems_before = {f["fingerprint"] for f in before["findings"] if f["severity"] != "ok"}
    problems_after = {f["fingerprint"] for f in after["findings"] if f["severity"] != "ok"}
    assert {c["fingerprint"] for c in comparison["new"]} == problems_after - problems_before
    assert {c["fingerprint"] for c in comparison["resolved"]} == problems_before - problems_after
    assert {c["fingerprint"] for c in comparison["unchanged"]} == problems_before & problems_after
    assert _json(tmp_path / "second", "beta")["comparison"] is None  # only the previous one's customer

    [html] = (tmp_path / "second").glob("acme-health-check-*.html")
    page = html.read_text(encoding="utf-8")
    assert f'Since the last report (<span class="mono">{before["report_id"]}</span>' in page
    [md] = (tmp_path / "second").glob("acme-health-check-*.md")
    assert f"## Since the last report (`{before['report_id']}`" in md.read_text(encoding="utf-8")


def _refused(config: Path, env: dict[str, str], out: Path, previous: Path, *extra: str) -> str:
    run = atlas(
        ["check", "--config", str(config), "-o", str(out), "--compare-with", str(previous), *extra], env
    )
    assert run.returncode == 3, run.stderr
    assert run.stdout == ""
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: --compare-with "), run.stderr
    assert not out.exists() or list(out.iterdir()) == []
    return lines[0]


def test_a_bad_previous_report_is_one_line_and_nothing_is_written(
    estate: tuple[Sandbox, Path, dict[str, str]], tmp_path: Path
) -> None:
    _sandbox, config, env = estate
    out = tmp_path / "out"
    assert "no such file" in _refused(config, env, out, tmp_path / "missing.json")
    garbage = tmp_path / "garbage.json"
    garbage.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    assert "not UTF-8" in _refused(config, env, out, garbage)
    cut = tmp_path / "cut.json"
    cut.write_text('{"schema_version": 1, "report_id": "hc-', encoding="utf-8")
    assert "not JSON" in _refused(config, env, out, cut)
    wrong = tmp_path / "wrong.json"
    wrong.write_text(
        json.dumps({"schema_version": 1, "customer": "acme", "findings": "none"}), encoding="utf-8"
    )
    assert "not an atlas-health health-check report" in _refused(config, env, out, wrong)


def test_a_report_of_another_customer_is_refused(
    estate: tuple[Sandbox, Path, dict[str, str]], tmp_path: Path
) -> None:
    _sandbox, config, env = estate
    first = atlas(["check", "--config", str(config), "--customer", "beta", "-o", str(tmp_path / "beta")], env)
    assert first.returncode in (0, 1, 2, 3) and "error" not in first.stderr, first.stderr
    [beta] = (tmp_path / "beta").glob("beta-health-check-*.json")
    out = tmp_path / "out"
    # named with --customer: refused before anything is collected
    line = _refused(config, env, out, beta, "--customer", "acme")
    assert "a report of customer 'beta', who is not among --customer acme" in line
    # a customer the configuration does not check at all: refused once the reports are built
    doc = json.loads(beta.read_text(encoding="utf-8"))
    doc["customer"] = "zeta"
    zeta = tmp_path / "zeta.json"
    zeta.write_text(json.dumps(doc), encoding="utf-8")
    line = _refused(config, env, out, zeta)
    assert "a report of customer 'zeta', but this check is of 'acme', 'beta'" in line
