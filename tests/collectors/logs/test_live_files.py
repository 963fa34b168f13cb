"""Logs that change while they are read: a file truncated (copytruncate), grown or removed between the
run listing it and reading it, or between two chunks, is read up to where it still was and reported.

The changes are made at exact points of the reading (between two chunks the test pulls one by one,
or from the engine's progress callback between two tasks), so the tests are deterministic.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from agent.signatures import load_signatures
from checks.signatures.scan import to_scan_patterns
from collectors.logs.chunks import file_chunks, next_iso_event
from collectors.logs.engine import analyze_logs
from collectors.logs.kinds import FileProblem
from collectors.logs.model import LogAnalysis, LogFileSummary
from collectors.logs.reading import ReadReport


def _event(i: int) -> bytes:
    return (
        f"2024-05-01 10:{i // 60 % 60:02d}:{i % 60:02d},000+0000 exec-{i} ERROR [c.a.X] event {i}\n".encode()
    )


def _log(tmp_path: Path, events: int) -> Path:
    path = tmp_path / "atlassian-jira.log"
    path.write_bytes(b"".join(_event(i) for i in range(events)))
    return path


@pytest.fixture(scope="module")
def patterns():
    return to_scan_patterns(load_signatures(None))


def test_a_file_truncated_between_two_chunks_ends_there(tmp_path: Path) -> None:
    path = _log(tmp_path, 20_000)
    data = path.read_bytes()
    report = ReadReport(planned=len(data))
    fd = os.open(path, os.O_RDONLY)
    try:
        reading = file_chunks(fd, next_iso_event, report, block=64 * 1024)
        first = next(reading)
        os.truncate(path, 0)  # what copytruncate does to the live log
        rest = list(reading)
    finally:
        os.close(fd)
    read = b"".join([first, *rest])
    assert read == first and data.startswith(first) and first.endswith(b"\n")  # whole events, then nothing
    assert report.shrank_to == 0 and report.stopped_at == len(read)


def test_a_file_truncated_before_its_range_is_read_gives_nothing(tmp_path: Path) -> None:
    path = _log(tmp_path, 20_000)
    size = path.stat().st_size
    os.truncate(path, size // 3)
    report = ReadReport(planned=size)
    fd = os.open(path, os.O_RDONLY)
    try:
        assert list(file_chunks(fd, next_iso_event, report, size // 2, size)) == []
    finally:
        os.close(fd)
    assert report.shrank_to == size // 3
    assert (
        report.stopped_at == size // 2 - 1
    )  # its first read: the byte before it, that says where lines open


def test_a_growing_file_is_read_up_to_its_planned_size(tmp_path: Path) -> None:
    path = _log(tmp_path, 1000)
    size = path.stat().st_size
    report = ReadReport(planned=size)
    fd = os.open(path, os.O_RDONLY)
    try:
        reading = file_chunks(fd, next_iso_event, report, block=4096)
        first = next(reading)
        with path.open("ab") as log:
            log.write(_event(5000) * 1000)
        read = b"".join([first, *reading])
    finally:
        os.close(fd)
    assert read == path.read_bytes()[:size] and report.stopped_at is None


def _analyse(path: Path, patterns, change, other_events: int = 3000) -> LogFileSummary:
    """The file's entry after analysing it in ranges in this process, beside another log, ``change``
    made to it once the first task is read. The other log is never touched and must be read whole."""
    other = path.with_name("atlassian-jira.log.7")
    other.write_bytes(b"".join(_event(i).replace(b"event", b"other") for i in range(other_events)))
    changed: list[int] = []

    def progress(done: int, total: int) -> None:
        if not changed:
            changed.append(done)
            change(path)

    analysis: LogAnalysis = analyze_logs(
        [path, other], patterns, customer="c", workers=1, range_bytes=256 * 1024, on_progress=progress
    )
    assert changed, "the file was read in one task"
    entries = {f.path: f for f in analysis.files}
    assert entries[str(other)].problem is None and entries[str(other)].events == other_events
    return entries[str(path)]


def test_a_file_rotated_with_copytruncate_is_reported_and_the_rest_still_read(
    tmp_path: Path, patterns
) -> None:
    path = _log(tmp_path, 40_000)
    size = path.stat().st_size
    entry = _analyse(path, patterns, lambda p: os.truncate(p, 0))
    assert entry.problem == FileProblem.TRUNCATED
    assert entry.problem_detail is not None
    assert entry.problem_detail.startswith(f"shrank from {size / 2**20:.1f} MiB to 0 bytes while being read")
    assert "(rotated with copytruncate?); the first 256 KiB were analysed" in entry.problem_detail
    assert 0 < entry.size_bytes < size and entry.lines == entry.events


def test_a_file_that_grows_is_read_up_to_its_size_at_the_start(tmp_path: Path, patterns) -> None:
    path = _log(tmp_path, 40_000)
    size = path.stat().st_size

    def grow(p: Path) -> None:
        with p.open("ab") as log:
            log.write(_event(1) * 10_000)

    entry = _analyse(path, patterns, grow)
    assert entry.problem is None and entry.size_bytes == size and entry.events == 40_000
    assert any(n.startswith("grew while being read, to ") and "when the run began" in n for n in entry.notes)


def test_a_file_deleted_while_read_is_reported_vanished(tmp_path: Path, patterns) -> None:
    path = _log(tmp_path, 40_000)
    entry = _analyse(path, patterns, Path.unlink)
    assert entry.problem == FileProblem.TRUNCATED
    assert entry.problem_detail is not None
    assert entry.problem_detail.startswith(
        "vanished while being read (deleted, or moved away by log rotation)"
    )
    assert entry.size_bytes > 0


def test_a_file_replaced_by_a_new_one_is_not_read_as_the_old_one(tmp_path: Path, patterns) -> None:
    path = _log(tmp_path, 40_000)

    def rotate(p: Path) -> None:  # logrotate's default: rename, and the product opens a new file
        p.rename(p.with_name(p.name + ".1"))
        p.write_bytes(b"x" * p.with_name(p.name + ".1").stat().st_size)

    entry = _analyse(path, patterns, rotate)
    assert entry.problem == FileProblem.TRUNCATED
    assert entry.problem_detail is not None and entry.problem_detail.startswith("vanished while being read")
    assert entry.unparsed_lines == 0  # none of the new file's bytes were read as the old file's


def test_a_file_deleted_before_it_is_read_is_reported_unreadable(tmp_path: Path, patterns) -> None:
    path = _log(tmp_path, 100)  # read after the other, larger log's first range
    entry = _analyse(path, patterns, Path.unlink, other_events=40_000)
    assert entry.problem == FileProblem.UNREADABLE and entry.size_bytes == 0
    assert entry.problem_detail == (
        "vanished while being read (deleted, or moved away by log rotation); nothing of it was analysed"
    )
