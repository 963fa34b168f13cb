"""A report against the customer's previous one: new, resolved and unchanged findings, matched by
fingerprint, exactly; in the JSON (schema-valid), and at the top of the HTML and Markdown reports."""

from __future__ import annotations

import json
from datetime import timedelta

import jsonschema
import pytest

from checks.finding import Finding, Severity
from checks.runner import Analysis
from reports.comparison import PreviousReport, PreviousReportError, parse_previous, with_comparison
from reports.context import build_health_check
from reports.model import HealthCheckReport
from reports.render import render
from reports.schema import load_schema
from tests.reports import estate
from tests.reports.hostile import SCRIPT

EARLIER = estate.GENERATED - timedelta(days=7)


def _finding(check: str, severity: Severity, title: str | None = None) -> Finding:
    return estate.finding(check, severity, "jira-prod", title or f"{check} is {severity}", "why")


def _report(findings: list[Finding], *, generated_at=estate.GENERATED) -> HealthCheckReport:
    snapshot = estate.snapshot()
    if generated_at != estate.GENERATED:  # another collection: another report id
        shift = generated_at - estate.GENERATED
        snapshot = snapshot.model_copy(
            update={"started_at": snapshot.started_at + shift, "finished_at": snapshot.finished_at + shift}
        )
    return build_health_check(
        snapshot,
        Analysis(findings=findings),
        estate.CUSTOMER,
        generated_at=generated_at,
        tz="Europe/Berlin",
        tool_version=estate.TOOL_VERSION,
    )


def _as_previous(report: HealthCheckReport) -> PreviousReport:
    """The report read back from the JSON the tool writes, as the service and the CLI read it."""
    return parse_previous(render(report, "json").content.encode(), "previous.json")


BEFORE = [
    _finding("a.same", Severity.CRITICAL),
    _finding("b.worse", Severity.WARNING),
    _finding("c.gone", Severity.WARNING, "C was a problem"),
    _finding("d.was_ok", Severity.OK),
    _finding("e.turns_ok", Severity.INFO, "E was worth knowing"),
    _finding("g.better", Severity.CRITICAL),
    _finding("h.ok_both", Severity.OK),
]
NOW = [
    _finding("a.same", Severity.CRITICAL),
    _finding("b.worse", Severity.CRITICAL),
    _finding("d.was_ok", Severity.WARNING),
    _finding("e.turns_ok", Severity.OK),
    _finding("f.new", Severity.UNKNOWN),
    _finding("g.better", Severity.INFO),
    _finding("h.ok_both", Severity.OK),
]


@pytest.fixture
def compared() -> HealthCheckReport:
    previous = _report(BEFORE, generated_at=EARLIER)
    return with_comparison(_report(NOW), _as_previous(previous))


def test_new_resolved_and_unchanged_are_exactly_the_changes(compared: HealthCheckReport) -> None:
    comparison = compared.comparison
    assert comparison is not None
    previous = _report(BEFORE, generated_at=EARLIER)
    assert comparison.previous_report_id == previous.report_id != compared.report_id
    assert comparison.previous_generated_at == EARLIER
    # a finding that was ok before is new: only problems count
    assert [(c.check, c.severity, c.previous_severity, c.change) for c in comparison.new] == [
        ("d.was_ok", Severity.WARNING, None, None),
        ("f.new", Severity.UNKNOWN, None, None),
    ]
    # gone (null now) or ok now; the title is the previous report's
    assert [(c.check, c.severity, c.previous_severity, c.title) for c in comparison.resolved] == [
        ("c.gone", None, Severity.WARNING, "C was a problem"),
        ("e.turns_ok", Severity.OK, Severity.INFO, "E was worth knowing"),
    ]
    assert [(c.check, c.previous_severity, c.severity, c.change) for c in comparison.unchanged] == [
        ("a.same", Severity.CRITICAL, Severity.CRITICAL, "same"),
        ("b.worse", Severity.WARNING, Severity.CRITICAL, "worse"),
        ("g.better", Severity.CRITICAL, Severity.INFO, "better"),
    ]
    fingerprints = {f.check: f.fingerprint for f in NOW + BEFORE}
    assert all(c.fingerprint == fingerprints[c.check] for c in comparison.new + comparison.resolved)


def test_the_same_findings_twice_are_all_unchanged() -> None:
    previous = _as_previous(_report(BEFORE, generated_at=EARLIER))
    comparison = with_comparison(_report(BEFORE), previous).comparison
    assert comparison is not None
    assert comparison.new == [] and comparison.resolved == []
    assert {c.check: c.change for c in comparison.unchanged} == {
        "a.same": "same",
        "b.worse": "same",
        "c.gone": "same",
        "e.turns_ok": "same",
        "g.better": "same",
    }


def test_a_report_without_a_previous_one_has_no_comparison_and_no_block() -> None:
    report = _report(NOW)
    assert report.comparison is None
    assert json.loads(render(report, "json").content)["comparison"] is None
    assert "Since the last report" not in render(report, "html").content
    assert "Since the last report" not in render(report, "md").content


def test_the_json_carries_the_comparison_and_is_valid(compared: HealthCheckReport) -> None:
    doc = json.loads(render(compared, "json").content)
    jsonschema.validate(doc, load_schema())
    comparison = doc["comparison"]
    assert set(comparison) == {"previous_report_id", "previous_generated_at", "new", "resolved", "unchanged"}
    assert [c["check"] for c in comparison["new"]] == ["d.was_ok", "f.new"]
    assert comparison["unchanged"][1] == {
        "fingerprint": NOW[1].fingerprint,
        "check": "b.worse",
        "target": "jira-prod",
        "title": "b.worse is critical",
        "severity": "critical",
        "previous_severity": "warning",
        "change": "worse",
    }
    assert comparison["previous_generated_at"] == "2025-02-25T13:05:30+01:00"  # the report's zone


def test_html_shows_the_block_first_with_counts_and_lists(compared: HealthCheckReport) -> None:
    html = render(compared, "html").content
    block = html.index('<section aria-labelledby="since-last"')
    assert block < html.index('<section aria-labelledby="summary"')
    assert html.index("<main>") < block
    section = html[block : html.index("</section>", block)]
    previous_id = compared.comparison.previous_report_id if compared.comparison else ""
    assert f'Since the last report (<span class="mono">{previous_id}</span>' in section
    assert "2025-02-25 13:05:30 CET" in section
    assert '<span class="n">2</span> new' in section
    assert '<span class="n">2</span> resolved' in section
    assert '<span class="n">3</span> unchanged <span class="muted">(1 worse, 1 better)</span>' in section
    assert "C was a problem" in section and "worse (was warning)" in section
    assert "better (was critical)" in section


def test_markdown_shows_the_block_first(compared: HealthCheckReport) -> None:
    md = render(compared, "md").content
    block = md.index("## Since the last report (`")
    assert block < md.index("## Summary")
    section = md[block : md.index("## Summary")]
    assert "- **2 new**\n- **2 resolved**\n- **3 unchanged** (1 worse, 1 better)" in section
    assert "| CRITICAL | b.worse is critical | jira-prod | `b.worse` | worse (was warning) |" in section
    assert "| WARNING | C was a problem | jira-prod | `c.gone` |" in section


def test_titles_in_the_block_are_escaped_in_html_and_markdown() -> None:
    evil_now = _finding("x.new", Severity.CRITICAL, f"now {SCRIPT} | pipe")
    evil_before = _finding("y.gone", Severity.WARNING, f"before {SCRIPT}")
    previous = _as_previous(_report([evil_before], generated_at=EARLIER))
    report = with_comparison(_report([evil_now]), previous)
    html = render(report, "html").content
    section = html[html.index('id="since-last"') : html.index('<section aria-labelledby="summary"')]
    assert "<script>" not in section
    assert "now &lt;script&gt;alert(1)&lt;/script&gt; | pipe" in section
    assert "before &lt;script&gt;alert(1)&lt;/script&gt;" in section
    md = render(report, "md").content
    section = md[md.index("## Since the last report") : md.index("## Summary")]
    assert "<script>" not in section and "now &lt;script&gt;alert(1)&lt;/script&gt; \\| pipe" in section


def test_another_customers_report_or_a_later_one_is_refused() -> None:
    previous = _as_previous(_report(BEFORE, generated_at=EARLIER))
    other = PreviousReport(
        previous.source, previous.report_id, previous.generated_at, estate.OTHER_CUSTOMER, previous.findings
    )
    with pytest.raises(
        PreviousReportError, match="a report of customer 'Globex', not of 'Acme Corp & Söhne'"
    ):
        with_comparison(_report(NOW), other)
    later = _as_previous(_report(BEFORE, generated_at=estate.GENERATED + timedelta(hours=1)))
    with pytest.raises(PreviousReportError, match="not before this report"):
        with_comparison(_report(NOW), later)
