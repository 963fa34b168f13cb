"""bitbucket.mirrors: every Smart Mirror enabled, authorised and in contact with the upstream."""

from __future__ import annotations

from datetime import timedelta

import pytest

from atlas_health.testing.harness import analyse, evidence, findings_of, only, outcome_of, run_check
from atlas_health.testing.instances import NOW, error
from checks.bitbucket.mirrors import BitbucketMirrors
from checks.finding import Severity
from checks.runner import OutcomeStatus
from collectors.model import Deployment, ErrorKind
from tests.checks.bitbucket.factory import bitbucket, facts, mirror


def with_mirrors(*mirrors):
    return bitbucket(bitbucket=facts(mirrors=list(mirrors)))


def test_mirrors_in_contact_are_ok():
    finding = only(run_check(BitbucketMirrors, with_mirrors(mirror(), mirror("B2", name="Mirror (Berlin)"))))
    assert finding.severity is Severity.OK
    assert finding.message == (
        "2 mirrors enabled and in contact with the upstream: Mirror (Sydney), Mirror (Berlin)."
    )


def test_no_mirrors_is_ok():
    finding = only(run_check(BitbucketMirrors, with_mirrors()))
    assert (finding.severity, finding.title) == (Severity.OK, "No mirrors registered")


@pytest.mark.parametrize(
    ("minutes", "severity"),
    [
        pytest.param(14, None, id="recent"),
        pytest.param(15, Severity.WARNING, id="warning-at-15"),
        pytest.param(59, Severity.WARNING, id="just-below-60"),
        pytest.param(60, Severity.CRITICAL, id="critical-at-60"),
        pytest.param(3 * 24 * 60, Severity.CRITICAL, id="days"),
    ],
)
def test_out_of_contact(minutes, severity):
    stale = mirror(last_seen=NOW - timedelta(minutes=minutes))
    finding = only(run_check(BitbucketMirrors, with_mirrors(stale)))
    if severity is None:
        assert finding.severity is Severity.OK
        return
    assert finding.severity is severity
    assert finding.title == "Mirror Mirror (Sydney) is out of contact"
    assert "no longer synchronises" in finding.message
    assert evidence(finding)["minutes since last contact"] == minutes
    assert finding.target == "bitbucket-prod"


def test_ages_read_naturally():
    days = only(run_check(BitbucketMirrors, with_mirrors(mirror(last_seen=NOW - timedelta(days=3)))))
    assert "last contacted the upstream 3 days ago" in days.message
    hours = only(run_check(BitbucketMirrors, with_mirrors(mirror(last_seen=NOW - timedelta(hours=5)))))
    assert "5 hours ago" in hours.message


def test_thresholds_can_be_overridden():
    stale = with_mirrors(mirror(last_seen=NOW - timedelta(minutes=20)))
    assert only(run_check(BitbucketMirrors, stale, warning_minutes=30)).severity is Severity.OK
    assert only(run_check(BitbucketMirrors, stale, critical_minutes=20)).severity is Severity.CRITICAL


def test_disabled_pending_and_never_seen():
    findings = run_check(
        BitbucketMirrors,
        with_mirrors(
            mirror("M1", name="Old", enabled=False, last_seen=NOW - timedelta(days=30)),
            mirror("M2", name="New", state="PENDING", last_seen=None),
            mirror("M3", name="Quiet", last_seen=None),
            mirror("M4", name="Fine", state="AUTHORIZED"),
        ),
    )
    assert [(f.title, f.severity) for f in findings] == [
        ("Mirror Old is disabled", Severity.INFO),
        ("Mirror New is PENDING", Severity.WARNING),
        ("Mirror Quiet has not been in contact", Severity.WARNING),
    ]
    assert len({f.fingerprint for f in findings}) == 3


def test_absent_mirroring_is_skipped_as_not_applicable():
    outcome = outcome_of(analyse(bitbucket(bitbucket=facts(mirrors=None))), "bitbucket.mirrors")
    assert outcome.status is OutcomeStatus.SKIPPED
    assert outcome.reason == "bitbucket mirrors not collected for this product or deployment"


def test_failed_listing_is_skipped_with_the_calls_error():
    failed = bitbucket(
        bitbucket=facts(mirrors=None),
        errors=[error("bitbucket.mirrors", ErrorKind.HTML_INSTEAD_OF_JSON, "HTTP 200: an HTML page")],
    )
    outcome = outcome_of(analyse(failed), "bitbucket.mirrors")
    assert outcome.reason == "bitbucket mirrors not collected: HTTP 200: an HTML page"


def test_data_center_only_through_the_runner():
    stale = with_mirrors(mirror(last_seen=NOW - timedelta(hours=2)))
    assert only(findings_of(analyse(stale), "bitbucket.mirrors")).severity is Severity.CRITICAL
    server = bitbucket(
        Deployment.SERVER, bitbucket=facts(mirrors=[mirror(last_seen=NOW - timedelta(hours=2))])
    )
    assert outcome_of(analyse(server), "bitbucket.mirrors") is None
