"""`atlas-health analyze` on logs: support zips of a three-node cluster with planted problems.

The simulated estate plants an incident (sandbox/log_estate.py); the report must name each
problem with its node and time, and the JSON must carry every result of the log analysis.
"""

from __future__ import annotations

import gzip
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from agent.bundle import write_bundle
from agent.cli import main
from checks.runner import CheckSettings
from collectors.model import Snapshot
from sandbox.log_estate import EstatePlan, Plant, write_folders, write_support_zips


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Path], list[Plant]]:
    return write_support_zips(tmp_path_factory.mktemp("zips"))


def _analyze(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict]:
    code = main(["analyze", *args, "--format", "json"])
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip() else {}


def _at(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text.replace("Z", "+00:00"))


def _epoch(text: str | None) -> float | None:
    moment = _at(text)
    return None if moment is None else moment.timestamp()


def test_support_zips_report_the_planted_problems_with_nodes_and_times(estate, capsys) -> None:
    zips, plants = estate
    code, report = _analyze(capsys, *map(str, zips))
    assert code == 2  # critical: heap exhausted, database pool, 35 s GC pause
    planted = {p.what: p for p in plants}
    hits = {h["signature"]: h for h in report["logs"]["signatures"]}

    oom = hits["jvm.heap.oom"]
    assert oom["nodes"] == ["node1"] and _epoch(oom["first_at"]) == pytest.approx(planted["oom"].at, abs=1)
    pool = hits["db.hikari.timeout"]
    assert pool["count"] == 40 and pool["nodes"] == ["node2"]
    assert _epoch(pool["first_at"]) == pytest.approx(planted["db-pool"].at, abs=1)
    assert hits["tomcat.stuck_thread"]["nodes"] == ["node1"]
    assert hits["jvm.heap.dump_written"]["nodes"] == ["node1"]

    findings = {(f["check"], f["severity"], f["target"]) for f in report["findings"]}
    assert ("logs.gc.pauses", "critical", "logs/node3") in findings
    assert ("logs.gc.pauses", "ok", "logs/node1") in findings
    assert ("logs.access.errors", "warning", "logs") in findings
    titles = " | ".join(f["title"] for f in report["findings"])
    assert "203.0.113.7" in titles and "svc-jenkins" in titles

    restarts = [r for r in report["logs"]["restarts"] if r["node"] == "node1"]
    assert any(_epoch(r["at"]) == pytest.approx(planted["restart"].at, abs=1) for r in restarts)


def test_the_json_carries_every_result_of_the_analysis(estate, capsys) -> None:
    _, report = _analyze(capsys, *map(str, estate[0]))
    logs = report["logs"]
    assert logs["nodes"] == ["node1", "node2", "node3"]
    assert logs["bucket_s"] == 60 and len(logs["levels"]) > 300
    assert sum(m["error"] for m in logs["levels"]) > 0 and sum(m["warn"] for m in logs["levels"]) > 0
    roots = {e["root_cause"]: e for e in logs["exceptions"]}
    assert roots["java.sql.SQLTransientConnectionException"]["thrown_as"] == [
        "org.ofbiz.core.entity.GenericEntityException"
    ]
    gc3 = next(g for g in logs["gc"] if g["node"] == "node3")
    assert gc3["max_ms"] == pytest.approx(35500, rel=0.01) and gc3["full_gcs"] == 2
    assert gc3["p50_ms"] < gc3["p95_ms"] < gc3["max_ms"] and gc3["per_minute"] and gc3["heap_after"]
    (access,) = logs["access"]
    assert access["product"] == "jira" and access["requests"] > 50000
    assert {"p50_ms", "p95_ms", "p99_ms", "status_5xx", "status_4xx"} <= set(access["per_minute"][0])
    endpoints = {e["endpoint"] for e in access["slowest_endpoints"]}
    assert "/browse/{key}" in endpoints and not any("ABC-" in e for e in endpoints)
    assert access["top_users"] and access["top_clients"]
    security = logs["security"]
    assert {u["name"] for u in security["by_user"]} >= {"svc-jenkins"}
    assert {b["kind"] for b in security["bursts"]} == {"brute-force", "stale-password"}
    kinds = {f["kind"] for f in logs["files"]}
    assert kinds == {"jira-app", "jira-security", "jira-access", "gc-unified", "catalina"}
    assert all(f["problem"] is None for f in logs["files"])
    assert any(f["path"].endswith("atlassian-jira.log.1.gz") for f in logs["files"])


def test_since_and_until_bound_the_window(estate, capsys) -> None:
    zips, plants = estate
    planted = {p.what: p for p in plants}
    since = datetime.fromtimestamp(planted["oom"].at + 600, UTC).strftime("%Y-%m-%d %H:%M")
    until = datetime.fromtimestamp(planted["db-pool"].at + 3600, UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    _, report = _analyze(capsys, *map(str, zips), "--since", since, "--until", until)
    hits = {h["signature"] for h in report["logs"]["signatures"]}
    assert "db.hikari.timeout" in hits and "jvm.heap.oom" not in hits
    first, last = _epoch(report["logs"]["first_at"]), _epoch(report["logs"]["last_at"])
    assert planted["oom"].at + 600 <= first and last < planted["db-pool"].at + 3600


def test_a_bundle_brings_the_host_logs_it_fetched(tmp_path, capsys) -> None:
    spool = tmp_path / "spool"
    plan = EstatePlan(nodes=("node1",), hours=2.0, app_bytes=200_000, access_bytes=200_000)
    write_folders(tmp_path / "raw", plan)
    for file in (tmp_path / "raw" / "node1").rglob("*"):
        if file.is_file():
            target = spool / "acme" / "jira-host-1" / f"_opt_{file.parent.name}" / file.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(file, target)
    now = datetime(2024, 5, 1, 12, tzinfo=UTC)
    write_bundle(
        tmp_path / "bundle",
        Snapshot(tool_version="t", started_at=now, finished_at=now),
        CheckSettings(),
        "t",
        logs=spool,
    )
    _, report = _analyze(capsys, str(tmp_path / "bundle"))
    assert report["customer"] == "acme"
    assert report["logs"]["nodes"] == ["jira-host-1"]
    assert any(h["signature"] == "jvm.heap.oom" for h in report["logs"]["signatures"])


def test_damaged_and_foreign_files_are_findings_not_crashes(tmp_path, capsys) -> None:
    folder = tmp_path / "node9"
    folder.mkdir()
    (folder / "atlassian-jira.log").write_text(
        "2024-05-01 10:00:00,000+0000 main ERROR      [c.a.X] java.lang.OutOfMemoryError: Java heap space\n"
    )
    whole = gzip.compress(b"2024-05-01 10:00:01,000+0000 main INFO      [c.a.X] fine\n" * 20000)
    (folder / "atlassian-jira.log.1.gz").write_bytes(whole[: len(whole) // 2])  # cut short in transfer
    (folder / "core.12345").write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(4000))
    (folder / "notes.log").write_text("remember to renew the certificate\n")
    code, report = _analyze(capsys, str(folder))
    problems = {Path(f["path"]).name: f["problem"] for f in report["logs"]["files"]}
    assert problems == {
        "atlassian-jira.log": None,
        "atlassian-jira.log.1.gz": "truncated",
        "core.12345": "binary",
        "notes.log": "unrecognised",
    }
    truncated = next(f for f in report["logs"]["files"] if f["problem"] == "truncated")
    assert truncated["lines"] > 0  # what was readable was analysed
    files_finding = next(f for f in report["findings"] if f["check"] == "logs.files")
    assert files_finding["severity"] != "ok" and "atlassian-jira.log.1.gz" in json.dumps(files_finding)
    assert code == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["/nonexistent/logs"], "no such file or folder"),
        (["{tmp}", "--since", "yesterday-ish"], "--since 'yesterday-ish' is not a time"),
        (["{tmp}", "--since", "2024-05-02", "--until", "2024-05-01"], "must be after --since"),
        (["{tmp}", "--log-timezone", "Mars/Olympus"], "unknown time zone 'Mars/Olympus'"),
    ],
)
def test_bad_input_is_one_line_and_exit_3(tmp_path, capsys, args, message) -> None:
    (tmp_path / "atlassian-jira.log").write_text("2024-05-01 10:00:00,000 main INFO [c.a.X] hi\n")
    code = main(["analyze", *[a.replace("{tmp}", str(tmp_path)) for a in args]])
    err = capsys.readouterr().err
    assert code == 3
    assert message in err and "Traceback" not in err
