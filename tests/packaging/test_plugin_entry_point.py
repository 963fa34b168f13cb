"""Third-party checks arrive through the `atlas_health.checks` entry-point group.

A tiny plugin distribution is built and installed for real (pip, into a target folder put on
PYTHONPATH), then the agent runs in a subprocess, the way a user's installation would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.packaging.helpers import REPO, write_recorded_bundle

pytestmark = [pytest.mark.slow]

PLUGIN_MODULE = """
from checks import Category, Check, CheckMeta, Severity


class NodeCount(Check):
    meta = CheckMeta(
        id="example.cluster.size",
        title="Cluster has at least three nodes",
        description="A consultant's house rule: Data Center clusters run three nodes or more.",
        category=Category.AVAILABILITY,
        default_severity=Severity.WARNING,
        requires=("cluster",),
        thresholds={"minimum": 3},
    )

    def run(self, ctx):
        count = len(ctx.instance.cluster.nodes)
        minimum = ctx.threshold("minimum")
        severity = Severity.WARNING if count < minimum else Severity.OK
        yield ctx.finding(severity, "Cluster size", f"{count} nodes (house minimum {minimum})")
"""


@pytest.fixture(scope="module")
def plugin_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("plugin-src")
    package = project / "atlas_health_example"
    package.mkdir()
    (package / "__init__.py").write_text(PLUGIN_MODULE)
    (project / "pyproject.toml").write_text(
        textwrap.dedent("""\
        [build-system]
        requires = ["setuptools>=61"]
        build-backend = "setuptools.build_meta"

        [project]
        name = "atlas-health-example"
        version = "1.0"

        [project.entry-points."atlas_health.checks"]
        cluster-size = "atlas_health_example"
        broken = "atlas_health_example.missing_module"
        """)
    )
    target = tmp_path_factory.mktemp("plugin-site")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(project)],
        check=True,
    )
    return target


def run_agent(args: list[str], plugin_path: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(plugin_path), str(REPO)])}
    return subprocess.run(
        [sys.executable, "-m", "agent.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
    )


def test_plugin_check_is_listed_and_a_broken_one_is_reported(plugin_path: Path, tmp_path: Path) -> None:
    result = run_agent(["checks", "list", "--format", "json"], plugin_path, tmp_path)
    assert result.returncode == 0, result.stderr
    rows = {row["id"]: row for row in json.loads(result.stdout)}
    assert rows["example.cluster.size"]["origin"] == "plugin atlas-health-example:cluster-size"
    assert rows["example.cluster.size"]["thresholds"] == {"minimum": 3}
    assert "instance.status" in rows  # built-ins are still there
    assert "plugin atlas-health-example:broken could not be loaded: ModuleNotFoundError" in result.stderr


def test_plugin_check_runs_on_a_bundle(plugin_path: Path, tmp_path: Path) -> None:
    bundle = write_recorded_bundle(tmp_path / "bundle")
    result = run_agent(["analyze", str(bundle), "--format", "json"], plugin_path, tmp_path)
    assert result.returncode in (1, 2), result.stderr  # the recorded cluster has an offline node
    report = json.loads(result.stdout)
    plugin = [f for f in report["findings"] if f["check"] == "example.cluster.size"]
    assert len(plugin) == 1
    assert plugin[0]["severity"] == "warning"
    assert plugin[0]["message"] == "2 nodes (house minimum 3)"
