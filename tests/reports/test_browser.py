"""What a person sees: the HTML report opened in headless Chromium, on screen and in print."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from reports.model import HealthCheckReport
from reports.render import render
from tests.reports.offline_page import offline_page

pytestmark = [pytest.mark.server, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI must run the browser tests (apt-get install -y chromium)")
    pytest.skip(f"{reason} (install it with: apt-get install -y chromium)")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        _unavailable(f"{CHROMIUM} is missing")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser, report: HealthCheckReport, tmp_path: Path) -> Iterator[object]:
    document = render(report, "html")
    path = document.write_to(tmp_path)
    url = path.as_uri()
    context, page, blocked = offline_page(browser, url)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    yield page
    context.close()
    assert blocked == [], f"the report made requests: {blocked}"
    assert requested == [url], f"the report made requests: {requested}"


def test_what_a_person_sees(page) -> None:  # type: ignore[no-untyped-def]
    assert page.title() == "Health check: Acme Corp & Söhne (2025-03-04)"
    assert page.get_by_role("heading", level=1).inner_text() == "Health check: Acme Corp & Söhne"
    counts = page.get_by_role("list", name="Findings by severity")
    assert counts.is_visible()
    for text in ("2 critical", "2 warning", "2 unknown", "1 info", "2 ok"):
        assert counts.get_by_text(text, exact=True).is_visible(), text
    assert page.get_by_text("Overall status:").is_visible()
    title = page.get_by_role("heading", name="Search index is 12% behind the database")
    assert title.is_visible()
    message = page.get_by_text("The index holds 105600 issues, the database 120000.")
    assert message.is_visible()
    assert page.get_by_role("heading", name="Cluster node node3 is offline").is_visible()
    # the instances table reads as a table
    row = page.get_by_role("row").filter(has_text="jira-prod").first
    assert "Data Center" in row.inner_text() and "CRITICAL" in row.inner_text().upper()
    # passed checks, skipped checks and the appendix are all on the page, not hidden
    assert page.get_by_role("cell", name="Jira is RUNNING").is_visible()
    assert page.get_by_role("cell", name="no SSH access configured").is_visible()
    assert page.get_by_role("heading", name="Appendix: inventory").is_visible()
    assert page.get_by_role("rowheader", name="Timesheets | Pro").is_visible()


def test_print_still_shows_the_findings(page) -> None:  # type: ignore[no-untyped-def]
    page.emulate_media(media="print")
    assert page.evaluate("matchMedia('print').matches")
    assert page.get_by_role("heading", name="Search index is 12% behind the database").is_visible()
    assert page.get_by_text("The index holds 105600 issues, the database 120000.").is_visible()
    assert page.get_by_role("list", name="Findings by severity").get_by_text("2 critical").is_visible()
    # no background needed: badges print as black text on white
    badge = page.locator(".finding .badge").first
    assert badge.evaluate("e => getComputedStyle(e).backgroundColor") in ("rgba(0, 0, 0, 0)", "transparent")
    assert badge.evaluate("e => getComputedStyle(e).color") == "rgb(0, 0, 0)"
    # a finding is not split across pages, links print their address
    card = page.locator("article.finding").first
    assert card.evaluate("e => getComputedStyle(e).breakInside") == "avoid"
    after = page.locator("a.ext").first.evaluate("e => getComputedStyle(e, '::after').content")
    assert "https://jira.acme.example" in after
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
