"""What a person sees of the comparison and the trends in Chromium: the "since the last report" block
first on the page with its counts and lists, hostile titles as text, a chart per trend series."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from checks.finding import Severity
from checks.runner import Analysis
from reports.comparison import parse_previous, with_comparison
from reports.context import build_health_check
from reports.model import HealthCheckReport
from reports.render import render
from tests.reports import estate, trends_estate
from tests.reports.hostile import SCRIPT
from tests.reports.offline_page import offline_page
from tests.reports.test_browser import browser  # noqa: F401  # the module's Chromium fixture

pytestmark = [pytest.mark.server, pytest.mark.slow]


def _report() -> HealthCheckReport:
    def build(findings: list, at, snapshot) -> HealthCheckReport:
        return build_health_check(
            snapshot,
            Analysis(findings=findings),
            estate.CUSTOMER,
            generated_at=at,
            tz="Europe/Berlin",
            tool_version=estate.TOOL_VERSION,
        )

    gone = estate.finding("y.gone", Severity.WARNING, "jira-prod", f"Gone {SCRIPT}", "why")
    worse_before = estate.finding("b.worse", Severity.WARNING, "jira-prod", "Disk filling", "why")
    worse_now = estate.finding("b.worse", Severity.CRITICAL, "jira-prod", "Disk filling", "why")
    new = estate.finding("x.new", Severity.CRITICAL, "jira-prod", f"New {SCRIPT}", "why")
    earlier = estate.GENERATED - timedelta(days=7)
    previous = build([gone, worse_before], earlier, estate.snapshot())
    read_back = parse_previous(render(previous, "json").content.encode(), "previous.json")
    return with_comparison(build([worse_now, new], estate.GENERATED, trends_estate.snapshot()), read_back)


@pytest.fixture
def page(browser, tmp_path: Path) -> Iterator[object]:  # noqa: F811
    url = render(_report(), "html").write_to(tmp_path).as_uri()
    context, page, blocked = offline_page(browser, url)
    page.goto(url, wait_until="load")
    yield page
    context.close()
    assert blocked == [], f"the report made requests: {blocked}"


def test_the_comparison_is_the_first_thing_after_the_header(page) -> None:  # type: ignore[no-untyped-def]
    headings = page.get_by_role("heading", level=2).all_inner_texts()
    assert headings[0].startswith("Since the last report (hc-") and "2025-02-25 13:05:30 CET" in headings[0]
    assert headings[1] == "Summary"
    counts = page.get_by_role("list", name="Findings compared with the last report")
    for text in ("1 new", "1 resolved", "1 unchanged (1 worse, 0 better)"):
        assert counts.get_by_text(text).first.is_visible(), text
    # hostile titles are shown as text, nothing ran
    assert page.get_by_role("rowheader", name=f"New {SCRIPT}").is_visible()
    assert page.get_by_role("rowheader", name=f"Gone {SCRIPT}").is_visible()
    assert page.get_by_role("cell", name="worse (was warning)").is_visible()
    assert page.locator("script").count() == 0


def test_each_trend_is_a_visible_chart(page) -> None:  # type: ignore[no-untyped-def]
    charts = page.locator("section[aria-labelledby=trends] svg.chart")
    assert charts.count() == 4
    for index in range(4):
        box = charts.nth(index).bounding_box()
        assert box is not None and box["width"] > 600 and box["height"] > 150
    data = page.get_by_role("img", name="jira-host-1: used space on /data over time")
    assert data.is_visible()
