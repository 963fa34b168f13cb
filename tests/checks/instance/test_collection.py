"""instance.collection: one finding per failed call on a reachable instance, with the reason."""

from __future__ import annotations

import pytest

from atlas_health.testing.harness import analyse, evidence, findings_of, only, outcome_of, run_check
from atlas_health.testing.instances import error, instance, unreachable
from checks.finding import Category, Severity
from checks.instance.collection import InstanceCollection
from checks.runner import OutcomeStatus, SkipCheck
from collectors.model import ErrorKind


def test_all_calls_succeeded():
    inst = instance()
    finding = only(run_check(InstanceCollection, inst))
    assert finding.severity is Severity.OK
    assert finding.message == f"All {len(inst.calls)} calls succeeded."


@pytest.mark.parametrize(
    ("call", "kind", "code", "category", "words"),
    [
        pytest.param(
            "license",
            ErrorKind.SERVER_ERROR,
            500,
            Category.AVAILABILITY,
            "Could not read the licence: HTTP 500",
            id="licence-500",
        ),
        pytest.param(
            "health_checks",
            ErrorKind.FORBIDDEN,
            403,
            Category.AUTHENTICATION,
            "Could not read the ATST health checks: HTTP 403",
            id="atst-403",
        ),
        pytest.param(
            "index",
            ErrorKind.UNAUTHORIZED,
            401,
            Category.AUTHENTICATION,
            "Could not read the index summary: HTTP 401",
            id="index-401",
        ),
        pytest.param(
            "apps", ErrorKind.BUDGET_EXCEEDED, None, Category.PERFORMANCE, "time budget ran out", id="budget"
        ),
        pytest.param(
            "cluster",
            ErrorKind.HTML_INSTEAD_OF_JSON,
            200,
            Category.AVAILABILITY,
            "login page, an SSO interstitial or a proxy error page",
            id="html",
        ),
        pytest.param(
            "server_info",
            ErrorKind.MALFORMED_JSON,
            200,
            Category.AVAILABILITY,
            "not valid JSON (cut short by a proxy",
            id="malformed",
        ),
        pytest.param(
            "license:jira-servicedesk",
            ErrorKind.NOT_FOUND,
            404,
            Category.AVAILABILITY,
            "Could not read the licence (jira-servicedesk): HTTP 404",
            id="qualified-call",
        ),
    ],
)
def test_one_warning_per_failed_call(call, kind, code, category, words):
    inst = instance(errors=[error(call, kind, "collector detail", status_code=code)])
    finding = only(run_check(InstanceCollection, inst))
    assert finding.severity is Severity.WARNING
    assert finding.category is category
    assert words in finding.message
    assert "collector detail" in finding.message
    assert evidence(finding)["call"] == call


def test_several_failures_get_distinct_fingerprints_and_skip_status_and_credentials():
    errors = [
        error("license", ErrorKind.SERVER_ERROR, status_code=500),
        error("apps", ErrorKind.TIMEOUT),
        error("current_user", ErrorKind.UNAUTHORIZED, status_code=401),
    ]
    findings = run_check(InstanceCollection, instance(errors=errors))
    assert [f.title for f in findings] == ["Could not read the licence", "Could not read the installed apps"]
    assert len({f.fingerprint for f in findings}) == 2


def test_several_failures_of_one_call_make_one_finding():
    errors = [
        error("license", ErrorKind.FORBIDDEN, "roles: HTTP 403", status_code=403),
        error("license", ErrorKind.SERVER_ERROR, "jira-servicedesk licence: HTTP 500", status_code=500),
    ]
    finding = only(run_check(InstanceCollection, instance(errors=errors)))
    assert finding.message == (
        "Could not read the licence: HTTP 403 (the account lacks the permission; this call needs a system "
        "administrator). (roles: HTTP 403) 1 more failure of the same call."
    )
    assert [e.value for e in finding.evidence if e.label == "HTTP status"] == [403, 500]


def test_rejected_credentials_fold_the_same_refusals_into_one_info():
    errors = [
        error("current_user", ErrorKind.UNAUTHORIZED, "HTTP 401", status_code=401),
        error("license", ErrorKind.UNAUTHORIZED, "HTTP 401", status_code=401),
        error("apps", ErrorKind.UNAUTHORIZED, "HTTP 401", status_code=401),
        error("index", ErrorKind.SERVER_ERROR, "HTTP 500", status_code=500),
    ]
    findings = run_check(InstanceCollection, instance(errors=errors))
    assert [(f.severity, f.title) for f in findings] == [
        (Severity.INFO, "Nothing else could be read with these credentials"),
        (Severity.WARNING, "Could not read the index summary"),
    ]
    assert findings[0].message == (
        "2 calls failed the same way as the credentials check (unauthorized), so the licence and the installed "
        "apps are missing from this run."
    )
    assert findings[0].category is Category.AUTHENTICATION


def test_only_own_check_failures_left_says_so():
    inst = instance(errors=[error("current_user", ErrorKind.UNAUTHORIZED, status_code=401)])
    finding = only(run_check(InstanceCollection, inst))
    assert finding.severity is Severity.OK
    assert "current_user is reported by its own check" in finding.message


def test_not_clustered_answer_is_left_to_the_cluster_check():
    inst = instance(
        cluster=None, errors=[error("cluster", ErrorKind.NOT_CLUSTERED, "HTTP 405", status_code=405)]
    )
    finding = only(run_check(InstanceCollection, inst))
    assert finding.severity is Severity.OK
    assert "cluster is reported by its own check" in finding.message


def test_unreachable_skips():
    with pytest.raises(SkipCheck, match=r"instance\.status reports it"):
        run_check(InstanceCollection, unreachable())


def test_through_the_runner():
    inst = instance(licenses=None, errors=[error("license", ErrorKind.SERVER_ERROR, status_code=500)])
    analysis = analyse(inst)
    assert only(findings_of(analysis, "instance.collection")).title == "Could not read the licence"
    assert outcome_of(analyse(unreachable()), "instance.collection").status is OutcomeStatus.SKIPPED
