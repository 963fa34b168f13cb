"""The limits on what a zip (or a gzip) may expand to, counted while reading, and the members refused
before reading: limits made small here, so that crossing them costs little."""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

import pytest

from collectors.logs import zip_guard
from collectors.logs.open_zips import open_nested
from collectors.logs.sources import discover
from collectors.logs.zip_guard import ArchiveLimit
from tests.hostile.zip_makers import LINE, Member, log_lines, raw_zip, write, zip_bytes

MiB = 2**20


def _read_all(source_open: object) -> tuple[bytes, Exception | None]:
    """What a stream gives before its error, and the error."""
    got: list[bytes] = []
    with source_open as stream:  # type: ignore[attr-defined]
        try:
            while piece := stream.read(64 * 1024):
                got.append(piece)
        except zipfile.BadZipFile as exc:
            return b"".join(got), exc
    return b"".join(got), None


def test_a_member_stops_at_the_member_limit_with_what_came_before(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(zip_guard, "MAX_MEMBER_BYTES", 1 * MiB)
    text = log_lines(30_000)  # ~2.5 MiB
    (source,) = discover([write(tmp_path / "s.zip", zip_bytes({"atlassian-jira.log": text}))])
    data, error = _read_all(source.open())
    assert data == text[: 1 * MiB]
    assert isinstance(error, ArchiveLimit) and "the limit for one archive member" in str(error)


def test_a_member_stops_at_the_ratio_limit_past_the_floor(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(zip_guard, "RATIO_FLOOR_BYTES", 64 * 1024)
    bomb = Member.deflated("atlassian-jira.log", LINE * 100_000)  # 8.7 MB deflating ~300:1
    (source,) = discover([write(tmp_path / "s.zip", raw_zip([bomb]))])
    data, error = _read_all(source.open())
    assert len(data) == 200 * len(bomb.data)
    assert isinstance(error, ArchiveLimit) and "200 times its compressed size" in str(error)


def test_a_log_that_deflates_like_a_log_is_read_whole(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(zip_guard, "RATIO_FLOOR_BYTES", 64 * 1024)
    text = log_lines(30_000)
    (source,) = discover([write(tmp_path / "s.zip", zip_bytes({"atlassian-jira.log": text}))])
    assert _read_all(source.open()) == (text, None)


def test_a_gzip_stops_at_the_ratio_limit_too(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(zip_guard, "RATIO_FLOOR_BYTES", 64 * 1024)
    path = write(tmp_path / "atlassian-jira.log.1.gz", gzip.compress(LINE * 100_000))
    (source,) = discover([path])
    data, error = _read_all(source.open())
    assert len(data) == 200 * path.stat().st_size and isinstance(error, ArchiveLimit)


def test_members_past_the_archive_limit_are_listed_not_read(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(zip_guard, "MAX_ARCHIVE_BYTES", 5 * MiB)
    text = log_lines(25_000)  # ~2 MiB each: two fit, the third does not
    members = {f"atlassian-jira.log.{i}": text for i in range(3)}
    found = discover([write(tmp_path / "s.zip", zip_bytes(members))])
    assert [s.refused is None for s in found] == [True, True, False]
    assert "expand to more than 5.0 MiB in all" in (found[2].refused or "")


def test_a_member_whose_header_sits_inside_another_members_data_is_refused_with_it(tmp_path: Path) -> None:
    """Fifield's overlap: the outer member's stored data hold the inner member, header and all."""
    inner = Member.stored("atlassian-jira.log.1", LINE)
    inner_bytes = raw_zip([inner])[: 30 + len(inner.name) + len(LINE)]  # its local header and data
    outer = Member.stored("atlassian-jira.log", inner_bytes)
    alias = Member.stored("atlassian-jira.log.1", LINE, offset=30 + len(outer.name))
    good = Member.stored("catalina.out", LINE)
    found = discover([write(tmp_path / "s.zip", raw_zip([outer, alias, good]))])
    why = {s.name: s.refused for s in found}
    assert why["catalina.out"] is None
    assert "the layout of a zip bomb" in (why["atlassian-jira.log"] or "")
    assert "the layout of a zip bomb" in (why["atlassian-jira.log.1"] or "")


@pytest.mark.parametrize("method", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_a_nested_zip_is_opened_once_per_process(method: int, tmp_path: Path) -> None:
    node = zip_bytes({"atlassian-jira.log": LINE, "catalina.out": LINE})
    path = write(tmp_path / "cluster.zip", zip_bytes({"node1.zip": node}, method))
    first, size = open_nested(str(path), "node1.zip")
    again, _ = open_nested(str(path), "node1.zip")
    assert first is again and size == len(node)
    found = discover([path])
    assert [s.display for s in found] == [
        "cluster.zip!node1.zip!atlassian-jira.log",
        "cluster.zip!node1.zip!catalina.out",
    ]
    for source in found:
        with source.open() as stream:
            assert stream.read() == LINE


def test_a_broken_zip_in_a_folder_is_listed_and_the_folder_still_read(tmp_path: Path) -> None:
    (tmp_path / "atlassian-jira.log").write_bytes(LINE)
    good = zip_bytes({"atlassian-jira.log": LINE * 100})
    (tmp_path / "node2.zip").write_bytes(good.replace(b"PK\x01\x02", b"XX\x01\x02"))  # its directory damaged
    found = {s.name: s.refused for s in discover([tmp_path])}
    assert found["atlassian-jira.log"] is None
    assert (found["node2.zip"] or "").startswith("not a readable zip archive (")


def test_a_gzipped_member_counts_what_its_gzip_may_expand_to(tmp_path: Path, monkeypatch) -> None:
    """However small, each gzip may give 8 MiB (the floor of the ratio limit): many small gzips cannot
    take an archive past its limit."""
    monkeypatch.setattr(zip_guard, "MAX_ARCHIVE_BYTES", 20 * MiB)
    members = {f"atlassian-jira.log.{i}.gz": gzip.compress(LINE) for i in range(3)}
    found = discover([write(tmp_path / "s.zip", zip_bytes(members))])
    assert [s.refused is None for s in found] == [True, True, False]
