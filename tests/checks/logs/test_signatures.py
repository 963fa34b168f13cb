"""logs.signatures: one finding per matched signature, at its own severity, restarts left out."""

from __future__ import annotations

import pytest

from atlas_health.testing.harness import evidence, only
from atlas_health.testing.logs import analysis, at, hit, log_file, restart, run_logs_check
from checks.finding import Category, Severity
from checks.logs.signatures import LogsSignatures, category_of
from checks.runner import SkipCheck
from collectors.logs.model import FileProblem, LogKind


def test_no_match_is_ok_and_names_what_was_read():
    finding = only(run_logs_check(LogsSignatures, analysis()))
    assert finding.check == "logs.signatures"
    assert finding.severity is Severity.OK
    assert finding.message == (
        "No signature of the knowledge base matched in 10 files (516,600 lines) between "
        "2026-11-26 06:00 UTC and 2026-11-26 09:59 UTC."
    )


def test_a_critical_hit_carries_count_times_nodes_files_samples_and_its_kb():
    finding = only(run_logs_check(LogsSignatures, analysis(signatures=[hit()])))
    assert finding.severity is Severity.CRITICAL
    assert finding.category is Category.AVAILABILITY
    assert finding.target == "logs"
    assert finding.title == "Java heap space exhausted"
    assert finding.message == (
        "Java heap space exhausted: seen 3 times on node1 between 2026-11-26 07:40 UTC and 2026-11-26 07:42 UTC. "
        "The heap was too small for the load or something leaks; the JVM is unreliable now."
    )
    facts = evidence(finding)
    assert facts["matches"] == 3
    assert facts["first seen"] == "2026-11-26 07:40:00 UTC"
    assert facts["last seen"] == "2026-11-26 07:42:00 UTC"
    assert facts["nodes"] == "node1"
    assert facts["files"] == "node1.zip!application-logs/atlassian-jira.log"
    assert facts["most in one bucket"] == 2
    assert facts["sample 1"].endswith("java.lang.OutOfMemoryError: Java heap space")
    sample = next(e for e in finding.evidence if e.label == "sample 1")
    assert (sample.source, sample.time) == ("node1: node1.zip!application-logs/atlassian-jira.log", at(100))
    assert finding.references == [hit().kb]
    assert finding.recommendation == "Restart the node, then size the heap and look for a leak."


def test_each_hit_is_its_own_finding_at_its_own_severity_worst_first():
    hits = [
        hit(
            "dbcp-pool-exhausted",
            severity="warning",
            cause="database",
            title="Database pool exhausted",
            count=40,
            kb=None,
            recommendation="",
            explanation="",
        ),
        hit(),
        hit("ldap-sync-interrupted", severity="info", cause="directory", title="Directory sync fell back"),
        hit("odd-severity", severity="major", cause="", title=""),
    ]
    findings = run_logs_check(LogsSignatures, analysis(signatures=hits))
    assert [(f.title, f.severity) for f in findings] == [
        ("Java heap space exhausted", Severity.CRITICAL),
        ("Database pool exhausted", Severity.WARNING),
        ("Signature odd-severity matched", Severity.WARNING),  # an unknown severity word is a warning
        ("Directory sync fell back", Severity.INFO),
    ]
    pool = findings[1]
    assert pool.references == []  # no KB link: none invented
    assert pool.recommendation.startswith("Read the sample lines and the KB article")
    assert len({f.fingerprint for f in findings}) == 4  # keyed by signature id
    assert findings[3].category is Category.AUTHENTICATION


def test_the_fingerprint_follows_the_signature_not_its_count_or_nodes():
    first = only(run_logs_check(LogsSignatures, analysis(signatures=[hit()])))
    again = only(
        run_logs_check(LogsSignatures, analysis(signatures=[hit(count=90, nodes=["node1", "node2"])]))
    )
    other = only(run_logs_check(LogsSignatures, analysis(signatures=[hit("jira-oom-metaspace")])))
    assert first.fingerprint == again.fingerprint != other.fingerprint


def test_restart_markers_are_left_to_the_restarts_check():
    hits = [
        hit("jira-starting", cause="restart", severity="info", title="Jira starting"),
        hit("confluence-ready", cause="startup", severity="info", title="Confluence is ready"),
    ]
    findings = run_logs_check(
        LogsSignatures, analysis(signatures=hits, restarts=[restart("node1", 30, "confluence-ready")])
    )
    assert only(findings).severity is Severity.OK


@pytest.mark.parametrize(
    ("cause", "category"),
    [
        ("memory", Category.AVAILABILITY),
        ("gc", Category.PERFORMANCE),
        ("threads", Category.PERFORMANCE),
        ("http", Category.PERFORMANCE),
        ("database", Category.AVAILABILITY),
        ("authentication", Category.AUTHENTICATION),
        ("Directory/LDAP", Category.AUTHENTICATION),
        ("index", Category.INTEGRITY),
        ("os: file descriptors", Category.CAPACITY),
        ("plugins", Category.AVAILABILITY),
        ("startup", Category.AVAILABILITY),
        ("license", Category.LICENSING),
        ("mail", Category.AVAILABILITY),
        ("integration", Category.AVAILABILITY),
        ("", Category.AVAILABILITY),
    ],
)
def test_cause_classes_map_to_categories(cause, category):
    assert category_of(cause) is category


def test_skipped_when_no_file_could_be_read():
    unreadable = [
        log_file("a.log", problem=FileProblem.UNREADABLE, lines=0),
        log_file("b.bin", kind=LogKind.UNKNOWN, problem=FileProblem.BINARY, lines=0),
    ]
    with pytest.raises(SkipCheck, match="no log file could be read"):
        run_logs_check(LogsSignatures, analysis(files=unreadable))
    truncated = [log_file("a.log.gz", problem=FileProblem.TRUNCATED, lines=500)]
    assert only(run_logs_check(LogsSignatures, analysis(files=truncated))).severity is Severity.OK
