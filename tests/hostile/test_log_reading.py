"""Logs that fight the reader, read by `atlas-health analyze` in a subprocess under the memory cap: a log
truncated again and again while it is read (logrotate's copytruncate), and lines hundreds of megabytes
long, plain, gzipped and zipped. The run must finish as usual, say what happened to each file, and
keep its memory flat.
"""

from __future__ import annotations

import gzip
import json
import os
import resource
import subprocess
import threading
import zipfile
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import IO

import pytest

from collectors.logs.reading import size as mib
from tests.hostile.limits import atlas

pytestmark = [pytest.mark.server]  # subprocesses

MIB = 1024 * 1024
EVENT = b"2024-05-01 10:00:00,000+0000 http-nio-8080-exec-1 ERROR [c.a.jira.Foo] Something failed\n"
HEAD = EVENT * 2000  # enough ordinary lines for the file to be recognised as a Jira log
# A run reading 700 MB of overlong lines stays near an ordinary run (about 130 MB here); reading each
# line whole took 925 MB for a line of 300 MB.
PEAK_BYTES = 400 * MIB


def _files(result: subprocess.CompletedProcess[str]) -> dict[str, dict]:
    assert "Traceback" not in result.stderr, result.stderr
    assert "internal error" not in result.stderr, result.stderr
    assert result.returncode in (0, 1, 2), (result.returncode, result.stderr[-2000:])  # -7 is SIGBUS
    files = json.loads(result.stdout)["logs"]["files"]
    return {f["path"] if "!" in f["path"] else Path(f["path"]).name: f for f in files}


def _peak_run(args: list[str]) -> tuple[subprocess.CompletedProcess[str], int]:
    """`atlas-health ARGS`, and the largest resident memory any of its processes reached (run in a
    fresh process, whose children are only this run's)."""
    result = atlas(args)
    return result, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024


def _write_repeated(handle: IO[bytes], block: bytes, total: int) -> None:
    for _ in range(total // len(block)):
        handle.write(block)


def _opened_elsewhere(path: Path) -> bool:
    """Whether a process other than this one has ``path`` open."""
    target = str(path)
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") == target:
                    return True
            except OSError:
                continue
    return False


def test_a_log_truncated_again_and_again_while_read_is_reported_not_fatal(tmp_path: Path) -> None:
    """Once analyze opens the file, it is cut to 1 MiB and filled up again (with NULs, as a writer
    without O_APPEND does after copytruncate) every few milliseconds until the run ends. A memory map
    of it would die of SIGBUS; the reader must see a file that shrank, and every worker must live."""
    path = tmp_path / "atlassian-jira.log"
    size = 200 * MIB
    with path.open("wb") as log:
        _write_repeated(log, EVENT * (MIB // len(EVENT) + 1), size)
    size = path.stat().st_size
    done = threading.Event()
    cuts: list[int] = []

    def rotate() -> None:
        while not done.is_set() and not _opened_elsewhere(path):
            done.wait(0.002)
        while not done.is_set():
            os.truncate(path, MIB)
            cuts.append(1)
            done.wait(0.005)
            os.truncate(path, size)
            done.wait(0.02)

    rotating = threading.Thread(target=rotate, daemon=True)
    rotating.start()
    try:
        result = atlas(["analyze", str(path), "--format", "json"])
    finally:
        done.set()
        rotating.join()
    assert cuts, "the file was never truncated while read"
    entry = _files(result)["atlassian-jira.log"]
    assert entry["problem"] == "truncated", entry
    assert entry["problem_detail"].startswith(f"shrank from {mib(size)} to 1 MiB while being read"), entry
    assert "(rotated with copytruncate?); the first " in entry["problem_detail"]


@pytest.mark.slow
def test_endless_and_overlong_lines_are_cut_in_plain_gzipped_and_zipped_logs(tmp_path: Path) -> None:
    """A line of 300 MB took three times that in memory; cut at 1 MiB, every file is read under the
    cap, and each says how many lines were cut."""
    folder = tmp_path / "logs"
    folder.mkdir()
    endless = b"a" * (8 * MIB)

    def head(name: str) -> bytes:  # each file its own first line, so that none is taken for a copy
        return f"2024-05-01 09:00:00,000+0000 main INFO [c.a.jira] {name}\n".encode() + HEAD + EVENT[:-1]

    with (folder / "atlassian-jira.log").open("wb") as log:  # one line of 296 MiB after the head
        log.write(head("plain"))
        _write_repeated(log, endless, 296 * MIB)
    with (folder / "atlassian-jira.log.1").open("wb") as log:  # 100 lines of 2 MiB between events
        log.write(head("long lines"))
        for _ in range(100):
            log.write(b"b" * (2 * MIB) + b"\n" + EVENT[:-1])
    # gzip members may follow each other: one 8 MiB member compressed once, written 25 times
    member = gzip.compress(endless, compresslevel=9)
    with (folder / "atlassian-jira.log.2.gz").open("wb") as log:
        log.write(gzip.compress(head("gzipped")))
        _write_repeated(log, member, 25 * len(member))
    # stored, not deflated, to keep the test fast: a member is read through the same stream either way
    with (
        zipfile.ZipFile(folder / "node1.zip", "w") as archive,
        archive.open("application-logs/atlassian-jira.log", "w") as log,
    ):
        log.write(head("zipped"))
        _write_repeated(log, endless, 200 * MIB)
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as fresh:  # its own children only
        result, peak = fresh.submit(_peak_run, ["analyze", str(folder), "--format", "json"]).result()
    assert peak < PEAK_BYTES, f"a process of the run held {peak / MIB:.0f} MiB"
    files = _files(result)
    one = "1 line longer than 1 MiB was cut to its first 1 MiB"
    for name in (
        "atlassian-jira.log",
        "atlassian-jira.log.2.gz",
        "node1.zip!application-logs/atlassian-jira.log",
    ):
        entry = files[name]
        assert one in entry["notes"] and entry["events"] == 2002, entry
        if name.endswith(".gz"):  # one letter repeated deflates 1000:1: the bomb limit ends it, after the cut
            assert entry["problem"] == "truncated", entry
            assert "times its compressed size" in entry["problem_detail"], entry
        else:
            assert entry["problem"] is None, entry
    many = files["atlassian-jira.log.1"]
    assert "100 lines longer than 1 MiB were cut to their first 1 MiB" in many["notes"], many
    assert many["events"] == 2002 + 100 and many["lines"] == 2002 + 100, many
