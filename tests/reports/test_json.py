"""The JSON report: validated against the committed schema, exact keys, lossless findings."""

from __future__ import annotations

import json
import re
from typing import Any

import jsonschema
import pytest

from checks.finding import Finding
from reports.model import HealthCheckReport
from reports.render import render
from reports.schema import SCHEMA_PATH, generate_schema, load_schema, main, schema_text
from tests.reports import estate

TOP_LEVEL = {
    "schema_version",
    "report_id",
    "generated_at",
    "tool_version",
    "customer",
    "timezone",
    "targets",
    "findings",
    "summary",
    "skipped",
    "inventory",
    "hosts",
    "hours",
    "logs",
    "comparison",
    "trends",
}
FINDING = {
    "check",
    "severity",
    "category",
    "target",
    "title",
    "message",
    "evidence",
    "recommendation",
    "references",
    "fingerprint",
}
OFFSET_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)$")


@pytest.fixture
def doc(report: HealthCheckReport) -> dict[str, Any]:
    document = render(report, "json")
    assert document.format == "json"
    assert document.media_type == "application/json"
    assert document.filename == "acme-corp-sohne-health-check-20250304T1205Z.json"
    return json.loads(document.content)


def test_committed_schema_is_the_generated_one() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_text(), "run: python -m reports.schema"
    assert load_schema() == generate_schema()
    assert main(["--check"]) == 0


def test_json_validates_against_the_committed_schema(doc: dict[str, Any]) -> None:
    schema = load_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]


def test_schema_rejects_what_the_model_rejects(doc: dict[str, Any]) -> None:
    validator = jsonschema.Draft202012Validator(load_schema())
    bad_severity = json.loads(json.dumps(doc))
    bad_severity["findings"][0]["severity"] = "fatal"
    extra_key = json.loads(json.dumps(doc))
    extra_key["findings"][0]["password"] = "x"
    missing = {k: v for k, v in doc.items() if k != "summary"}
    for broken in (bad_severity, extra_key, missing):
        assert not validator.is_valid(broken)


def test_exact_keys(doc: dict[str, Any]) -> None:
    assert set(doc) == TOP_LEVEL
    # each list whose entries are checked below holds some, so every shape is looked at
    assert doc["findings"] and doc["targets"] and doc["skipped"] and doc["inventory"]["instances"]
    assert [e for f in doc["findings"] for e in f["evidence"]]
    assert doc["schema_version"] == 1
    assert doc["customer"] == estate.CUSTOMER
    assert doc["timezone"] == "Europe/Berlin"
    for finding in doc["findings"]:
        assert set(finding) == FINDING
        for evidence in finding["evidence"]:
            assert set(evidence) == {"label", "value", "source", "time"}
    for target in doc["targets"]:
        assert set(target) == {
            "name",
            "product",
            "deployment",
            "url",
            "version",
            "nodes",
            "overall",
            "worst_finding",
            "counts",
            "collected_at",
            "collection_errors",
            "facts",
        }
        assert set(target["counts"]) == {"ok", "info", "warning", "critical", "unknown"}
    assert set(doc["summary"]) == {
        "overall",
        "exit_code",
        "counts",
        "targets",
        "checks_run",
        "checks_skipped",
        "checks_failed",
        "limits_hit",
    }
    for skipped in doc["skipped"]:
        assert set(skipped) == {"check", "target", "reason"}
    for inst in doc["inventory"]["instances"]:
        assert set(inst) == {
            "name",
            "product",
            "version",
            "build",
            "deployment",
            "base_url",
            "nodes",
            "licenses",
            "apps",
        }
    jira = doc["inventory"]["instances"][0]
    assert set(jira["nodes"][0]) == {"node_id", "state", "alive", "version", "ip"}
    assert set(jira["licenses"][0]) == {"application", "type", "expiry", "seats_used", "seats_allowed"}
    assert set(jira["apps"][0]) == {"key", "name", "version", "vendor", "enabled"}


def test_the_json_shape_in_figures(doc: dict[str, Any]) -> None:
    assert doc["summary"]["overall"] == "critical"
    assert doc["summary"]["exit_code"] == 2
    assert doc["summary"]["counts"] == {"ok": 2, "info": 1, "warning": 2, "critical": 2, "unknown": 2}
    assert [f["severity"] for f in doc["findings"]] == [
        "critical",
        "critical",
        "warning",
        "warning",
        "unknown",
        "unknown",
        "info",
        "ok",
        "ok",
    ]
    jira = doc["targets"][0]
    assert jira["overall"] == "critical"
    assert jira["nodes"][2] == {"node_id": "node3", "state": "OFFLINE", "alive": False}
    assert doc["generated_at"] == "2025-03-04T13:05:30+01:00"


def test_every_timestamp_has_an_offset(doc: dict[str, Any]) -> None:
    stamps = [doc["generated_at"]]
    stamps += [t["collected_at"] for t in doc["targets"]]
    stamps += [e["time"] for f in doc["findings"] for e in f["evidence"] if e["time"]]
    stamps += [
        lic["expiry"] for i in doc["inventory"]["instances"] for lic in i["licenses"] or [] if lic["expiry"]
    ]
    assert len(stamps) > 6
    for stamp in stamps:
        assert OFFSET_TIMESTAMP.match(stamp), stamp


def test_a_finding_round_trips_every_field(report: HealthCheckReport) -> None:
    content = render(report, "json").content
    parsed = HealthCheckReport.model_validate_json(content)
    assert parsed == report
    originals = {f.fingerprint: f for f in estate.ACME_FINDINGS}
    assert set(Finding.model_fields) - {"customer"} == FINDING  # the report drops only the customer
    for entry in parsed.findings:
        back = entry.to_finding(parsed.customer)
        original = originals[entry.fingerprint]
        assert back == original
        for field in Finding.model_fields:  # field by field, so a failure names the field
            assert getattr(back, field) == getattr(original, field), field
    index = next(f for f in parsed.findings if f.check == "jira.index.consistency")
    assert [type(e.value) for e in index.evidence] == [int, int, float]
    assert index.references[1:] == ["KB-1234 (internal)", "javascript:alert(1)"]


def test_json_is_stable(report: HealthCheckReport) -> None:
    assert (
        render(report, "json").content
        == render(HealthCheckReport.model_validate_json(render(report, "json").content), "json").content
    )
