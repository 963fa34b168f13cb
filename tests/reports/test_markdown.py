"""The Markdown report: the same content as GitHub-flavoured Markdown, with data that cannot break it."""

from __future__ import annotations

import re

import pytest

from reports.model import HealthCheckReport
from reports.render import md, md_cell, md_code, md_link, render
from tests.reports.hostile import hostile_report
from tests.reports.markdown_tables import assert_tables_keep_their_width


@pytest.fixture
def markdown(report: HealthCheckReport) -> str:
    document = render(report, "md")
    assert document.media_type == "text/markdown; charset=utf-8"
    assert document.filename == "acme-corp-sohne-health-check-20250304T1205Z.md"
    return document.content


def _table_rows(text: str) -> list[list[str]]:
    """GFM table rows split on unescaped pipes."""
    rows = []
    for line in text.splitlines():
        if line.startswith("|") and line.endswith("|"):
            rows.append([c.strip() for c in re.split(r"(?<!\\)\|", line[1:-1])])
    return rows


def test_sections_in_order(markdown: str) -> None:
    headings = [line for line in markdown.splitlines() if line.startswith("#")]
    assert headings[0] == "# Health check: Acme Corp &amp; Söhne"
    h2 = [h for h in headings if h.startswith("## ")]
    assert h2 == [
        "## Summary",
        "## Findings",
        "## Products",
        "## Passed checks",
        "## Skipped checks",
        "## Limits hit",
        "## Appendix: inventory",
    ]
    assert "### CRITICAL: Search index is 12% behind the database" in headings
    assert "### jira-prod" in headings and "#### Apps" in headings


def test_summary_content(markdown: str) -> None:
    assert "**Overall status: CRITICAL** (exit code 2)" in markdown
    for line in ("- **2 critical**", "- **2 warning**", "- **2 unknown**", "- **1 info**", "- **2 ok**"):
        assert line in markdown
    rows = _table_rows(markdown)
    assert [
        "jira-prod",
        "Jira",
        "9.12.4",
        "Data Center",
        "3",
        "CRITICAL",
        "Search index is 12% behind the database",
        "2025-03-04 13:00:14 CET",
    ] in rows
    assert ["`product.status`", "jira-prod", "Jira is RUNNING"] in rows  # passed, compact
    assert ["`host.disk.free`", "jira-prod", "no SSH access configured"] in rows  # skipped
    assert "- jira-prod: check jira.apps.health: the check did not finish within its 5 s budget" in markdown
    assert ["node3", "OFFLINE", "no", "9.12.4", "10.0.0.13"] in rows
    assert "Globex" not in markdown


def test_every_table_row_has_the_header_width(markdown: str) -> None:
    assert len(assert_tables_keep_their_width(markdown)) >= 10


def test_finding_content(markdown: str) -> None:
    section = markdown[
        markdown.index("### CRITICAL: Search index") : markdown.index("### CRITICAL: Cluster node")
    ]
    assert "- **Check:** `jira.index.consistency`" in section
    assert "The index holds 105600 issues, the database 120000.\\\nSearches miss recent issues." in section
    assert (
        "| issues in database | 120000 | GET /rest/api/2/index/summary | 2025-03-04 13:00:02 CET |" in section
    )
    assert (
        "**Recommendation:** Run a background re-index from Administration &gt; System &gt; Indexing."
        in section
    )
    assert "- <https://confluence.atlassian.com/jirakb/jira-index-consistency-1234.html>" in section
    assert "- javascript:alert(1)" in section and "<javascript:" not in section


def test_hostile_data_is_escaped() -> None:
    text = render(hostile_report(), "md").content
    assert "<script" not in text.lower()
    assert "Message &lt;script&gt;alert(1)&lt;/script&gt;\\\n\\# not a heading\\\n1\\. not a list" in text
    assert "| label \\| pipe | &lt;script&gt;alert(1)&lt;/script&gt; | a \\| b<br>c | — |" in text
    assert "| &lt;script&gt;alert(1)&lt;/script&gt; | `evil.app` | a \\| b<br>c | V&amp;V | yes |" in text
    assert "Do \\*not\\* \\_\\_bold\\_\\_ \\`code\\` \\[link\\](http://x)" in text
    assert '### CRITICAL: Title with "quotes" &amp; &lt;b&gt;tags&lt;/b&gt;' in text
    assert "- <https://kb.example/ok?a=1&b=2>" in text
    # the pipes and newline in the data neither split a cell nor end a row early
    assert len(assert_tables_keep_their_width(text)) >= 4


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("plain 1.2.3", "plain 1.2.3"),
        ("a|b", "a\\|b"),
        ("*x* _y_ `z` [l] ~s~", "\\*x\\* \\_y\\_ \\`z\\` \\[l\\] \\~s\\~"),
        ("<i>&</i>", "&lt;i&gt;&amp;&lt;/i&gt;"),
        ("back\\slash", "back\\\\slash"),
        ("# h\n- l\n+ l\n2) o\n===", "\\# h\\\n\\- l\\\n\\+ l\\\n2\\) o\\\n\\==="),
    ],
)
def test_md(raw: str, escaped: str) -> None:
    assert md(raw) == escaped


def test_md_cell_code_and_link() -> None:
    assert md_cell("a|b\r\nc\rd") == "a\\|b<br>c<br>d"
    assert md_cell(None) == "—" and md_cell("") == "—" and md_cell(False) == "no"
    assert md_code("jira.index") == "`jira.index`"
    assert md_code("a`b|c") == "a\\`b\\|c"
    assert md_link("https://x.example/p") == "<https://x.example/p>"
    assert md_link("https://x.example/a b") == "https://x.example/a b"
    assert md_link("ftp://x.example") == "ftp://x.example"


def test_a_commonmark_renderer_shows_the_data_literally() -> None:
    """Render with markdown-it-py (a dependency of rich), raw HTML allowed as GitHub allows it."""
    markdown_it = pytest.importorskip("markdown_it")
    renderer = markdown_it.MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough")
    html = renderer.render(render(hostile_report(), "md").content)
    assert "<script" not in html
    assert (
        "<p>Message &lt;script&gt;alert(1)&lt;/script&gt;<br />\n# not a heading<br />\n1. not a list</p>"
        in html
    )
    assert (
        "<td>label | pipe</td>\n<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>\n<td>a | b<br>c</td>" in html
    )
    assert "<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>\n<td><code>evil.app</code></td>" in html
    assert "Do *not* __bold__ `code` [link](http://x)" in html
    assert "<li>javascript:alert(1)</li>" in html
    assert '<a href="https://kb.example/ok?a=1&amp;b=2">' in html
    assert "<h3>CRITICAL: Title with &quot;quotes&quot; &amp; &lt;b&gt;tags&lt;/b&gt;</h3>" in html
