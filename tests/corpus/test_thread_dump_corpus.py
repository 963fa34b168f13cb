"""Real jstack and jcmd output, read through the real code path, against facts found without it.

Each file in tests/corpus/thread_dumps/ is described in manifest.yaml: where it comes from, its
licence, what it proves and the facts expected of it, each computed by a grep or awk one-liner or by
reading the dump, never by atlas-health.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
import yaml

from checks.thread_dumps.analysis import JvmThreadAnalysis, analyse_series, pool_of
from checks.thread_dumps.parse import ParsedDump, parse_dump, split_dumps
from collectors.hosts.model import ThreadDump

CORPUS = Path(__file__).parent / "thread_dumps"
ENTRIES: list[dict[str, Any]] = yaml.safe_load((CORPUS / "manifest.yaml").read_text())["files"]
STATELESS = ("JVM INTERNAL", "CARRIER", "NOT PRINTED")  # the summary's names for threads without a state


def read(entry: dict[str, Any]) -> tuple[list[ParsedDump], JvmThreadAnalysis]:
    text = (CORPUS / entry["file"]).read_text(encoding="utf-8")
    parts = split_dumps(text)
    parsed = [parse_dump(part) for part in parts]
    dumps = []
    for part, dump in zip(parts, parsed, strict=True):
        assert dump.printed_at is not None, "every corpus dump carries its timestamp"
        dumps.append(
            ThreadDump(pid=1, taken_at=dump.printed_at.replace(tzinfo=UTC), tool="jstack", text=part)
        )
    return parsed, analyse_series(dumps)


@pytest.mark.parametrize("entry", ENTRIES, ids=[e["file"] for e in ENTRIES])
def test_a_corpus_file_reads_as_its_manifest_says(entry: dict[str, Any]) -> None:
    expected = entry["expected"]
    parsed, analysis = read(entry)

    assert len(parsed) == expected["dumps"]
    assert [d.threads for d in analysis.dumps] == expected["threads"]
    assert [f"{d.printed_at:%Y-%m-%d %H:%M:%S}" for d in parsed] == expected["printed_at"]

    states: Counter[str] = Counter()
    for summary in analysis.dumps:
        states.update(summary.states)
    stateless = sum(states.pop(name, 0) for name in STATELESS)
    assert dict(states) == expected["states"]
    assert stateless == expected["stateless"]
    assert sum(t.carrying is not None for d in parsed for t in d.threads) == expected["carriers"]
    assert sum(t.virtual for d in parsed for t in d.threads) == expected.get("virtual", 0)

    assert {frozenset(d.threads) for d in analysis.deadlocks} == {
        frozenset(cycle) for cycle in expected["deadlocks"]
    }
    if "stuck" in expected:
        assert sorted(s.name for s in analysis.stuck) == expected["stuck"]
    if "jvm_threads" in expected:
        jvm = [t.name for t in parsed[0].threads if pool_of(t) == "jvm"]
        assert sorted(jvm) == sorted(expected["jvm_threads"])
    if "http_threads" in expected:
        assert all(d.pools.get("http") == expected["http_threads"] for d in analysis.dumps)


def test_every_corpus_file_is_in_the_manifest_with_its_licence_and_the_set_stays_small() -> None:
    listed = {e["file"] for e in ENTRIES}
    data = {p.name for p in CORPUS.iterdir() if p.suffix in (".log", ".txt")}
    assert data == listed
    for entry in ENTRIES:
        source = entry.get("source")
        assert source or entry.get("recorded") or entry.get("reconstructed"), entry["file"]
        if source:
            assert len(source["commit"]) == 40 and (CORPUS / source["licence_file"]).is_file()
    assert sum(p.stat().st_size for p in CORPUS.rglob("*") if p.is_file()) < 2 * 1024 * 1024
