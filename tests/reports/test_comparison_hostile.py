"""A previous report is input from outside: every way it can be wrong is one line naming the file,
never a traceback, never a hang, never more read than the limit."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from agent.previous_report import read_previous
from reports.comparison import (
    MAX_PREVIOUS_BYTES,
    MAX_TITLE_CHARS,
    PreviousReportError,
    parse_previous,
)
from reports.context import build_health_check
from reports.render import render
from tests.reports import estate


def _good() -> dict[str, Any]:
    report = build_health_check(
        estate.snapshot(),
        estate.analysis(),
        estate.CUSTOMER,
        generated_at=estate.GENERATED - timedelta(days=1),
        tz="UTC",
        tool_version=estate.TOOL_VERSION,
    )
    return json.loads(render(report, "json").content)


def _write(tmp_path: Path, content: bytes | str) -> Path:
    path = tmp_path / "previous.json"
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def _refused(path: Path, *expected: str) -> str:
    with pytest.raises(PreviousReportError) as caught:
        read_previous(path)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(str(path)), message
    for part in expected:
        assert part in message, message
    return message


def test_the_json_the_tool_writes_reads_back(tmp_path: Path) -> None:
    good = _good()
    previous = read_previous(_write(tmp_path, json.dumps(good)))
    assert previous.customer == estate.CUSTOMER and previous.report_id == good["report_id"]
    assert [f.fingerprint for f in previous.findings] == [f["fingerprint"] for f in good["findings"]]


def test_a_missing_file_a_folder_and_a_fifo(tmp_path: Path) -> None:
    _refused(tmp_path / "nope.json", "no such file")
    _refused(tmp_path, "not a regular file")
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)  # opening it for reading would wait for a writer forever
    _refused(fifo, "not a regular file")


def test_a_truncated_report(tmp_path: Path) -> None:
    text = json.dumps(_good())
    _refused(_write(tmp_path, text[: len(text) // 2]), "not JSON")
    _refused(_write(tmp_path, ""), "not JSON")


def test_binary_and_non_utf8(tmp_path: Path) -> None:
    _refused(_write(tmp_path, bytes(range(256)) * 4), "not UTF-8")
    _refused(_write(tmp_path, b"\x1f\x8b\x08\x00" + os.urandom(200)), "not UTF-8")  # a gzip
    _refused(_write(tmp_path, "\x00\x01{}"), "not JSON")


def test_a_huge_file_is_refused_after_reading_at_most_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "previous.json"
    with path.open("wb") as file:  # sparse: no disk used
        file.truncate(MAX_PREVIOUS_BYTES + 1)
    _refused(path, "larger than")
    small = _write(tmp_path, json.dumps(_good()))
    with pytest.raises(PreviousReportError, match="larger than 100 bytes"):
        read_previous(small, limit=100)
    with pytest.raises(PreviousReportError, match="larger than"):
        parse_previous(b" " * (MAX_PREVIOUS_BYTES + 1), "in memory")


def test_deep_nesting_is_an_error_not_a_crash(tmp_path: Path) -> None:
    _refused(_write(tmp_path, "[" * 200_000 + "]" * 200_000), "not")
    good = _good()
    good["logs"] = json.loads("[" * 200 + "]" * 200)  # deep but fine JSON in a field never read
    assert read_previous(_write(tmp_path, json.dumps(good))).customer == estate.CUSTOMER


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda d: d.update(schema_version=2), "schema_version"),
        (lambda d: d.pop("customer"), "customer"),
        (lambda d: d.update(customer=42), "customer"),
        (lambda d: d.update(customer=""), "customer"),
        (lambda d: d.update(report_id=["hc-1"]), "report_id"),
        (lambda d: d.update(generated_at="2025-03-04T12:00:00"), "generated_at"),  # no offset
        (lambda d: d.update(generated_at=1741089600), "generated_at"),  # a number is not a date
        (lambda d: d.update(generated_at="yesterday"), "generated_at"),
        (lambda d: d.update(findings={"a": 1}), "findings"),
        (lambda d: d["findings"][0].update(severity="fatal"), "findings.0.severity"),
        (lambda d: d["findings"][1].update(fingerprint=12345), "findings.1.fingerprint"),
        (lambda d: d["findings"][1].update(fingerprint="f" * 10_000), "findings.1.fingerprint"),
        (lambda d: d["findings"][2].pop("check"), "findings.2.check"),
        (lambda d: d["findings"][2].update(title=None), "findings.2.title"),
    ],
)
def test_wrong_fields_and_types_name_the_field(tmp_path: Path, change: Any, where: str) -> None:
    doc = _good()
    change(doc)
    _refused(_write(tmp_path, json.dumps(doc)), "not an atlas-health health-check report", where)


def test_other_json_documents(tmp_path: Path) -> None:
    for text in ("[]", "null", '"a string"', "42", "{}", json.dumps({"findings": []})):
        _refused(_write(tmp_path, text), "not an atlas-health health-check report")


def test_too_many_findings(tmp_path: Path) -> None:
    doc = _good()
    one = doc["findings"][0]
    doc["findings"] = [one] * 100_001
    _refused(_write(tmp_path, json.dumps(doc)), "findings")


def test_a_long_title_is_cut_not_refused(tmp_path: Path) -> None:
    doc = _good()
    doc["findings"][0]["title"] = "x" * 1_000_000
    previous = read_previous(_write(tmp_path, json.dumps(doc)))
    assert len(previous.findings[0].title) == MAX_TITLE_CHARS
    assert previous.findings[0].title.endswith("\u2026")


def test_a_report_of_another_customer_reads_but_says_whose_it_is(tmp_path: Path) -> None:
    doc = _good()
    doc["customer"] = estate.OTHER_CUSTOMER
    assert read_previous(_write(tmp_path, json.dumps(doc))).customer == estate.OTHER_CUSTOMER
