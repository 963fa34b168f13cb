"""`atlas-health analyze` on thread-dump files: the corpus' real dumps, read through the CLI, give the
analysis and the findings that dumps taken over SSH give, with the files as evidence."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from agent.cli import main
from checks.thread_dumps.parse import split_dumps

CORPUS = Path(__file__).parents[1] / "corpus" / "thread_dumps"
FACTS = {e["file"]: e["expected"] for e in yaml.safe_load((CORPUS / "manifest.yaml").read_text())["files"]}


def analyze(capsys: pytest.CaptureFixture[str], *paths: Path) -> dict[str, Any]:
    main(["analyze", *map(str, paths), "--format", "json", "--workers", "1"])
    report: dict[str, Any] = json.loads(capsys.readouterr().out)
    return report


def findings(report: dict[str, Any], check: str) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["check"] == check and f["severity"] != "ok"]


def test_a_deadlocked_dump_gives_a_deadlock_finding_naming_its_threads_and_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = "jdk11_jstack_deadlock.log"
    shutil.copy(CORPUS / name, tmp_path / name)

    report = analyze(capsys, tmp_path)

    (deadlock,) = findings(report, "jvm.threads.deadlock")
    assert deadlock["severity"] == "critical"
    cycle, *stacks = deadlock["evidence"]
    assert cycle["value"].split(", ") == FACTS[name]["deadlocks"][0]
    assert name in cycle["source"]
    assert cycle["time"].startswith("2022-01-18T17:46:18")
    assert [s["label"] for s in stacks] == FACTS[name]["deadlocks"][0]  # each thread with its frames
    assert all(s["value"] and name in s["source"] for s in stacks)
    files = {f["path"]: f["kind"] for f in report["logs"]["files"]}
    assert files == {str(tmp_path / name): "thread-dump"}
    # a dump is parsed, not scanned for log signatures: no "nothing matched in 1 file" for it
    assert not [f for f in report["findings"] if f["check"] == "logs.signatures"]


def test_a_series_in_one_file_gives_its_stuck_threads_and_the_report_its_analysis(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = "jdk25_jstack_series_cpu_stall.txt"
    shutil.copy(CORPUS / name, tmp_path / "jstack-node1.out")

    report = analyze(capsys, tmp_path / "jstack-node1.out")
    assert (
        analyze(capsys, tmp_path / "jstack-node1.out")["report_id"] == report["report_id"]
    )  # dated by the dumps

    (stuck,) = findings(report, "jvm.threads.stuck")
    assert sorted(e["label"].split(" (")[0] for e in stuck["evidence"]) == sorted(FACTS[name]["stuck"])
    assert all("jstack-node1.out" in e["source"] and e["value"] for e in stuck["evidence"])
    (host,) = report["hosts"]
    assert host["method"] == "files"
    (series,) = host["thread_dumps"]
    assert series["dumps"] == FACTS[name]["dumps"] and series["span_s"] > 0
    assert sorted(series["stuck"]) == sorted(FACTS[name]["stuck"])
    # a host made of files gets the checks of thread dumps only, not "disk not collected" and the like
    assert not [s for s in report["skipped"] if s["target"] == host["name"] and "thread" not in s["check"]]


def test_a_jcmd_series_split_across_files_in_a_support_zip_is_one_series_of_its_pid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = "jdk17_jcmd_series_recorded.txt"
    first, *rest = split_dumps((CORPUS / name).read_text())
    support = tmp_path / "node2.zip"
    with zipfile.ZipFile(support, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("thread-dump/threads-1", first)  # no suffix: known by content alone
        zf.writestr("thread-dump/threads-2.tdump", "".join(rest))

    report = analyze(capsys, support)

    (host,) = report["hosts"]
    (series,) = host["thread_dumps"]
    assert series["pid"] == 15624 and series["dumps"] == FACTS[name]["dumps"]
    assert series["files"] == ["node2.zip!thread-dump/threads-1", "node2.zip!thread-dump/threads-2.tdump"]
    (stuck,) = findings(report, "jvm.threads.stuck")
    assert sorted(e["label"].split(" (")[0] for e in stuck["evidence"]) == FACTS[name]["stuck"]
    (deadlock,) = findings(report, "jvm.threads.deadlock")
    assert "pid 15624" in deadlock["evidence"][0]["source"]
    assert deadlock["evidence"][0]["source"].endswith("first in node2.zip!thread-dump/threads-1)")


def test_the_html_and_markdown_reports_show_the_dumps_analysis(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(CORPUS / "jdk11_jstack_deadlock.log", tmp_path / "dump.txt")

    main(["analyze", str(tmp_path / "dump.txt"), "--format", "md", "--workers", "1"])
    markdown = capsys.readouterr().out
    main(["analyze", str(tmp_path / "dump.txt"), "--format", "html", "--workers", "1"])
    html = capsys.readouterr().out

    host = markdown.split(" (thread-dump files)\n", 1)[1].split("\n## ", 1)[0]
    assert "#### Thread dumps" in host and "main ↔ Thread-0" in host and "dump.txt" in host
    # files are not a machine: no host vitals shown as "not collected"
    assert "Filesystems" not in host and "Log files" not in host and "OOM kills" not in host
    assert "<h4>Thread dumps</h4>" in html and "main ↔ Thread-0" in html


def test_a_secret_in_a_thread_name_never_reaches_the_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = "s3cretPassw0rd"
    text = (CORPUS / "jdk11_jstack_deadlock.log").read_text()
    (tmp_path / "dump.txt").write_text(text.replace("Thread-0", f"sync https://admin:{secret}@db.example/x"))

    report = analyze(capsys, tmp_path / "dump.txt")

    (deadlock,) = findings(report, "jvm.threads.deadlock")
    assert "db.example" in deadlock["message"]  # the thread is there, named without its password
    assert secret not in json.dumps(report)


def test_dumps_among_a_bundles_host_logs_stand_beside_that_host(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from agent.bundle import write_bundle
    from atlas_health.testing.hosts import host
    from atlas_health.testing.instances import NOW
    from checks.runner import CheckSettings
    from collectors.model import Snapshot

    spool = tmp_path / "spool" / "acme" / "jira-node1" / "var_log"
    spool.mkdir(parents=True)
    shutil.copy(CORPUS / "jdk11_jstack_deadlock.log", spool / "threads.tdump")
    snapshot = Snapshot(tool_version="t", started_at=NOW, finished_at=NOW, hosts=[host("jira-node1")])
    write_bundle(tmp_path / "bundle", snapshot, CheckSettings(), "t", logs=tmp_path / "spool")

    report = analyze(capsys, tmp_path / "bundle")

    names = [h["name"] for h in report["hosts"]]
    assert names == ["jira-node1", "jira-node1 (thread-dump files)"]
    (deadlock,) = findings(report, "jvm.threads.deadlock")
    assert deadlock["target"] == "jira-node1 (thread-dump files)"
    assert "logs/acme/jira-node1/var_log/threads.tdump" in deadlock["evidence"][0]["source"]
