"""Thread-dump files given to `atlas-health analyze` as a damaged node would leave them: cut in the middle
of a thread, a gzip cut short, a thread name of megabytes, frames without a header, binary after the
header, a lone "Full thread dump" line. One run reads them all: no traceback, a normal exit, each file
listed, and the whole dump still analysed beside them."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from tests.hostile.limits import atlas

pytestmark = [pytest.mark.server]  # a subprocess

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "thread_dumps"
DEADLOCK = (CORPUS / "jdk11_jstack_deadlock.log").read_bytes()
HEADER = (
    b"2022-01-18 17:46:18\nFull thread dump Java HotSpot(TM) 64-Bit Server VM (11.0.1+13-LTS mixed mode):\n\n"
)
THREAD = b'"worker-%d" #%d prio=5 os_prio=0 tid=0x1 nid=0x2 waiting on condition [0x0]\n'


def _hostile(folder: Path) -> dict[str, bytes]:
    cut = DEADLOCK[: DEADLOCK.index(b"at Test.main") + 5]  # mid-frame of the first thread
    zipped = gzip.compress(DEADLOCK)
    return {
        "cut-mid-thread.tdump": cut,
        "cut-gzip.tdump.gz": zipped[: len(zipped) // 2],
        "huge-name.tdump": HEADER + b'"' + b"n" * (5 * 2**20) + b'" #1 prio=5 tid=0x1 nid=0x1 runnable\n',
        "frames-only.tdump": HEADER + b"\tat a.B.c(B.java:1)\n" * 10_000,
        "binary-after-header.tdump": HEADER + bytes(range(256)) * 64,
        "header-only.tdump": HEADER,
        "many-threads.tdump": HEADER + b"".join(THREAD % (i, i) for i in range(50_000)),
    }


def test_damaged_thread_dump_files_are_listed_and_the_whole_one_still_analysed(tmp_path: Path) -> None:
    folder = tmp_path / "node1"
    folder.mkdir()
    hostile = _hostile(folder)
    for name, data in hostile.items():
        (folder / name).write_bytes(data)
    (folder / "whole.tdump").write_bytes(DEADLOCK)
    result = atlas(["analyze", str(folder), "--format", "json"])
    assert result.returncode in (0, 1, 2), result.stderr
    report = json.loads(result.stdout)
    listed = {Path(f["path"]).name: f for f in report["logs"]["files"]}
    assert set(hostile) | {"whole.tdump"} <= set(listed), listed
    cut = listed["cut-gzip.tdump.gz"]  # what the half it holds gives is read, and it says it was cut
    assert (cut["kind"], cut["problem"]) == ("thread-dump", "truncated"), cut
    assert listed["binary-after-header.tdump"]["problem"] == "binary"
    # each jstack file names no pid, so each is a series of its own: only the whole one shows the deadlock
    deadlocks = [f for f in report["findings"] if f["check"] == "jvm.threads.deadlock"]
    found = [f for f in deadlocks if f["severity"] != "ok"]
    assert [f["severity"] for f in found] == ["critical"], deadlocks
    evidence = {e["value"] for e in found[0]["evidence"]}
    assert any("whole.tdump" in e["source"] for e in found[0]["evidence"]), found
    assert "main, Thread-0" in evidence, evidence
