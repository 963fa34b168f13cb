"""host.disk.free and host.disk.inodes."""

from __future__ import annotations

import pytest

from atlas_health.testing.harness import evidence, only, registry
from atlas_health.testing.hosts import filesystem, host, run_host_check
from atlas_health.testing.instances import NOW, instance, snapshot
from checks.finding import Severity
from checks.host.disk_free import HostDiskFree
from checks.host.disk_inodes import HostDiskInodes
from checks.runner import OutcomeStatus, run_checks
from collectors.hosts.model import HostError, HostErrorKind


def test_enough_space_is_ok():
    finding = only(run_host_check(HostDiskFree, host()))
    assert finding.check == "host.disk.free"
    assert finding.severity is Severity.OK
    assert "/var/atlassian 60 % free" in finding.message


@pytest.mark.parametrize(
    ("size_gib", "free_gib", "expected"),
    [
        (100, 10, Severity.WARNING),  # 10 % and 10 GiB: short both ways
        (100, 4, Severity.CRITICAL),  # 4 % and 4 GiB
        (10_000, 500, Severity.OK),  # 5 % of a large volume is still 500 GiB
        (30, 12, Severity.OK),  # 12 GiB but 40 %
    ],
)
def test_space_is_short_only_when_both_percent_and_bytes_are(size_gib, free_gib, expected):
    subject = host(filesystems=[filesystem("/var/atlassian", size_gib, free_gib, ["home"])])
    finding = only(run_host_check(HostDiskFree, subject))
    assert finding.severity is expected
    if expected is not Severity.OK:
        assert finding.title == "Low disk space on /var/atlassian"
        assert "holds the home" in finding.message
        assert evidence(finding)["available"] == int(free_gib * 1024**3)


def test_filesystems_without_product_paths_are_ignored_when_some_have_them():
    subject = host(
        filesystems=[filesystem("/", 20, 0.5, []), filesystem("/data", 500, 300, ["home", "index"])]
    )
    assert only(run_host_check(HostDiskFree, subject)).severity is Severity.OK


def test_every_filesystem_is_watched_when_no_product_path_is_known():
    subject = host(filesystems=[filesystem("/", 20, 0.5, []), filesystem("/data", 500, 300, [])])
    finding = only(run_host_check(HostDiskFree, subject))
    assert (finding.severity, finding.title) == (Severity.CRITICAL, "Low disk space on /")


def test_thresholds_can_be_changed():
    subject = host(filesystems=[filesystem("/var/atlassian", 100, 30, ["home"])])
    finding = only(run_host_check(HostDiskFree, subject, warning_free_percent=40, warning_free_gb=50))
    assert finding.severity is Severity.WARNING


def test_missing_filesystems_skip_both_checks_with_the_error():
    subject = host(
        filesystems=None,
        errors=[
            HostError(
                call="filesystems",
                kind=HostErrorKind.COMMAND_TIMEOUT,
                message="df: no answer within 20 s",
                at=NOW,
            )
        ],
    )
    analysis = run_checks(snapshot(instance()).model_copy(update={"hosts": [subject]}), registry())
    for check in ("host.disk.free", "host.disk.inodes"):
        outcome = next(o for o in analysis.outcomes if o.check == check)
        assert outcome.status is OutcomeStatus.SKIPPED
        assert outcome.reason == "filesystems not collected: df: no answer within 20 s"


def test_inodes_ok_warning_and_critical():
    assert only(run_host_check(HostDiskInodes, host())).severity is Severity.OK
    warn = host(
        filesystems=[filesystem("/var/atlassian", 500, 300, ["index"], inodes_total=1000, inodes_used=850)]
    )
    finding = only(run_host_check(HostDiskInodes, warn))
    assert finding.check == "host.disk.inodes"
    assert (finding.severity, finding.title) == (Severity.WARNING, "Inodes running out on /var/atlassian")
    full = host(
        filesystems=[filesystem("/var/atlassian", 500, 300, ["index"], inodes_total=1000, inodes_used=990)]
    )
    assert only(run_host_check(HostDiskInodes, full)).severity is Severity.CRITICAL


def test_filesystems_without_an_inode_table_are_not_judged():
    subject = host(
        filesystems=[filesystem("/var/atlassian", 500, 300, ["home"], inodes_total=0, inodes_used=0)]
    )
    finding = only(run_host_check(HostDiskInodes, subject))
    assert (finding.severity, finding.title) == (Severity.OK, "No inode limit")
