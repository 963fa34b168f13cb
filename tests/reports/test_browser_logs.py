"""What a person sees of the log section: the charts drawn in headless Chromium, under the report's CSP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from reports.logs_section import log_section
from reports.model import HealthCheckReport
from reports.render import render
from tests.reports import test_logs_section
from tests.reports.logs_estate import analysis
from tests.reports.offline_page import offline_page
from tests.reports.test_browser import browser  # noqa: F401  (the module's Chromium, skipped when absent)

pytestmark = [pytest.mark.server, pytest.mark.slow]


@pytest.fixture(scope="module")
def report() -> HealthCheckReport:
    return test_logs_section.build(analysis(minutes=1440))


def _open(browser, html: str, tmp_path: Path):  # type: ignore[no-untyped-def]  # noqa: F811
    path = tmp_path / "report.html"
    path.write_text(html, encoding="utf-8")
    url = path.as_uri()
    context, page, blocked = offline_page(browser, url)
    complaints: list[str] = []
    page.on(
        "console",
        lambda m: complaints.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None,
    )
    page.on("pageerror", lambda e: complaints.append(f"page error: {e}"))
    page.goto(url, wait_until="load")
    return context, page, complaints, blocked


@pytest.fixture
def page(browser, report: HealthCheckReport, tmp_path: Path) -> Iterator[object]:  # noqa: F811
    context, page, complaints, blocked = _open(browser, render(report, "html").content, tmp_path)
    yield page
    context.close()
    assert blocked == [], f"the report made requests: {blocked}"
    assert complaints == [], f"the browser complained: {complaints}"


def test_every_chart_is_drawn_and_named(page, report: HealthCheckReport) -> None:  # type: ignore[no-untyped-def]
    section = log_section(report.logs, ZoneInfo(report.timezone))
    assert section is not None and len(section.charts) == 8
    main_width = page.locator("main").bounding_box()["width"]
    for chart in section.charts:
        svg = page.locator(f"svg#{chart.key}")
        svg.scroll_into_view_if_needed()
        assert svg.is_visible(), chart.key
        box = svg.bounding_box()
        assert box is not None and 400 < box["width"] <= main_width and box["height"] > 100, (chart.key, box)
        # proportions kept: the SVG is as tall for its width as matplotlib drew it
        assert abs(box["width"] / box["height"] - 7.5 / 2.3) < 0.05, (chart.key, box)
        # a screen reader gets the title as the image's name
        assert page.get_by_role("img", name=chart.title, exact=True).count() == 1, chart.title
        # the axis labels are text a person can read (and find)
        assert svg.locator("text").filter(has_text=":00").first.is_visible(), chart.key
    assert page.get_by_role("heading", level=2, name="Logs").is_visible()
    assert page.get_by_role("table", name="2 known problem(s) matched, worst first").is_visible()


def test_the_sample_line_opens(page) -> None:  # type: ignore[no-untyped-def]
    row = page.get_by_role("row").filter(has_text="Database connection pool exhausted")
    sample = row.get_by_text("Connection pool is exhausted", exact=False)
    assert not sample.is_visible()
    row.get_by_text("Details").click()
    assert sample.is_visible()


def test_print_keeps_the_charts_on_the_page(page) -> None:  # type: ignore[no-untyped-def]
    page.emulate_media(media="print")
    width = page.evaluate("document.documentElement.clientWidth")
    charts = page.locator("svg.chart").all()
    assert len(charts) == 8  # every chart of the section is measured, not none
    for svg in charts:
        box = svg.bounding_box()
        assert box is not None and box["height"] > 50 and box["x"] + box["width"] <= width + 1
    figure = page.locator("figure.log-chart").first
    assert figure.evaluate("e => getComputedStyle(e).breakInside") == "avoid"
    assert page.pdf(format="A4").startswith(b"%PDF")


def test_the_console_check_would_see_a_policy_violation(browser, tmp_path: Path) -> None:  # noqa: F811
    # The same page with one image the report's CSP forbids (loopback, and refused before any request):
    # proves the complaints the fixture checks are really collected.
    html = render(test_logs_section.build(None), "html").content
    html = html.replace("</main>", '<img src="http://127.0.0.1:9/x.png" alt="x"></main>')
    context, _page, complaints, _blocked = _open(browser, html, tmp_path)
    context.close()
    assert any("Content Security Policy" in c for c in complaints), complaints
