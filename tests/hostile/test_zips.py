"""Hostile zip archives given to `atlas-health analyze`, run as a user would (a subprocess under a time
limit and a memory cap): members that cannot be read, zip bombs and deep nesting are listed in the
report with the reason, the other members are still read, and the run ends as any run with unreadable
files does (exit 1: a logs.files warning), never with a traceback or "internal error"."""

from __future__ import annotations

import json
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.hostile.limits import atlas
from tests.hostile.zip_makers import (
    DEFLATE64,
    LINE,
    Member,
    corrupt_deflate,
    corrupt_lzma,
    log_lines,
    overlapping_bomb,
    raw_zip,
    write,
    zip_bytes,
)

pytestmark = [pytest.mark.server]  # subprocesses

UNREADABLE_FILES_EXIT = 1  # a warning: logs.files names each file not read whole
EQUAL_LINES = LINE * (32 * 2**20 // len(LINE))  # 32 MiB deflating ~300:1
UNREADABLE = {
    "encrypted": (Member.stored("atlassian-jira.log", LINE, flags=0x1), "encrypted zip member; not read"),
    "deflate64": (
        Member("atlassian-jira.log", b"\x00" * 64, DEFLATE64, size=4096),
        "compression method Deflate64 (9) is not supported; extract it with unzip and give the folder",
    ),
    "unknown": (
        Member("atlassian-jira.log", b"\x00" * 64, 42, size=4096),
        "compression method 42 is not supported; extract it with unzip and give the folder",
    ),
    "bzip2": (
        Member("atlassian-jira.log", b"BZh9" + b"\x00" * 60, zipfile.ZIP_BZIP2, size=4096),
        "compression method bzip2 (12) is not supported",
    ),
}


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    """One analysis of every hostile zip at once (each run of the command costs seconds of start-up)."""
    tmp = tmp_path_factory.mktemp("zips")
    good = Member.stored("tomcat-logs/catalina.out", LINE)
    paths = [write(tmp / f"{name}.zip", raw_zip([member, good])) for name, (member, _) in UNREADABLE.items()]
    paths.append(write(tmp / "deflate.zip", corrupt_deflate(log_lines(30_000))))
    paths.append(write(tmp / "lzma.zip", corrupt_lzma(log_lines(5_000))))
    bomb = Member.deflated("application-logs/atlassian-jira.log", EQUAL_LINES)
    paths.append(write(tmp / "ratio.zip", raw_zip([bomb, good])))
    paths.append(write(tmp / "overlap.zip", overlapping_bomb(1000, EQUAL_LINES[: 8 * 2**20])))  # 8 GiB in all
    node = zip_bytes({"application-logs/atlassian-jira.log": LINE})
    deeper = zip_bytes({"application-logs/atlassian-jira.log": LINE, "more/deeper.zip": node})
    broken = b"PK\x03\x04" + b"not a zip at all" * 100
    # A node zip of stored equal lines: 32 MiB deflating ~300:1 into the cluster zip.
    expanding = zip_bytes({"application-logs/atlassian-jira.log": EQUAL_LINES}, zipfile.ZIP_STORED)
    cluster = {"node1.zip": node, "node2.zip": broken, "node3.zip": deeper, "node4.zip": expanding}
    paths.append(write(tmp / "cluster.zip", zip_bytes(cluster)))
    result = atlas(["analyze", *map(str, paths), "--format", "json"])
    files = {f["path"]: f for f in json.loads(result.stdout)["logs"]["files"]} if result.stdout else {}
    files["compressed bomb"] = {"size_bytes": len(bomb.data)}
    return result, files


def _read(files: dict[str, Any], path: str) -> None:
    assert files[path]["problem"] is None and files[path]["lines"] > 0, files[path]


def test_the_run_ends_as_any_run_with_unreadable_files(
    run: tuple[subprocess.CompletedProcess[str], Any],
) -> None:
    result, _ = run
    assert "Traceback" not in result.stderr, result.stderr
    assert "internal error" not in result.stderr, result.stderr
    assert result.returncode == UNREADABLE_FILES_EXIT, (result.returncode, result.stderr)


@pytest.mark.parametrize("name", list(UNREADABLE))
def test_a_member_zipfile_cannot_read_is_listed_and_the_others_are_read(name: str, run: Any) -> None:
    _, files = run
    refused = files[f"{name}.zip!atlassian-jira.log"]
    assert refused["problem"] == "unreadable" and UNREADABLE[name][1] in refused["problem_detail"], refused
    _read(files, f"{name}.zip!tomcat-logs/catalina.out")


def test_corrupt_deflate_data_are_read_up_to_the_damage(run: Any) -> None:
    _, files = run
    damaged = files["deflate.zip!application-logs/atlassian-jira.log"]
    assert damaged["problem"] == "truncated", damaged
    _read(files, "deflate.zip!tomcat-logs/catalina.out")


def test_corrupt_lzma_data_are_listed_and_the_others_are_read(run: Any) -> None:
    _, files = run
    damaged = files["lzma.zip!application-logs/atlassian-jira.log"]
    assert damaged["problem"] == "truncated" and "LZMA" in damaged["problem_detail"], damaged
    _read(files, "lzma.zip!tomcat-logs/catalina.out")


def test_a_member_expanding_over_200_to_1_is_read_only_up_to_the_limit(run: Any) -> None:
    _, files = run
    stopped = files["ratio.zip!application-logs/atlassian-jira.log"]
    assert stopped["problem"] == "truncated", stopped
    assert "expands to more than 200 times its compressed size" in stopped["problem_detail"], stopped
    assert 0 < stopped["size_bytes"] <= 200 * files["compressed bomb"]["size_bytes"], stopped
    _read(files, "ratio.zip!tomcat-logs/catalina.out")


def test_members_sharing_one_kernel_are_refused_as_a_zip_bomb(run: Any) -> None:
    _, files = run
    bombs = [f for name, f in files.items() if name.startswith("overlap.zip!application-logs/")]
    assert len(bombs) == 21  # the first 20 one by one, then one line for the other 980
    assert all(
        f["problem"] == "unreadable" and "the layout of a zip bomb" in f["problem_detail"] for f in bombs
    )
    assert sum(f["size_bytes"] for f in bombs) == 0
    rest = files["overlap.zip!application-logs/atlassian-jira.log.20 and 979 more members"]
    assert (
        "the same for 980 more members, atlassian-jira.log.20 to atlassian-jira.log.999"
        in rest["problem_detail"]
    )
    _read(files, "overlap.zip!tomcat-logs/catalina.out")


def test_a_corrupt_node_zip_in_a_cluster_zip_does_not_stop_the_others(run: Any) -> None:
    _, files = run
    listed = files["cluster.zip!node2.zip"]
    assert listed["problem"] == "unreadable" and "not a readable zip archive" in listed["problem_detail"], (
        listed
    )
    _read(files, "cluster.zip!node1.zip!application-logs/atlassian-jira.log")


def test_a_zip_nested_deeper_than_a_node_zip_is_listed_not_read(run: Any) -> None:
    _, files = run
    deeper = files["cluster.zip!node3.zip!more/deeper.zip"]
    assert deeper["problem"] == "unreadable" and "only one level of nesting" in deeper["problem_detail"], (
        deeper
    )
    _read(files, "cluster.zip!node3.zip!application-logs/atlassian-jira.log")


def test_a_node_zip_expanding_like_a_bomb_is_listed_not_read(run: Any) -> None:
    _, files = run
    listed = files["cluster.zip!node4.zip"]
    assert "as a zip bomb does" in listed["problem_detail"] and "were not read" in listed["problem_detail"], (
        listed
    )
    assert not [name for name in files if name.startswith("cluster.zip!node4.zip!")]


def test_a_compressed_node_zip_is_decompressed_once_not_for_every_seek(tmp_path: Path) -> None:
    """A node zip of 64 stored logs of 1 MiB, deflated ~10:1 into the cluster zip: opened in place, each
    member cost several passes over the whole node zip (minutes in all); now one pass (seconds). The
    subprocess time limit is the test. The logs are copies of one (read once, the others checked
    through to the end): cheap to write, as costly to open as different ones."""
    block = log_lines(12_000)  # 1 MiB; repeated, it still deflates like a log: the window is 32 KiB
    logs = {f"application-logs/atlassian-jira.log.{i}": block for i in range(64)}
    node = zip_bytes(logs, zipfile.ZIP_STORED)
    path = write(tmp_path / "cluster.zip", zip_bytes({"node1.zip": node}))
    result = atlas(["analyze", str(path), "--format", "json"])
    assert "Traceback" not in result.stderr and result.returncode == 0, result.stderr
    files = json.loads(result.stdout)["logs"]["files"]
    assert len(files) == 64
    assert all(f["problem"] is None and f["lines"] == 12_000 for f in files if f["duplicate_of"] is None)
