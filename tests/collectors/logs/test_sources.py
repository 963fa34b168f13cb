"""Finding logs in folders, support zips (one per node, or nested in a cluster zip), gzip and bundles."""

from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path

import pytest

from collectors.logs.sources import SourceError, discover

LINE = b"2024-05-01 10:00:00,000+0000 main INFO      [c.a.jira.startup.JiraStartupLogger] hello\n"


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_a_folder_with_one_sub_folder_per_node(tmp_path: Path) -> None:
    for node in ("node1", "node2"):
        (tmp_path / node / "log").mkdir(parents=True)
        (tmp_path / node / "log" / "atlassian-jira.log").write_bytes(LINE)
    (tmp_path / "node1" / "log" / "dbconfig.xml").write_text("<x/>")  # configuration, not a log
    found = discover([tmp_path])
    assert [(s.node, s.name) for s in found] == [
        ("node1", "atlassian-jira.log"),
        ("node2", "atlassian-jira.log"),
    ]
    with found[0].open() as stream:
        assert stream.read() == LINE


def test_a_flat_folder_is_one_node_named_after_it(tmp_path: Path) -> None:
    folder = tmp_path / "jira-prod-1" / "logs"
    folder.mkdir(parents=True)
    (folder / "catalina.out").write_bytes(b"x\n")
    assert [s.node for s in discover([folder])] == ["jira-prod-1"]


def test_gzip_is_read_decompressed(tmp_path: Path) -> None:
    path = tmp_path / "atlassian-jira.log.1.gz"
    path.write_bytes(gzip.compress(LINE * 3))
    (source,) = discover([path])
    assert source.gzipped and not source.seekable
    with source.open() as stream:
        assert stream.read() == LINE * 3


def test_a_support_zip_names_its_node_from_the_application_properties(tmp_path: Path) -> None:
    path = _zip(
        tmp_path / "Jira_support_2024-05-01.zip",
        {
            "application-properties/application.xml": b"<application><node-id>jira-node-7</node-id></application>",
            "application-logs/atlassian-jira.log": LINE,
            "application-logs/atlassian-jira.log.1.gz": gzip.compress(LINE),
            "tomcat-logs/catalina.out": b"x\n",
            "healthchecks/healthcheck.json": b"{}",
        },
    )
    found = discover([path])
    assert {s.node for s in found} == {"jira-node-7"}
    assert sorted(s.display for s in found) == [
        "Jira_support_2024-05-01.zip!application-logs/atlassian-jira.log",
        "Jira_support_2024-05-01.zip!application-logs/atlassian-jira.log.1.gz",
        "Jira_support_2024-05-01.zip!tomcat-logs/catalina.out",
    ]
    gz = next(s for s in found if s.gzipped)
    with gz.open() as stream:
        assert stream.read() == LINE


def test_an_extracted_support_zip_names_its_node_from_the_application_properties(tmp_path: Path) -> None:
    for name, node in (("Jira_support_a", "jira-node-7"), ("Jira_support_b", None)):
        folder = tmp_path / name
        (folder / "application-properties").mkdir(parents=True)
        (folder / "application-logs").mkdir()
        if node:
            (folder / "application-properties" / "application.xml").write_text(
                f"<application><node-id>{node}</node-id></application>"
            )
        (folder / "application-logs" / "atlassian-jira.log").write_bytes(LINE)
    found = discover([tmp_path])
    assert [(s.node, s.name) for s in found] == [
        ("jira-node-7", "atlassian-jira.log"),
        ("Jira_support_b", "atlassian-jira.log"),  # no node id recorded: the folder names the node
    ]


def test_a_support_zip_without_a_node_id_is_named_after_the_zip(tmp_path: Path) -> None:
    path = _zip(
        tmp_path / "Confluence_node2_support.zip", {"application-logs/atlassian-confluence.log": LINE}
    )
    assert [s.node for s in discover([path])] == ["Confluence_node2_support"]


def test_a_cluster_zip_holds_each_nodes_zip(tmp_path: Path) -> None:
    inner = {}
    for node in ("a", "b"):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("application-properties/application.xml", f"<node-id>{node}</node-id>")
            archive.writestr("application-logs/atlassian-jira.log", LINE + node.encode() + b"\n")
        inner[f"{node}_support.zip"] = buffer.getvalue()
    found = discover([_zip(tmp_path / "cluster.zip", inner)])
    assert [(s.node, s.name) for s in found] == [("a", "atlassian-jira.log"), ("b", "atlassian-jira.log")]
    with found[1].open() as stream:
        assert stream.read().endswith(b"b\n")


def test_a_bundle_gives_its_host_logs_with_the_host_as_node(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text("{}")
    folder = tmp_path / "logs" / "acme" / "jira-1" / "_var_atlassian_jira_log"
    folder.mkdir(parents=True)
    (folder / "atlassian-jira.log").write_bytes(LINE)
    (tmp_path / "snapshot.json").write_text("{}")
    assert [(s.node, s.name) for s in discover([tmp_path])] == [("jira-1", "atlassian-jira.log")]


def test_missing_paths_and_broken_zips_are_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file or folder"):
        discover([tmp_path / "nope"])
    broken = tmp_path / "broken.zip"
    good = _zip(tmp_path / "good.zip", {"application-logs/atlassian-jira.log": LINE * 1000})
    broken.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])  # the central directory is cut off
    found = discover([broken])  # not recognised as a zip at all: read as a (binary) file
    assert [s.name for s in found] == ["broken.zip"]


def test_a_folder_without_logs_is_an_error_and_a_huge_one_too(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "dbconfig.xml").write_text("<x/>")
    with pytest.raises(SourceError, match="no log files in this folder"):
        discover([tmp_path / "empty"])
    from collectors.logs import sources

    monkeypatch.setattr(sources, "MAX_FILES", 5)
    big = tmp_path / "big"
    big.mkdir()
    for i in range(6):
        (big / f"atlassian-jira.log.{i}").write_bytes(LINE)
    with pytest.raises(SourceError, match="more than 5 files under it"):
        discover([big])


def test_pipes_and_sockets_are_never_opened(tmp_path: Path) -> None:
    import os

    (tmp_path / "atlassian-jira.log").write_bytes(LINE)
    os.mkfifo(tmp_path / "catalina.out")  # opening a FIFO would block for ever
    found = discover([tmp_path])
    assert [(s.name, s.refused) for s in found] == [
        ("atlassian-jira.log", None),
        ("catalina.out", "a FIFO (named pipe), not a regular file; not read"),
    ]
