"""The Prometheus series of the service, from what sweeps and outbox rounds report."""

from __future__ import annotations

from datetime import UTC, datetime

from prometheus_client.parser import text_string_to_metric_families

from agent.service.events import CustomerRun, DeliveryReport, SweepResult
from agent.service.metrics import ServiceMetrics

AT = datetime(2026, 6, 1, tzinfo=UTC)


def samples(metrics: ServiceMetrics) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = metrics.render().decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def run(customer: str, instances: dict[str, str], **fields) -> CustomerRun:
    fields.setdefault("worst", "ok")
    return CustomerRun(customer=customer, run_id=1, status="done", instances=instances, **fields)


def test_a_sweep_sets_status_findings_errors_alerts_and_hours():
    metrics = ServiceMetrics()
    metrics.set_leader(True)
    metrics.observe_sweep(
        SweepResult(
            "quick",
            AT,
            AT,
            3.5,
            [
                run(
                    "acme",
                    {"acme-jira": "critical", "acme-wiki": "ok", "db1": "unknown"},
                    findings_by_severity={"critical": 1, "warning": 2},
                    collection_errors=3,
                    hours_left_minutes=150,
                ),
                CustomerRun(customer="globex", run_id=None, status="skipped"),
            ],
            {"acme": 2},
        )
    )
    got = samples(metrics)
    assert got[("atlas_health_up", (("customer", "acme"), ("instance", "acme-jira")))] == 2
    assert got[("atlas_health_up", (("customer", "acme"), ("instance", "acme-wiki")))] == 0
    assert got[("atlas_health_up", (("customer", "acme"), ("instance", "db1")))] == 3
    assert got[("atlas_health_findings", (("customer", "acme"), ("severity", "warning")))] == 2
    assert got[("atlas_health_findings", (("customer", "acme"), ("severity", "info")))] == 0
    assert got[("atlas_health_collection_errors", (("customer", "acme"),))] == 3
    assert got[("atlas_health_alerts_firing", (("customer", "acme"),))] == 2
    assert got[("atlas_health_hours_left", (("customer", "acme"),))] == 2.5
    assert got[("atlas_health_leader", ())] == 1
    assert got[("atlas_health_run_duration_seconds_count", (("job", "quick"),))] == 1
    assert got[("atlas_health_run_duration_seconds_sum", (("job", "quick"),))] == 3.5
    assert got[("atlas_health_runs_total", (("job", "quick"), ("status", "done")))] == 1
    assert got[("atlas_health_runs_total", (("job", "quick"), ("status", "skipped")))] == 1
    assert not any(
        labels and dict(labels).get("customer") == "globex"
        for name, labels in got
        if name != "atlas_health_runs_total"
    )


def test_an_instance_that_is_gone_leaves_the_series():
    metrics = ServiceMetrics()
    metrics.observe_sweep(SweepResult("quick", AT, AT, 1, [run("acme", {"a": "ok", "b": "warning"})]))
    metrics.observe_sweep(SweepResult("quick", AT, AT, 1, [run("acme", {"a": "warning"})]))
    up = {
        dict(labels)["instance"]: v
        for (name, labels), v in samples(metrics).items()
        if name == "atlas_health_up"
    }
    assert up == {"a": 1}


def test_a_statement_run_leaves_the_status_series_alone_and_sets_the_hours():
    metrics = ServiceMetrics()
    metrics.observe_sweep(SweepResult("quick", AT, AT, 1, [run("acme", {"a": "critical"})]))
    statement = CustomerRun("acme", 2, "done", hours_left_minutes=90)  # no checks ran: worst is None
    metrics.observe_sweep(SweepResult("statements", AT, AT, 1, [statement]))
    found = samples(metrics)
    assert found[("atlas_health_up", (("customer", "acme"), ("instance", "a")))] == 2
    assert found[("atlas_health_hours_left", (("customer", "acme"),))] == 1.5


def test_deliveries_count_per_channel():
    metrics = ServiceMetrics()
    metrics.observe_delivery(DeliveryReport(sent={"pager": 2}, failed={"mail": 1}, pending=1))
    metrics.observe_delivery(DeliveryReport(sent={"pager": 1}))
    got = samples(metrics)
    assert got[("atlas_health_notifications_sent_total", (("channel", "pager"),))] == 3
    assert got[("atlas_health_notifications_failed_total", (("channel", "mail"),))] == 1
    assert metrics.render().decode().count("# TYPE atlas_health_") >= 10
