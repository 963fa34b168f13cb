"""What a person sees of the post-incident report: opened in headless Chromium under its own CSP, with
nothing loaded from anywhere, the timeline's lines folded until asked for, the charts drawn."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reports.post_incident_model import PostIncidentReport
from tests.reports import test_post_incident
from tests.reports.offline_page import offline_page
from tests.reports.test_browser import browser  # noqa: F401  (the module's Chromium, skipped when absent)

pytestmark = [pytest.mark.server, pytest.mark.slow]


@pytest.fixture(scope="module")
def report() -> PostIncidentReport:
    return test_post_incident.hostile_report()


@pytest.fixture(scope="module")
def plain_report() -> PostIncidentReport:
    return test_post_incident.build()


def _open(browser, report: PostIncidentReport, tmp_path: Path):  # type: ignore[no-untyped-def]  # noqa: F811
    path = tmp_path / "post-incident.html"
    path.write_text(test_post_incident.render(report, "html"), encoding="utf-8")
    url = path.as_uri()
    context, page, blocked = offline_page(browser, url)
    requested: list[str] = []
    complaints: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on(
        "console",
        lambda m: complaints.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None,
    )
    page.on("pageerror", lambda e: complaints.append(f"page error: {e}"))
    page.on("dialog", lambda d: complaints.append(f"dialog: {d.message}"))
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    return context, page, (blocked, requested, complaints, url)


@pytest.fixture
def page(browser, plain_report: PostIncidentReport, tmp_path: Path) -> Iterator[object]:  # noqa: F811
    context, page, (blocked, requested, complaints, url) = _open(browser, plain_report, tmp_path)
    yield page
    context.close()
    assert blocked == [], f"the report made requests: {blocked}"
    assert requested == [url], f"the report made requests: {requested}"
    assert complaints == [], f"the browser complained: {complaints}"


def test_the_report_reads_as_a_report(page) -> None:  # type: ignore[no-untyped-def]
    assert page.title() == "Post-incident report: Acme Corp & Söhne (2025-03-03)"
    assert page.get_by_role("heading", level=1).inner_text() == "Post-incident report: Acme Corp & Söhne"
    assert page.get_by_text(
        "An incident began at 2025-03-03 13:30 UTC (14:30 CET) and lasted 45 min"
    ).is_visible()
    assert page.get_by_role("list", name="Cause chain").is_visible()
    heading = page.get_by_role("heading", level=3, name="The authentication directory was unreachable")
    assert heading.is_visible()
    table = page.get_by_role("table", name="Impact, during the incident against the baseline before it")
    assert (
        table.get_by_role("row", name="Users who could not log in").get_by_text("unknown").first.is_visible()
    )


def test_the_timeline_lines_open_without_script(page) -> None:  # type: ignore[no-untyped-def]
    row = page.locator("#event-1")
    line = row.get_by_text("Caused by: java.net.ConnectException: Connection refused")
    row.scroll_into_view_if_needed()
    assert row.get_by_text("2025-03-03 14:29:00 CET").is_visible()  # the customer's clock beside UTC
    assert not line.is_visible()
    row.get_by_text("2 line(s)").click()
    assert line.is_visible()
    assert row.locator("details").evaluate("d => d.open") is True


def test_the_charts_are_drawn_and_named(page) -> None:  # type: ignore[no-untyped-def]
    main_width = page.locator("main").bounding_box()["width"]
    for key, title in (
        ("incident-chart-errors", "5xx rate per node, per 1 min"),
        ("incident-chart-p95", "p95 response time per node, per 1 min"),
        ("incident-chart-gc", "Time in GC pauses per node, share of each 1 min"),
        ("incident-chart-heap", "Heap after GC per node"),
    ):
        svg = page.locator(f"svg#{key}")
        svg.scroll_into_view_if_needed()
        box = svg.bounding_box()
        assert svg.is_visible() and box is not None and 400 < box["width"] <= main_width, (key, box)
        assert page.get_by_role("img", name=title, exact=True).count() == 1, title
        assert svg.locator("text").filter(has_text="first evidence of the cause").is_visible(), key


def test_print_keeps_the_story_and_the_causes(page) -> None:  # type: ignore[no-untyped-def]
    page.emulate_media(media="print")
    assert page.get_by_role("heading", level=2, name="What happened").is_visible()
    card = page.locator("article.cause").first
    assert card.evaluate("e => getComputedStyle(e).breakInside") == "avoid"
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000


def test_hostile_text_stays_text_in_the_browser(browser, report: PostIncidentReport, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    context, page, (blocked, requested, complaints, url) = _open(browser, report, tmp_path)
    try:
        # nothing of the data ran or loaded: no dialog, no request, no element it tried to make
        assert page.locator("script, img, iframe, object, embed").count() == 0
        assert page.evaluate("typeof window.alert") == "function"
        story = page.locator("p.story")
        assert test_post_incident.SCRIPT in story.inner_text()
        assert "[bold red]boom[/] {{ 7 * 7 }}" in story.inner_text()
        notes = page.locator("div.notes").first
        assert "<img src=x onerror=alert(1)>" in notes.inner_text()
    finally:
        context.close()
    assert blocked == [] and requested == [url], (blocked, requested)
    assert complaints == [], complaints
