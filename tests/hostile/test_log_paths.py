"""Paths to `atlas-health analyze` that are not files: a FIFO (opening it waits for a writer for ever), a
character device (/dev/zero never ends), a socket, or a symbolic link to one. Given as an argument: a
one-line error naming the path, exit 3 (a socket takes the same path as a FIFO: one run less). Found in
a log folder: listed as not read, the run goes on."""

from __future__ import annotations

import json
import os
import socket
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.hostile.limits import assert_clean_failure, atlas
from tests.hostile.zip_makers import LINE

pytestmark = [pytest.mark.server]  # subprocesses


@pytest.fixture
def short_dir() -> Iterator[Path]:
    """A folder with a short path: a socket's path must fit in 108 bytes."""
    with tempfile.TemporaryDirectory(prefix="ah-") as folder:
        yield Path(folder)


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def _link(path: Path, target: str) -> Path:
    path.symlink_to(target)
    return path


@pytest.mark.parametrize(
    ("make", "what"),
    [
        pytest.param(lambda tmp: _fifo(tmp / "catalina.out"), "is a FIFO (named pipe)", id="fifo"),
        pytest.param(lambda tmp: Path("/dev/zero"), "is a character device", id="dev-zero"),
        pytest.param(
            lambda tmp: _link(tmp / "catalina.out", "/dev/zero"), "is a character device", id="link"
        ),
    ],
)
def test_a_path_that_is_not_a_file_is_refused_in_one_line(
    make: Callable[[Path], Path], what: str, tmp_path: Path
) -> None:
    path = make(tmp_path)
    err = assert_clean_failure(atlas(["analyze", str(path)]), code=3)
    assert err.strip() == f"error: {path}: {what}, not a file; give a log file, folder or zip", err


def test_what_is_not_a_file_in_a_folder_is_listed_and_the_logs_are_read(short_dir: Path) -> None:
    (short_dir / "atlassian-jira.log").write_bytes(LINE)
    _fifo(short_dir / "catalina.out")
    _link(short_dir / "catalina.2024-05-01.log", "/dev/zero")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(short_dir / "atlassian-jira-security.log"))
    try:
        result = atlas(["analyze", str(short_dir), "--format", "json"])
    finally:
        server.close()
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    assert result.returncode == 1, (
        result.returncode,
        result.stderr,
    )  # a logs.files warning, as for unreadable files
    files = {Path(f["path"]).name: f for f in json.loads(result.stdout)["logs"]["files"]}
    assert files["atlassian-jira.log"]["problem"] is None and files["atlassian-jira.log"]["lines"] == 1
    expected = {
        "catalina.out": "a FIFO (named pipe), not a regular file; not read",
        "catalina.2024-05-01.log": "a character device, not a regular file; not read",
        "atlassian-jira-security.log": "a socket, not a regular file; not read",
    }
    for name, why in expected.items():
        assert files[name]["problem"] == "unreadable" and files[name]["problem_detail"] == why, files[name]
