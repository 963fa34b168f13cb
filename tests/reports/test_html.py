"""The HTML report: self-contained, escaped, complete, accessible, printable."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from reports.model import HealthCheckReport
from reports.render import render
from tests.reports.hostile import hostile_report

ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"


class _Tags(HTMLParser):
    """Every start tag with its attributes, and the text of headings."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.headings: list[tuple[str, str]] = []
        self._heading: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if re.fullmatch(r"h[1-6]", tag):
            self._heading, self._text = tag, []

    def handle_endtag(self, tag: str) -> None:
        if tag == self._heading:
            self.headings.append((tag, " ".join("".join(self._text).split())))
            self._heading = None

    def handle_data(self, data: str) -> None:
        if self._heading:
            self._text.append(data)


def _parse(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    return parser


@pytest.fixture
def html(report: HealthCheckReport) -> str:
    document = render(report, "html")
    assert document.media_type == "text/html; charset=utf-8"
    assert document.filename == "acme-corp-sohne-health-check-20250304T1205Z.html"
    return document.content


def test_data_is_autoescaped_everywhere() -> None:
    html = render(hostile_report(), "html").content
    assert "<script" not in html.lower()  # the template has none, and no data gets through
    # message, evidence value and app name, each escaped
    assert html.count(ESCAPED_SCRIPT) >= 3
    assert f"Message {ESCAPED_SCRIPT}" in html
    assert f'<td class="value">{ESCAPED_SCRIPT}</td>' in html
    assert f'<th scope="row">{ESCAPED_SCRIPT}</th>' in html
    assert "&lt;b&gt;tags&lt;/b&gt;" in html and "<b>" not in html
    assert "Acme Corp &amp; Söhne" in html


def test_only_http_links_and_no_attribute_breakout() -> None:
    tags = _parse(render(hostile_report(), "html").content).tags
    links = [attrs for tag, attrs in tags if tag == "a"]
    hrefs = [a["href"] for a in links]
    assert "javascript:alert(1)" not in hrefs
    assert 'https://kb.example/a"onmouseover="alert(1)' in hrefs  # stayed inside the attribute
    assert "https://kb.example/ok?a=1&b=2" in hrefs
    assert not any(k.startswith("on") for _, attrs in tags for k in attrs)
    for a in links:
        href = a["href"] or ""
        assert href.startswith(("https://", "http://", "#")), href
        if not href.startswith("#"):
            assert a.get("rel") == "noopener noreferrer"


def test_self_contained_no_external_resources(html: str) -> None:
    tags = _parse(html).tags
    names = {tag for tag, _ in tags}
    assert not names & {
        "script",
        "link",
        "img",
        "iframe",
        "object",
        "embed",
        "video",
        "audio",
        "source",
        "base",
    }
    assert not any("src" in attrs or "srcset" in attrs for _, attrs in tags)
    assert "@import" not in html and "url(" not in html.lower()
    csp = next(a for t, a in tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in (csp["content"] or "")
    assert '<meta charset="utf-8">' in html
    assert "<style>" in html and "@media print" in html  # CSS inlined from the partial


def test_sections_and_headings(html: str) -> None:
    headings = _parse(html).headings
    assert headings[0] == ("h1", "Health check: Acme Corp & Söhne")
    h2 = [text for tag, text in headings if tag == "h2"]
    assert h2 == [
        "Summary",
        "Findings",
        "Products",
        "Passed checks",
        "Skipped checks",
        "Limits hit",
        "Appendix: inventory",
    ]
    h3 = [text for tag, text in headings if tag == "h3"]
    assert "Search index is 12% behind the database" in h3
    assert "Cluster node node3 is offline" in h3
    assert "Jira is RUNNING" not in h3  # passed checks are compact rows, not cards
    assert {"jira-prod", "wiki", "bitbucket"} <= set(h3)  # inventory per instance


def test_header_and_summary(html: str) -> None:
    assert "<title>Health check: Acme Corp &amp; Söhne (2025-03-04)</title>" in html
    assert '<time datetime="2025-03-04T13:05:30+01:00">2025-03-04 13:05:30 CET</time>' in html
    assert "atlas-health 0.1.0" in html
    assert re.search(r'Overall status: <span class="badge sev-critical large">.*Critical</span>', html)
    for count, label in [(2, "critical"), (2, "warning"), (2, "unknown"), (1, "info"), (2, "ok")]:
        assert f'<span class="n">{count}</span> {label}</li>' in html
    assert "7 check runs completed, 2 skipped, 2 failed" in html
    row = re.search(
        r"<tr>\s*<th scope=\"row\"><a class=\"ext\" href=\"https://jira.acme.example\".*?</tr>", html, re.S
    )
    assert row is not None
    for cell in ("Jira", "9.12.4", "Data Center", "Critical", "Search index is 12% behind the database"):
        assert cell in row.group(0)


def test_severity_is_written_not_only_coloured(html: str) -> None:
    badges = re.findall(
        r'<span class="badge sev-(\w+)[^"]*"><span aria-hidden="true">[^<]+</span> ([^<]+)</span>', html
    )
    assert len(badges) == 1 + 3 + 7  # overall, one per instance, one per problem finding
    for severity, label in badges:
        assert label.lower() == severity


def test_finding_card(html: str) -> None:
    card = re.search(r'<article class="finding sev-critical" id="finding-1".*?</article>', html, re.S)
    assert card is not None
    text = card.group(0)
    assert "<code>jira.index.consistency</code>" in text
    assert "<dd>jira-prod</dd>" in text
    assert "The index holds 105600 issues, the database 120000." in text
    assert '<th scope="col">What</th><th scope="col">Value</th><th scope="col">Source</th>' in text
    assert '<td class="value">120000</td>' in text
    assert "GET /rest/api/2/index/summary" in text
    assert '<time datetime="2025-03-04T13:00:02+01:00">2025-03-04 13:00:02 CET</time>' in text
    assert "Run a background re-index from Administration &gt; System &gt; Indexing." in text
    assert (
        '<a href="https://confluence.atlassian.com/jirakb/jira-index-consistency-1234.html" '
        'rel="noopener noreferrer">'
    ) in text
    assert "<li>javascript:alert(1)</li>" in text  # shown, not linked


def test_passed_skipped_limits_and_inventory(html: str) -> None:
    passed = html[html.index('id="passed"') : html.index('id="skipped"')]
    assert "Jira is RUNNING" in passed and "Confluence is RUNNING" in passed
    skipped = html[html.index('id="skipped"') : html.index('id="limits"')]
    assert "no SSH access configured" in skipped and "<code>host.disk.free</code>" in skipped
    limits = html[html.index('id="limits"') : html.index('id="inventory"')]
    assert "<li>jira-prod: atlassian-jira.log read capped at 50 MiB</li>" in limits
    inventory = html[html.index('id="inventory"') :]
    for text in (
        "node3",
        "OFFLINE",
        "10.0.0.13",
        "jira-software",
        "2025-06-30",
        "480",
        "Timesheets | Pro",
        "com.example.diagrams",
        "Not applicable on Cloud.",
        "No user-installed apps.",
        "Not clustered.",
        "build 9120004",
    ):
        assert text in inventory, text
    assert "Globex" not in html and "secret-project" not in html


def test_print_styles(html: str) -> None:
    print_css = html[html.index("@media print") :]
    assert "break-inside: avoid" in print_css
    assert 'a.ext::after { content: " (" attr(href) ")"' in print_css
    assert "background: none" in print_css
