"""The post-incident report: built from hand-made incidents and per-node log series, rendered as HTML,
Markdown and JSON; escaped everywhere, told on two clocks, valid against its committed schema."""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from checks.finding import Severity
from checks.incident.model import (
    Figure,
    Impact,
    Incident,
    IncidentAction,
    IncidentCause,
    IncidentEvidence,
    TimelineEvent,
)
from collectors.logs.model import (
    AccessMinute,
    AccessSummary,
    GcMinute,
    GcSummary,
    HeapPoint,
    LogAnalysis,
    LogFileSummary,
    LogKind,
    NodeAccess,
)
from collectors.model import Snapshot
from reports.model import ReportHours
from reports.post_incident import build_post_incident, post_incident_report_id, render_post_incident
from reports.post_incident_markdown import notes_html, notes_md
from reports.post_incident_model import PostIncidentReport
from reports.post_incident_notes import (
    NOTES_MAX_BYTES,
    notes_filename,
    notes_template,
    parse_notes,
    read_notes,
    section_field,
)
from reports.post_incident_series import incident_series
from reports.schema import (
    POST_INCIDENT_SCHEMA_FILENAME,
    POST_INCIDENT_SCHEMA_PATH,
    generate_schema,
    load_schema,
    main,
    schema_text,
)
from tests.reports import estate
from tests.reports.markdown_tables import assert_tables_keep_their_width

NODES = ("node1", "node2", "node3")
LOGS_START = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)
START = datetime(2025, 3, 3, 13, 30, tzinfo=UTC)  # 14:30 CET in Berlin
END = datetime(2025, 3, 3, 14, 15, tzinfo=UTC)
GENERATED = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)
KB_LDAP = "https://confluence.atlassian.com/jirakb/ldap-unreachable-1234.html"
SCRIPT = "<script>alert(1)</script>"
RICH = "[bold red]boom[/]"
JINJA = "{{ 7 * 7 }}{% if true %}x{% endif %}"
HOSTILE = f"{SCRIPT} {RICH} {JINJA} | pipe `tick` *star*"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"


def _at(minute: float) -> datetime:
    return LOGS_START + timedelta(minutes=minute)


# --- what the log engine hands over, built by hand ---------------------------------------------------


def _during(minute: int) -> bool:
    return 90 <= minute < 135  # 13:30 to 14:15 UTC


def _access() -> AccessSummary:
    per_node = []
    for index, node in enumerate(NODES):
        minutes = []
        for m in range(180):
            requests = 120 + index * 10
            failed = 36 if _during(m) else (1 if m % 7 == 0 else 0)
            minutes.append(
                AccessMinute(
                    at=_at(m),
                    requests=requests,
                    status_4xx=40 if _during(m) else 2,
                    status_401=38 if _during(m) else 1,
                    status_5xx=failed,
                    p50_ms=80.0,
                    p95_ms=4200.0 if _during(m) else 310.0 + index * 20,
                    p99_ms=9000.0 if _during(m) else 900.0,
                )
            )
        per_node.append(NodeAccess(node=node, per_minute=minutes))
    total = [
        AccessMinute(
            at=_at(m),
            requests=sum(n.per_minute[m].requests for n in per_node),
            status_5xx=sum(n.per_minute[m].status_5xx for n in per_node),
            p95_ms=max(n.per_minute[m].p95_ms or 0.0 for n in per_node),
        )
        for m in range(180)
    ]
    return AccessSummary(
        product="jira",
        nodes=list(NODES),
        requests=sum(m.requests for m in total),
        status_5xx=sum(m.status_5xx for m in total),
        p95_ms=2100.0,
        per_minute=total,
        per_node=per_node,
    )


def _gc() -> list[GcSummary]:
    summaries = []
    for index, node in enumerate(NODES):
        per_minute = [
            GcMinute(
                at=_at(m),
                pauses=3,
                pause_ms=7200.0 if (node == "node2" and m == 100) else 90.0,
                share=0.12 if (node == "node2" and m == 100) else 0.0015,
            )
            for m in range(180)
        ]
        heap = [HeapPoint(at=_at(m), after_mb=2000.0 + index * 100 + m) for m in range(0, 180, 5)]
        summaries.append(
            GcSummary(node=node, format="unified", collector="G1", per_minute=per_minute, heap_after=heap)
        )
    return summaries


def logs(customer: str = estate.CUSTOMER) -> LogAnalysis:
    files = [
        LogFileSummary(
            path=f"{node}.zip!atlassian-jira.log", node=node, kind=LogKind.JIRA_APP, size_bytes=1000
        )
        for node in NODES
    ] + [
        LogFileSummary(path=f"{node}.zip!access_log", node=node, kind=LogKind.JIRA_ACCESS, size_bytes=1000)
        for node in NODES
    ]
    return LogAnalysis(
        customer=customer,
        first_at=_at(0),
        last_at=_at(179),
        engine="re",
        files=files,
        nodes=list(NODES),
        gc=_gc(),
        access=[_access()],
    )


def snapshot(analysis: LogAnalysis | None = None) -> Snapshot:
    return estate.snapshot().model_copy(update={"logs": [analysis if analysis is not None else logs()]})


# --- incidents, built by hand ------------------------------------------------------------------------


def _figure(value: float | None, unit: str, basis: str, how: str) -> Figure:
    return Figure(value=value, unit=unit, basis=basis, how=how)  # type: ignore[arg-type]


def impact(how: str = "") -> Impact:
    return Impact(
        duration_s=_figure(2700, "s", "measured", how or "From the first bucket above baseline to the last."),
        requests=_figure(17550, "requests", "measured", how or "Counted in the access logs of all nodes."),
        baseline_requests=_figure(
            17600, "requests", "estimated", how or "The hour before, scaled to 45 minutes."
        ),
        failed_requests=_figure(4860, "requests", "measured", how or "5xx counted in the access logs."),
        baseline_failed_requests=_figure(20, "requests", "estimated", how or "The hour before's 5xx rate."),
        peak_error_rate=_figure(27.7, "%", "measured", how or "The worst minute, all nodes together."),
        p95_ms_before=_figure(330, "ms", "measured", how or "The hour before."),
        p95_ms_during=_figure(4200, "ms", "measured", how or "During the window."),
        users_with_errors=_figure(
            312, "users", "estimated", how or "Counted from the capped table of users."
        ),
        users_failed_login=_figure(None, "users", "unknown", how or "No security log was given."),
        nodes_affected=list(NODES),
    )


def causes(text: str = "") -> list[IncidentCause]:
    return [
        IncidentCause(
            cause="directory-unavailable",
            confidence=0.86,
            severity="critical",
            title=text or "The authentication directory was unreachable",
            summary=text or "LDAP refused connections on every node from 13:29; 1,480 logins failed.",
            explanation=text
            or "When the directory cannot be reached, nobody whose account lives there can log in.",
            nodes=list(NODES),
            first_seen=START - timedelta(minutes=1),
            evidence=[
                IncidentEvidence(
                    at=START - timedelta(minutes=1),
                    node="node1",
                    source="application log",
                    text=text
                    or "javax.naming.CommunicationException: ldap.acme.example:636 [Root exception is java.net.ConnectException: Connection refused]",
                ),
                IncidentEvidence(
                    at=START,
                    node="node2",
                    source="access log",
                    text=text or "401 answers rose from 1 to 38 a minute",
                ),
                IncidentEvidence(
                    at=None, node=None, source="security log", text=text or "310 distinct users failed"
                ),
            ],
            explains=[text or "401 responses", text or "failed logins", text or "5xx on /login"],
            references=[KB_LDAP, "javascript:alert(1)"],
        ),
        IncidentCause(
            cause="gc-thrashing",
            confidence=0.31,
            severity="warning",
            title=text or "The JVM spent its time collecting garbage",
            summary=text or "node2 spent 12 % of 13:40 in GC pauses.",
            nodes=["node2"],
            first_seen=START + timedelta(minutes=10),
            evidence=[
                IncidentEvidence(
                    at=START + timedelta(minutes=10),
                    node="node2",
                    source="gc log",
                    text=text or "Pause Full 7.2 s",
                )
            ],
            explains=[text or "p95 on node2"],
        ),
        IncidentCause(
            cause="credential-failure",
            confidence=0.12,
            severity="warning",
            title=text or "An integration kept failing to log in",
            summary=text or "svc-backup failed every five minutes all day: a stale password.",
            nodes=list(NODES),
            first_seen=LOGS_START,
        ),
    ]


def timeline(text: str = "") -> list[TimelineEvent]:
    def event(
        minute: float, node: str | None, source: str, kind: str, severity: str, summary: str, **more: Any
    ) -> TimelineEvent:
        at = _at(minute)
        return TimelineEvent(
            at=at,
            node=node,
            source=source,
            kind=kind,
            severity=severity,  # type: ignore[arg-type]
            summary=text or summary,
            first=at,
            last=more.pop("last", at),
            **more,
        )

    return [
        event(
            89,
            "node1",
            "application log",
            "exception",
            "critical",
            "LDAP connection refused",
            count=5000,
            last=_at(134),
            detail=[
                text or "javax.naming.CommunicationException: ldap.acme.example:636",
                text or "Caused by: java.net.ConnectException: Connection refused",
            ],
        ),
        event(90, "node2", "access log", "5xx", "critical", "5xx rose to 30 %"),
        event(90, None, "security log", "failed-logins", "warning", "Failed logins rose to 40 a minute"),
        event(100, "node2", "gc log", "gc", "warning", "A 7.2 s full GC pause"),
        event(135, "node1", "access log", "5xx", "info", "5xx back at baseline"),
    ]


def actions(text: str = "") -> list[IncidentAction]:
    return [
        IncidentAction(
            type="prevent",
            text=text or "Add a second LDAP server to the directory's configuration.",
            verification=text or "Stop one LDAP server: logins still work.",
            cause="directory-unavailable",
        ),
        IncidentAction(
            type="detect",
            text=text or "Alert on 401s above 10 a minute.",
            verification=text or "The alert fires in a test.",
        ),
        IncidentAction(
            type="mitigate",
            text=text or "Fail over to the Crowd cache.",
            verification=text or "Log in with LDAP blocked.",
            cause="gc-thrashing",
        ),
    ]


def found_incident(text: str = "", customer: str = estate.CUSTOMER) -> Incident:
    return Incident(
        customer=customer,
        found=True,
        start=START,
        end=END,
        peak=START + timedelta(minutes=20),
        window="found",
        evidence_from=_at(0),
        evidence_to=_at(179),
        first_signal=START - timedelta(minutes=1),
        recovered_at=END + timedelta(minutes=1),
        nodes=list(NODES),
        causes=causes(text),
        timeline=timeline(text),
        impact=impact(text),
        actions=actions(text),
        clock_offsets_s={"node3": 2.5},
        unknowns=[text or "Whether users outside the office were affected: the proxy's logs were not given."],
    )


def not_found_incident() -> Incident:
    return Incident(
        customer=estate.CUSTOMER,
        found=False,
        evidence_from=_at(0),
        evidence_to=_at(179),
        unknowns=["No security log was given: failed logins could not be counted."],
    )


NOTES = """# Post-incident notes

Written by the on-call engineer.

## What went well
- The **LDAP** alert fired within `2 min`.
- Runbook RB-12 worked.

## Things that didn't go well
Nobody knew the second LDAP server was down too.

## Where we got lucky ##
It happened on a Monday morning, with everyone in.

## How it was fixed
1. Restarted slapd on ldap1.
2. Failed over to ldap2.

## Timeline corrections
The first call came at 13:35 UTC.
"""


def build(
    incident: Incident | None = None,
    *,
    tz: str = "Europe/Berlin",
    notes: str | None = NOTES,
    analysis: LogAnalysis | None = None,
    generated_at: datetime = GENERATED,
) -> PostIncidentReport:
    return build_post_incident(
        snapshot(analysis),
        incident if incident is not None else found_incident(),
        estate.analysis().findings,
        timezone=tz,
        notes=notes,
        generated_at=generated_at,
        tool_version="0.1.0",
    )


def render(report: PostIncidentReport, fmt: str) -> str:
    (document,) = render_post_incident(report, [fmt])
    return document.content


def hostile_report() -> PostIncidentReport:
    hostile_logs = logs().model_copy(update={"nodes": [*NODES, f"n4 {SCRIPT}"]})
    notes = f"## What went well\n{HOSTILE}\n<img src=x onerror=alert(1)>\n\n## {SCRIPT}\n{JINJA}\n"
    return build(found_incident(HOSTILE), notes=notes, analysis=hostile_logs)


class _Headings(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.headings: list[tuple[str, str]] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self._open: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if re.fullmatch(r"h[1-6]", tag):
            self._open, self._text = tag, []

    def handle_endtag(self, tag: str) -> None:
        if tag == self._open:
            self.headings.append((tag, " ".join("".join(self._text).split())))
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open:
            self._text.append(data)


def _parse(html: str) -> _Headings:
    parser = _Headings()
    parser.feed(html)
    return parser


def _validator() -> jsonschema.Draft202012Validator:
    schema = load_schema(POST_INCIDENT_SCHEMA_FILENAME)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


# --- a found incident ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def report() -> PostIncidentReport:
    return build()


@pytest.fixture(scope="module")
def html(report: PostIncidentReport) -> str:
    return render(report, "html")


@pytest.fixture(scope="module")
def markdown(report: PostIncidentReport) -> str:
    return render(report, "md")


def test_the_story_says_how_long_to_whom_and_why(report: PostIncidentReport) -> None:
    assert report.summary == (
        "An incident began at 2025-03-03 13:30 UTC (14:30 CET) and lasted 45 min, until 2025-03-03 14:15 UTC "
        "(15:15 CET). It hurt users on node1, node2 and node3: 4,860 of 17,550 requests failed (the baseline "
        "before it predicts about 20 requests), 27.7 % of requests at the worst; about 312 users got server "
        "errors; the 95th percentile response time was 4.2 s against 330 ms before. The most likely cause "
        "(86 % confidence): The authentication directory was unreachable. LDAP refused connections on every "
        "node from 13:29; 1,480 logins failed. 2 other possible causes, ranked lower, are listed as "
        "contributing factors."
    )


def test_the_html_report_has_every_section_in_order(html: str) -> None:
    headings = _parse(html).headings
    assert headings[0] == ("h1", "Post-incident report: Acme Corp & Söhne")
    h2 = [text for tag, text in headings if tag == "h2"]
    assert h2[:10] == [
        "What happened",
        "Impact",
        "Timeline",
        "Cause",
        "Contributing factors",
        "Detection and recovery",
        "Actions",
        "Charts",
        "The engineer's account",
        "What the evidence could not tell",
    ]
    assert h2[10:] == ["Findings of the checks", "Logs"]
    h3 = [text for tag, text in headings if tag == "h3"]
    assert h3[:3] == [
        "The authentication directory was unreachable",
        "The JVM spent its time collecting garbage",
        "An integration kept failing to log in",
    ]
    assert "<title>Post-incident report: Acme Corp &amp; Söhne (2025-03-03)</title>" in html


def test_the_cause_chain_with_its_evidence(html: str) -> None:
    cause = html[html.index('id="cause"') : html.index('id="contributing"')]
    assert re.search(
        r'<ol class="chain sev-critical" aria-label="Cause chain">\s*<li class="cause">The authentication '
        r"directory was unreachable</li>\s*<li>401 responses</li>\s*<li>failed logins</li>\s*<li>5xx on /login</li>",
        cause,
    )
    assert '<span class="confidence">confidence 86 %</span>' in cause
    assert "<code>directory-unavailable</code>" in cause
    # each evidence line with its time on both clocks, its node and its source
    assert (
        '<td class="when"><time datetime="2025-03-03T13:29:00+00:00">2025-03-03 13:29:00 UTC</time> '
        '<span class="muted">(2025-03-03 14:29:00 CET)</span></td><td>node1</td><td>application log</td>'
        '<td class="value">javax.naming.CommunicationException'
    ) in cause
    assert (
        '<td class="when">—</td><td>—</td><td>security log</td><td class="value">310 distinct users failed</td>'
        in cause
    )
    assert f'<a class="ext" href="{KB_LDAP}" rel="noopener noreferrer">' in cause
    assert "<li>javascript:alert(1)</li>" in cause  # shown, never linked
    contributing = html[html.index('id="contributing"') : html.index('id="detection"')]
    assert contributing.count('<article class="finding cause') == 2
    assert "confidence 31 %" in contributing and "confidence 12 %" in contributing
    assert "No evidence line was kept for this cause." in contributing


def test_impact_tells_measured_from_estimated(html: str) -> None:
    impact = html[html.index('id="impact"') : html.index('id="timeline"')]
    rows = re.findall(
        r'<tr class="basis-row-(\w+)"><th scope="row">([^<]+)</th><td class="num">([^<]+)</td>.*?<td class="wrap">([^<]*)</td></tr>',
        impact,
    )
    assert [(basis, label, value) for basis, label, value, _ in rows] == [
        ("measured", "Duration", "45 min"),
        ("measured", "Requests served", "17,550 requests"),
        ("estimated", "Requests the baseline predicts", "≈ 17,600 requests"),
        ("measured", "Failed requests (5xx)", "4,860 requests"),
        ("estimated", "Failed requests the baseline predicts", "≈ 20 requests"),
        ("measured", "Peak error rate", "27.7 %"),
        ("measured", "p95 response time before", "330 ms"),
        ("measured", "p95 response time during", "4.2 s"),
        ("estimated", "Users who got server errors", "≈ 312 users"),
        ("unknown", "Users who could not log in", "unknown"),
    ]
    assert rows[-1][3] == "No security log was given."  # each figure's how
    assert "Nodes affected: node1, node2, node3." in impact


def test_the_timeline_on_both_clocks_with_sources_and_folded_lines(html: str) -> None:
    section = html[html.index('id="timeline"') : html.index('id="cause"')]
    assert '<th scope="col">UTC</th><th scope="col">Europe/Berlin</th>' in section
    first = re.search(r'<tr id="event-1">.*?</tr>', section, re.S)
    assert first is not None
    row = first.group(0)
    assert '<time datetime="2025-03-03T13:29:00+00:00">2025-03-03 13:29:00 UTC</time>' in row
    assert '<td class="when">2025-03-03 14:29:00 CET</td>' in row
    assert 'application log<br><span class="muted">exception</span>' in row
    assert "5,000 times, 2025-03-03 13:29:00 UTC to 2025-03-03 14:14:00 UTC" in row
    assert "<details><summary>2 line(s)</summary>" in row
    assert '<pre class="sample mono">Caused by: java.net.ConnectException: Connection refused</pre>' in row
    assert "<td>all nodes</td>" in section  # an event of no one node
    assert "Clocks corrected by the offset measured on each host:\nnode3 +2.5 s." in section


def test_detection_recovery_and_actions(html: str) -> None:
    detection = html[html.index('id="detection"') : html.index('id="actions"')]
    assert "<dt>Time to detect</dt><dd>1 min</dd>" in detection
    assert ': LDAP connection refused <span class="muted">(node1, application log)</span>' in detection
    assert "1 min before it hurt users" in detection
    assert (
        '2025-03-03 14:16:00 UTC</time> <span class="muted">(2025-03-03 15:16:00 CET)</span>, 26 min after the worst'
        in detection
    )
    actions = html[html.index('id="actions"') : html.index('id="charts"')]
    groups = re.findall(r'<h3 id="actions-(\w+)">', actions)
    assert groups == ["prevent", "detect", "mitigate"]
    assert (
        '<td class="wrap">Stop one LDAP server: logins still work.</td><td>The authentication directory was unreachable</td>'
        in actions
    )
    assert "<td>The JVM spent its time collecting garbage</td>" in actions


def test_the_engineers_sections_from_the_notes(html: str, markdown: str) -> None:
    notes = html[html.index('id="notes"') : html.index('id="unknowns"')]
    assert [t for t in re.findall(r'<h3 id="notes-\d+">([^<]+)</h3>', notes)] == [
        "What went well",
        "What went badly",
        "Where we got lucky",
        "Resolution",
        "Notes",
        "Timeline corrections",
    ]
    assert (
        "<ul><li>The <strong>LDAP</strong> alert fired within <code>2 min</code>.</li><li>Runbook RB-12 worked.</li></ul>"
        in notes
    )
    assert "<ol><li>Restarted slapd on ldap1.</li><li>Failed over to ldap2.</li></ol>" in notes
    assert "<p>The first call came at 13:35 UTC.</p>" in notes
    md_notes = markdown[
        markdown.index("## The engineer's account") : markdown.index("## What the evidence could not tell")
    ]
    assert "- The **LDAP** alert fired within `2 min`." in md_notes
    assert "1. Restarted slapd on ldap1.\n2. Failed over to ldap2." in md_notes


def test_sections_not_written_say_so() -> None:
    html = render(build(notes=None), "html")
    notes = html[html.index('id="notes"') : html.index('id="unknowns"')]
    assert notes.count("Not written yet: write it under") == 4
    assert "“## Where we got lucky”" in notes


def test_charts_per_node_with_the_incident_band_and_the_cause_marked(
    html: str, report: PostIncidentReport
) -> None:
    charts = html[html.index('id="charts"') : html.index('id="notes"')]
    keys = re.findall(r'<svg id="([^"]+)" class="chart"', charts)
    assert keys == ["incident-chart-errors", "incident-chart-p95", "incident-chart-gc", "incident-chart-heap"]
    for key in keys:
        svg = re.search(rf'<svg id="{key}".*?</svg>', charts, re.S)
        assert svg is not None
        texts = re.findall(r"<text\b[^>]*>([^<]*)</text>", svg.group(0))
        assert {"node1", "node2", "node3", "incident", "first evidence of the cause"} <= set(texts), (
            key,
            texts,
        )
    assert "The incident, 2025-03-03 14:30 CET to 2025-03-03 15:15 CET, is shaded" in charts
    assert "the cause&#39;s first evidence, 2025-03-03 14:29 CET, is the dashed line" in charts
    assert "node2: at most 12.0 % at 2025-03-03 14:40 CET" in charts  # the GC spike
    # the series on the report: the incident with 45 minutes each side, not the whole day
    series = report.series
    # (to the end of the evidence, a minute short of 45 after the end)
    assert (series.window_from, series.window_to) == (START - timedelta(minutes=45), _at(179))
    assert [t.node for t in series.traffic] == list(NODES)
    assert series.traffic[0].points[0].at == START - timedelta(minutes=45)
    during = next(p for p in series.traffic[0].points if p.at == START)
    assert (during.requests, during.errors_5xx, during.error_rate, during.p95_ms) == (120, 36, 30.0, 4200.0)
    assert [g.node for g in series.gc] == list(NODES) and series.gc[1].pauses[0].at == START - timedelta(
        minutes=45
    )


def test_markdown_report(markdown: str) -> None:
    assert markdown.startswith("# Post-incident report: Acme Corp &amp; Söhne\n")
    assert "**Incident found: CRITICAL**" in markdown
    sections = re.findall(r"^## (.+)$", markdown, re.M)
    assert sections[:9] == [
        "What happened",
        "Impact",
        "Timeline",
        "Cause",
        "Contributing factors",
        "Detection and recovery",
        "Actions",
        "The engineer's account",
        "What the evidence could not tell",
    ]
    assert "| Duration | 45 min | MEASURED | From the first bucket above baseline to the last. |" in markdown
    assert (
        "| Users who got server errors | ≈ 312 users | ESTIMATED | Counted from the capped table of users. |"
        in markdown
    )
    assert (
        "| 1 | 2025-03-03 13:29:00 UTC | 2025-03-03 14:29:00 CET | node1 | application log (exception) | CRITICAL | "
        "LDAP connection refused<br>5,000 times, 2025-03-03 13:29:00 UTC to 2025-03-03 14:14:00 UTC |"
    ) in markdown
    assert (
        "<details><summary>Event 1: 2 line(s)</summary>\n\n```text\njavax.naming.CommunicationException"
        in markdown
    )
    assert (
        "**Cause chain:** The authentication directory was unreachable → 401 responses → failed logins → 5xx on /login"
        in markdown
    )
    assert "### CRITICAL: The authentication directory was unreachable (confidence 86 %)" in markdown
    assert "- **Time to detect:** 1 min" in markdown
    assert len(assert_tables_keep_their_width(markdown)) >= 6


# --- no incident ----------------------------------------------------------------------------------------


def test_no_incident_is_said_plainly_with_span_and_sources() -> None:
    report = build(not_found_incident(), notes=None)
    assert report.summary == (
        "No incident was found in the evidence from 2025-03-03 12:00 UTC (13:00 CET) to 2025-03-03 14:59 UTC "
        "(15:59 CET), read from: 3 application log files of node1, node2, node3; 3 access log files of node1, "
        "node2, node3; the REST API of jira-prod (Jira); the REST API of wiki (Confluence); the REST API of "
        "bitbucket (Bitbucket). What the evidence could not tell is listed below."
    )
    html = render(report, "html")
    h2 = [text for tag, text in _parse(html).headings if tag == "h2"]
    assert h2[:2] == ["What happened", "No incident in the evidence"]
    assert not {"Impact", "Cause", "Contributing factors", "Actions"} & set(h2)
    assert 'No incident found <span class="badge sev-ok large">' in html
    assert "<li>3 application log files of node1, node2, node3</li>" in html
    assert "<li>No security log was given: failed logins could not be counted.</li>" in html
    # the charts show the whole evidence, with nothing shaded
    assert report.series.window_from == _at(0) and report.series.window_to == _at(179)
    assert ">incident<" not in html
    markdown = render(report, "md")
    assert "**No incident found**" in markdown and "## No incident in the evidence" in markdown
    assert "## Cause" not in markdown


def test_no_evidence_at_all() -> None:
    incident = Incident(customer=estate.CUSTOMER, found=False)
    report = build_post_incident(
        Snapshot(tool_version="0.1.0", started_at=GENERATED, finished_at=GENERATED),
        incident,
        [],
        timezone="UTC",
        notes=None,
        generated_at=GENERATED,
    )
    assert report.summary == (
        "No incident was found: the evidence covers no span of time, and no evidence of any kind was read."
    )
    assert report.series.window_from is None and report.series.traffic == []
    html = render(report, "html")
    assert "No evidence of any kind was read." in html and 'id="charts"' not in html
    _validator().validate(json.loads(render(report, "json")))


# --- hostile text ---------------------------------------------------------------------------------------


def test_hostile_text_is_escaped_in_html() -> None:
    html = render(hostile_report(), "html")
    assert "<script" not in html.lower() and "<img" not in html.lower()
    assert html.count(ESCAPED_SCRIPT) >= 20
    assert "[bold red]boom[/]" in html  # rich markup is text here
    assert "{{ 7 * 7 }}{% if true %}x{% endif %}" in html and ">49<" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    tags = _parse(html).tags
    assert not any(k.startswith("on") for _, attrs in tags for k in attrs)
    assert {tag for tag, _ in tags}.isdisjoint({"script", "img", "iframe", "object", "embed", "link", "base"})
    hrefs = [a["href"] for t, a in tags if t == "a"]
    assert hrefs and all((h or "").startswith("https://") for h in hrefs)


def test_hostile_text_is_escaped_in_markdown() -> None:
    markdown = render(hostile_report(), "md")
    # raw only inside fenced code, which every renderer shows literally
    outside_code = re.sub(r"^(`{3,})text\n.*?^\1$", "", markdown, flags=re.S | re.M)
    assert "<script" not in outside_code.lower() and "<img" not in outside_code.lower()
    assert "```text\n<script>" in markdown
    assert "\\[bold red\\]boom\\[/\\]" in markdown
    assert "{{ 7 \\* 7 }}{% if true %}x{% endif %}" in markdown
    assert_tables_keep_their_width(markdown)
    markdown_it = pytest.importorskip("markdown_it")
    shown = markdown_it.MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)
    assert "<script" not in shown.lower() and "<img" not in shown.lower()
    assert f"{ESCAPED_SCRIPT} [bold red]boom[/] {{{{ 7 * 7 }}}}" in shown


def test_hostile_report_is_valid_json() -> None:
    doc = json.loads(render(hostile_report(), "json"))
    _validator().validate(doc)
    assert doc["incident"]["causes"][0]["title"] == HOSTILE


# --- notes ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "field"),
    [
        ("What went well", "what_went_well"),
        ("What went well?", "what_went_well"),
        ("WHAT WENT RIGHT", "what_went_well"),
        ("Things that went well", "what_went_well"),
        ("What went badly", "what_went_badly"),
        ("What went wrong", "what_went_badly"),
        ("What didn't go well", "what_went_badly"),
        ("What didn\u2019t go well", "what_went_badly"),
        ("What did not go well", "what_went_badly"),
        ("Where we got lucky", "where_we_got_lucky"),
        ("Luck", "where_we_got_lucky"),
        ("Resolution", "resolution"),
        ("How it was resolved", "resolution"),
        ("How we fixed it", "resolution"),
        ("How it was fixed", "resolution"),
        ("Timeline corrections", None),
        ("", None),
    ],
)
def test_section_headings(heading: str, field: str | None) -> None:
    assert section_field(heading) == field


def test_notes_are_parsed_into_their_sections() -> None:
    notes = parse_notes(NOTES)
    assert notes.what_went_well == "- The **LDAP** alert fired within `2 min`.\n- Runbook RB-12 worked."
    assert notes.what_went_badly == "Nobody knew the second LDAP server was down too."
    assert notes.where_we_got_lucky == "It happened on a Monday morning, with everyone in."
    assert notes.resolution == "1. Restarted slapd on ldap1.\n2. Failed over to ldap2."
    assert [(s.title, s.text) for s in notes.other] == [
        ("Notes", "Written by the on-call engineer."),
        ("Timeline corrections", "The first call came at 13:35 UTC."),
    ]


def test_notes_comments_code_and_repeated_sections() -> None:
    text = (
        "## Resolution\r\n<!-- a hint -->\r\nRestarted it.\r\n```\r\n## not a heading\r\n```\r\n"
        "## Resolution\nAnd again.\n## What went well\n<!-- only a hint -->\n\n## Empty\n\n"
        "## Unclosed\nA <!-- stays\n"
    )
    notes = parse_notes(text)
    assert notes.resolution == "Restarted it.\n```\n## not a heading\n```\n\nAnd again."
    assert notes.what_went_well == ""
    assert [(s.title, s.text) for s in notes.other] == [("Unclosed", "A <!-- stays")]
    assert parse_notes(None) == parse_notes("") == parse_notes("<!-- nothing -->")


def test_the_notes_template_parses_to_empty_sections_and_fills_in() -> None:
    template = notes_template(found_incident())
    assert template.startswith("# Post-incident notes: Acme Corp & Söhne\n")
    assert (
        "the incident that began 2025-03-03 13:30 UTC (most likely: The authentication directory was unreachable)"
        in template
    )
    assert [line for line in template.splitlines() if line.startswith("## ")] == [
        "## What went well",
        "## What went badly",
        "## Where we got lucky",
        "## Resolution",
    ]
    assert parse_notes(template) == parse_notes(None)
    filled = template.replace("## Resolution\n", "## Resolution\nRestarted slapd.\n")
    assert parse_notes(filled).resolution == "Restarted slapd."
    assert "no incident was found in it" in notes_template(not_found_incident())


def test_the_notes_template_cannot_be_broken_by_what_it_quotes() -> None:
    hostile = found_incident("x -->\n## Resolution\nforged")
    hostile = hostile.model_copy(update={"customer": "Evil\n## What went well\ninjected"})
    template = notes_template(hostile)
    assert parse_notes(template) == parse_notes(None)
    assert [line for line in template.splitlines() if line.startswith("## ")] == [
        "## What went well",
        "## What went badly",
        "## Where we got lucky",
        "## Resolution",
    ]


def test_notes_html_lays_out_a_little_and_escapes_everything() -> None:
    text = (
        "A **bold** and `code <b>` line\nsecond line <i>\n\n"
        "- one\n  continued\n\n- two\n\n3. three\n4. four\n\n"
        "### Sub <u>\n```\n<script>x</script>\n**not bold**\n```\n"
        "** not bold ** and ``a ` b`` and unclosed **star and `tick"
    )
    assert notes_html(text) == (
        "<p>A <strong>bold</strong> and <code>code &lt;b&gt;</code> line<br>\nsecond line &lt;i&gt;</p>\n"
        "<ul><li>one<br>\ncontinued</li><li>two</li></ul>\n"
        '<ol start="3"><li>three</li><li>four</li></ol>\n'
        "<h4>Sub &lt;u&gt;</h4>\n"
        '<pre class="notes-code"><code>&lt;script&gt;x&lt;/script&gt;\n**not bold**</code></pre>\n'
        "<p>** not bold ** and <code>a ` b</code> and unclosed **star and `tick</p>"
    )


def test_notes_markdown_lets_no_html_through() -> None:
    text = "A **bold <b>x</b>** and `code <b>`\n\n- <img src=x onerror=alert(1)>\n\n# Top heading\n```\n```` fence\n```"
    shown = notes_md(text)
    assert shown == (
        "A **bold &lt;b&gt;x&lt;/b&gt;** and `code <b>`\n\n"
        "- &lt;img src=x onerror=alert(1)&gt;\n\n"
        "#### Top heading\n\n"
        "`````text\n```` fence\n`````"
    )
    markdown_it = pytest.importorskip("markdown_it")
    html = markdown_it.MarkdownIt("commonmark", {"html": True}).render(shown)
    assert "<b>" not in html and "<img" not in html
    assert "<code>code &lt;b&gt;</code>" in html and "<h4>Top heading</h4>" in html


def test_notes_are_bounded() -> None:
    with pytest.raises(ValueError, match="longer than 256 KiB"):
        parse_notes("x" * (NOTES_MAX_BYTES + 1))
    # a hostile file of openers that never close is still laid out, as text
    opened = "**a " * 20_000 + "`" * 3000 + "<!--" * 5000
    assert parse_notes(f"## Resolution\n{opened}").resolution.startswith("**a **a")
    assert notes_html(opened).startswith("<p>**a **a")


def test_reading_the_notes_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_text("\ufeff## Resolution\nDone.\n", encoding="utf-8")
    assert parse_notes(read_notes(path)).resolution == "Done."
    with pytest.raises(ValueError, match=r"^notes file .*missing\.md does not exist$"):
        read_notes(tmp_path / "missing.md")
    with pytest.raises(ValueError, match="is a folder, not a regular file"):
        read_notes(tmp_path)
    os.mkfifo(tmp_path / "fifo.md")  # no writer: an open that waits for one would hang here
    with pytest.raises(ValueError, match=r"fifo\.md is a FIFO \(named pipe\), not a regular file"):
        read_notes(tmp_path / "fifo.md")
    with pytest.raises(ValueError, match=r"^notes file /dev/zero is a character device, not a regular file"):
        read_notes(Path("/dev/zero"))
    (tmp_path / "binary.md").write_bytes(b"## Resolution\n\xff\xfe\n")
    with pytest.raises(ValueError, match=r"is not UTF-8 text \(byte 14\)"):
        read_notes(tmp_path / "binary.md")
    (tmp_path / "huge.md").write_bytes(b"x" * (NOTES_MAX_BYTES + 1))
    with pytest.raises(ValueError, match="a notes file is at most 256 KiB"):
        read_notes(tmp_path / "huge.md")


# --- JSON, schema, ids and files -----------------------------------------------------------------------


def test_committed_schema_is_the_generated_one() -> None:
    assert POST_INCIDENT_SCHEMA_PATH.read_text(encoding="utf-8") == schema_text(PostIncidentReport), (
        "run: python -m reports.schema"
    )
    assert load_schema(POST_INCIDENT_SCHEMA_FILENAME) == generate_schema(PostIncidentReport)
    assert main(["--check"]) == 0


@pytest.mark.parametrize("incident", [found_incident(), not_found_incident()], ids=["found", "not-found"])
def test_json_validates_against_the_committed_schema(incident: Incident) -> None:
    report = build(incident).model_copy(
        update={"hours": ReportHours(minutes_logged=120, entry_id=7, balance_minutes=480, notice=None)}
    )
    doc = json.loads(render(report, "json"))
    errors = sorted(_validator().iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]
    assert doc["kind"] == "post-incident" and doc["schema_version"] == 1
    assert PostIncidentReport.model_validate(doc) == report  # lossless


def test_the_schema_rejects_what_the_model_rejects() -> None:
    validator = _validator()
    doc = json.loads(render(build(), "json"))
    wrong_cause = json.loads(json.dumps(doc))
    wrong_cause["incident"]["causes"][0]["cause"] = "gremlins"
    extra = json.loads(json.dumps(doc))
    extra["notes"]["password"] = "x"
    too_sure = json.loads(json.dumps(doc))
    too_sure["incident"]["causes"][0]["confidence"] = 1.5
    for bad in (wrong_cause, extra, too_sure):
        assert list(validator.iter_errors(bad)), bad


def test_json_keeps_the_incident_in_utc(report: PostIncidentReport) -> None:
    doc = json.loads(render(report, "json"))
    assert doc["incident"]["start"] == "2025-03-03T13:30:00Z"
    assert doc["incident"]["end"] == "2025-03-03T14:15:00Z"
    assert doc["generated_at"] == "2025-03-04T09:00:00Z"
    assert doc["timezone"] == "Europe/Berlin"
    assert doc["incident"]["impact"]["users_with_errors"] == {
        "value": 312.0,
        "unit": "users",
        "basis": "estimated",
        "how": "Counted from the capped table of users.",
    }
    assert doc["notes"]["what_went_badly"] == "Nobody knew the second LDAP server was down too."
    assert doc["series"]["traffic"][1]["node"] == "node2"
    assert {f["check"] for f in doc["findings"]} >= {"jira.index.consistency", "jira.cluster.nodes"}
    assert "Globex" not in json.dumps(doc)  # another customer's findings stay out


def test_report_id_is_stable_for_the_same_investigation() -> None:
    first = build(notes=None, generated_at=GENERATED)
    again = build(notes=NOTES, generated_at=GENERATED + timedelta(days=3), tz="Asia/Kolkata")
    assert first.report_id == again.report_id
    assert re.fullmatch(r"pir-[0-9a-f]{24}", first.report_id)
    narrower = found_incident().model_copy(update={"evidence_from": _at(60)})
    assert build(narrower).report_id != first.report_id
    assert post_incident_report_id(estate.CUSTOMER, snapshot(), found_incident()) == first.report_id
    assert notes_filename(estate.CUSTOMER, first.report_id) == f"acme-corp-sohne-{first.report_id}-notes.md"


def test_documents_and_their_names(report: PostIncidentReport) -> None:
    documents = render_post_incident(report, ["html", "md", "json", "html"])
    assert [(d.format, d.filename, d.media_type) for d in documents] == [
        ("html", "acme-corp-sohne-post-incident-20250304T0900Z.html", "text/html; charset=utf-8"),
        ("md", "acme-corp-sohne-post-incident-20250304T0900Z.md", "text/markdown; charset=utf-8"),
        ("json", "acme-corp-sohne-post-incident-20250304T0900Z.json", "application/json"),
    ]
    assert [d.format for d in render_post_incident(report, "md")] == ["md"]
    with pytest.raises(ValueError, match="unknown report format 'pdf': use one of html, md, json"):
        render_post_incident(report, ["html", "pdf"])


# --- time zones -----------------------------------------------------------------------------------------


def test_times_in_utc_and_the_zone_given() -> None:
    report = build(tz="Asia/Kolkata")
    assert report.summary.startswith(
        "An incident began at 2025-03-03 13:30 UTC (19:00 IST) and lasted 45 min"
    )
    html = render(report, "html")
    assert '<th scope="col">UTC</th><th scope="col">Asia/Kolkata</th>' in html
    assert '<td class="when">2025-03-03 18:59:00 IST</td>' in html
    markdown = render(report, "md")
    assert "| 2025-03-03 13:29:00 UTC | 2025-03-03 18:59:00 IST |" in markdown
    assert "Times are in UTC, and in Asia/Kolkata beside them" in markdown


def test_a_zone_across_midnight_names_the_day() -> None:
    report = build(tz="Pacific/Kiritimati")  # UTC+14: 13:30 UTC is 03:30 the next day
    assert report.summary.startswith(
        "An incident began at 2025-03-03 13:30 UTC (2025-03-04 03:30 +14) and lasted"
    )


def test_utc_alone_when_the_customer_is_on_utc() -> None:
    report = build(tz="UTC")
    assert report.summary.startswith(
        "An incident began at 2025-03-03 13:30 UTC and lasted 45 min, until 2025-03-03 14:15 UTC."
    )
    html = render(report, "html")
    assert '<th scope="col">UTC</th><th scope="col">Node</th>' in html
    assert 'UTC</time> <span class="muted">(' not in html and " UTC (" not in report.summary


# --- inputs that cannot make a report -------------------------------------------------------------------


def test_bad_inputs_are_clear_errors() -> None:
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus'"):
        build(tz="Mars/Olympus")
    with pytest.raises(ValueError, match="generated_at must be timezone-aware"):
        build(generated_at=datetime(2025, 3, 4, 9, 0))
    with pytest.raises(ValueError, match=r"the snapshot holds nothing for customer 'Acme Crop'"):
        build(found_incident(customer="Acme Crop"))


def test_an_ongoing_incident_without_impact_or_causes() -> None:
    incident = found_incident().model_copy(
        update={
            "end": None,
            "ongoing": True,
            "impact": None,
            "causes": [],
            "actions": [],
            "recovered_at": None,
        }
    )
    report = build(incident)
    assert report.summary == (
        "An incident began at 2025-03-03 13:30 UTC (14:30 CET) and had not ended when the evidence stops at "
        "2025-03-03 14:59 UTC (15:59 CET), 1 h 29 min later. It was seen on node1, node2 and node3; the "
        "evidence does not tell how many requests or users it hurt. The evidence names no cause."
    )
    html = render(report, "html")
    assert "(not over when the evidence stops)" in html
    assert "The evidence names no cause: nothing it holds came before the symptoms" in html
    assert "No action was proposed." in html
    assert "<dt>Back at baseline</dt><dd>not by the end of the evidence</dd>" in html
    assert report.series.window_to == _at(179)  # the band runs to the end of the evidence
    _validator().validate(json.loads(render(report, "json")))


def test_series_without_a_per_node_split_fall_back_to_all_nodes() -> None:
    analysis = logs()
    access = analysis.access[0].model_copy(update={"per_node": []})  # type: ignore[index]
    series = incident_series(found_incident(), analysis.model_copy(update={"access": [access]}))
    assert [t.node for t in series.traffic] == ["all nodes"]
    assert series.traffic[0].points[0].requests == 390


def test_hosts_and_hours_use_the_health_check_partials() -> None:
    report = build().model_copy(
        update={
            "hours": ReportHours(
                minutes_logged=120, entry_id=7, balance_minutes=-30, notice="Overdrawn by 30 min."
            )
        }
    )
    html = render(report, "html")
    assert "2 h logged for this report (ledger entry #7)" in html and "Overdrawn by 30 min." in html
    markdown = render(report, "md")
    assert "Support hours: 2 h logged for this report (ledger entry #7)" in markdown


def test_severity_badges_say_their_word() -> None:
    html = render(build(), "html")
    badges = re.findall(
        r'<span class="badge sev-(\w+)[^"]*"><span aria-hidden="true">[^<]+</span> ([^<]+)</span>', html
    )
    assert badges and all(label.lower() == severity for severity, label in badges)
    assert Severity.CRITICAL.value in {s for s, _ in badges}


def test_an_incident_found_without_a_start_is_told_as_none_found() -> None:
    incident = found_incident().model_copy(update={"start": None})
    report = build(incident)
    assert report.summary.startswith("No incident was found in the evidence from 2025-03-03 12:00 UTC")
    html = render(report, "html")
    assert 'id="no-incident"' in html and 'id="cause"' not in html
    assert '<p class="story sev-ok">' in html
