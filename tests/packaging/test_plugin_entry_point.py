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

README = (REPO / "README.md").read_text(encoding="utf-8")


def readme_block(section: str, language: str, index: int = 0) -> str:
    """The index-th fenced block of a language in a README section, dedented."""
    text = README.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    blocks = [b.split("```", 1)[0] for b in text.split(f"```{language}\n")[1:]]
    return textwrap.dedent(blocks[index])


# The README's "Write a check" example, as a plugin author copies it: the public API only.
PLUGIN_MODULE = readme_block("Write a check", "python")
# The README's test of it, with the fixtures of the pytest plugin atlas-health installs.
PLUGIN_TEST = readme_block("Write a check", "python", 1)


@pytest.fixture(scope="module")
def plugin_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("plugin-src")
    package = project / "atlas_health_example"
    package.mkdir()
    assert "from atlas_health import" in PLUGIN_MODULE and "from checks" not in PLUGIN_MODULE
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
    assert rows["acme.cluster.size"]["origin"] == "plugin atlas-health-example:cluster-size"
    assert rows["acme.cluster.size"]["thresholds"] == {"minimum": 3}
    assert rows["acme.cluster.size"]["scope"] == "instance"
    assert "instance.status" in rows  # built-ins are still there
    assert "plugin atlas-health-example:broken could not be loaded: ModuleNotFoundError" in result.stderr


def test_plugin_check_runs_on_a_bundle(plugin_path: Path, tmp_path: Path) -> None:
    bundle = write_recorded_bundle(tmp_path / "bundle")
    result = run_agent(["analyze", str(bundle), "--format", "json"], plugin_path, tmp_path)
    assert result.returncode in (1, 2), result.stderr  # the recorded cluster has an offline node
    report = json.loads(result.stdout)
    plugin = [f for f in report["findings"] if f["check"] == "acme.cluster.size"]
    assert len(plugin) == 1
    assert plugin[0]["severity"] == "warning"
    assert plugin[0]["message"] == "2 nodes"


def test_the_plugin_authors_test_runs_with_the_installed_pytest_plugin(
    plugin_path: Path, tmp_path: Path
) -> None:
    test_file = tmp_path / "test_acme.py"
    test_file.write_text(
        "from atlas_health import Severity\nfrom atlas_health_example import AcmeClusterSize\n\n\n"
        + PLUGIN_TEST
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(plugin_path), str(REPO)])}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test_file)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
