"""instance.credentials: who the agent authenticates as, and why it could not."""

from __future__ import annotations

import pytest

from atlas_health.testing.harness import analyse, findings_of, only, outcome_of, run_check
from atlas_health.testing.instances import error, instance, unreachable
from checks.finding import Category, Severity
from checks.instance.credentials import InstanceCredentials
from checks.runner import OutcomeStatus, SkipCheck
from collectors.model import CurrentUser, ErrorKind


def failed(kind: ErrorKind, message: str = "the detail", status_code: int | None = None):
    return instance(current_user=None, errors=[error("current_user", kind, message, status_code=status_code)])


def test_ok_names_the_user():
    finding = only(run_check(InstanceCredentials, instance()))
    assert finding.severity is Severity.OK
    assert finding.message == "The API authenticated the agent as Health Agent (svc-health)."
    assert finding.category is Category.AUTHENTICATION


def test_cloud_user_without_username_uses_the_account_id():
    inst = instance(
        current_user=CurrentUser(authenticated=True, display_name="Bot", account_id="5b10ac8d82e05")
    )
    assert "Bot (5b10ac8d82e05)" in only(run_check(InstanceCredentials, inst)).message


@pytest.mark.parametrize(
    ("kind", "code", "severity", "words"),
    [
        pytest.param(ErrorKind.UNAUTHORIZED, 401, Severity.CRITICAL, "expired", id="401"),
        pytest.param(ErrorKind.FORBIDDEN, 403, Severity.CRITICAL, "CAPTCHA", id="403"),
        pytest.param(ErrorKind.HTML_INSTEAD_OF_JSON, 200, Severity.CRITICAL, "SSO", id="login-page"),
        pytest.param(ErrorKind.SERVER_ERROR, 500, Severity.UNKNOWN, "Could not verify", id="5xx"),
        pytest.param(ErrorKind.MALFORMED_JSON, 200, Severity.UNKNOWN, "Could not verify", id="malformed"),
    ],
)
def test_failures(kind, code, severity, words):
    finding = only(run_check(InstanceCredentials, failed(kind, "the detail", code)))
    assert finding.severity is severity
    assert words in f"{finding.title} {finding.message} {finding.recommendation}"
    assert "the detail" in finding.message or kind is ErrorKind.HTML_INSTEAD_OF_JSON
    assert {e.label: e.value for e in finding.evidence}["HTTP status"] == code


def test_anonymous_answer_is_critical():
    inst = instance(current_user=CurrentUser(authenticated=False))
    finding = only(run_check(InstanceCredentials, inst))
    assert finding.severity is Severity.CRITICAL
    assert "anonymous" in finding.title


def test_unreachable_instance_is_skipped_with_the_reason():
    with pytest.raises(SkipCheck, match=r"unreachable .*Connection refused"):
        run_check(InstanceCredentials, unreachable())


def test_not_collected_without_error_is_skipped():
    with pytest.raises(SkipCheck):
        run_check(InstanceCredentials, instance(current_user=None))


def test_through_the_runner():
    analysis = analyse(failed(ErrorKind.UNAUTHORIZED, "HTTP 401", 401))
    assert only(findings_of(analysis, "instance.credentials")).severity is Severity.CRITICAL
    skipped = outcome_of(analyse(unreachable()), "instance.credentials")
    assert skipped.status is OutcomeStatus.SKIPPED
    assert "unreachable" in skipped.reason
