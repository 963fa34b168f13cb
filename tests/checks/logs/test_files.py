"""logs.files: damaged files are warnings, unrecognised and binary ones info, noisy files info."""

from __future__ import annotations

import pytest

from atlas_health.testing.logs import analysis, at, default_files, log_file, run_logs_check
from checks.finding import Severity
from checks.logs.files import LogsFiles
from checks.runner import SkipCheck
from collectors.logs.model import FileProblem, LogKind


def files_findings(*extra, **thresholds):
    return run_logs_check(LogsFiles, analysis(files=[*default_files(), *extra]), **thresholds)


def test_every_file_read_whole_is_ok():
    (finding,) = files_findings()
    assert finding.check == "logs.files"
    assert finding.severity is Severity.OK
    assert finding.message == "All 10 files (516,600 lines, 238.4 MiB) were recognised and read whole."


def test_a_truncated_file_is_a_warning_on_its_node_saying_what_was_still_read():
    truncated = log_file(
        "node2.zip!application-logs/atlassian-jira.log.3.gz",
        "node2",
        problem=FileProblem.TRUNCATED,
        problem_detail="gzip stream ends early at 12.0 MiB",
        lines=40_000,
        size_bytes=12 * 2**20,
        last_at=at(95),
    )
    (finding,) = files_findings(truncated)
    assert finding.severity is Severity.WARNING
    assert finding.target == "logs/node2"
    assert finding.title == "Log file truncated: node2.zip!application-logs/atlassian-jira.log.3.gz"
    assert finding.message == (
        "node2.zip!application-logs/atlassian-jira.log.3.gz on node2 was truncated (gzip stream ends early at "
        "12.0 MiB): 40,000 lines (12.0 MiB) were still read, between 2026-11-26 06:00 UTC and 2026-11-26 07:35 UTC. "
        "Whatever the missing part held is not in this analysis."
    )
    (item,) = finding.evidence
    assert (item.label, item.value, item.source, item.time) == (
        truncated.path,
        "gzip stream ends early at 12.0 MiB",
        "node2: jira-app",
        at(95),
    )


def test_an_unreadable_file_says_nothing_could_be_analysed():
    unreadable = log_file(
        "node1/catalina.out",
        problem=FileProblem.UNREADABLE,
        lines=0,
        size_bytes=0,
        kind=LogKind.CATALINA,
        problem_detail="permission denied",
    )
    (finding,) = files_findings(unreadable)
    assert finding.severity is Severity.WARNING
    assert "was unreadable (permission denied): nothing could be analysed." in finding.message


def test_binary_and_unrecognised_files_are_one_info_each_listing_the_files():
    heap = log_file("node1/java_pid42.hprof", kind=LogKind.UNKNOWN, problem=FileProblem.BINARY, lines=0)
    odd = [
        log_file(f"node1/atlassian-odd-{i}.log", kind=LogKind.UNKNOWN, problem=FileProblem.UNRECOGNISED)
        for i in range(7)
    ]
    findings = files_findings(heap, *odd)
    assert [(f.severity, f.title) for f in findings] == [
        (Severity.INFO, "1 file was not analysed (binary)"),
        (Severity.INFO, "7 files were not analysed (unrecognised)"),
    ]
    assert findings[1].message == (
        "7 files were in no known log format and not analysed: node1/atlassian-odd-0.log, node1/atlassian-odd-1.log, "
        "node1/atlassian-odd-2.log, node1/atlassian-odd-3.log, node1/atlassian-odd-4.log and 2 more."
    )
    assert len(findings[1].evidence) == 7
    assert findings[0].evidence[0].value == "binary, not text"


def test_many_unparsed_lines_in_a_recognised_file_are_info():
    noisy = log_file(
        "node1/access_log.2026-11-25", kind=LogKind.JIRA_ACCESS, lines=10_000, unparsed_lines=2_500
    )
    few = log_file("node1/access_log.2026-11-24", kind=LogKind.JIRA_ACCESS, lines=1_000, unparsed_lines=90)
    (finding,) = files_findings(noisy, few)
    assert finding.severity is Severity.INFO
    assert finding.message == (
        "Over 5 % of the lines of 1 recognised file fit no known format: node1/access_log.2026-11-25 (2,500 of "
        "10,000 lines, 25 %). Those lines were counted but not analysed."
    )
    both = files_findings(noisy, few, unparsed_min_lines=50)
    assert [e.label for e in both[0].evidence] == [
        "node1/access_log.2026-11-25",
        "node1/access_log.2026-11-24",
    ]
    assert files_findings(noisy, unparsed_pct=30)[0].severity is Severity.OK


def test_a_small_file_mostly_unparsed_is_named_with_the_readers_sample_line():
    odd = log_file(
        "node1/access_log.2026-11-25",
        kind=LogKind.TOMCAT_ACCESS,
        lines=12,
        unparsed_lines=12,
        notes=["node1 access_log.2026-11-25: 12 of the first 12 lines fit no tomcat access-log layout"],
    )
    (finding,) = files_findings(odd)
    assert finding.severity is Severity.INFO
    assert "node1/access_log.2026-11-25 (12 of 12 lines, 100 %)" in finding.message
    assert finding.evidence[0].value.startswith("12 of 12 lines unparsed; node1 access_log.2026-11-25: 12 of")
    half = log_file("node1/x.log", lines=12, unparsed_lines=5)  # under half: the minimum count still applies
    assert files_findings(half)[0].severity is Severity.OK


def test_skipped_without_files():
    with pytest.raises(SkipCheck, match="no log file was given"):
        run_logs_check(LogsFiles, analysis(files=[]))
