"""Hours in reports: the statement's layout, and the health-check report footer."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from reports.model import HealthCheckReport, ReportHours
from reports.render import render
from reports.report_id import health_check_report_id
from reports.statement import render_statement
from reports.units import duration, hours_decimal, money

WHEN = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)


def empty_statement() -> dict[str, object]:
    """The ledger's plain data for a period with nothing in it."""
    return {
        "customer": "Acme & Söhne", "currency": "GBP", "period_start": date(2026, 6, 1),
        "period_end": date(2026, 6, 30), "timezone": "UTC", "generated_at": WHEN, "tool_version": "9.9",
        "opening_minutes": 0, "closing_minutes": 0, "purchased_minutes": 0, "purchased_amount": Decimal(0),
        "used_minutes": 0, "voided_minutes": 0, "outside_minutes": 0, "entries": [], "by_activity": [],
        "addons": [], "low_balance": None, "overdraft": False,
    }  # fmt: skip


def test_every_format_names_the_file_and_the_customer_safely() -> None:
    d = empty_statement()
    for fmt in ("html", "md", "csv"):
        document = render_statement(d, fmt)  # type: ignore[arg-type]
        assert document.filename == f"acme-sohne-hours-statement-20260601-20260630.{fmt}"
    html = render_statement(d, "html").content
    assert "<h1>Hours statement: Acme &amp; Söhne</h1>" in html
    assert "Content-Security-Policy" in html and "No work logged in this period." in html
    assert render_statement(d, "csv").media_type == "text/csv; charset=utf-8"
    with pytest.raises(ValueError, match="unknown statement format 'pdf'"):
        render_statement(d, "pdf")  # type: ignore[arg-type]


def test_units_are_exact() -> None:
    assert [duration(m) for m in (0, 45, 60, 90, 1200, -75, 100_000 * 60)] == [
        "0 min", "45 min", "1 h", "1 h 30 min", "20 h", "-1 h 15 min", "100,000 h",
    ]  # fmt: skip
    assert [hours_decimal(m) for m in (90, 20, 1200, 1)] == ["1.5", "0.33", "20", "0.02"]
    assert money(Decimal("3500"), "GBP") == "GBP 3,500.00"
    with pytest.raises(TypeError):
        duration(1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        money(3500.0)  # type: ignore[arg-type]


def test_the_report_id_is_stable_per_collection_and_customer() -> None:
    started, finished = datetime(2026, 1, 1, 9, tzinfo=UTC), datetime(2026, 1, 1, 9, 1, tzinfo=UTC)
    first = health_check_report_id("acme", started, finished)
    assert first == health_check_report_id(
        "acme", started.replace(tzinfo=None), finished.replace(tzinfo=None)
    )
    assert first.startswith("hc-") and len(first) == 27
    assert first != health_check_report_id("globex", started, finished)
    assert first != health_check_report_id("acme", started, finished.replace(second=1))


@pytest.mark.parametrize(
    ("hours", "html_line", "md_line"),
    [
        (
            ReportHours(minutes_logged=15, entry_id=42, balance_minutes=1185, notice=None),
            "Support hours: 15 min logged for this report (ledger entry #42); pay-as-you-go balance left: <strong>19 h 45 min</strong>.",
            "Support hours: 15 min logged for this report (ledger entry #42); pay-as-you-go balance left: **19 h 45 min**.",
        ),
        (
            ReportHours(minutes_logged=0, entry_id=None, balance_minutes=5, notice="Not logged: <no> hours"),
            "Support hours: this report was not logged; pay-as-you-go balance left: <strong>5 min</strong>.",
            "**Warning:** Not logged: &lt;no&gt; hours",
        ),
    ],
)
def test_the_report_footer_shows_hours_logged_and_left(
    report: HealthCheckReport, hours: ReportHours, html_line: str, md_line: str
) -> None:
    with_hours = report.model_copy(update={"hours": hours})
    html = render(with_hours, "html").content
    assert html_line in html
    # the notice is a warning badge of its own (the report's warning findings have badges too)
    notice = re.search(
        r'<p class="hours-notice" role="status"><span class="badge sev-warning">(.*?)</p>', html
    )
    if hours.notice is None:
        assert notice is None
    else:
        assert notice is not None and notice.group(1).endswith("Hours</span> Not logged: &lt;no&gt; hours")
    assert md_line in render(with_hours, "md").content
    assert json.loads(render(with_hours, "json").content)["hours"] == hours.model_dump()


def test_a_report_without_a_contract_has_no_hours_line(report: HealthCheckReport) -> None:
    assert report.hours is None
    assert "Support hours" not in render(report, "html").content
    assert "Support hours" not in render(report, "md").content
