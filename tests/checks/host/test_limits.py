"""host.open_files and host.thread_limit (ATST's open-files and thread-limit health checks)."""

from __future__ import annotations

import pytest

from atlas_health.testing.harness import evidence, only, registry
from atlas_health.testing.hosts import host, jvm, run_host_check
from atlas_health.testing.instances import NOW, instance, snapshot
from checks.finding import Severity
from checks.host.open_files import HostOpenFiles
from checks.host.thread_limit import HostThreadLimit
from checks.runner import OutcomeStatus, run_checks
from collectors.hosts.model import HostError, HostErrorKind, Limit


@pytest.mark.parametrize(
    ("open_files", "expected"),
    [(800, Severity.OK), (11_469, Severity.WARNING), (14_746, Severity.CRITICAL), (11_468, Severity.OK)],
)
def test_open_files_against_atst_thresholds(open_files, expected):
    # 16384 * 70 % = 11468.8: 11469 is at 70 %, 11468 below it; 90 % is 14745.6
    finding = only(run_host_check(HostOpenFiles, host(jvms=[jvm(open_files=open_files)])))
    assert finding.check == "host.open_files"
    assert finding.severity is expected


def test_open_files_evidence_and_unlimited():
    finding = only(run_host_check(HostOpenFiles, host(jvms=[jvm(open_files=15000)])))
    assert evidence(finding)["limit (soft)"] == 16384
    assert "Too many open files" in finding.message
    unlimited = only(
        run_host_check(HostOpenFiles, host(jvms=[jvm(max_open_files=Limit(soft=None, hard=None))]))
    )
    assert unlimited.severity is Severity.OK


def test_open_files_not_readable_skips_with_the_error():
    subject = host(
        jvms=[jvm(open_files=None)],
        errors=[
            HostError(
                call="jvm.4242.open_files",
                kind=HostErrorKind.PERMISSION_DENIED,
                message="ls: cannot open directory '/proc/4242/fd': Permission denied",
                at=NOW,
            )
        ],
    )
    analysis = run_checks(snapshot(instance()).model_copy(update={"hosts": [subject]}), registry())
    outcome = next(o for o in analysis.outcomes if o.check == "host.open_files")
    assert outcome.status is OutcomeStatus.SKIPPED
    assert (
        outcome.reason == "open files not read: ls: cannot open directory '/proc/4242/fd': Permission denied"
    )


def test_thread_limit_ok_low_and_nearly_used():
    ok = only(run_host_check(HostThreadLimit, host()))
    assert (ok.check, ok.severity) == ("host.thread_limit", Severity.OK)
    low = only(run_host_check(HostThreadLimit, host(jvms=[jvm(max_processes=Limit(soft=1024, hard=1024))])))
    assert (low.severity, low.title) == (Severity.WARNING, "Thread limit below 4096")
    full = only(run_host_check(HostThreadLimit, host(jvms=[jvm(user_threads=7900)])))
    assert (full.severity, full.title) == (Severity.CRITICAL, "Thread limit nearly used up")
    unlimited = only(
        run_host_check(HostThreadLimit, host(jvms=[jvm(max_processes=Limit(soft=None, hard=None))]))
    )
    assert unlimited.severity is Severity.OK


def test_thread_limit_without_limits_skips():
    subject = host(
        jvms=[jvm(max_processes=None)],
        errors=[
            HostError(
                call="jvm.4242.limits",
                kind=HostErrorKind.NOT_FOUND,
                message="cat: /proc/4242/limits: No such file",
                at=NOW,
            )
        ],
    )
    analysis = run_checks(snapshot(instance()).model_copy(update={"hosts": [subject]}), registry())
    outcome = next(o for o in analysis.outcomes if o.check == "host.thread_limit")
    assert (outcome.status, outcome.reason) == (
        OutcomeStatus.SKIPPED,
        "process limits not read: cat: /proc/4242/limits: No such file",
    )
