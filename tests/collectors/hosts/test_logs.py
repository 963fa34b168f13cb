"""Log files: listed, chosen by time window, streamed into the spool (SFTP, or tail over exec when the
server has no SFTP), gunzipped, redacted line by line, cut at the cap with the cut said.
"""

from __future__ import annotations

import gzip
import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from collectors.hosts.collect import collect_host
from collectors.hosts.target import ProductDirs
from collectors.model import Product
from tests.collectors.hosts.fake_product import DB_PASSWORD, LOG_TOKEN
from tests.collectors.hosts.helpers import FAST, endpoint, target
from tests.collectors.hosts.sshd import Sshd, write_known_hosts

pytestmark = pytest.mark.server

LINE = "2026-11-26 10:00:00,000+0000 http-nio-8080-exec-1 INFO  [c.a.jira.web] request {n:08d} served\n"


@pytest.fixture(scope="module")
def no_sftp(tmp_path_factory: pytest.TempPathFactory, keys) -> Iterator[Sshd]:
    with Sshd(tmp_path_factory.mktemp("sshd-no-sftp"), keys["client"], sftp=False) as running:
        yield running


def by_name(snapshot) -> dict[str, object]:
    return {Path(f.path).name: f for f in snapshot.logs.files}


def spooled(spool: Path, entry) -> Path:
    return spool / entry.bundle_path.removeprefix("logs/")


@pytest.mark.parametrize("over", ["sftp", "exec"])
def test_logs_in_the_window_are_fetched_redacted_and_old_ones_skipped(
    over, server, no_sftp, keys, install, tmp_path
):
    ssh_server = server if over == "sftp" else no_sftp
    known = write_known_hosts(tmp_path / "known_hosts", ssh_server)
    spool = tmp_path / "spool"
    subject = target("node1", endpoint(ssh_server, keys["client"], known), install, product=Product.JIRA)
    snapshot = collect_host(subject, replace(FAST, log_spool=spool))
    assert snapshot.logs.fetched and snapshot.logs.method == over
    files = by_name(snapshot)
    app = files["atlassian-jira.log"]
    assert (app.kind, app.status, app.cut) == ("application", "fetched", None)
    assert app.bundle_path.startswith("logs/acme/node1/")
    text = spooled(spool, app).read_text()
    assert LOG_TOKEN not in text and "token=***" in text
    assert text.count("\n") == 100  # every line, redacted in place
    security = files["atlassian-jira-security.log.2.gz"]
    assert (security.kind, security.compressed, security.status) == ("security", True, "fetched")
    unzipped = spooled(spool, security).read_text()
    assert unzipped.count("has PASSED authentication") == 20 and DB_PASSWORD not in unzipped
    assert files["catalina.out"].kind == "catalina"
    old = files["atlassian-jira.log.1"]
    assert (old.status, old.cut, old.bundle_path) == ("skipped", "last written before the window", None)
    for entry in snapshot.logs.files:
        if entry.bundle_path:
            assert spooled(spool, entry).stat().st_size == entry.fetched_bytes


def test_without_a_bundle_the_logs_are_only_listed(server, keys, known_hosts, install):
    snapshot = collect_host(target("node1", endpoint(server, keys["client"], known_hosts), install), FAST)
    assert not snapshot.logs.fetched
    assert {f.status for f in snapshot.logs.files} == {"listed", "skipped"}


def big_log(folder: Path, lines: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "atlassian-jira.log"
    with path.open("w") as handle:
        for n in range(lines):
            handle.write(LINE.format(n=n))
    return path


def test_ten_megabytes_of_log_over_exec_arrive_whole(no_sftp, keys, tmp_path):
    home = tmp_path / "home"
    path = big_log(home / "log", 10 * 1024 * 1024 // len(LINE.format(n=0)) + 1)
    spool = tmp_path / "spool"
    subject = target(
        "node1",
        endpoint(no_sftp, keys["client"], write_known_hosts(tmp_path / "kh", no_sftp)),
        dirs=ProductDirs(home=str(home)),
    )
    snapshot = collect_host(subject, replace(FAST, log_spool=spool))
    entry = by_name(snapshot)["atlassian-jira.log"]
    assert entry.size > 10 * 1024 * 1024
    assert (entry.status, entry.fetched_bytes) == ("fetched", path.stat().st_size), entry.cut
    assert spooled(spool, entry).read_bytes() == path.read_bytes()


def test_the_cap_keeps_the_newest_lines_from_a_whole_line_and_says_what_was_cut(
    server, keys, known_hosts, tmp_path
):
    home = tmp_path / "home"
    path = big_log(home / "log", 40_000)  # about 3.6 MB
    newer = home / "log" / "atlassian-jira-security.log"
    newer.write_text("the newest file, fetched first\n")
    later = path.stat().st_mtime + 60
    os.utime(newer, (later, later))
    spool = tmp_path / "spool"
    cap = 1024 * 1024
    subject = target("node1", endpoint(server, keys["client"], known_hosts), dirs=ProductDirs(home=str(home)))
    snapshot = collect_host(subject, replace(FAST, log_spool=spool, log_cap_bytes=cap))
    entries = by_name(snapshot)
    assert entries["atlassian-jira-security.log"].status == "fetched"
    cut = entries["atlassian-jira.log"]
    assert cut.status == "partial"
    assert cut.cut.startswith("the first ") and "from a whole line on" in cut.cut
    fetched = spooled(spool, cut).read_text()
    assert fetched.startswith("2026-11-26 10:00:00,000+0000 ")  # a whole line, not a fragment
    assert fetched.endswith(LINE.format(n=39_999))  # the newest lines are the ones kept
    assert len(fetched.encode()) + len(newer.read_bytes()) <= cap
    assert any("logs: the cap of 1 MB per host cut" in line for line in snapshot.limits_hit)


def test_the_local_collector_fetches_logs_from_disk(install, tmp_path):
    spool = tmp_path / "spool"
    subject = target("me", None, install, local=True, product=Product.JIRA)
    snapshot = collect_host(subject, replace(FAST, log_spool=spool))
    assert snapshot.logs.method == "local"
    entry = by_name(snapshot)["atlassian-jira.log"]
    assert entry.status == "fetched"
    assert LOG_TOKEN not in spooled(spool, entry).read_text()


def test_a_gzipped_log_is_stopped_at_the_cap(server, keys, known_hosts, tmp_path):
    home = tmp_path / "home"
    (home / "log").mkdir(parents=True)
    with gzip.open(home / "log" / "atlassian-jira.log.1.gz", "wt") as zipped:
        for n in range(50_000):
            zipped.write(LINE.format(n=n))
    spool = tmp_path / "spool"
    subject = target("node1", endpoint(server, keys["client"], known_hosts), dirs=ProductDirs(home=str(home)))
    snapshot = collect_host(subject, replace(FAST, log_spool=spool, log_cap_bytes=512 * 1024))
    entry = by_name(snapshot)["atlassian-jira.log.1.gz"]
    assert entry.status == "partial" and entry.cut.startswith("stopped after ")
    text = spooled(spool, entry).read_text()
    assert (
        text.startswith(LINE.format(n=0)) and text.endswith("served\n") and len(text.encode()) <= 512 * 1024
    )
