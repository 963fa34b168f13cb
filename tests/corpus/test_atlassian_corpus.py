"""The Atlassian corpus: application, catalina, access and security logs of every product
(tests/corpus/atlassian/manifest.yaml says where each comes from, under which licence or from which
documented output it was reconstructed, and what it proves), read as ``atlas-health analyze`` reads
them and compared with facts counted by grep, awk and wc, or by hand, never by our readers.

Each fact's one-liner is run again here, so a recorded value cannot drift from its file.
"""

from __future__ import annotations

import subprocess
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from collectors.logs.engine import analyze_logs
from collectors.logs.model import LogAnalysis
from collectors.logs.patterns import ScanPattern

FOLDER = Path(__file__).parent / "atlassian"
MANIFEST: list[dict[str, Any]] = yaml.safe_load((FOLDER / "manifest.yaml").read_text())["files"]
MAX_BYTES = 300_000  # the whole corpus: it is read on every test run
NOT_COUNTS = {"kind", "product", "absent"}
SOURCE_KEYS = {"source", "commit", "source_path", "licence"}


@cache
def _patterns() -> tuple[ScanPattern, ...]:
    from agent.signatures import load_signatures
    from checks.signatures.scan import to_scan_patterns

    return tuple(to_scan_patterns(load_signatures(None)))


def _read(entry: dict[str, Any]) -> LogAnalysis:
    return analyze_logs([FOLDER / entry["path"]], list(_patterns()), customer="corpus", workers=1)


def _counts(analysis: LogAnalysis) -> dict[str, int]:
    """Every count a manifest may state, as the analysis reports it."""
    [read] = analysis.files
    got = {"lines": read.lines, "events": read.events, "unparsed_lines": read.unparsed_lines}
    for name, index in (("warn", 1), ("error", 2), ("fatal", 3)):
        got[name] = sum((m.warn, m.error, m.fatal)[index - 1] for m in analysis.levels)
    for sig, n in Counter(r.signature for r in analysis.restarts).items():
        got[f"restart:{sig}"] = n
    for hit in analysis.signatures:
        got[f"signature:{hit.signature}"] = hit.count
    for access in analysis.access or []:
        got |= {"requests": access.requests, "status_4xx": access.status_4xx, "status_5xx": access.status_5xx}
    if analysis.security is not None:
        got |= {"failed_logins": analysis.security.failed, "passed_logins": analysis.security.passed}
    return got


@pytest.mark.parametrize("entry", MANIFEST, ids=[e["path"] for e in MANIFEST])
def test_the_readers_find_what_the_file_says(entry: dict[str, Any]) -> None:
    analysis = _read(entry)
    [read] = analysis.files
    expect = entry["expect"]
    assert (read.kind.value, read.problem) == (expect["kind"], None)
    if "product" in expect:
        assert [a.product for a in analysis.access or []] == [expect["product"]]
    wanted = {name: fact["value"] for name, fact in expect.items() if name not in NOT_COUNTS}
    got = _counts(analysis)
    assert {name: got.get(name, 0) for name in wanted} == wanted
    found = {hit.signature for hit in analysis.signatures}
    assert found.isdisjoint(expect.get("absent", []))
    assert all(r.at is not None for r in analysis.restarts)  # each marker placed at its event's time
    for hit in analysis.signatures:  # a diagnosis shows its evidence: the file, the time, the line
        assert hit.samples and all(s.file and s.text for s in hit.samples)


@pytest.mark.parametrize("entry", MANIFEST, ids=[e["path"] for e in MANIFEST])
def test_each_fact_is_what_its_one_liner_prints(entry: dict[str, Any]) -> None:
    for name, fact in entry["expect"].items():
        if name in NOT_COUNTS or fact["how"].startswith("by hand"):
            continue
        command = fact["how"].replace("FILE", f"'{entry['path']}'")
        done = subprocess.run(
            ["bash", "-c", command], cwd=FOLDER, capture_output=True, text=True, check=False
        )
        assert done.stdout.strip() == str(fact["value"]), (name, command, done.stderr)


def test_every_file_is_listed_with_its_source_or_its_references_and_the_corpus_stays_small() -> None:
    listed = {e["path"] for e in MANIFEST}
    on_disk = {
        str(p.relative_to(FOLDER)) for p in FOLDER.rglob("*") if p.is_file() and p.name != "manifest.yaml"
    }
    assert listed == on_disk
    for entry in MANIFEST:
        assert entry.get("proves") and entry.get("product") and entry.get("version"), entry["path"]
        if entry.get("reconstructed"):
            assert entry.get("references"), entry["path"]
        else:
            assert set(entry) >= SOURCE_KEYS, entry["path"]
    assert sum((FOLDER / p).stat().st_size for p in listed) < MAX_BYTES
