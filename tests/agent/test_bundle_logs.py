"""Bundles with host log files: moved in from the spool, listed with checksums, checked on read."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agent.bundle import BundleError, read_bundle, write_bundle
from checks.runner import CheckSettings
from collectors.model import Snapshot

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


def test_spooled_logs_move_into_the_bundle_with_their_checksums(tmp_path):
    spool = tmp_path / "spool"
    log = spool / "acme" / "node1" / "var_log" / "atlassian-jira.log"
    log.parent.mkdir(parents=True)
    log.write_bytes(b"2026-11-26 10:00:00,000 main INFO started\n" * 1000)
    bundle = tmp_path / "bundle"
    write_bundle(
        bundle, Snapshot(tool_version="t", started_at=NOW, finished_at=NOW), CheckSettings(), "t", logs=spool
    )
    name = "logs/acme/node1/var_log/atlassian-jira.log"
    loaded = read_bundle(bundle)
    assert set(loaded.manifest["files"]) == {"snapshot.json", "check-settings.json", name}
    assert (bundle / name).stat().st_size == 42 * 1000
    assert not log.exists()  # moved, not copied: a large log is never on disk twice

    (bundle / name).write_bytes(b"edited\n")
    with pytest.raises(BundleError, match=r"atlassian-jira\.log does not match its checksum"):
        read_bundle(bundle)


def test_a_bundle_without_logs_is_as_before(tmp_path):
    bundle = tmp_path / "bundle"
    write_bundle(bundle, Snapshot(tool_version="t", started_at=NOW, finished_at=NOW), CheckSettings(), "t")
    assert sorted(read_bundle(bundle).manifest["files"]) == ["check-settings.json", "snapshot.json"]
