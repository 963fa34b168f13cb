"""Reports log their time: one ledger entry per report, linked by the report's id, so a replayed run
or a re-analysed bundle is billed once. The report's footer then shows what was logged and what is left.

Health-check reports are logged as automated reports, post-incident reports as post-incident
investigation; each kind takes its minutes from ``ledger.report_minutes``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, Self, TypeVar

from agent.config.ledger_schema import ReportKind
from agent.config.schema import Config
from agent.ledger.activities import REPORT_ACTIVITY
from agent.ledger.errors import LedgerError
from agent.ledger.service import Ledger
from agent.ledger.storage import LedgerUnavailableError
from agent.ledger.terms import customer_terms
from reports.model import ReportHours

REPORT_ENGINEER = "atlas-health"


@dataclass(frozen=True)
class ReportBilling:
    """How one kind of report is logged: as which activity, with which configured minutes."""

    kind: ReportKind  # the key of ledger.report_minutes
    activity: str  # the ledger activity id
    label: str  # names the report in the entry's note


HEALTH_CHECK = ReportBilling("health_check", REPORT_ACTIVITY, "health-check report")
POST_INCIDENT = ReportBilling("post_incident", "post_incident", "post-incident report")


class BillableReport(Protocol):
    """What logging needs of a report: whose it is, its stable id, when it was written, and a copy
    with its ``hours`` filled in (every report model of reports/ has these)."""

    @property
    def customer(self) -> str: ...

    @property
    def report_id(self) -> str: ...

    @property
    def generated_at(self) -> datetime: ...

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self: ...


R = TypeVar("R", bound=BillableReport)


def log_reports(
    reports: Sequence[R],
    config: Config | None,
    *,
    base_dir: Path | None = None,
    minutes: int | None = None,
    warn: Callable[[str], None] = lambda _line: None,
    billing: ReportBilling = HEALTH_CHECK,
) -> list[R]:
    """The reports, each with its ``hours`` section when its customer has a support contract.

    ``minutes`` overrides the configured minutes per report of this kind; 0 logs nothing. A ledger
    that cannot be opened or an entry the rules refuse never stops the reports: each says why in its
    footer, and ``warn`` gets one line per problem (and per low balance).
    """
    if config is None:
        return list(reports)
    per_report = minutes if minutes is not None else config.ledger.report_minutes.of(billing.kind)
    billable = {r.customer for r in reports if customer_terms(config, r.customer) is not None}
    if not billable or per_report == 0:
        return list(reports)
    try:
        ledger = Ledger.open(
            config.ledger.url, base_dir=base_dir, busy_timeout_seconds=config.ledger.busy_timeout_seconds
        )
    except LedgerUnavailableError as exc:
        warn(f"hours not logged: {exc}")
        unlogged = ReportHours(
            minutes_logged=0, entry_id=None, balance_minutes=None, notice=f"Not logged: {exc}"
        )
        return [r.model_copy(update={"hours": unlogged}) if r.customer in billable else r for r in reports]
    with ledger:
        return [
            _log_one(ledger, r, config, per_report, billing, warn) if r.customer in billable else r
            for r in reports
        ]


def _log_one(
    ledger: Ledger,
    report: R,
    config: Config,
    minutes: int,
    billing: ReportBilling,
    warn: Callable[[str], None],
) -> R:
    terms = customer_terms(config, report.customer)
    try:
        recorded = ledger.log(
            report.customer,
            activity_id=billing.activity,
            minutes=minutes,
            engineer=REPORT_ENGINEER,
            terms=terms,
            note=f"{billing.label} {report.report_id}",
            report_id=report.report_id,
            when=report.generated_at,
        )
    except LedgerError as exc:
        warn(f"{report.customer}: report not logged: {exc}")
        try:
            left: int | None = ledger.balance(report.customer, terms).balance_minutes
        except LedgerError:
            left = None
        hours = ReportHours(
            minutes_logged=0, entry_id=None, balance_minutes=left, notice=f"Not logged: {exc}"
        )
        return report.model_copy(update={"hours": hours})
    notice = recorded.balance.warning()
    if notice:
        warn(notice)
    hours = ReportHours(
        minutes_logged=recorded.entry.minutes,
        entry_id=recorded.entry.id,
        balance_minutes=recorded.balance.balance_minutes,
        notice=notice,
    )
    return report.model_copy(update={"hours": hours})
