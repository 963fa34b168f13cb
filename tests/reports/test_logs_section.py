"""The log section in the HTML and Markdown reports: charts inline and self-contained, tables, escaping."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from collectors.logs.model import LogAnalysis
from reports.context import build_health_check
from reports.logs_section import log_section
from reports.model import HealthCheckReport
from reports.render import render
from tests.reports import estate, logs_estate
from tests.reports.markdown_tables import assert_tables_keep_their_width

SVG = re.compile(r"<svg\b.*?</svg>", re.DOTALL)
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
REPO = Path(__file__).resolve().parents[2]


def build(logs: LogAnalysis | None, customer: str = estate.CUSTOMER) -> HealthCheckReport:
    snapshot = logs_estate.snapshot(logs) if logs is not None else estate.snapshot()
    return build_health_check(
        snapshot,
        estate.analysis(),
        customer,
        generated_at=estate.GENERATED,
        tz="Europe/Berlin",
        tool_version="0.1.0",
    )


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags.append((tag, found))
        if found.get("id"):
            self.ids.append(found["id"] or "")


def _parse(html: str) -> _Ids:
    parser = _Ids()
    parser.feed(html)
    return parser


@pytest.fixture(scope="module")
def report() -> HealthCheckReport:
    return build(logs_estate.analysis(minutes=180))


@pytest.fixture(scope="module")
def html(report: HealthCheckReport) -> str:
    return render(report, "html").content


@pytest.fixture(scope="module")
def markdown(report: HealthCheckReport) -> str:
    return render(report, "md").content


def test_one_inline_svg_per_chart(report: HealthCheckReport, html: str) -> None:
    section = log_section(report.logs, ZoneInfo(report.timezone))
    assert section is not None
    keys = [c.key for c in section.charts]
    # events, GC share, heap, then traffic and latency for Jira and for Confluence, failed logins
    assert keys == [
        "logs-chart-events",
        "logs-chart-gc-share",
        "logs-chart-gc-heap",
        "logs-chart-access-1-traffic",
        "logs-chart-access-1-latency",
        "logs-chart-access-2-traffic",
        "logs-chart-access-2-latency",
        "logs-chart-logins",
    ]
    svgs = SVG.findall(html)
    assert len(svgs) == len(keys)
    svg_tags = [attrs for tag, attrs in _parse(html).tags if tag == "svg"]
    assert [a["id"] for a in svg_tags] == keys
    for attrs in svg_tags:
        assert attrs["role"] == "img" and attrs["viewbox"] and attrs["width"] == "100%"
        assert attrs["aria-labelledby"] == f"{attrs['id']}-title"
        assert attrs["aria-describedby"] == f"{attrs['id']}-desc"


def test_charts_refer_to_nothing_outside_themselves(html: str) -> None:
    svgs = SVG.findall(html)
    assert len(svgs) == 8  # every chart of the analysis is looked at, not none
    for svg in svgs:
        lowered = svg.lower()
        for banned in (
            "http://",
            "https://",
            "<image",
            "<script",
            "xlink",
            "<?xml",
            "<!doctype",
            "<style",
            "<metadata",
            "@import",
            "<foreignobject",
            "data:",
        ):
            assert banned not in lowered, banned
        ids = set(re.findall(r' id="([^"]+)"', svg))
        refs = set(re.findall(r'(?:href="#|url\(#)([^")]+)', svg))
        assert refs and refs <= ids  # markers and clip paths, each defined in the same chart
        key = re.match(r'<svg id="([^"]+)"', svg).group(1)  # type: ignore[union-attr]
        assert all(i.startswith(key) for i in ids)
        title = re.search(r'<title id="[^"]+">([^<]+)</title>', svg)
        assert title and title.group(1).strip()
        assert "<text" in svg  # labels are text, not glyph outlines


def test_ids_are_unique_on_the_page(html: str) -> None:
    counted = Counter(_parse(html).ids)
    assert [i for i, n in counted.items() if n > 1] == []
    assert len(counted) > 40


def test_the_section_lays_out_the_analysis(html: str) -> None:
    section = html[
        html.index('<section aria-labelledby="logs">') : html.index('<section aria-labelledby="passed">')
    ]
    headings = re.findall(r"<h3 id=\"logs-[a-z]+\">([^<]+)</h3>", section)
    assert headings == [
        "Files read",
        "Known problems",
        "Events and exceptions",
        "Restarts",
        "Garbage collection",
        "Traffic and response times",
        "Authentication failures",
    ]
    # worst signature first, with its count, nodes, article and sample line
    assert section.index("Database connection pool exhausted") < section.index("Index replication is slow")
    assert re.search(  # the count in the signature's own row (the exceptions table has a 642 too)
        r'Database connection pool exhausted(?:(?!</tr>).)*?</th>\s*<td class="num">642</td>', section, re.S
    )
    assert logs_estate.KB_POOL in section
    assert "Connection pool is exhausted: Timeout waiting for idle object" in section
    assert "<details><summary>Details</summary>" in section
    # times in the report's zone (the analysis is in UTC: 14:00 UTC is 15:00 CET)
    assert "2025-03-03 15:00:00 CET" in section
    assert re.search(
        r">node1\.zip!application-logs/atlassian-jira\.log\.3\.gz</th>.*?<td>truncated</td>", section
    )
    assert "java.sql.SQLTransientConnectionException" in section
    assert "+30.0 MB/h" in section  # node3's rising heap floor
    assert "node1: 6,100, 171.5 s in total, longest 3.2 s." in section  # safepoints, where the log has them
    assert "GET /rest/api/2/search" in section and "svc-integration" in section and "10.0.4.20" in section
    assert "brute force" in section and "203.0.113.7" in section and "a stale password" in section
    assert section.index("jira.shutdown") < section.index("jira.startup")  # restarts in time order
    assert "10 000 distinct users seen" in section  # the analysis' own limits


def test_markdown_has_the_tables_and_no_charts(markdown: str) -> None:
    assert "<svg" not in markdown
    h2 = [line for line in markdown.splitlines() if line.startswith("## ")]
    assert h2.index("## Logs") == h2.index("## Products") + 1
    section = markdown[markdown.index("## Logs") : markdown.index("## Passed checks")]
    h3 = [line for line in section.splitlines() if line.startswith("### ")]
    assert h3 == [
        "### Files read",
        "### Known problems",
        "### Events and exceptions",
        "### Restarts",
        "### Garbage collection",
        "### Traffic and response times",
        "### Authentication failures",
    ]
    assert (
        "| CRITICAL | Database connection pool exhausted | `jira.db.pool-exhausted` | 642 | "
        "2025-03-03 15:00:00 CET | 2025-03-03 15:14:00 CET | node1, node2 | "
        f"<{logs_estate.KB_POOL}> |"
    ) in section
    assert "| node3 | G1 (unified) |" in section and "+30.0 MB/h |" in section
    assert "Safepoint stops (every stop of the application, GC pauses included): node1: 6,100," in section
    assert "#### Jira" in section and "#### Confluence" in section
    assert "| `GET /rest/api/2/search` | 5,200 | 820 ms | 4.1 s | 29.0 s | 310 |" in section
    assert "| 203.0.113.7 | 250 | 0 |" in section
    assert len(assert_tables_keep_their_width(section)) >= 10  # every row as wide as its header


def _cells(row: str) -> list[str]:
    return re.split(r"(?<!\\)\|", row.strip()[1:-1])


def test_hostile_text_is_escaped_in_html_and_harmless_in_markdown() -> None:
    report = build(logs_estate.hostile())
    html = render(report, "html").content
    assert "<script" not in html.lower()
    section = html[html.index('<section aria-labelledby="logs">') :]
    # signature title, sample line, user, endpoint, restart, exception (and its sample), node in tables
    assert section.count(ESCAPED_SCRIPT) >= 7
    assert 'href="javascript:' not in html
    for svg in SVG.findall(html):  # a node's name in a legend is text in the SVG too
        assert "<script" not in svg
    assert any("n|2 " + ESCAPED_SCRIPT in svg for svg in SVG.findall(html))

    markdown = render(report, "md").content
    # Outside code spans (where CommonMark shows everything literally) no markup gets through.
    assert "<script" not in re.sub(r"`[^`\n]*`", "", markdown).lower()
    assert "`x.Y<script>alert(1)</script>`" in markdown  # the exception type, as code
    assert markdown.count(ESCAPED_SCRIPT) >= 5
    rows = [line for line in markdown.splitlines() if line.startswith("| ") and "Pool" in line]
    assert rows and all(len(_cells(r)) == 8 for r in rows)  # the pipe in the title did not split the cell
    user = next(line for line in markdown.splitlines() if "evil" in line)
    assert len(_cells(user)) == 4


def test_no_logs_no_section() -> None:
    report = build(None)
    html = render(report, "html").content
    markdown = render(report, "md").content
    assert 'id="logs"' not in html and "<svg" not in html
    assert "## Logs" not in markdown


def test_parts_not_given_say_so() -> None:
    only_app = logs_estate.analysis(minutes=20).model_copy(
        update={"gc": None, "access": None, "security": None}
    )
    html = render(build(only_app), "html").content
    assert len(SVG.findall(html)) == 1  # the events chart alone
    for text in (
        "Not analysed: no GC log was given.",
        "Not analysed: no access log was given.",
        "Not analysed: no security log was given.",
    ):
        assert text in html
    empty = only_app.model_copy(
        update={
            "levels": [],
            "signatures": [],
            "restarts": [],
            "exceptions": [],
            "files": [],
            "gc": [],
            "access": [],
        }
    )
    html = render(build(empty), "html").content
    assert "<svg" not in html
    for text in (
        "No log file was read.",
        "No known problem was found in the logs.",
        "No application log events in the window.",
        "No start or stop was seen in the window.",
        "The GC logs held no collection in the window.",
        "The access logs held no request in the window.",
    ):
        assert text in html


def test_rendering_is_deterministic(report: HealthCheckReport, html: str) -> None:
    assert render(report, "html").content == html


def _python(code: str) -> None:
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True, timeout=120)


def test_matplotlib_is_imported_only_to_draw() -> None:
    _python(
        "import sys, reports.render, reports.charts, reports.logs_section, reports.context\n"
        "assert 'matplotlib' not in sys.modules, 'imported by reports'\n"
    )
    # Markdown draws nothing, and neither does an HTML report without logs
    _python(
        "import sys\n"
        "from reports.render import render\n"
        "from tests.reports import test_logs_section as t, logs_estate\n"
        "render(t.build(logs_estate.analysis(minutes=10)), 'md')\n"
        "render(t.build(None), 'html')\n"
        "assert 'matplotlib' not in sys.modules, 'imported without a chart to draw'\n"
        "render(t.build(logs_estate.analysis(minutes=10)), 'html')\n"
        "assert 'matplotlib' in sys.modules\n"
    )
