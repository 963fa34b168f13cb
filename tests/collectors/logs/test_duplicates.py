"""The same log given twice is read once: the same path twice, a folder and a file inside it, a link, a
support zip beside the folder it was extracted to, a byte-identical copy; the second is listed with a
note. Files that only look alike (a copy that has grown since, a one-line file on two nodes) are both read."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from agent.signatures import load_signatures
from checks.signatures.scan import to_scan_patterns
from collectors.logs.engine import analyze_logs
from collectors.logs.model import LogAnalysis
from sandbox.log_estate import EstatePlan, write_folders, write_support_zips

PLAN = EstatePlan(app_bytes=300_000, access_bytes=150_000, gc_pauses=40)
COUNTED = {
    "nodes", "bytes_read", "first_at", "last_at", "signatures", "levels", "node_levels", "exceptions", "restarts",
    "gc", "access", "security",
}  # fmt: skip


@pytest.fixture(scope="module")
def patterns():
    return to_scan_patterns(load_signatures(None))


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("estate")
    write_folders(root, PLAN)
    return root


def analyse(paths: list[Path], patterns) -> LogAnalysis:
    return analyze_logs(paths, patterns, customer="c", workers=1)


def counted(analysis: LogAnalysis) -> dict:
    """Everything that is counted: what a file read twice would change."""
    return analysis.model_dump(mode="json", include=COUNTED)


def copies(analysis: LogAnalysis) -> dict[str, str | None]:
    return {f.path: f.duplicate_of for f in analysis.files if f.duplicate_of}


def test_the_same_path_twice_is_read_once(folders: Path, patterns) -> None:
    log = folders / "node1" / "log" / "atlassian-jira.log"
    once, twice = analyse([log], patterns), analyse([log, log], patterns)
    assert counted(twice) == counted(once)
    [entry] = twice.files
    assert entry.lines > 100 and entry.notes == [
        f"the same file as {log} (node node1): read once, not counted twice"
    ]


def test_a_folder_and_a_file_inside_it_or_a_link_to_it_are_read_once(
    folders: Path, patterns, tmp_path: Path
) -> None:
    log = folders / "node1" / "log" / "atlassian-jira-security.log"
    link = tmp_path / "node1" / "atlassian-jira-security.log"
    link.parent.mkdir()
    link.symlink_to(log)
    once = analyse([folders], patterns)
    again = analyse([folders, log, link], patterns)
    assert counted(again) == counted(once)
    assert copies(again) == {str(link): str(log)}
    assert len(again.files) == len(once.files) + 1
    assert once.security is not None and once.security.failed > 0


def test_a_support_zip_and_the_folder_it_was_extracted_to_are_read_once(patterns, tmp_path: Path) -> None:
    zips, _ = write_support_zips(tmp_path, PLAN)
    extracted = tmp_path / "Jira_node1_support_extracted"
    with zipfile.ZipFile(zips[0]) as archive:
        archive.extractall(extracted)
    once = analyse(zips, patterns)
    both = analyse([*zips, extracted], patterns)
    assert counted(both) == counted(once)
    assert both.nodes == ["node1", "node2", "node3"]  # the folder's node is the zip's, from its properties
    found = copies(both)
    read_from_folder = [f for f in both.files if f.path.startswith(str(extracted))]
    assert read_from_folder and all(f.path in found for f in read_from_folder)
    assert found[str(extracted / "application-logs" / "atlassian-jira.log.1.gz")] == (
        f"{zips[0].name}!application-logs/atlassian-jira.log.1.gz"
    )
    assert all(f.lines == 0 and f.size_bytes == 0 for f in read_from_folder)


def test_a_byte_identical_copy_under_another_name_is_read_once(
    folders: Path, patterns, tmp_path: Path
) -> None:
    node = tmp_path / "node3" / "log"
    node.mkdir(parents=True)
    original = shutil.copy(folders / "node3" / "log" / "atlassian-jira.log", node / "atlassian-jira.log")
    shutil.copy(original, node / "atlassian-jira.log.2")  # the same lines, kept again as if rotated
    once = analyse([Path(original)], patterns)
    both = analyse([node], patterns)
    assert counted(both) == counted(once)
    assert copies(both) == {str(node / "atlassian-jira.log.2"): str(original)}


def test_files_that_only_look_alike_are_both_read(folders: Path, patterns, tmp_path: Path) -> None:
    source = (folders / "node2" / "log" / "atlassian-jira.log").read_bytes()
    grown = tmp_path / "node2" / "log"
    grown.mkdir(parents=True)
    (grown / "atlassian-jira.log").write_bytes(source)
    (grown / "atlassian-jira.log.bak.log").write_bytes(source[: len(source) * 2 // 3])  # an older copy
    cut = analyse([grown], patterns)
    assert copies(cut) == {}
    assert sum(f.lines for f in cut.files) > len(source.splitlines())
    line = b"2024-05-01 08:00:00,000+0000 main INFO [c.a.jira.startup.JiraStartupLogger] started\n"
    for name in ("node1", "node2"):  # the same one line, on two nodes
        (tmp_path / "small" / name / "log").mkdir(parents=True)
        (tmp_path / "small" / name / "log" / "atlassian-jira.log").write_bytes(line)
    small = analyse([tmp_path / "small"], patterns)
    assert copies(small) == {} and small.nodes == ["node1", "node2"]
    assert [n.per_minute[0].total for n in small.node_levels] == [1, 1]
