"""A non-editable install from the built wheel works on its own: templates and data included."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.packaging.helpers import REPO, write_recorded_bundle

pytestmark = [pytest.mark.slow, pytest.mark.server]


def run(
    cmd: list[str], cwd: Path, timeout: int = 600, accept: tuple[int, ...] = (0,)
) -> subprocess.CompletedProcess[str]:
    """Run a command that must succeed; ``accept`` widens that for the agent, whose exit code is the
    worst finding's severity (1 warning, 2 critical) and not a failure."""
    result = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, timeout=timeout)
    assert result.returncode in accept, (
        f"{cmd} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    )
    return result


def clean_source(folder: Path) -> Path:
    """The project's files without what a build or a checkout left beside them: setuptools builds in
    the source tree and keeps its build/ folder, so a file the packaging stopped shipping would still
    reach a wheel built there after an earlier build."""
    leftovers = shutil.ignore_patterns(
        ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache"
    )
    shutil.copytree(REPO, folder, ignore=leftovers)
    return folder


def test_wheel_installs_into_a_fresh_venv_and_renders_a_report(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    source = clean_source(tmp_path / "source")
    run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(dist), str(source)], tmp_path)
    wheels = list(dist.glob("atlas_health-*.whl"))
    assert len(wheels) == 1

    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", str(venv)], tmp_path)
    run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(wheels[0])], tmp_path)

    version = run([str(venv / "bin" / "atlas-health"), "--version"], tmp_path)
    assert version.stdout.startswith("atlas-health, version ")

    # Everything is imported from the fresh venv, not from the source tree.
    where = run(
        [str(venv / "bin" / "python"), "-c", "import templates, checks, agent; print(templates.__file__)"],
        tmp_path,
    )
    assert where.stdout.strip().startswith(str(venv))

    bundle = write_recorded_bundle(tmp_path / "bundle")
    out = tmp_path / "reports"
    run(
        [
            str(venv / "bin" / "atlas-health"),
            "analyze",
            str(bundle),
            "--format",
            "html",
            "--output",
            str(out),
        ],
        tmp_path,
        accept=(2,),  # the recorded cluster has an offline node: critical
    )
    html = list(out.glob("acme-health-check-*.html"))
    assert len(html) == 1
    page = html[0].read_text()
    assert "Cluster node node2 is down" in page  # the offline node's finding was rendered
    # check data loads too: the end-of-life table dates the recorded version
    assert "Jira 10.3.4 reaches end of life on 2026-11-30" in page
    listing = run([str(venv / "bin" / "atlas-health"), "checks", "list", "--format", "json"], tmp_path)
    assert '"instance.version.support"' in listing.stdout
    # The hours ledger's migrations ship in the wheel: a new ledger is created from them.
    # Opening alone succeeds on an empty file too: reading the entries needs the migrated tables.
    opened = (
        "from agent.ledger import Ledger\n"
        "with Ledger.open('sqlite:///ledger.sqlite') as ledger:\n"
        "    print(len(ledger.entries('acme')), 'entries')"
    )
    assert run([str(venv / "bin" / "python"), "-c", opened], tmp_path).stdout == "0 entries\n"
    # The simulated estate ships too: the demo serves it and checks it from the installed wheel.
    demo = tmp_path / "demo"
    run([str(venv / "bin" / "atlas-health"), "demo", "--output", str(demo)], tmp_path)
    assert {p.name.split("-")[0] for p in demo.glob("*-health-check-*.html")} == {"acme", "globex"}
