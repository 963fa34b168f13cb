"""bitbucket.search.index: the search server reachable, the index idle or catching up."""

from __future__ import annotations

import pytest

from atlas_health.testing.harness import analyse, evidence, findings_of, only, outcome_of, run_check
from atlas_health.testing.instances import error, instance
from checks.bitbucket.search_index import BitbucketSearchIndex
from checks.finding import Severity
from checks.runner import OutcomeStatus
from collectors.model import ErrorKind
from tests.checks.bitbucket.factory import bitbucket, facts, search_index


@pytest.mark.parametrize(
    ("index", "severity", "title"),
    [
        pytest.param(search_index(), Severity.OK, "Bitbucket search index is up to date", id="idle"),
        pytest.param(search_index(state="INDEXING"), Severity.INFO, "catching up", id="indexing"),
        pytest.param(
            search_index(state="REBUILDING"), Severity.INFO, "reports REBUILDING", id="unknown-state"
        ),
        pytest.param(
            search_index(
                available=False, state=None, message="Search is currently unavailable", http_status=503
            ),
            Severity.WARNING,
            "Bitbucket search is unavailable",
            id="unavailable",
        ),
    ],
)
def test_index_states(index, severity, title):
    finding = only(run_check(BitbucketSearchIndex, bitbucket(bitbucket=facts(index=index))))
    assert finding.severity is severity
    assert title in finding.title


def test_unavailable_quotes_the_product_and_says_what_breaks():
    index = search_index(available=False, state=None, message="could not connect to http://search:9200")
    finding = only(run_check(BitbucketSearchIndex, bitbucket(bitbucket=facts(index=index))))
    assert "could not connect to http://search:9200" in finding.message
    assert "Git operations and pull requests carry on" in finding.message
    assert evidence(finding)["available"] is False
    assert evidence(finding)["message"] == "could not connect to http://search:9200"
    assert "Server settings > Search" in finding.recommendation


def test_not_collected_is_skipped_with_the_calls_error():
    failed = bitbucket(
        bitbucket=facts(index=None),
        errors=[
            error("bitbucket.index", ErrorKind.FORBIDDEN, "HTTP 403: permission denied", status_code=403)
        ],
    )
    outcome = outcome_of(analyse(failed), "bitbucket.search.index")
    assert outcome.status is OutcomeStatus.SKIPPED
    assert outcome.reason == "bitbucket index not collected: HTTP 403: permission denied"


def test_no_bitbucket_facts_at_all_is_skipped():
    outcome = outcome_of(analyse(bitbucket(bitbucket=None)), "bitbucket.search.index")
    assert outcome.status is OutcomeStatus.SKIPPED


def test_through_the_runner_and_only_for_bitbucket():
    down = bitbucket(bitbucket=facts(index=search_index(available=False, state=None)))
    assert only(findings_of(analyse(down), "bitbucket.search.index")).severity is Severity.WARNING
    assert outcome_of(analyse(instance()), "bitbucket.search.index") is None  # Jira
