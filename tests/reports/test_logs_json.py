"""The report carries the customer's whole log analysis: in the model, in the JSON, in the schema."""

from __future__ import annotations

import json
import re
from typing import Any

import jsonschema
import pytest

from checks.runner import Analysis
from collectors.logs.model import LogAnalysis
from reports.context import build_health_check
from reports.model import HealthCheckReport
from reports.render import render
from reports.schema import load_schema
from tests.reports import estate, logs_estate

BERLIN_WINTER = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+01:00$")


def build(snapshot, customer: str = estate.CUSTOMER, analysis: Analysis | None = None) -> HealthCheckReport:
    return build_health_check(
        snapshot,
        analysis if analysis is not None else estate.analysis(),
        customer,
        generated_at=estate.GENERATED,
        tz="Europe/Berlin",
        tool_version="0.1.0",
    )


@pytest.fixture(scope="module")
def analysed() -> LogAnalysis:
    return logs_estate.analysis(minutes=180)


@pytest.fixture(scope="module")
def report(analysed: LogAnalysis) -> HealthCheckReport:
    return build(logs_estate.snapshot(analysed))


@pytest.fixture(scope="module")
def doc(report: HealthCheckReport) -> dict[str, Any]:
    return json.loads(render(report, "json").content)


def _timestamps(value: object) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _timestamps(v)]
    if isinstance(value, list):
        return [s for v in value for s in _timestamps(v)]
    if isinstance(value, str) and re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d", value):
        return [value]
    return []


def test_the_report_holds_the_analysis_in_its_time_zone(
    report: HealthCheckReport, analysed: LogAnalysis
) -> None:
    assert report.logs is not None
    # the same analysis, instant for instant (aware datetimes compare as instants), only the zone differs
    assert report.logs == analysed
    assert report.logs.levels[0].at.utcoffset().total_seconds() == 3600
    assert analysed.levels[0].at.utcoffset().total_seconds() == 0  # the snapshot's own is left as it was


def test_json_carries_every_result(doc: dict[str, Any], analysed: LogAnalysis) -> None:
    logs = doc["logs"]
    assert logs["customer"] == estate.CUSTOMER
    hit = next(s for s in logs["signatures"] if s["signature"] == "jira.db.pool-exhausted")
    assert (hit["count"], hit["nodes"], hit["kb"]) == (642, ["node1", "node2"], logs_estate.KB_POOL)
    assert hit["first_at"] == "2025-03-03T15:00:00+01:00" and hit["last_at"] == "2025-03-03T15:14:00+01:00"
    assert hit["samples"][0]["text"] == logs_estate.POOL_LINE and hit["files"]
    assert len(logs["levels"]) == 180 and set(logs["levels"][0]) == {"at", "total", "warn", "error", "fatal"}
    assert logs["exceptions"][0]["root_cause"] == "java.sql.SQLTransientConnectionException"
    gc = logs["gc"][0]
    assert {
        "p50_ms",
        "p95_ms",
        "max_ms",
        "full_gcs",
        "overhead",
        "per_minute",
        "heap_after",
        "heap_floor_slope_mb_per_h",
    } <= set(gc)
    assert len(gc["per_minute"]) == 180 and gc["per_minute"][0]["share"] > 0
    jira = logs["access"][0]
    assert {"requests", "status_4xx", "status_5xx", "p50_ms", "p95_ms", "p99_ms"} <= set(
        jira["per_minute"][0]
    )
    assert jira["slowest_endpoints"][0]["endpoint"] == "/rest/api/2/search"
    assert jira["top_users"][0]["name"] == "svc-integration" and jira["top_clients"][0]["name"] == "10.0.4.20"
    security = logs["security"]
    assert (
        security["by_user"][0]["name"] == "svc-backup" and security["by_address"][0]["name"] == "203.0.113.7"
    )
    assert [b["kind"] for b in security["bursts"]] == ["brute-force", "stale-password"]
    assert [r["signature"] for r in logs["restarts"]] == ["jira.startup", "jira.shutdown"]
    truncated = [f for f in logs["files"] if f["problem"]]
    assert [f["problem"] for f in truncated] == ["truncated"] and truncated[0]["problem_detail"]
    assert logs["limits_hit"] == analysed.limits_hit


def test_every_log_time_is_in_the_report_zone(doc: dict[str, Any]) -> None:
    stamps = _timestamps(doc["logs"])
    assert len(stamps) > 1000
    assert [s for s in stamps if not BERLIN_WINTER.match(s)] == []


def test_json_validates_and_round_trips(doc: dict[str, Any], report: HealthCheckReport) -> None:
    validator = jsonschema.Draft202012Validator(
        load_schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    broken = json.loads(json.dumps(doc))
    broken["logs"]["signatures"][0]["password"] = "x"  # the schema forbids what the model forbids
    assert not validator.is_valid(broken)
    assert HealthCheckReport.model_validate_json(render(report, "json").content) == report


def test_no_logs_is_null_and_another_customers_logs_stay_out() -> None:
    assert build(estate.snapshot()).logs is None
    theirs = logs_estate.analysis(minutes=5, customer=estate.OTHER_CUSTOMER)
    report = build(logs_estate.snapshot(theirs))
    assert report.logs is None
    assert json.loads(render(report, "json").content)["logs"] is None
    assert build(logs_estate.snapshot(theirs), customer=estate.OTHER_CUSTOMER).logs == theirs


def test_a_customer_with_only_logs_gets_a_report() -> None:
    logs = logs_estate.analysis(minutes=5, customer="Initech")
    report = build(logs_estate.snapshot(logs), customer="Initech", analysis=Analysis())
    assert report.targets == [] and report.logs == logs
    with pytest.raises(ValueError, match="holds nothing for customer 'Nobody'"):
        build(logs_estate.snapshot(logs), customer="Nobody", analysis=Analysis())
