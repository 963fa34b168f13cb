"""The post-incident report: built from a Snapshot and the Incident concluded from it, rendered as
self-contained HTML, GitHub-flavoured Markdown and JSON in the health check's look.

``build_post_incident`` does the deciding (whose data, which sources, the plain-words summary, the
chart series, the engineer's sections); ``render_post_incident`` lays it out through the templates
``post_incident.html.j2`` and ``post_incident.md.j2``, which share the health check's Jinja
environment, filters and partials.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jinja2 import Environment, pass_context
from jinja2.runtime import Context

from checks.finding import Finding
from checks.incident.model import Incident
from checks.runner import CheckOutcome, sort_findings
from collectors.logs.kinds import LogKind
from collectors.logs.model import LogAnalysis
from collectors.model import Snapshot
from reports.context import _finding, _limits_hit
from reports.document import MEDIA_TYPES, Document, Format, report_filename
from reports.hosts_section import build_hosts
from reports.logs_section import report_logs
from reports.post_incident_format import (
    figure_text,
    local_text,
    ms_text,
    percent_text,
    seconds_text,
    utc_text,
)
from reports.post_incident_markdown import fenced, notes_html, notes_md
from reports.post_incident_model import PostIncidentReport
from reports.post_incident_notes import parse_notes
from reports.post_incident_series import incident_series
from reports.post_incident_story import story
from reports.post_incident_view import incident_view
from reports.render import environment
from reports.report_id import report_id

REPORT_KIND = "post-incident"  # in file names
POST_INCIDENT_TEMPLATES: dict[str, str] = {"html": "post_incident.html.j2", "md": "post_incident.md.j2"}
POST_INCIDENT_FORMATS: tuple[Format, ...] = ("html", "md", "json")
_UTC = ZoneInfo("UTC")
_FAMILY_NAMES = {
    "application": "application log",
    "security": "security log",
    "catalina": "catalina log",
    "access": "access log",
    "gc": "GC log",
    "unknown": "other log",
}


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}: use an IANA name such as 'Europe/Berlin'") from exc


def _installed_version() -> str:
    try:
        return version("atlas-health")
    except PackageNotFoundError:  # a source tree that was never installed
        return "0+unknown"


def post_incident_report_id(customer: str, snapshot: Snapshot, incident: Incident) -> str:
    """``pir-<24 hex>`` from the customer, the collection and the span of evidence investigated: the
    same investigation always has the same id, whatever notes it is rendered with, and whenever."""
    moments = [snapshot.started_at, snapshot.finished_at]
    moments += [m for m in (incident.evidence_from, incident.evidence_to) if m is not None]
    return report_id("pir", customer, *moments)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def evidence_sources(snapshot: Snapshot, customer: str, logs: LogAnalysis | None) -> list[str]:
    """What the evidence was read from, one line per kind of source: log families with their nodes,
    the products' REST APIs, host facts and thread dumps."""
    sources: list[str] = []
    if logs is not None:
        families: dict[str, tuple[int, dict[str, None]]] = {}
        for f in logs.files:
            family = LogKind(f.kind).family
            count, nodes = families.get(family, (0, {}))
            nodes.setdefault(f.node, None)
            families[family] = (count + 1, nodes)
        for family in ("application", "access", "security", "gc", "catalina", "unknown"):
            if family in families:
                count, nodes = families[family]
                sources.append(f"{_plural(count, _FAMILY_NAMES[family] + ' file')} of {', '.join(nodes)}")
    for inst in snapshot.for_customer(customer):
        sources.append(f"the REST API of {inst.instance} ({inst.product.label})")
    hosts = [h for h in snapshot.hosts if h.customer == customer]
    if hosts:
        sources.append(f"host facts of {', '.join(h.name for h in hosts)}")
    dumped = [h for h in hosts if h.thread_dumps]
    if dumped:
        sources.append(
            "thread dumps of " + ", ".join(f"{h.name} ({len(h.thread_dumps or [])})" for h in dumped)
        )
    return sources


def build_post_incident(
    snapshot: Snapshot,
    incident: Incident,
    findings: Sequence[Finding],
    *,
    timezone: str,
    notes: str | None,
    generated_at: datetime | None = None,
    tool_version: str | None = None,
    outcomes: Sequence[CheckOutcome] = (),
) -> PostIncidentReport:
    """The post-incident report of ``incident`` (its customer's part of ``snapshot`` only).

    ``timezone``: the customer's IANA zone, shown beside UTC. ``notes``: the notes file's Markdown
    (None: none yet). ``findings`` and ``outcomes``: the checks run on the same snapshot (outcomes let
    a host without findings show as checked and fine). Raises ValueError when the zone is unknown,
    ``generated_at`` is naive, the notes are too long, or the snapshot holds data of other customers
    and none of the incident's (most likely a misspelt name).
    """
    zone = _zone(timezone)
    generated = generated_at if generated_at is not None else datetime.now(UTC)
    if generated.tzinfo is None or generated.utcoffset() is None:
        raise ValueError("generated_at must be timezone-aware")
    customer = incident.customer
    known = dict.fromkeys([*snapshot.customers(), *(h.customer for h in snapshot.hosts)])
    if known and customer not in known:
        raise ValueError(f"the snapshot holds nothing for customer {customer!r} (it has: {', '.join(known)})")
    mine = sort_findings(f for f in findings if f.customer == customer)
    my_outcomes = [o for o in outcomes if o.customer == customer]
    logs = report_logs(snapshot, customer, _UTC)
    sources = evidence_sources(snapshot, customer, logs)
    return PostIncidentReport(
        report_id=post_incident_report_id(customer, snapshot, incident),
        generated_at=generated.astimezone(UTC),
        tool_version=tool_version or _installed_version(),
        customer=customer,
        timezone=zone.key,
        summary=story(incident, zone, sources),
        incident=incident,
        evidence_sources=sources,
        limits_hit=_limits_hit(snapshot, customer, snapshot.for_customer(customer), my_outcomes),
        findings=[_finding(f, _UTC) for f in mine],
        hosts=build_hosts(snapshot, mine, my_outcomes, customer, _UTC),
        logs=logs,
        notes=parse_notes(notes),
        series=incident_series(incident, logs),
    )


# --- rendering ----------------------------------------------------------------------------------------


@pass_context
def _zoned(ctx: Context, moment: datetime | None) -> str:
    """A time in the report's customer zone, with seconds."""
    zone = ctx.get("timezone")
    return local_text(moment, zone if isinstance(zone, ZoneInfo) else _UTC)


def _as_utc(moment: datetime) -> datetime:
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def _iso_utc(moment: datetime) -> str:
    return _as_utc(moment).isoformat()


def _utc_day(moment: datetime) -> str:
    return f"{_as_utc(moment):%Y-%m-%d}"


@functools.cache
def _environment() -> Environment:
    """The health check's environment (loader, autoescaping, filters) with the post-incident filters."""
    env = environment().overlay()
    env.filters = {
        **env.filters,
        "utc": utc_text,
        "zoned": _zoned,
        "iso_utc": _iso_utc,
        "utc_day": _utc_day,
        "span": seconds_text,
        "figure": figure_text,
        "confidence": percent_text,
        "ms": ms_text,
        "notes_html": notes_html,
        "notes_md": notes_md,
        "fenced": fenced,
    }
    return env


def _content(report: PostIncidentReport, fmt: str) -> str:
    if fmt == "json":
        return report.model_dump_json(indent=2) + "\n"
    template = _environment().get_template(POST_INCIDENT_TEMPLATES[fmt])
    view = incident_view(report, draw=fmt == "html")
    return template.render(report=report, view=view, timezone=view.zone)


def render_post_incident(report: PostIncidentReport, formats: Iterable[str]) -> list[Document]:
    """The report as one self-contained document per format (html, md, json), in the order given.

    File names are ``<customer>-post-incident-<YYYYmmddTHHMMZ>.<fmt>``. Raises ValueError for an
    unknown format, before anything is rendered.
    """
    wanted = [formats] if isinstance(formats, str) else list(dict.fromkeys(formats))
    unknown = [f for f in wanted if f not in POST_INCIDENT_FORMATS]
    if unknown:
        raise ValueError(
            f"unknown report format {unknown[0]!r}: use one of {', '.join(POST_INCIDENT_FORMATS)}"
        )
    documents = []
    for fmt in wanted:
        kind: Format = "html" if fmt == "html" else "md" if fmt == "md" else "json"
        documents.append(
            Document(
                format=kind,
                filename=report_filename(report.customer, REPORT_KIND, report.generated_at, kind),
                media_type=MEDIA_TYPES[kind],
                content=_content(report, kind),
            )
        )
    return documents
