"""cloud.rate_limit: headroom, low remaining, near-limit flag, 429s, no headers, Data Center."""

from __future__ import annotations

import pytest

from atlas_health.testing.harness import analyse, evidence, only, outcome_of, run_check
from atlas_health.testing.instances import instance
from checks.cloud.rate_limit import CloudRateLimit
from checks.finding import Severity
from checks.runner import OutcomeStatus
from collectors.model import Deployment
from tests.checks.cloud.factory import cloud_site, seen


def test_headroom_is_ok_with_the_lowest_remaining():
    finding = only(run_check(CloudRateLimit, cloud_site()))
    assert finding.severity is Severity.OK
    assert finding.message == "No answer was rate limited; at least 340 of 350 requests left."


@pytest.mark.parametrize(
    ("observations", "words"),
    [
        pytest.param([seen(300), seen(20)], "only 20 of 350 requests were left", id="remaining-low"),
        pytest.param([seen(300, near_limit=True)], "nearly used", id="near-limit-flag"),
        pytest.param(
            [seen(0, status_code=429, retry_after_s=2.0, reason="jira-burst-based"), seen(349)],
            "1 answer was HTTP 429 (rate limited) (reason: jira-burst-based)",
            id="throttled",
        ),
    ],
)
def test_near_zero_or_throttled_warns(observations, words):
    finding = only(run_check(CloudRateLimit, cloud_site(rate_limits=observations)))
    assert finding.severity is Severity.WARNING and words in finding.message


def test_throttled_evidence_has_the_headers():
    site = cloud_site(rate_limits=[seen(0, status_code=429, retry_after_s=2.0, reason="jira-burst-based")])
    found = evidence(only(run_check(CloudRateLimit, site)))
    assert (
        found["Retry-After (s)"] == 2.0
        and found["reason"] == "jira-burst-based"
        and found["429 answers"] == 1
    )


def test_threshold_override():
    finding = only(run_check(CloudRateLimit, cloud_site(rate_limits=[seen(60)]), warning_percent=20))
    assert finding.severity is Severity.WARNING


def test_limit_without_remaining_is_ok():
    finding = only(run_check(CloudRateLimit, cloud_site(rate_limits=[seen(None, 1000, reason="api")])))
    assert finding.severity is Severity.OK and "a limit of 1000 requests" in finding.message


def test_missing_data_is_skipped():
    assert outcome_of(analyse(cloud_site(rate_limits=[])), "cloud.rate_limit").status is OutcomeStatus.SKIPPED
    assert (
        outcome_of(analyse(cloud_site(rate_limits=None)), "cloud.rate_limit").status is OutcomeStatus.SKIPPED
    )


def test_data_center_never_runs_it():
    assert outcome_of(analyse(instance(deployment=Deployment.DATACENTER)), "cloud.rate_limit") is None
