"""`atlas-health incident` offline: logs and support zips in, the incident and the post-incident report
out; arguments checked before any work; the engineer's notes kept; the hours logged once per report."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from agent.cli import main
from agent.config.loader import load_config
from agent.files import OutputError
from agent.incident_output import write_all
from agent.ledger import Ledger, customer_terms
from checks.registry import load_registry
from sandbox.incident_scenarios import write_scenario
from sandbox.log_estate import EstatePlan, write_support_zips

INCIDENT_KEYS = {"start", "end", "peak", "ongoing", "causes", "timeline", "impact", "actions"}
ENGINEER_TEXT = "The on-call engineer restarted node2 at 11:05 and the pool recovered."


@pytest.fixture(scope="module")
def zips(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Small support zips of three nodes with the sandbox's planted incident (heap, pool, GC, attack)."""
    plan = EstatePlan(app_bytes=300_000, access_bytes=600_000, security_events=200, gc_pauses=300)
    return write_support_zips(tmp_path_factory.mktemp("zips"), plan)[0]


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = main(["incident", *map(str, args)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_line_error(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ") and "Traceback" not in err
    return lines[0]


def expected_code(incident: dict) -> int:
    severities = {c["severity"] for c in incident["causes"]}
    if "critical" in severities:
        return 2
    return 1 if severities or incident["found"] else 0


# --- arguments: one line, exit 3, before any work --------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "yesterday-ish"], "--since 'yesterday-ish' is not a time"),
        (["--last", "2h", "--until", "2024-05-01"], "--last and --until exclude each other"),
        (["--last", "2h", "--since", "2024-05-01"], "--last and --since exclude each other"),
        (["--last", "2024-05-01"], "--last '2024-05-01' is not a span back from now"),
        (["--since", "2024-05-02", "--until", "2024-05-01"], "must be after --since"),
        (["--timezone", "Mars/Olympus"], "--timezone: unknown time zone 'Mars/Olympus'"),
        (["--log-timezone", "Mars/Olympus"], "--log-timezone: unknown time zone 'Mars/Olympus'"),
    ],
)
def test_a_bad_window_or_zone_is_one_line_and_nothing_is_written(
    args: list[str], message: str, zips: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, *zips, *args, "--output", tmp_path / "out")
    assert code == 3 and out == ""
    assert message in one_line_error(err)
    assert not (tmp_path / "out").exists()


def test_nothing_to_investigate_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys)
    assert code == 3 and "nothing to investigate" in one_line_error(err)
    code, _, err = run(capsys, "--customer", "acme")
    assert code == 3 and "nothing to investigate" in one_line_error(err)
    code, _, err = run(capsys, "--config", tmp_path / "config.yaml")
    assert code == 3 and "name the customer with --customer" in one_line_error(err)


def test_a_missing_path_is_one_line(
    zips: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, zips[0], tmp_path / "node9.zip")
    assert code == 3 and one_line_error(err) == f"error: {tmp_path / 'node9.zip'}: no such file or folder"


def test_several_formats_on_stdout_are_refused(zips: list[Path], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, *zips, "--format", "json", "--format", "md")
    assert code == 3 and out == "" and "need --output" in one_line_error(err)


@pytest.mark.parametrize("kind", ["folder", "device", "too-large", "missing", "not-utf8"])
def test_a_notes_file_that_is_not_a_small_text_file_is_refused(
    kind: str, zips: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = {"folder": tmp_path, "device": Path("/dev/zero"), "missing": tmp_path / "none.md"}.get(
        kind, tmp_path / "notes.md"
    )
    if kind == "too-large":
        notes.write_bytes(b"# notes\n" + b"x" * (1024 * 1024))
    elif kind == "not-utf8":
        notes.write_bytes(b"# notes \xff\xfe\n")
    code, out, err = run(capsys, *zips, "--notes", notes, "--output", tmp_path / "out")
    line = one_line_error(err)
    assert code == 3 and out == "" and line.startswith(f"error: --notes {notes}")
    assert not (tmp_path / "out").exists()


def test_a_notes_fifo_is_refused_without_waiting_for_a_writer(zips: list[Path], tmp_path: Path) -> None:
    fifo = tmp_path / "notes.md"
    os.mkfifo(fifo)
    result = subprocess.run(
        [sys.executable, "-m", "agent.cli", "incident", *map(str, zips), "--notes", str(fifo)],
        capture_output=True,
        text=True,
        timeout=60,  # a read that blocks on the FIFO would hang here and fail the test
    )
    assert result.returncode == 3 and result.stdout == ""
    assert "is not a regular file" in one_line_error(result.stderr)


# --- the investigation and its output ---------------------------------------------------------------


def test_json_on_stdout_is_one_document_with_the_incident(
    zips: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, *zips, "--format", "json")
    report = json.loads(out)  # stdout holds the document and nothing else
    incident = report["incident"]
    assert set(incident) >= INCIDENT_KEYS
    assert incident["found"] is True and incident["causes"], "the planted incident is found"
    assert code == expected_code(incident)
    assert report["customer"] == "logs" and report["report_id"]
    assert report["hours"] is None  # no configuration, no ledger
    times = [event["at"] for event in incident["timeline"]]
    assert times == sorted(times)


@pytest.mark.parametrize(
    ("scenario", "code", "top"),
    [
        ("quiet", 0, None),
        ("auth-attack", 1, "auth-attack"),
        ("directory-unavailable", 2, "directory-unavailable"),
    ],
)
def test_the_exit_code_is_the_worst_cause(
    scenario: str, code: int, top: str | None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """0 nothing abnormal, 1 the worst cause a warning (one address guessing a password), 2 critical
    (the directory gone: nobody logs in)."""
    write_scenario(scenario, tmp_path / "nodes")
    exit_code, out, err = run(capsys, tmp_path / "nodes", "--format", "json")
    incident = json.loads(out)["incident"]
    assert exit_code == code, err
    assert (incident["causes"][0]["cause"] if incident["causes"] else None) == top
    assert incident["found"] is (top is not None)


def test_the_terminal_summary_says_when_why_and_where_the_report_is(
    zips: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, *zips)
    assert code in (1, 2)
    assert "logs: incident from 2024-05-01" in out and "likely causes" in out and "first evidence" in out
    assert "no report written" in out
    code, out, _ = run(capsys, *zips, "--output", tmp_path / "out")
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert [n.rsplit(".", 1)[1] for n in written if "-post-incident-2" in n] == ["html", "json", "md"]
    assert len([n for n in written if n.startswith("logs-pir-") and n.endswith("-notes.md")]) == 1
    for name in written:
        assert f"wrote {tmp_path / 'out' / name}" in out.replace("\n", "")


def test_the_engineers_notes_are_kept_across_renders(
    zips: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "out"
    run(capsys, *zips, "--output", out_dir)
    (notes,) = out_dir.glob("logs-pir-*-notes.md")  # named after the report: the same on every render
    template = notes.read_text()
    assert template.strip()
    notes.write_text(f"{template}\n{ENGINEER_TEXT}\n")
    edited = notes.read_text()

    code, _, err = run(capsys, *zips, "--output", out_dir, "--notes", notes)
    assert code in (1, 2), err
    assert notes.read_text() == edited  # never overwritten
    assert ENGINEER_TEXT in newest(out_dir, "md").read_text()
    # rendered again without --notes: the edited notes beside the report are still its sections
    run(capsys, *zips, "--output", out_dir, "--format", "md")
    assert notes.read_text() == edited and ENGINEER_TEXT in newest(out_dir, "md").read_text()


def newest(folder: Path, fmt: str) -> Path:
    return max(folder.glob(f"*-post-incident-2*.{fmt}"), key=lambda p: p.stat().st_mtime_ns)


def test_an_output_folder_that_cannot_be_made_leaves_nothing(
    zips: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    code, out, err = run(capsys, *zips, "--output", blocker / "reports", "--format", "json")
    assert code == 3 and out == ""
    assert one_line_error(err).startswith(f"error: cannot write {blocker / 'reports'}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


def test_a_folder_where_the_notes_go_stops_the_run_before_any_report_is_written(
    zips: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = run(capsys, *zips, "--format", "json")
    notes = f"logs-{json.loads(out)['report_id']}-notes.md"
    (tmp_path / "out" / notes).mkdir(parents=True)
    code, _, err = run(capsys, *zips, "--output", tmp_path / "out")
    assert code == 3 and "is a folder" in one_line_error(err)
    assert [p.name for p in (tmp_path / "out").iterdir()] == [notes]


def test_writing_is_all_or_nothing(tmp_path: Path) -> None:
    (tmp_path / "b.md").mkdir()  # the second file cannot take its place
    with pytest.raises(OutputError, match=r"b\.md"):
        write_all(tmp_path, {"a.html": "<p>a</p>", "b.md": "# b", "c.json": "{}"})
    assert [p.name for p in tmp_path.iterdir()] == ["b.md"]  # no report, no temporary file
    assert write_all(tmp_path / "new", {"a.html": "a", "c.json": "{}"}) == [
        tmp_path / "new" / "a.html",
        tmp_path / "new" / "c.json",
    ]
    assert sorted(p.name for p in (tmp_path / "new").iterdir()) == ["a.html", "c.json"]


# --- hours ------------------------------------------------------------------------------------------


def ledger_config(folder: Path, **ledger: object) -> Path:
    config = {
        "ledger": {"url": "sqlite:///ledger.sqlite", **ledger},
        "customers": [
            {
                "name": "acme",
                "instances": [
                    {
                        "name": "acme-jira",
                        "product": "jira",
                        "url": "https://jira.acme.example",
                        "deployment": "datacenter",
                        "auth": {"type": "none"},
                    }
                ],
                "support": {"currency": "GBP"},
            }
        ],
    }
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    loaded = load_config(path, registry=load_registry(), resolve_secrets=False)
    with Ledger.open(f"sqlite:///{folder / 'ledger.sqlite'}") as book:
        book.buy(
            "acme", hours="20", price="3500", currency="GBP", terms=customer_terms(loaded.config, "acme")
        )
    return path


def used_minutes(folder: Path) -> list[tuple[str, int, str | None]]:
    with Ledger.open(f"sqlite:///{folder / 'ledger.sqlite'}") as book:
        return [
            (e.activity or "", e.minutes_logged or 0, e.report_id)
            for e in book.entries("acme")
            if e.kind == "work"
        ]


def test_the_report_is_logged_once_as_post_incident_investigation(
    zips: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = ledger_config(tmp_path)
    args = [*zips, "--config", config, "--customer", "acme", "--offline", "--format", "json"]
    code, out, err = run(capsys, *args)
    report = json.loads(out)
    assert code == expected_code(report["incident"]), err
    assert report["customer"] == "acme"
    assert report["hours"]["minutes_logged"] == 60 and report["hours"]["balance_minutes"] == 20 * 60 - 60
    _, again, _ = run(capsys, *args)  # the same evidence is the same report: billed once
    assert json.loads(again)["hours"] == report["hours"]
    assert used_minutes(tmp_path) == [("post_incident", 60, report["report_id"])]


def test_minutes_come_from_the_option_or_the_configuration_and_zero_logs_nothing(
    zips: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = ledger_config(tmp_path, report_minutes={"post_incident": 90})
    args = [*zips, "--config", config, "--customer", "acme", "--offline", "--format", "json"]
    _, out, _ = run(capsys, *args, "--minutes", "0")
    assert json.loads(out)["hours"] is None and used_minutes(tmp_path) == []
    _, out, _ = run(capsys, *args)
    assert json.loads(out)["hours"]["minutes_logged"] == 90
