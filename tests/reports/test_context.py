"""Building the report: what belongs to whom, what "overall" means, limits, time zones, secrets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from checks.finding import Evidence, Severity
from checks.runner import Analysis, CheckOutcome, OutcomeStatus
from collectors.model import Deployment, InstanceSnapshot, Product, ServerInfo, Snapshot
from reports.context import build_health_check
from reports.model import HealthCheckReport
from tests.reports import estate


def _target(report: HealthCheckReport, name: str):
    return next(t for t in report.targets if t.name == name)


def test_targets_summarise_each_instance_of_the_customer(report: HealthCheckReport) -> None:
    assert [t.name for t in report.targets] == ["jira-prod", "wiki", "bitbucket"]
    jira = _target(report, "jira-prod")
    assert jira.product is Product.JIRA and jira.deployment is Deployment.DATACENTER
    assert jira.version == "9.12.4"
    assert [(n.node_id, n.state, n.alive) for n in jira.nodes or []] == [
        ("node1", "ACTIVE", True),
        ("node2", "ACTIVE", True),
        ("node3", "OFFLINE", False),
    ]
    assert jira.collected_at == estate.jira_dc().finished_at
    assert _target(report, "bitbucket").collection_errors == 2
    assert _target(report, "wiki").nodes is None  # Cloud: no cluster collected
    assert _target(report, "bitbucket").nodes == []  # Server: collected, not clustered


def test_instance_overall_includes_its_node_findings() -> None:
    analysis = Analysis(
        findings=[estate.NODE_OFFLINE, estate.JIRA_UP],
        outcomes=[
            CheckOutcome(
                check="product.status", customer=estate.CUSTOMER, target="jira-prod", status=OutcomeStatus.RAN
            )
        ],
    )
    report = build_health_check(
        estate.snapshot(), analysis, estate.CUSTOMER, generated_at=estate.GENERATED, tool_version="t"
    )
    jira = _target(report, "jira-prod")
    assert jira.overall is Severity.CRITICAL
    assert jira.worst_finding == "Cluster node node3 is offline"
    assert jira.counts.critical == 1 and jira.counts.ok == 1


def test_instance_overall_ok_unknown_and_worst_finding() -> None:
    analysis = Analysis(
        findings=[estate.JIRA_UP],
        outcomes=[
            CheckOutcome(
                check="product.status", customer=estate.CUSTOMER, target="jira-prod", status=OutcomeStatus.RAN
            ),
            CheckOutcome(
                check="apps.disabled", customer=estate.CUSTOMER, target="wiki", status=OutcomeStatus.RAN
            ),
        ],
    )
    report = build_health_check(
        estate.snapshot(), analysis, estate.CUSTOMER, generated_at=estate.GENERATED, tool_version="t"
    )
    assert _target(report, "jira-prod").overall is Severity.OK
    assert _target(report, "jira-prod").worst_finding is None  # nothing wrong to name
    assert _target(report, "wiki").overall is Severity.OK  # a check ran and found nothing
    assert _target(report, "bitbucket").overall is Severity.UNKNOWN  # nothing ran: we do not know
    assert report.summary.overall is Severity.UNKNOWN
    assert report.summary.exit_code == 3


def test_findings_are_sorted_worst_first_and_only_the_customers(report: HealthCheckReport) -> None:
    assert [f.fingerprint for f in report.findings] == [f.fingerprint for f in estate.sorted_acme_findings()]
    ranks = [f.severity.rank for f in report.findings]
    assert ranks == sorted(ranks, reverse=True)
    assert report.findings[0].severity is Severity.CRITICAL
    assert all(f.target != "globex-jira" for f in report.findings)


def test_summary(report: HealthCheckReport) -> None:
    s = report.summary
    assert s.overall is Severity.CRITICAL and s.exit_code == 2
    assert s.counts.model_dump() == {"ok": 2, "info": 1, "warning": 2, "critical": 2, "unknown": 2}
    assert s.targets == 3
    assert (s.checks_run, s.checks_skipped, s.checks_failed) == (7, 2, 2)


def test_skipped_checks_carry_their_reason(report: HealthCheckReport) -> None:
    assert [(s.check, s.target, s.reason) for s in report.skipped] == [
        ("apps.disabled", "bitbucket", "apps not collected: instance budget of 120 s exhausted"),
        ("host.disk.free", "jira-prod", "no SSH access configured"),
    ]


def test_limits_hit_from_collection_budgets_and_check_timeouts(report: HealthCheckReport) -> None:
    assert report.summary.limits_hit == [
        "jira-prod: atlassian-jira.log read capped at 50 MiB",
        "bitbucket: the instance's time budget ran out before 2 call(s): license, apps",
        "jira-prod: check jira.apps.health: the check did not finish within its 5 s budget",
    ]


def test_nothing_of_another_customer_leaks(report: HealthCheckReport) -> None:
    text = report.model_dump_json()
    assert "globex" not in text.lower()
    assert "secret" not in text.lower()


def test_inventory(report: HealthCheckReport) -> None:
    jira, wiki, bitbucket = report.inventory.instances
    assert (jira.name, jira.version, jira.build, jira.base_url) == (
        "jira-prod",
        "9.12.4",
        "9120004",
        "https://jira.acme.example",
    )
    assert [n.ip for n in jira.nodes or []] == ["10.0.0.11", "10.0.0.12", "10.0.0.13"]
    assert [
        (lic.application, lic.type, lic.seats_used, lic.seats_allowed) for lic in jira.licenses or []
    ] == [("jira-software", "COMMERCIAL", 480, 500), ("jira-servicedesk", "COMMERCIAL", 20, 25)]
    assert jira.licenses and jira.licenses[1].expiry is None
    assert [a.key for a in jira.apps or []] == ["com.example.diagrams", "com.example.timesheets"]
    assert wiki.nodes is None and wiki.licenses is None and wiki.apps == []
    assert bitbucket.apps is None and bitbucket.base_url is None


def test_every_timestamp_is_in_the_report_zone(report: HealthCheckReport) -> None:
    assert report.timezone == "Europe/Berlin"
    berlin = timedelta(hours=1)  # CET in March
    stamps = [report.generated_at, *(t.collected_at for t in report.targets)]
    stamps += [e.time for f in report.findings for e in f.evidence if e.time]
    stamps += [lic.expiry for i in report.inventory.instances for lic in i.licenses or [] if lic.expiry]
    assert len(stamps) > 6
    assert {s.utcoffset() for s in stamps} == {berlin, timedelta(hours=2)}  # June expiry is CEST
    assert report.generated_at == estate.GENERATED


def test_zoneinfo_object_and_naive_data_times() -> None:
    inst = InstanceSnapshot(
        customer="c",
        instance="j",
        product=Product.JIRA,
        deployment=Deployment.SERVER,
        url="https://j.example",
        started_at=datetime(2025, 1, 1, 10, 0),
        finished_at=datetime(2025, 1, 1, 10, 1),  # naive: UTC
        server_info=ServerInfo(version="10.3.0"),
    )
    snap = Snapshot(
        tool_version="t", started_at=inst.started_at, finished_at=inst.finished_at, instances=[inst]
    )
    report = build_health_check(
        snap,
        Analysis(),
        "c",
        generated_at=datetime(2025, 1, 1, 10, 2, tzinfo=UTC),
        tz=ZoneInfo("America/New_York"),
        tool_version="t",
    )
    assert report.timezone == "America/New_York"
    assert report.targets[0].collected_at.isoformat() == "2025-01-01T05:01:00-05:00"
    assert report.summary.overall is Severity.UNKNOWN  # nothing ran


def test_bad_arguments_are_refused() -> None:
    snap, analysis = estate.snapshot(), estate.analysis()
    with pytest.raises(ValueError, match="timezone-aware"):
        build_health_check(
            snap, analysis, estate.CUSTOMER, generated_at=datetime(2025, 1, 1), tool_version="t"
        )
    with pytest.raises(ValueError, match="unknown time zone"):
        build_health_check(
            snap,
            analysis,
            estate.CUSTOMER,
            generated_at=estate.GENERATED,
            tz="Mars/Olympus",
            tool_version="t",
        )
    with pytest.raises(ValueError, match="nothing for customer 'Acme'"):
        build_health_check(snap, analysis, "Acme", generated_at=estate.GENERATED, tool_version="t")


def test_credentials_in_urls_never_reach_the_report() -> None:
    inst = estate.jira_dc().model_copy(
        update={
            "url": "https://admin:hunter2@jira.acme.example",
            "server_info": ServerInfo(version="9.12.4", base_url="https://svc:s3cr3t@jira.acme.example/"),
        }
    )
    snap = estate.snapshot().model_copy(update={"instances": [inst]})
    report = build_health_check(
        snap, Analysis(), estate.CUSTOMER, generated_at=estate.GENERATED, tool_version="t"
    )
    text = report.model_dump_json()
    assert "hunter2" not in text and "s3cr3t" not in text
    assert report.targets[0].url == "https://jira.acme.example"
    assert report.inventory.instances[0].base_url == "https://jira.acme.example/"


def test_evidence_values_stay_json_scalars() -> None:
    f = estate.finding(
        "jira.odd",
        Severity.INFO,
        "jira-prod",
        "odd",
        "odd values",
        evidence=[
            Evidence(label="list", value=[1, "two"]),
            Evidence(label="when", value=datetime(2025, 1, 1, tzinfo=UTC)),
            Evidence(label="bool", value=True),
            Evidence(label="float", value=1.5),
        ],
    )
    report = build_health_check(
        estate.snapshot(),
        Analysis(findings=[f]),
        estate.CUSTOMER,
        generated_at=estate.GENERATED,
        tool_version="t",
    )
    values = [e.value for e in report.findings[0].evidence]
    assert values == ['[1, "two"]', "2025-01-01T00:00:00+00:00", True, 1.5]
    assert type(values[2]) is bool
