"""instance.status: states, HTTP codes and transport failures of /status."""

from __future__ import annotations

import pytest

from atlas_health.testing.harness import analyse, evidence, findings_of, only, outcome_of, run_check
from atlas_health.testing.instances import call, error, instance, unreachable
from checks.finding import Category, Severity
from checks.instance.status import InstanceStatus
from checks.runner import OutcomeStatus
from collectors.model import Deployment, ErrorKind, Product, ProductStatus


def with_state(state: str | None, http: int | None, product: Product = Product.JIRA, **kw):
    return instance(product=product, status=ProductStatus(state=state, http_status=http), **kw)


@pytest.mark.parametrize(
    ("state", "http", "product", "severity", "words"),
    [
        pytest.param("RUNNING", 200, Product.JIRA, Severity.OK, "RUNNING", id="running"),
        pytest.param("running", 200, Product.CONFLUENCE, Severity.OK, "RUNNING", id="running-lower-case"),
        pytest.param("RUNNING", 503, Product.JIRA, Severity.WARNING, "HTTP 503", id="running-but-503"),
        pytest.param("STARTING", 200, Product.JIRA, Severity.WARNING, "starting up", id="starting"),
        pytest.param("STOPPING", 200, Product.CONFLUENCE, Severity.WARNING, "shutting down", id="stopping"),
        pytest.param("FIRST_RUN", 200, Product.JIRA, Severity.WARNING, "setup wizard", id="first-run"),
        pytest.param("MAINTENANCE", 503, Product.JIRA, Severity.CRITICAL, "reindex", id="maintenance-jira"),
        pytest.param(
            "MAINTENANCE",
            200,
            Product.CONFLUENCE,
            Severity.WARNING,
            "maintenance mode",
            id="maintenance-confluence",
        ),
        pytest.param("ERROR", 500, Product.JIRA, Severity.CRITICAL, "Startup check failed", id="error-jira"),
        pytest.param(
            "ERROR", 500, Product.CONFLUENCE, Severity.CRITICAL, "application log", id="error-confluence"
        ),
        pytest.param("PAUSED", 200, Product.BAMBOO, Severity.WARNING, "paused", id="paused-bamboo"),
        pytest.param("REBOOTING", 200, Product.JIRA, Severity.UNKNOWN, "'REBOOTING'", id="unknown-state"),
    ],
)
def test_states(state, http, product, severity, words):
    inst = with_state(state, http, product)
    finding = only(run_check(InstanceStatus, inst))
    assert finding.severity is severity
    assert words in f"{finding.title} {finding.message} {finding.recommendation}"
    assert evidence(finding)["state"] == state
    assert evidence(finding)["HTTP status"] == http
    assert finding.category is Category.AVAILABILITY


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        pytest.param(ErrorKind.CONNECTION_REFUSED, "running", id="refused"),
        pytest.param(ErrorKind.DNS, "does not resolve", id="dns"),
        pytest.param(ErrorKind.TLS, "certificate", id="tls"),
        pytest.param(ErrorKind.TIMEOUT, "thread dumps", id="timeout"),
        pytest.param(ErrorKind.CONNECTION, "reset", id="connection"),
    ],
)
def test_transport_failures_are_critical_and_unreachable(kind, words):
    inst = unreachable(kind, "boom: the detail from the collector")
    finding = only(run_check(InstanceStatus, inst))
    assert finding.severity is Severity.CRITICAL
    assert "unreachable" in finding.title
    assert "boom: the detail from the collector" in finding.message
    assert "https://jira.acme.test" in finding.message
    assert words in finding.recommendation
    assert evidence(finding)["error"].startswith(kind.value)
    assert evidence(finding)["elapsed ms"] == 15.0


def test_server_error_without_state_is_critical():
    inst = instance(
        status=None, errors=[error("status", ErrorKind.SERVER_ERROR, "HTTP 502 Bad Gateway", status_code=502)]
    )
    finding = only(run_check(InstanceStatus, inst))
    assert finding.severity is Severity.CRITICAL
    assert "502" in finding.title
    assert evidence(finding)["HTTP status"] == 502


def test_html_page_instead_of_json_is_a_warning_about_the_proxy():
    inst = instance(
        status=None,
        errors=[error("status", ErrorKind.HTML_INSTEAD_OF_JSON, "text/html answer: <title>Sign in</title>")],
    )
    finding = only(run_check(InstanceStatus, inst))
    assert finding.severity is Severity.WARNING
    assert "proxy" in finding.message and "SSO" in finding.message
    assert "Sign in" in finding.message


def test_other_errors_are_unknown_and_name_the_context_path_for_404():
    inst = instance(status=None, errors=[error("status", ErrorKind.NOT_FOUND, "HTTP 404", status_code=404)])
    finding = only(run_check(InstanceStatus, inst))
    assert finding.severity is Severity.UNKNOWN
    assert "context path" in finding.recommendation


def test_state_missing_with_5xx_code_is_critical():
    finding = only(run_check(InstanceStatus, with_state(None, 503)))
    assert finding.severity is Severity.CRITICAL


def test_nothing_collected_is_unknown():
    finding = only(run_check(InstanceStatus, instance(status=None, calls=[])))
    assert finding.severity is Severity.UNKNOWN


def test_evidence_cites_the_call_and_its_time():
    inst = instance(calls=[call("status", 42.5)])
    finding = only(run_check(InstanceStatus, inst))
    by_label = {e.label: e for e in finding.evidence}
    assert by_label["elapsed ms"].value == 42.5
    assert by_label["state"].source == "GET /status"
    assert by_label["state"].time == inst.started_at


def test_runs_through_the_runner_even_when_nothing_else_was_collected():
    analysis = analyse(unreachable(), instance(deployment=Deployment.SERVER, instance="jira-ok"))
    outcomes = [o for o in analysis.outcomes if o.check == "instance.status"]
    assert {o.status for o in outcomes} == {OutcomeStatus.RAN}
    by_target = {f.target: f.severity for f in findings_of(analysis, "instance.status")}
    assert by_target == {"jira-prod": Severity.CRITICAL, "jira-ok": Severity.OK}
    assert outcome_of(analyse(instance()), "instance.status").status is OutcomeStatus.RAN
