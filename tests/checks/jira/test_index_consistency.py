"""jira.index.consistency: issue counts in the database against the index."""

from __future__ import annotations

from datetime import timedelta

import pytest

from atlas_health.testing.harness import analyse, evidence, findings_of, only, outcome_of, run_check
from atlas_health.testing.instances import NOW, error, index_summary, instance
from checks.finding import Category, Severity
from checks.jira.index_consistency import JiraIndexConsistency, difference_percent
from checks.runner import OutcomeStatus
from collectors.model import Deployment, ErrorKind, Product


def counts(in_db: int | None, in_index: int | None, **kw):
    return instance(index=index_summary(count_in_database=in_db, count_in_index=in_index, **kw))


@pytest.mark.parametrize(
    ("in_db", "in_index", "severity", "words"),
    [
        pytest.param(120_720, 120_720, Severity.OK, "the counts match", id="equal"),
        pytest.param(120_720, 120_718, Severity.OK, "2 issues in the database are missing", id="tiny-gap"),
        pytest.param(
            10_000, 9_900, Severity.WARNING, "100 issues in the database are missing", id="warning-1pct"
        ),
        pytest.param(10_000, 10_250, Severity.WARNING, "The index holds 250 issues more", id="index-ahead"),
        pytest.param(
            10_000, 9_000, Severity.CRITICAL, "10.0 % difference (critical from 10 %)", id="critical"
        ),
        pytest.param(10_000, 0, Severity.CRITICAL, "10,000 issues", id="empty-index"),
        pytest.param(0, 0, Severity.OK, "the counts match", id="empty-instance"),
    ],
)
def test_difference(in_db, in_index, severity, words):
    finding = only(run_check(JiraIndexConsistency, counts(in_db, in_index)))
    assert finding.severity is severity
    assert words in finding.message
    assert finding.category is Category.INTEGRITY
    assert evidence(finding)["issues in database"] == in_db


def test_unreadable_index_is_critical():
    finding = only(run_check(JiraIndexConsistency, instance(index=index_summary(index_readable=False))))
    assert finding.severity is Severity.CRITICAL
    assert "node node1" in finding.message
    assert "snapshot" in finding.recommendation


def test_missing_counts_are_unknown():
    assert only(run_check(JiraIndexConsistency, counts(None, 5))).severity is Severity.UNKNOWN


def test_update_lag_is_evidence_not_severity():
    inst = counts(5000, 5000, last_updated_in_database=NOW, last_updated_in_index=NOW - timedelta(minutes=10))
    finding = only(run_check(JiraIndexConsistency, inst))
    assert finding.severity is Severity.OK
    assert evidence(finding)["index behind database (s)"] == 600.0
    by_label = {e.label: e for e in finding.evidence}
    assert by_label["issues in index"].source == "GET /rest/api/2/index/summary"
    assert by_label["issues in index"].time == NOW


def test_recommends_the_index_analyzer_with_kb_links():
    finding = only(run_check(JiraIndexConsistency, counts(10_000, 9_800)))
    assert "indexanalyzer" in finding.recommendation and "background reindex" in finding.recommendation
    assert any("index-analyzer" in ref for ref in finding.references)


def test_thresholds_override():
    assert (
        only(run_check(JiraIndexConsistency, counts(10_000, 9_800), critical_percent=2)).severity
        is Severity.CRITICAL
    )


def test_difference_percent():
    assert difference_percent(200, 190) == pytest.approx(5.0)
    assert difference_percent(0, 3) == 100.0


def test_through_the_runner():
    assert (
        only(findings_of(analyse(counts(1000, 800)), "jira.index.consistency")).severity is Severity.CRITICAL
    )
    confluence = instance(product=Product.CONFLUENCE)
    assert outcome_of(analyse(confluence), "jira.index.consistency") is None
    failed = instance(
        index=None, errors=[error("index", ErrorKind.SERVER_ERROR, "HTTP 500", status_code=500)]
    )
    outcome = outcome_of(analyse(failed), "jira.index.consistency")
    assert outcome.status is OutcomeStatus.SKIPPED and outcome.reason == "index not collected: HTTP 500"
    server = outcome_of(analyse(instance(deployment=Deployment.SERVER)), "jira.index.consistency")
    assert server.status is OutcomeStatus.RAN
