"""The GC corpus: real GC logs from public sources (tests/corpus/gc/manifest.yaml says where each comes
from, under which licence, and what it proves), read as `atlas-health analyze` reads them and compared
with facts taken from the files by grep, sed and awk, never by our readers.

Each fact's one-liner is run again here, so a recorded value cannot drift from its file. An entry with a
``known_gap`` is a reading the readers still get wrong: it must fail (strict xfail) until fixed.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from collectors.logs.engine import analyze_logs

FOLDER = Path(__file__).parent / "gc"
MANIFEST: list[dict[str, Any]] = yaml.safe_load((FOLDER / "manifest.yaml").read_text())["files"]
LICENCES = {
    "LGPL-2.1-or-later": "LGPL-2.1.txt",
    "EPL-1.0": "EPL-1.0.txt",
    "MIT": "MIT-gctoolkit-testdata.txt",
}
MAX_BYTES = 2_000_000  # the whole GC corpus: it is read on every test run


def _entries() -> list[Any]:
    marks = []
    for entry in MANIFEST:
        gap = entry.get("known_gap")
        mark = [pytest.mark.xfail(strict=True, reason=gap)] if gap else []
        marks.append(pytest.param(entry, id=entry["file"], marks=mark))
    return marks


@pytest.mark.parametrize("entry", _entries())
def test_the_reader_finds_what_the_file_says(entry: dict[str, Any]) -> None:
    analysis = analyze_logs([FOLDER / entry["file"]], [], customer="corpus", workers=1)
    [read] = analysis.files
    expect, facts = entry["expect"], {name: fact["value"] for name, fact in entry["facts"].items()}
    assert read.kind.value == expect["kind"]
    if "unparsed" in expect:
        assert read.unparsed_lines == expect["unparsed"]
    [gc] = analysis.gc or []
    got = {
        "pauses": gc.pauses,
        "full_gcs": gc.full_gcs,
        "max_ms": gc.max_ms,
        "evacuation_failures": gc.evacuation_failures,
    }
    assert (gc.collector, got) == (expect["collector"], facts)
    if gc.pauses == 1:  # a lone pause is its own distribution
        assert gc.p50_ms == gc.p95_ms == gc.max_ms


@pytest.mark.parametrize("entry", [pytest.param(e, id=e["file"]) for e in MANIFEST])
def test_each_fact_is_what_its_one_liner_prints(entry: dict[str, Any]) -> None:
    for name, fact in entry["facts"].items():
        how = fact["how"]
        if how.startswith("by hand"):
            continue
        env = {**os.environ, "F": entry["file"], "LC_ALL": "C"}
        out = subprocess.run(
            ["bash", "-c", how], cwd=FOLDER, env=env, capture_output=True, text=True, timeout=10
        ).stdout.strip()
        value = fact["value"]
        if name == "max_ms":
            assert (round(float(out), 3) if out else None) == value, (name, how)
        else:
            assert int(out) == value, (name, how)


def test_every_file_is_in_the_manifest_with_its_source_and_licence() -> None:
    listed = {e["file"] for e in MANIFEST}
    assert listed == {p.name for p in FOLDER.glob("*.gc.log")}
    for entry in MANIFEST:
        assert entry["proves"] and entry["jdk"]
        if entry.get("reconstructed"):
            assert entry["reference"]
            continue
        if entry.get("recorded"):  # written by a real JVM on the project's own machine
            assert entry["recorded"]["jvm"] and entry["recorded"]["by"]
            continue
        source = entry["source"]
        assert len(source["commit"]) == 40 and source["repo"] and source["path"]
        assert (FOLDER / "LICENSES" / LICENCES[source["licence"]]).is_file()
    assert sum(p.stat().st_size for p in FOLDER.rglob("*") if p.is_file()) < MAX_BYTES
