"""Tomcat and Jetty access logs that are not Jira's or Confluence's, read the way ``analyze`` reads them:
Bamboo's valve (issue 15: typed as Jira with every line unparsed), Crowd's, Tomcat's combined pattern,
and a layout nobody knows, which must be said, with a line of it, not typed as Jira."""

from __future__ import annotations

from pathlib import Path

from collectors.logs.access_tomcat import tomcat
from collectors.logs.engine import analyze_logs
from collectors.logs.model import LogKind

BAMBOO_SHORT = (
    '10.0.0.1 [05/Dec/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 5120 87 "-" "Mozilla/5.0"\n'
    '10.0.0.1 [05/Dec/2026:10:00:01 +0000] "GET /browse/PROJ-PLAN-12 HTTP/1.1" 200 30122 412 "-" "Mozilla/5.0"\n'
    '10.0.0.2 [05/Dec/2026:10:00:02 +0000] "POST /rest/api/latest/queue/PROJ-PLAN HTTP/1.1" 500 0 33 "-" "curl/8"\n'
)
CROWD_HELM = (
    '10.0.0.9 - [05/Dec/2026:10:00:02 +0000] "GET /crowd/rest/usermanagement/1/user?username=bob HTTP/1.1" '
    '200 612 14 /crowd/rest/usermanagement/1/user http-nio-8095-exec-3 "Java/11.0.20"\n'
    '10.0.0.9 jira [05/Dec/2026:10:00:03 +0000] "POST /crowd/rest/usermanagement/1/authentication HTTP/1.1" '
    '400 98 25 /crowd/rest/usermanagement/1/authentication http-nio-8095-exec-4 "Java/11.0.20"\n'
)
COMBINED = '10.0.0.3 - alice [05/Dec/2026:10:00:03 +0000] "GET /cru/ HTTP/1.1" 404 4312 "-" "curl/8.5.0"\n'


def _analyse(tmp_path: Path, name: str, text: str):
    (tmp_path / name).write_text(text)
    analysis = analyze_logs([tmp_path], [], customer="c", workers=1)
    (summary,) = analysis.files
    return analysis, summary


def test_the_reader_takes_each_layouts_fields() -> None:
    line = b'10.0.0.1 [05/Dec/2026:10:00:00 +0000] "GET /x?y=1 HTTP/1.1" 200 5120 87 "-" "Mozilla/5.0"'
    assert tomcat(line) == (b"05/Dec/2026:10:00:00 +0000", b"GET /x", b"200", 87, b"10.0.0.1", b"-")
    fields = tomcat(COMBINED.strip().encode())
    assert fields is not None and fields[3] is None and fields[5] == b"alice"  # no %D: untimed
    assert tomcat(b"10.0.0.1 - - [05/Dec/2026:10:00:00 +0000] GET / 200") is None


def test_bamboos_valve_is_read_not_typed_as_jira(tmp_path: Path) -> None:
    analysis, f = _analyse(tmp_path, "access_log.2026-12-05", BAMBOO_SHORT)
    assert f.kind is LogKind.BAMBOO_ACCESS  # the queue REST call is Bamboo's own
    assert (f.lines, f.unparsed_lines, f.events) == (3, 0, 3)
    (access,) = analysis.access
    assert (access.product, access.requests, access.status_5xx) == ("bamboo", 3, 1)


def test_crowds_helm_valve_and_tomcats_combined_pattern_are_read(tmp_path: Path) -> None:
    analysis, f = _analyse(tmp_path, "crowd_access.2026-12-05.log", CROWD_HELM)
    assert (f.kind, f.lines, f.unparsed_lines) == (LogKind.CROWD_ACCESS, 2, 0)
    assert (analysis.access[0].product, analysis.access[0].status_4xx) == ("crowd", 1)


def test_tomcats_combined_pattern_is_counted_untimed(tmp_path: Path) -> None:
    analysis, f = _analyse(tmp_path, "access_log.2026-12-05", COMBINED)
    assert (f.kind, f.lines, f.unparsed_lines) == (LogKind.TOMCAT_ACCESS, 1, 0)
    assert (analysis.access[0].requests, analysis.access[0].status_4xx) == (1, 1)


def test_a_layout_nobody_knows_is_said_with_a_line_of_it(tmp_path: Path) -> None:
    text = "".join(f"2026-12-05T10:00:0{i}Z GET /x 200 {i}ms\n" for i in range(5))
    _, f = _analyse(tmp_path, "access_log.2026-12-05", text)
    assert f.kind is LogKind.TOMCAT_ACCESS  # not Jira: nothing in it says Jira
    assert (f.lines, f.unparsed_lines) == (5, 5)
    assert any(
        "5 of the first 5 lines fit no tomcat access-log layout" in n and "GET /x 200 0ms" in n
        for n in f.notes
    )
