"""The monthly hour statements a `statement: true` schedule writes: for each served customer with a
support contract, the previous calendar month (in settings.timezone), as HTML and Markdown under
``service.reports_dir/<customer>/statements/``. Writing the same month again replaces the files."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from agent.config.loader import LoadedConfig
from agent.files import write_atomic
from agent.ledger.service import Ledger
from agent.ledger.statement import build_statement
from agent.ledger.terms import customer_terms
from agent.service.report_files import reports_dir
from agent.version import __version__
from reports.document import slugify
from reports.statement import StatementFormat, render_statement

STATEMENT_FORMATS: tuple[StatementFormat, ...] = ("html", "md")


@dataclass(frozen=True)
class WrittenStatement:
    customer: str
    start: date
    end: date
    path: Path  # the HTML statement; the Markdown one sits beside it
    closing_minutes: int


def previous_month(at: datetime, zone: ZoneInfo) -> tuple[date, date]:
    """The first and last day of the calendar month before the one ``at`` falls in, in ``zone``."""
    first_of_this = at.astimezone(zone).date().replace(day=1)
    last_of_previous = first_of_this - timedelta(days=1)
    return last_of_previous.replace(day=1), last_of_previous


def write_statements(
    loaded: LoadedConfig, ledger: Ledger, customers: list[str], *, at: datetime
) -> list[WrittenStatement]:
    """The statements of ``customers`` that have a contract; the others are left out."""
    zone = ZoneInfo(loaded.config.settings.timezone)
    start, end = previous_month(at, zone)
    root = reports_dir(loaded)
    written = []
    for customer in customers:
        terms = customer_terms(loaded.config, customer)
        if terms is None:
            continue
        data = build_statement(
            ledger, customer, terms, start, end, zone=zone, generated_at=at, tool_version=__version__
        )
        folder = root / slugify(customer) / "statements"
        html = folder
        for fmt in STATEMENT_FORMATS:
            document = render_statement(data, fmt)
            write_atomic(folder / document.filename, document.content)
            if fmt == "html":
                html = folder / document.filename
        written.append(WrittenStatement(customer, start, end, html, data["closing_minutes"]))
    return written
