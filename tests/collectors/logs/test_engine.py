"""The engine end to end: worker processes and byte ranges give what one process reading whole files gives."""

from __future__ import annotations

import gc
import logging
import re
from pathlib import Path

import pytest

from agent.signatures import load_signatures
from checks.signatures.scan import to_scan_patterns
from collectors.logs import engine
from collectors.logs.engine import analyze_logs
from collectors.logs.matcher import hyperscan
from collectors.logs.sources import discover
from sandbox.log_estate import EstatePlan, write_folders


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("estate")
    write_folders(root, EstatePlan(app_bytes=1_500_000, access_bytes=600_000))
    return root


@pytest.fixture(scope="module")
def patterns():
    return to_scan_patterns(load_signatures(None))


def _essence(analysis) -> dict:
    """Everything but timings and the engine name."""
    data = analysis.model_dump(mode="json", exclude={"elapsed_s", "engine"})
    for hit in data["signatures"]:
        hit["samples"] = sorted(s["text"] for s in hit["samples"])
    return data


def test_workers_and_byte_ranges_give_the_same_analysis(folders, patterns, monkeypatch) -> None:
    whole = analyze_logs([folders], patterns, customer="c", workers=1)
    monkeypatch.setattr(engine, "IN_PROCESS_BYTES", 0)  # use worker processes even for this small input
    tasks, _ = engine.plan(discover([folders]), range_bytes=100_000)
    assert {t.kind.family for t in tasks if t.start} >= {"application", "access"}  # both kinds are split
    split = analyze_logs([folders], patterns, customer="c", workers=2, range_bytes=100_000)
    assert _essence(split) == _essence(whole)
    assert whole.signatures and whole.levels and whole.gc and whole.access and whole.security


@pytest.mark.skipif(hyperscan is None, reason="Hyperscan has no wheel for this platform")
def test_hyperscan_and_re_agree(folders, patterns) -> None:
    fast = analyze_logs([folders], patterns, customer="c", workers=1)
    slow = analyze_logs([folders], patterns, customer="c", workers=1, use_hyperscan=False)
    assert fast.engine == "hyperscan" and slow.engine == "re"
    assert _essence(fast) == _essence(slow)


def test_patterns_loaded_once_the_workers_read_give_the_same_analysis(folders, patterns, monkeypatch) -> None:
    whole = analyze_logs([folders], patterns, customer="c", workers=1)
    monkeypatch.setattr(engine, "IN_PROCESS_BYTES", 0)
    calls = []

    def load():
        calls.append(1)
        return patterns

    late = analyze_logs([folders], load, customer="c", workers=2, range_bytes=100_000)
    assert calls == [1]
    assert _essence(late) == _essence(whole)
    assert gc.get_freeze_count() == 0  # frozen only while the workers fork: a service collects again


def test_the_engine_logs_per_file_and_task_never_per_line(folders, patterns, tmp_path, caplog) -> None:
    (tmp_path / "dump.log").write_bytes(b"\x00\x01\x02" * 1000)
    caplog.set_level(logging.DEBUG, logger="collectors.logs")
    tasks, _ = engine.plan(discover([folders]))
    analysis = analyze_logs([folders, tmp_path], patterns, customer="c", workers=1)
    logged = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "collectors.logs.engine"]
    lines = sum(f.lines for f in analysis.files)
    assert lines > 10_000 and len(logged) == len(tasks) + 4  # found, in process, each task, skipped, done
    assert ("INFO", f"{tmp_path}/dump.log: skipped (binary): not text (NUL or control bytes in its first "
            "block); skipped") in logged  # fmt: skip
    read = [text for level, text in logged if level == "DEBUG" and text.startswith("read ")]
    assert len(read) == len(tasks) and all(
        re.fullmatch(r"read \S+ \([\w-]+\): \d+ bytes in \d+ ms", t) for t in read
    )
    assert logged[-1][0] == "INFO" and re.fullmatch(r"c: \d+ log file\(s\) read, [\d.]+ MiB in [\d.]+ s \(\d+ MB/s\)",
                                                    logged[-1][1])  # fmt: skip


def test_a_file_named_gz_that_is_not_gzip_is_listed_as_damaged_not_as_a_permission_problem(
    tmp_path, patterns
) -> None:
    (tmp_path / "atlassian-jira.log.gz").write_bytes(b"2024-05-01 10:00:00,000 main INFO not gzip at all\n")
    (tmp_path / "atlassian-jira.log.1.gz").write_bytes(
        b"\x1f\x8b\x08\x00" + b"\xff" * 64
    )  # a header, then junk
    analysis = analyze_logs([tmp_path], patterns, customer="c", workers=1)
    for entry in analysis.files:
        assert entry.problem is not None and entry.problem.value == "truncated", entry
        assert entry.problem_detail is not None and "permissions" not in entry.problem_detail, entry
        assert "damaged" in entry.problem_detail, entry


def test_an_unrecognised_file_is_listed_with_its_first_line_redacted(tmp_path, patterns) -> None:
    (tmp_path / "app.log").write_text(
        "\n  \nWED 5 DEC 10:00 custom logger said hello password=hunter2\nmore\n"
    )
    analysis = analyze_logs([tmp_path], patterns, customer="c", workers=1)
    (entry,) = analysis.files
    assert entry.problem is not None and entry.problem.value == "unrecognised", entry
    assert entry.problem_detail is not None
    assert "its first line: WED 5 DEC 10:00 custom logger said hello password=" in entry.problem_detail
    assert "hunter2" not in entry.problem_detail
