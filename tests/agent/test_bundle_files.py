"""A bundle's files must be regular files inside it: an edited bundle naming a FIFO, a device, a
path outside, or holding a huge file is refused in one line, without blocking or reading without end.
Real bundles written by write_bundle, then damaged the way a person or an attacker could."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from agent.bundle import MANIFEST_MAX_BYTES, SNAPSHOT_MAX_BYTES, BundleError, read_bundle, write_bundle
from checks.runner import CheckSettings
from collectors.model import Snapshot

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
LOG = "logs/acme/node1/atlassian-jira.log"


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    spool = tmp_path / "spool"
    (spool / "acme" / "node1").mkdir(parents=True)
    (spool / "acme" / "node1" / "atlassian-jira.log").write_text("2026-11-26 10:00:00,000 main INFO up\n")
    folder = tmp_path / "bundle"
    snapshot = Snapshot(tool_version="t", started_at=NOW, finished_at=NOW)
    write_bundle(folder, snapshot, CheckSettings(), "t", logs=spool)
    return folder


def _replace_with_fifo(path: Path) -> None:
    path.unlink()
    os.mkfifo(path)


def _list_in_manifest(folder: Path, name: str) -> None:
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["files"][name] = "0" * 64
    (folder / "manifest.json").write_text(json.dumps(manifest))


@pytest.mark.parametrize("name", ["snapshot.json", "check-settings.json", LOG])
def test_a_fifo_in_place_of_a_bundle_file_is_refused(bundle: Path, name: str) -> None:
    _replace_with_fifo(bundle / name)
    with pytest.raises(BundleError) as caught:
        read_bundle(bundle)
    assert str(caught.value) == (
        f"{bundle / name} is a FIFO (named pipe), not a regular file: the bundle is damaged or was edited"
    )


def test_a_fifo_manifest_is_refused(bundle: Path) -> None:
    _replace_with_fifo(bundle / "manifest.json")
    with pytest.raises(BundleError, match=r"manifest\.json is a FIFO \(named pipe\), not a regular file"):
        read_bundle(bundle)


def test_a_symlink_to_dev_zero_is_refused(bundle: Path) -> None:
    (bundle / LOG).unlink()
    (bundle / LOG).symlink_to("/dev/zero")
    with pytest.raises(BundleError, match=r"atlassian-jira\.log is a character device, not a regular file"):
        read_bundle(bundle)


@pytest.mark.parametrize("name", ["/dev/zero", "../../etc/passwd", "logs/../../outside.log", ""])
def test_a_manifest_naming_a_file_outside_the_bundle_is_refused(bundle: Path, name: str) -> None:
    _list_in_manifest(bundle, name)
    with pytest.raises(BundleError, match=r"which is not a file inside the bundle: the bundle is damaged"):
        read_bundle(bundle)


@pytest.mark.parametrize(
    ("name", "size", "limit"),
    [
        ("manifest.json", MANIFEST_MAX_BYTES + 1, "16 MiB"),
        ("snapshot.json", SNAPSHOT_MAX_BYTES + 1, "512 MiB"),
    ],
)
def test_a_huge_bundle_file_is_refused_before_it_is_read(
    bundle: Path, name: str, size: int, limit: str
) -> None:
    with (bundle / name).open("r+b") as handle:
        handle.truncate(size)  # sparse: nothing on disk
    with pytest.raises(BundleError, match=f"{name} is .*; a bundle(?:'s| manifest).* is at most {limit}"):
        read_bundle(bundle)
