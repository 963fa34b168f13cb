"""What the post-incident templates lay out, worked out from the report: the templates decide nothing.

The cause chain (the top cause and the symptoms it explains) and the contributing factors (the causes
ranked below it), detection (the first signal against the start) and recovery, the impact figures with
their labels, the actions by type, the engineer's sections in the report's order, and the charts
(drawn for HTML only).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from checks.incident.model import ActionType, Figure, IncidentAction, IncidentCause, TimelineEvent
from reports import incident_charts
from reports.charts import Chart
from reports.post_incident_format import is_utc
from reports.post_incident_model import PostIncidentReport
from reports.post_incident_notes import KNOWN_SECTIONS

IMPACT_LABELS: tuple[tuple[str, str], ...] = (
    ("duration_s", "Duration"),
    ("requests", "Requests served"),
    ("baseline_requests", "Requests the baseline predicts"),
    ("failed_requests", "Failed requests (5xx)"),
    ("baseline_failed_requests", "Failed requests the baseline predicts"),
    ("peak_error_rate", "Peak error rate"),
    ("p95_ms_before", "p95 response time before"),
    ("p95_ms_during", "p95 response time during"),
    ("users_with_errors", "Users who got server errors"),
    ("users_failed_login", "Users who could not log in"),
)
ACTION_GROUPS: tuple[tuple[ActionType, str, str], ...] = (
    ("prevent", "Prevent", "so that it does not happen again"),
    ("detect", "Detect", "so that it is seen sooner"),
    ("mitigate", "Mitigate", "so that it hurts less when it does"),
)


@dataclass(frozen=True)
class ImpactRow:
    label: str
    figure: Figure


@dataclass(frozen=True)
class ActionGroup:
    type: ActionType
    title: str
    purpose: str
    actions: list[IncidentAction]


@dataclass(frozen=True)
class Detection:
    first_signal: datetime | None
    start: datetime | None
    lead_s: float | None  # start minus first signal: how long the evidence warned before the impact
    signal: TimelineEvent | None  # the event of the first signal, when the timeline has it


@dataclass(frozen=True)
class Recovery:
    ongoing: bool  # not over when the evidence stops
    peak: datetime | None
    recovered_at: datetime | None
    end: datetime | None
    evidence_to: datetime | None
    peak_to_recovery_s: float | None
    duration_s: float | None


@dataclass(frozen=True)
class NotesSection:
    title: str
    text: str  # Markdown as written; empty: not written
    known: bool  # one of the four sections the report asks for


@dataclass(frozen=True)
class IncidentView:
    zone: ZoneInfo
    dual: bool  # the customer's zone is not UTC: every time is shown on both clocks
    top: IncidentCause | None
    contributing: list[IncidentCause]
    cause_titles: dict[str, str]  # cause class -> the incident's title of it
    marker: datetime | None  # the top cause's first evidence
    detection: Detection | None
    recovery: Recovery | None
    impact: list[ImpactRow]
    actions: list[ActionGroup]
    notes: list[NotesSection]
    charts: list[Chart]


def _seconds(later: datetime | None, earlier: datetime | None) -> float | None:
    if later is None or earlier is None:
        return None
    return (later - earlier).total_seconds()


def first_evidence(cause: IncidentCause) -> datetime | None:
    """When the cause first showed: its earliest evidence, else its first_seen."""
    moments = [e.at for e in cause.evidence if e.at is not None]
    if cause.first_seen is not None:
        moments.append(cause.first_seen)
    return min(moments, default=None)


def _signal(report: PostIncidentReport) -> TimelineEvent | None:
    first = report.incident.first_signal
    if first is None:
        return None
    events = sorted(report.incident.timeline, key=lambda e: e.at)
    exact = [e for e in events if e.at == first]
    if exact:
        return max(exact, key=lambda e: ("info", "warning", "critical").index(e.severity))
    return next((e for e in events if e.at >= first), None)


def _detection(report: PostIncidentReport) -> Detection | None:
    incident = report.incident
    if not incident.found or incident.start is None:
        return None
    return Detection(
        first_signal=incident.first_signal,
        start=incident.start,
        lead_s=_seconds(incident.start, incident.first_signal),
        signal=_signal(report),
    )


def _recovery(report: PostIncidentReport) -> Recovery | None:
    incident = report.incident
    if not incident.found or incident.start is None:
        return None
    duration = incident.impact.duration_s.value if incident.impact is not None else None
    if duration is None:
        duration = _seconds(incident.end, incident.start)
    return Recovery(
        ongoing=incident.ongoing or incident.end is None,
        peak=incident.peak,
        recovered_at=incident.recovered_at,
        end=incident.end,
        evidence_to=incident.evidence_to,
        peak_to_recovery_s=_seconds(incident.recovered_at, incident.peak),
        duration_s=duration,
    )


def _notes(report: PostIncidentReport) -> list[NotesSection]:
    notes = report.notes
    sections = [NotesSection(title, getattr(notes, name), True) for name, title, _hint in KNOWN_SECTIONS]
    return sections + [NotesSection(s.title, s.text, False) for s in notes.other]


def _charts(report: PostIncidentReport, zone: ZoneInfo, marker: datetime | None) -> list[Chart]:
    series, incident = report.series, report.incident
    span = (series.window_from, series.window_to)
    band = (incident.start, incident.end) if incident.found and incident.start is not None else (None, None)

    def chart(draw: Callable[..., Chart | None], key: str, data: object) -> Chart | None:
        return draw(key, data, zone=zone, bucket_s=series.bucket_s, span=span, band=band, marker=marker)

    drawn = (
        chart(incident_charts.error_rate_chart, "incident-chart-errors", series.traffic),
        chart(incident_charts.p95_chart, "incident-chart-p95", series.traffic),
        chart(incident_charts.gc_pause_chart, "incident-chart-gc", series.gc),
        chart(incident_charts.heap_chart, "incident-chart-heap", series.gc),
    )
    return [c for c in drawn if c is not None]


def incident_view(report: PostIncidentReport, draw: bool = True) -> IncidentView:
    """The view of ``report`` its templates read; ``draw``: draw the charts (HTML)."""
    zone = ZoneInfo(report.timezone)
    incident = report.incident
    found = incident.found and incident.start is not None  # as the templates and the summary tell it
    causes = incident.causes if found else []
    top = causes[0] if causes else None
    marker = first_evidence(top) if top is not None else None
    impact = []
    if incident.impact is not None:
        impact = [ImpactRow(label, getattr(incident.impact, name)) for name, label in IMPACT_LABELS]
    actions = [
        ActionGroup(kind, title, purpose, [a for a in incident.actions if a.type == kind])
        for kind, title, purpose in ACTION_GROUPS
    ]
    return IncidentView(
        zone=zone,
        dual=not is_utc(zone),
        top=top,
        contributing=causes[1:],
        cause_titles={c.cause: c.title for c in incident.causes},
        marker=marker,
        detection=_detection(report),
        recovery=_recovery(report),
        impact=impact,
        actions=[g for g in actions if g.actions],
        notes=_notes(report),
        charts=_charts(report, zone, marker) if draw else [],
    )
