"""instance.atst: failing ATST statuses become findings with mapped severity and category."""

from __future__ import annotations

import pytest

from atlas_health.testing.harness import analyse, evidence, findings_of, only, outcome_of, run_check
from atlas_health.testing.instances import atst, error, instance
from checks.finding import Category, Severity
from checks.instance.atst import InstanceAtst
from checks.runner import OutcomeStatus
from collectors.model import Deployment, ErrorKind, HealthChecks


def statuses(*results, source="troubleshooting"):
    return instance(health_checks=HealthChecks(source=source, statuses=list(results)))


def test_all_healthy_is_one_ok_with_the_count():
    finding = only(run_check(InstanceAtst, instance()))
    assert finding.severity is Severity.OK
    assert finding.message == "All 3 ATST checks pass (troubleshooting)."


@pytest.mark.parametrize(
    ("atst_severity", "severity"),
    [
        pytest.param("critical", Severity.CRITICAL, id="critical"),
        pytest.param("major", Severity.CRITICAL, id="major"),
        pytest.param("MAJOR", Severity.CRITICAL, id="upper-case"),
        pytest.param("warning", Severity.WARNING, id="warning"),
        pytest.param("minor", Severity.INFO, id="minor"),
        pytest.param("undefined", Severity.WARNING, id="undefined"),
        pytest.param(None, Severity.WARNING, id="none"),
    ],
)
def test_severity_mapping(atst_severity, severity):
    result = atst("Embedded database", healthy=False, severity="major")
    result = result.model_copy(update={"severity": atst_severity})
    finding = only(run_check(InstanceAtst, statuses(result, atst("License Expiry"))))
    assert finding.severity is severity
    assert finding.title == "Embedded database"


def test_disabled_failures_are_left_out():
    finding = only(
        run_check(
            InstanceAtst,
            statuses(atst("Mail queue", healthy=False, severity="disabled"), atst("License Expiry")),
        )
    )
    assert finding.severity is Severity.OK
    assert "1 failing check disabled in ATST not counted" in finding.message


@pytest.mark.parametrize(
    ("name", "tag", "category"),
    [
        pytest.param("Cluster Index Replication", None, Category.AVAILABILITY, id="cluster-before-index"),
        pytest.param("Lucene index files location", None, Category.INTEGRITY, id="lucene"),
        pytest.param("Index snapshot", "Search", Category.INTEGRITY, id="index"),
        pytest.param("License Expiry", None, Category.LICENSING, id="licence"),
        pytest.param("Java version", "Supported Platforms", Category.CONFIGURATION, id="supported-platforms"),
        pytest.param("End of Life", None, Category.CONFIGURATION, id="end-of-life"),
        pytest.param("Database collation", None, Category.CONFIGURATION, id="database"),
        pytest.param("Security vulnerabilities", "Security", Category.SECURITY, id="security"),
        pytest.param("Known CVE check", None, Category.SECURITY, id="cve"),
        pytest.param("Mail server", None, Category.CONFIGURATION, id="default"),
    ],
)
def test_category_from_tag_and_name(name, tag, category):
    finding = only(run_check(InstanceAtst, statuses(atst(name, healthy=False, tag=tag))))
    assert finding.category is category


def test_finding_carries_reason_documentation_node_and_key():
    failing = atst(
        "Cluster Index Replication",
        healthy=False,
        severity="critical",
        key="com.atlassian.jira.plugins.jira-healthcheck-plugin:clusterIndexReplicationHealthCheck",
        failure_reason="Index replication for cluster node 'node05' is behind by 763 seconds.",
        documentation="https://confluence.atlassian.com/x/HjnRLg",
        node_id="node05",
    )
    finding = only(run_check(InstanceAtst, statuses(failing)))
    assert finding.message == "Index replication for cluster node 'node05' is behind by 763 seconds."
    assert finding.references == ["https://confluence.atlassian.com/x/HjnRLg"]
    assert finding.target == "jira-prod/node05"
    assert evidence(finding)["key"] == failing.key
    assert {e.source for e in finding.evidence} == {"GET /rest/troubleshooting/1.0/check"}


def test_same_check_on_two_nodes_gives_two_fingerprints_and_default_references():
    findings = run_check(
        InstanceAtst,
        statuses(
            atst("Thread limit", healthy=False, node_id="node1"),
            atst("Thread limit", healthy=False, node_id="node2"),
        ),
    )
    assert len({f.fingerprint for f in findings}) == 2
    assert all("867195158" in f.references[0] for f in findings)


def test_empty_list_is_info():
    assert only(run_check(InstanceAtst, statuses())).severity is Severity.INFO


def test_through_the_runner():
    inst = statuses(atst("Embedded database", healthy=False, severity="critical"), atst("License Expiry"))
    assert only(findings_of(analyse(inst), "instance.atst")).severity is Severity.CRITICAL
    forbidden = instance(
        health_checks=None,
        errors=[error("health_checks", ErrorKind.FORBIDDEN, "HTTP 403 (not an admin)", status_code=403)],
    )
    outcome = outcome_of(analyse(forbidden), "instance.atst")
    assert outcome.status is OutcomeStatus.SKIPPED
    assert outcome.reason == "health checks not collected: HTTP 403 (not an admin)"
    assert outcome_of(analyse(instance(deployment=Deployment.CLOUD)), "instance.atst") is None
