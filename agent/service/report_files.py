"""The reports a `report: true` schedule keeps: the health check of each customer in every format,
written atomically under ``service.reports_dir/<customer>/``, its time logged against the customer's
hours (once per report id, so a replayed run is not billed twice). Each report is compared with the
customer's previous kept report (the newest earlier JSON in the same folder), when there is one."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from agent import pipeline
from agent.config.loader import LoadedConfig
from agent.files import write_atomic
from agent.ledger.reporting import log_reports
from agent.ledger.storage import data_dir
from agent.previous_report import find_previous
from checks.runner import Analysis
from collectors.model import Snapshot
from reports.comparison import with_comparison
from reports.document import slugify
from reports.model import HealthCheckReport

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class KeptReport:
    customer: str
    report_id: str
    path: Path  # the HTML report; the Markdown and JSON ones sit beside it
    minutes_logged: int
    previous_report_id: str | None = None  # the kept report this one was compared with


def reports_dir(loaded: LoadedConfig) -> Path:
    service = loaded.config.service
    configured = service.reports_dir if service is not None else None
    if configured is None:
        return data_dir() / "reports"
    return configured if configured.is_absolute() else loaded.base_dir / configured


def keep_reports(
    loaded: LoadedConfig, snapshot: Snapshot, analysis: Analysis, *, at: datetime
) -> dict[str, KeptReport]:
    """Write and log each customer's report; raises ``agent.files.OutputError`` on a full disk."""
    config = loaded.config
    reports = pipeline.build_reports(snapshot, analysis, config.settings.timezone, generated_at=at)
    root = reports_dir(loaded)
    reports = [_compared(report, root / slugify(report.customer)) for report in reports]
    reports = log_reports(reports, config, base_dir=loaded.base_dir, warn=log.warning)
    kept: dict[str, KeptReport] = {}
    for report in reports:
        folder = root / slugify(report.customer)
        html: Path | None = None
        for document in pipeline.render_reports([report], pipeline.FORMATS):
            write_atomic(folder / document.filename, document.content)
            if document.filename.endswith(".html"):
                html = folder / document.filename
        assert html is not None  # FORMATS includes html
        minutes = report.hours.minutes_logged if report.hours is not None else 0
        previous = report.comparison.previous_report_id if report.comparison is not None else None
        kept[report.customer] = KeptReport(report.customer, report.report_id, html, minutes, previous)
    return kept


def _compared(report: HealthCheckReport, folder: Path) -> HealthCheckReport:
    """``report`` compared with the customer's previous kept report; as it is when there is none."""
    previous, problems = find_previous(folder, report.customer, report.generated_at)
    for problem in problems:  # a damaged or foreign file is passed over, never the end of the run
        log.warning("previous report passed over: %s", problem)
    return report if previous is None else with_comparison(report, previous)
