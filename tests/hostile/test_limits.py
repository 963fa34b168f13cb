"""The harness itself: a run that leaves files behind fails, so the hostile cases' "nothing left"
is a check that can fail rather than one assumed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.hostile.limits import ROOT, atlas

pytestmark = [pytest.mark.server]  # subprocesses

LOG = "2024-05-01 10:00:00,000+0000 http-nio-8080-exec-1 ERROR failed\n"


def _log(tmp_path: Path) -> Path:
    path = tmp_path / "atlassian-jira.log"
    path.write_text(LOG)
    return path


def test_a_report_written_into_the_working_folder_is_caught(tmp_path: Path) -> None:
    with pytest.raises(AssertionError, match="working folder"):
        atlas(["analyze", str(_log(tmp_path)), "-o", "report"])


def test_a_staging_folder_left_beside_the_output_is_caught(tmp_path: Path) -> None:
    (tmp_path / ".out.abc123").mkdir()  # as a run that died while writing "out" would leave it
    with pytest.raises(AssertionError, match="beside the output"):
        atlas(["analyze", str(_log(tmp_path)), "-o", str(tmp_path / "out")])


def test_a_clean_run_passes(tmp_path: Path) -> None:
    result = atlas(["analyze", str(_log(tmp_path)), "-o", str(tmp_path / "out")])
    assert result.returncode in (0, 1, 2), result.stderr
    assert (tmp_path / "out").is_dir()


def test_a_run_that_reaches_the_defect_handler_is_caught(tmp_path: Path) -> None:
    # A defect cannot be made from outside on purpose (that is the point), so one is planted: click's
    # command entry raises, as a bug in our code would, loaded before the CLI by sitecustomize.
    planted = tmp_path / "plant"
    planted.mkdir()
    (planted / "sitecustomize.py").write_text(
        "import click\n"
        "def _defect(*args, **kwargs):\n"
        "    raise RuntimeError('planted defect')\n"
        "click.Command.main = _defect\n"
    )
    env = {"PYTHONPATH": f"{planted}{os.pathsep}{ROOT}"}
    with pytest.raises(AssertionError, match="internal error"):
        atlas(["analyze", str(_log(tmp_path))], env=env)
