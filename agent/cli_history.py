"""`atlas-health history`: what the scheduled service ran, what a finding did over time, its alerts.

Reads the service's tables in the ledger's database (`ledger.url` of `--config`, or the ledger's
default file without one). Times are shown in `settings.timezone`. Errors are one line on stderr with
exit code 3; stdout carries only the requested output.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo

import click

from agent.console import escape, stderr, stdout

# Anything heavy is imported inside the commands that use it: CONTRIBUTING.md, "Lazy imports".
if TYPE_CHECKING:
    from sqlalchemy import Engine

    from agent.service.history import AlertRow, FindingRow, RunRow

T = TypeVar("T")
USAGE_ERROR = 3
STATES = ("firing", "pending", "resolved")
SEVERITY_STYLE = {"critical": "red", "warning": "yellow", "unknown": "magenta", "info": "cyan", "ok": "green"}


class HistoryError(click.ClickException):
    """A one-line, user-facing error with the usage exit code."""

    exit_code = USAGE_ERROR

    def show(self, file: Any = None) -> None:
        stderr().print(f"[red]error:[/] {escape(self.message)}")


config_option = click.option(
    "--config",
    "config_path",
    envvar="ATLAS_HEALTH_CONFIG",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Configuration with the ledger URL and time zone (default: $ATLAS_HEALTH_CONFIG, else the "
    "ledger's default file, in UTC).",
)
customer_option = click.option("--customer", help="Only this customer.")
format_option = click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)


@click.group("history")
def history() -> None:
    """The scheduled service's history: runs, a finding over time, alerts."""


@history.command("runs")
@config_option
@customer_option
@click.option(
    "--limit", type=click.IntRange(1, 10_000), default=50, show_default=True, help="Newest runs shown."
)
@format_option
def history_runs(config_path: Path | None, customer: str | None, limit: int, fmt: str) -> None:
    """The newest runs, newest first."""
    from agent.service.history import list_runs

    with _database(config_path) as (engine, zone):
        runs = _read(engine, lambda db: list_runs(db, customer=customer, limit=limit))
    if fmt == "json":
        _echo_json("runs", runs)
    elif not runs:
        stdout().print(f"No runs recorded{_for(customer)} yet: the service has not run a schedule.")
    else:
        _print_runs(runs, zone)


@history.command("finding")
@click.argument("fingerprint")
@config_option
@customer_option
@format_option
def history_finding(fingerprint: str, config_path: Path | None, customer: str | None, fmt: str) -> None:
    """The runs that saw the finding FINGERPRINT (from a report or `history alerts`), newest first."""
    from agent.service.history import finding_history

    with _database(config_path) as (engine, zone):
        rows = _read(engine, lambda db: finding_history(db, fingerprint, customer=customer))
    if fmt == "json":
        _echo_json("runs", rows)
    elif not rows:
        stdout().print(f"No run{_for(customer)} recorded the finding {escape(fingerprint)}.")
    else:
        _print_finding(rows, zone)


@history.command("alerts")
@click.option("--state", type=click.Choice(STATES), help="Only alerts in this state.")
@config_option
@customer_option
@format_option
def history_alerts(state: str | None, config_path: Path | None, customer: str | None, fmt: str) -> None:
    """The alerts, firing first, then pending, then resolved."""
    from agent.service.history import list_alerts

    states = [state] if state else None
    with _database(config_path) as (engine, zone):
        alerts = _read(engine, lambda db: list_alerts(db, customer=customer, states=states))
    if fmt == "json":
        _echo_json("alerts", alerts)
    elif not alerts:
        what = f"{state} alerts" if state else "alerts"
        stdout().print(f"No {what}{_for(customer)}.")
    else:
        _print_alerts(alerts, zone)


@contextmanager
def _database(config_path: Path | None) -> Iterator[tuple[Engine | None, ZoneInfo]]:
    """The service's database (None: its SQLite file does not exist yet, so there is no history) and
    the zone to show times in. Reading the history never creates the database."""
    from agent.ledger.errors import LedgerError
    from agent.ledger.storage import resolve_url
    from agent.service.store import open_service_db

    url: str | None = None
    base_dir: Path | None = None
    busy_timeout = 30.0
    zone = ZoneInfo("UTC")
    if config_path is not None:
        loaded = _load(config_path)
        url, base_dir = loaded.config.ledger.url, loaded.base_dir
        busy_timeout = loaded.config.ledger.busy_timeout_seconds
        zone = ZoneInfo(loaded.config.settings.timezone)
    try:
        resolved = resolve_url(url, base_dir)
        if resolved.get_backend_name() == "sqlite" and not Path(resolved.database or "").exists():
            yield None, zone
            return
        engine = open_service_db(url, base_dir, busy_timeout)
    except LedgerError as exc:
        raise HistoryError(str(exc)) from None
    try:
        yield engine, zone
    finally:
        engine.dispose()


def _load(path: Path) -> Any:
    from agent.config.loader import ConfigError, load_config
    from checks.registry import load_registry

    try:
        return load_config(path, registry=load_registry(), resolve_secrets=False)
    except ConfigError as exc:
        for issue in exc.issues:
            stderr().print(escape(issue.render(exc.source)))
        raise HistoryError(f"{exc.source}: {len(exc.issues)} configuration error(s)") from None


def _read(engine: Engine | None, query: Callable[[Engine], list[T]]) -> list[T]:
    from sqlalchemy.exc import SQLAlchemyError

    if engine is None:
        return []
    try:
        return query(engine)
    except SQLAlchemyError as exc:
        original = getattr(exc, "orig", None)
        reason = str(original if original is not None else exc).strip().splitlines()
        first = reason[0] if reason else type(exc).__name__
        raise HistoryError(f"cannot read the service history: {first}") from None


def _for(customer: str | None) -> str:
    return f" for {escape(customer)}" if customer else ""


def _echo_json(key: str, rows: Sequence[RunRow | FindingRow | AlertRow]) -> None:
    def plain(value: object) -> object:
        return value.isoformat() if isinstance(value, datetime) else value

    items = [{k: plain(v) for k, v in asdict(row).items()} for row in rows]
    click.echo(json.dumps({key: items}, indent=2))


def _when(moment: datetime | None, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment is not None else "-"


def _severity(severity: str | None) -> str:
    if severity is None:
        return "-"
    return f"[{SEVERITY_STYLE.get(severity, 'default')}]{escape(severity)}[/]"


def _print_runs(runs: Sequence[RunRow], zone: ZoneInfo) -> None:
    from rich.table import Table

    table = Table(title=f"Service runs ({zone.key})")
    for column in (
        "Started",
        "Customer",
        "Job",
        "Status",
        "Worst",
        "Findings",
        "Errors",
        "Duration",
        "Report",
    ):
        table.add_column(column, no_wrap=column != "Report")
    for run in runs:
        status = escape(run.status) + (f": {escape(run.error)}" if run.error else "")
        duration = f"{run.duration_ms / 1000:.1f} s" if run.duration_ms is not None else "-"
        table.add_row(
            _when(run.started_at, zone),
            escape(run.customer),
            escape(run.job),
            status,
            _severity(run.worst),
            str(run.findings),
            str(run.collection_errors),
            duration,
            escape(run.report_path or "-"),
        )
    stdout().print(table)


def _print_finding(rows: Sequence[FindingRow], zone: ZoneInfo) -> None:
    from rich.table import Table

    first = rows[0]
    table = Table(title=f"{escape(first.check)} on {escape(first.target)} ({zone.key})")
    for column in ("Run started", "Customer", "Job", "Severity", "Title"):
        table.add_column(column, no_wrap=column != "Title")
    for row in rows:
        table.add_row(
            _when(row.started_at, zone),
            escape(row.customer),
            escape(row.job),
            _severity(row.severity),
            escape(row.title),
        )
    stdout().print(table)


def _print_alerts(alerts: Sequence[AlertRow], zone: ZoneInfo) -> None:
    from rich.table import Table

    table = Table(title=f"Alerts ({zone.key})")
    for column in (
        "Customer",
        "State",
        "Severity",
        "Check",
        "Target",
        "Title",
        "Since",
        "Last seen",
        "Fingerprint",
    ):
        table.add_column(column, no_wrap=column not in ("Title",))
    for alert in alerts:
        since = {"firing": alert.fired_at, "resolved": alert.resolved_at}.get(alert.state, alert.first_seen)
        table.add_row(
            escape(alert.customer),
            escape(alert.state),
            _severity(alert.severity),
            escape(alert.check),
            escape(alert.target),
            escape(alert.title),
            _when(since, zone),
            _when(alert.last_seen, zone),
            escape(alert.fingerprint),
        )
    stdout().print(table)
