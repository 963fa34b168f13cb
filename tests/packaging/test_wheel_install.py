"""A non-editable install from the built wheel works on its own: templates and data included."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.packaging.helpers import REPO, write_recorded_bundle

pytestmark = [pytest.mark.slow, pytest.mark.server]


def run(cmd: list[str], cwd: Path, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, timeout=timeout)
    assert result.returncode in (0, 1, 2), (
        f"{cmd} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    )
    return result


def test_wheel_installs_into_a_fresh_venv_and_renders_a_report(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(dist), str(REPO)], tmp_path)
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
    )
    html = list(out.glob("acme-health-check-*.html"))
    assert len(html) == 1
    page = html[0].read_text()
    assert "acme" in page and "node2" in page  # the offline node's finding was rendered
    listing = run([str(venv / "bin" / "atlas-health"), "checks", "list", "--format", "json"], tmp_path)
    assert '"instance.version.support"' in listing.stdout  # check data (end-of-life table) loads too
    # The hours ledger's migrations ship in the wheel: a new ledger is created from them.
    opened = "from agent.ledger import Ledger; Ledger.open('sqlite:///ledger.sqlite').close()"
    run([str(venv / "bin" / "python"), "-c", opened], tmp_path)
    assert (tmp_path / "ledger.sqlite").is_file()
    # The simulated estate ships too: the demo serves it and checks it from the installed wheel.
    demo = tmp_path / "demo"
    run([str(venv / "bin" / "atlas-health"), "demo", "--output", str(demo)], tmp_path)
    assert {p.name.split("-")[0] for p in demo.glob("*-health-check-*.html")} == {"acme", "globex"}
