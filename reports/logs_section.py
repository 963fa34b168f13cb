"""The report's log section: the customer's LogAnalysis in the report's zone, and what its templates lay out.

``report_logs`` puts the analysis on the report (``HealthCheckReport.logs``, so the JSON carries all of
it). ``log_section`` turns that into the section's view at render time: totals, tables in reading order
and, for HTML, the charts (reports/charts.py; matplotlib is imported only when a chart is drawn).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from checks.finding import Severity
from collectors.logs.model import (
    AccessSummary,
    ExceptionGroup,
    GcSummary,
    LogAnalysis,
    LogFileSummary,
    LogSample,
    RestartEvent,
    SecuritySummary,
    SignatureHit,
)
from collectors.model import Product, Snapshot
from reports import charts
from reports.charts import Chart

_T = TypeVar("_T")


# --- on the report ------------------------------------------------------------------------------


def _zoned(value: _T, zone: ZoneInfo) -> _T:
    """``value`` with every datetime in it (nested models and lists too) expressed in ``zone``."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        if moment.tzinfo is UTC and zone.key == "UTC":  # already there: no copy of the models around it
            return moment
        return moment.astimezone(zone)
    if isinstance(value, BaseModel):
        changes = {}
        for name in type(value).model_fields:
            old = getattr(value, name)
            new = _zoned(old, zone)
            if new is not old:
                changes[name] = new
        return value.model_copy(update=changes) if changes else value
    if isinstance(value, list):
        items = [_zoned(item, zone) for item in value]
        return items if any(a is not b for a, b in zip(items, value, strict=True)) else value  # type: ignore[return-value]  # a list of the same types
    return value


def report_logs(snapshot: Snapshot, customer: str, zone: ZoneInfo) -> LogAnalysis | None:
    """``customer``'s log analysis with every time in the report's zone; None when no logs were read."""
    mine = next((logs for logs in snapshot.logs if logs.customer == customer), None)
    return None if mine is None else _zoned(mine, zone)


# --- the section's view -------------------------------------------------------------------------


@dataclass(frozen=True)
class KindTotals:
    """The files of one kind that were read, added up."""

    kind: str
    files: int
    size_bytes: int
    lines: int
    events: int
    unparsed_lines: int


@dataclass(frozen=True)
class SignatureRow:
    hit: SignatureHit
    severity: Severity  # the hit's own word, as a report severity (unknown when it is not one)
    sample: LogSample | None


@dataclass(frozen=True)
class LevelTotals:
    events: int
    warn: int
    error: int
    fatal: int


@dataclass(frozen=True)
class AccessView:
    summary: AccessSummary
    name: str  # the product as a person reads it
    charts: list[Chart]


@dataclass(frozen=True)
class LogSection:
    analysis: LogAnalysis
    bucket: str  # the width of every per-bucket series, for people: "1 min", "5 min", "1 h"
    kinds: list[KindTotals]
    problem_files: list[LogFileSummary]
    signatures: list[SignatureRow]  # worst first, then most frequent
    levels: LevelTotals
    exceptions: list[ExceptionGroup]
    restarts: list[RestartEvent]  # in time order
    gc: list[GcSummary] | None
    access: list[AccessView] | None
    security: SecuritySummary | None
    events_chart: Chart | None
    gc_charts: list[Chart]
    logins_chart: Chart | None

    @property
    def charts(self) -> list[Chart]:
        """Every chart of the section, in page order."""
        found = [self.events_chart, *self.gc_charts]
        found += [c for view in self.access or [] for c in view.charts]
        found.append(self.logins_chart)
        return [c for c in found if c is not None]


def _severity(word: str) -> Severity:
    try:
        return Severity(word.lower())
    except ValueError:
        return Severity.UNKNOWN


def _kinds(files: Iterable[LogFileSummary]) -> list[KindTotals]:
    totals: dict[str, list[int]] = {}
    for f in files:
        row = totals.setdefault(str(f.kind), [0, 0, 0, 0, 0])
        for i, n in enumerate((1, f.size_bytes, f.lines, f.events, f.unparsed_lines)):
            row[i] += n
    return [KindTotals(kind, *row) for kind, row in sorted(totals.items())]


def _product_name(product: str | None) -> str:
    if product is None:
        return "Unknown product"
    try:
        return Product(product).label
    except ValueError:
        return product


def _by_time(moment: datetime | None) -> tuple[bool, float]:
    return (moment is None, moment.timestamp() if moment else 0.0)


def log_section(logs: LogAnalysis | None, zone: ZoneInfo, draw: bool = True) -> LogSection | None:
    """The view of the report's log section; None when the report has no log analysis.

    ``draw``: draw the charts (HTML); Markdown lays out the tables only.
    """
    if logs is None:
        return None
    bucket = charts.bucket_label(logs.bucket_s)
    signatures = sorted(
        (
            SignatureRow(hit=h, severity=_severity(h.severity), sample=h.samples[0] if h.samples else None)
            for h in logs.signatures
        ),
        key=lambda row: (-row.severity.rank, -row.hit.count, row.hit.signature),
    )
    levels = LevelTotals(
        events=sum(m.total for m in logs.levels),
        warn=sum(m.warn for m in logs.levels),
        error=sum(m.error for m in logs.levels),
        fatal=sum(m.fatal for m in logs.levels),
    )
    restarts = sorted(logs.restarts, key=lambda r: (*_by_time(r.at), r.node))
    events_chart = None
    gc_charts: list[Chart] = []
    logins_chart = None
    access_views: list[AccessView] | None = None
    span = (logs.first_at, logs.last_at)
    options: dict[str, Any] = {"zone": zone, "bucket_s": logs.bucket_s, "span": span}
    if draw and logs.levels:
        events_chart = charts.events_chart(
            "logs-chart-events", logs.levels, restarts, logs.signatures, **options
        )
    if draw and logs.gc:
        drawn_gc = (
            charts.gc_share_chart("logs-chart-gc-share", logs.gc, **options),
            charts.heap_chart("logs-chart-gc-heap", logs.gc, **options),
        )
        gc_charts = [c for c in drawn_gc if c is not None]
    if logs.access is not None:
        access_views = []
        for index, summary in enumerate(logs.access, start=1):
            name = _product_name(summary.product)
            drawn: list[Chart] = []
            if draw and summary.per_minute:
                key = f"logs-chart-access-{index}"
                drawn = [
                    c
                    for c in (
                        charts.traffic_chart(f"{key}-traffic", summary, name, **options),
                        charts.latency_chart(f"{key}-latency", summary, name, **options),
                    )
                    if c is not None
                ]
            access_views.append(AccessView(summary=summary, name=name, charts=drawn))
    if draw and logs.security is not None and logs.security.per_minute_failed:
        logins_chart = charts.failed_logins_chart("logs-chart-logins", logs.security, **options)
    return LogSection(
        analysis=logs,
        bucket=bucket,
        kinds=_kinds(logs.files),
        problem_files=[f for f in logs.files if f.problem is not None],
        signatures=signatures,
        levels=levels,
        exceptions=sorted(logs.exceptions, key=lambda e: (-e.count, e.root_cause)),
        restarts=restarts,
        gc=logs.gc,
        access=access_views,
        security=logs.security,
        events_chart=events_chart,
        gc_charts=gc_charts,
        logins_chart=logins_chart,
    )
