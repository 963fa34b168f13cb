"""What a person sees of every product: the report of an estate with all of them, in headless Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reports.render import render
from tests.reports import products
from tests.reports.offline_page import offline_page
from tests.reports.test_browser import browser  # noqa: F401  (the module's Chromium, skipped when absent)

pytestmark = [pytest.mark.server, pytest.mark.slow]

# Per instance: its section's name as a person reads it, and facts that must be visible in it.
SECTIONS = {
    "jira": ("jira Jira Data Center", ["120720", "118004", "node2"]),
    "wiki": ("wiki Confluence Data Center", ["2 passed, 1 failing: Thread limit"]),
    "git": (
        "git Bitbucket Data Center",
        [
            "OpenSearch is unreachable at search.initech:9200",
            "smtp.initech.example:587 (SMTP)",
            "Mirror Sydney",
        ],
    ),
    "ci": (
        "ci Bamboo Data Center",
        [
            "PAUSED",
            "2 (1 busy)",
            "4: agent-3, agent-4, agent-5, agent-6",
            "PROJ-PLAN-71",
            "45 min",
            "release-3.1",
        ],
    ),
    "sso": ("sso Crowd Data Center", ["Corporate LDAP", "LDAP: error code 49 <script>alert(1)</script>"]),
    "fisheye": (
        "fisheye Fisheye/Crucible Data Center",
        ["zeta-legacy", "STOPPED", "svn: E170013 Unable to connect"],
    ),
    "jira-cloud": (
        "jira-cloud Jira Cloud",
        ["Jira Software", "PREMIUM", "842", "37% (37 of 100 requests left at the lowest)"],
    ),
    "bitbucket-cloud": (
        "bitbucket-cloud Bitbucket Cloud",
        ["initech-eng", "Initech Engineering", "1 of 1; Retry-After 30 s; reason: user rate limit"],
    ),
    "sso-dr": ("sso-dr Crowd Data Center", ["Nothing more was collected: the instance was unreachable"]),
    "ci-old": ("ci-old Bamboo Data Center", ["Not collected: HTTP 401 Unauthorized."]),
}


@pytest.fixture
def page(browser, tmp_path: Path) -> Iterator[object]:  # noqa: F811  (the imported fixture)
    path = render(products.report(), "html").write_to(tmp_path)
    url = path.as_uri()
    context, page, blocked = offline_page(browser, url)
    page.goto(url, wait_until="load")
    yield page
    context.close()
    assert blocked == [], f"the report made requests: {blocked}"


def test_a_person_sees_each_products_section(page) -> None:  # type: ignore[no-untyped-def]
    assert page.get_by_role("heading", level=2, name="Products").is_visible()
    for name, (label, facts) in SECTIONS.items():
        section = page.get_by_role("region", name=label, exact=True)
        assert section.count() == 1, label
        section.scroll_into_view_if_needed()
        assert section.get_by_role("heading", level=3).inner_text() == label
        for fact in facts:
            assert section.get_by_text(fact, exact=False).first.is_visible(), f"{name}: {fact}"


def test_the_summary_table_names_every_product(page) -> None:  # type: ignore[no-untyped-def]
    table = page.get_by_role("table", name="Instances")
    for name, product in [
        ("jira", "Jira"),
        ("wiki", "Confluence"),
        ("git", "Bitbucket"),
        ("ci", "Bamboo"),
        ("sso", "Crowd"),
        ("fisheye", "Fisheye/Crucible"),
        ("bitbucket-cloud", "Bitbucket"),
    ]:
        row = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name=name, exact=True))
        assert row.count() == 1, name
        assert row.get_by_role("cell").nth(0).inner_text() == product, name


def test_print_shows_every_section(page) -> None:  # type: ignore[no-untyped-def]
    page.emulate_media(media="print")
    for label, _ in SECTIONS.values():
        assert page.get_by_role("heading", level=3, name=label, exact=True).is_visible(), label
