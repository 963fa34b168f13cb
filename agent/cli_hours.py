"""`atlas-health hours`: buy blocks of support hours, log work, read balances and statements, void.

Every command but `activities` reads the configuration (`--config` or $ATLAS_HEALTH_CONFIG) for the
customers' support contracts and the ledger's URL. Errors are one line on stderr with exit code 3;
stdout carries only the requested output.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import click

from agent.cli_types import ENTRY_ID, WORK_MINUTES, Day
from agent.console import escape, stderr, stdout
from reports.formats import STATEMENT_FORMATS
from reports.units import duration

# Anything heavy is imported inside the commands that use it: CONTRIBUTING.md, "Lazy imports".
if TYPE_CHECKING:
    from rich.console import JustifyMethod

    from agent.config.loader import LoadedConfig
    from agent.ledger.service import Ledger, Recorded
    from agent.ledger.terms import SupportTerms
    from agent.ledger.views import Balance
    from reports.statement import StatementFormat

USAGE_ERROR = 3
BUCKET_NAMES = {"payg": "PAYG", "upgrades": "Annual Upgrades", "health_check": "Annual Health Check"}


class HoursError(click.ClickException):
    """A one-line, user-facing error with the usage exit code."""

    exit_code = USAGE_ERROR

    def show(self, file: Any = None) -> None:
        stderr().print(f"[red]error:[/] {escape(self.message)}")


def warn(line: str) -> None:
    """One warning line on stderr (low balances, reports not logged)."""
    stderr().print(f"[yellow]warning:[/] {escape(line)}")


config_option = click.option(
    "--config",
    "config_path",
    envvar="ATLAS_HEALTH_CONFIG",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Configuration with the support contracts and the ledger URL (default: $ATLAS_HEALTH_CONFIG).",
)
date_type = Day()


def _load(path: Path) -> LoadedConfig:
    from agent.config.loader import ConfigError, load_config
    from checks.registry import load_registry

    try:
        return load_config(path, registry=load_registry(), resolve_secrets=False)
    except ConfigError as exc:
        for issue in exc.issues:
            stderr().print(escape(issue.render(exc.source)))
        raise HoursError(f"{exc.source}: {len(exc.issues)} configuration error(s)") from None


def _terms(loaded: LoadedConfig, customer: str) -> SupportTerms:
    from agent.ledger.terms import customer_terms

    names = [c.name for c in loaded.config.customers]
    if customer not in names:
        raise HoursError(f"unknown customer {customer!r}; the configuration has: {', '.join(names)}")
    terms = customer_terms(loaded.config, customer)
    if terms is None:
        raise HoursError(
            f"customer {customer!r} has no support contract in {loaded.source}: add a `support:` section "
            "to it (see config.example.yaml)"
        )
    return terms


def _terms_or_default(loaded: LoadedConfig) -> Callable[[str], SupportTerms]:
    from agent.ledger.terms import DEFAULT_TERMS, customer_terms

    return lambda name: customer_terms(loaded.config, name) or DEFAULT_TERMS


def _zone(loaded: LoadedConfig) -> ZoneInfo:
    return ZoneInfo(loaded.config.settings.timezone)


@contextmanager
def _ledger(loaded: LoadedConfig) -> Iterator[Ledger]:
    from agent.ledger.errors import LedgerError
    from agent.ledger.service import Ledger

    settings = loaded.config.ledger
    try:
        ledger = Ledger.open(
            settings.url, base_dir=loaded.base_dir, busy_timeout_seconds=settings.busy_timeout_seconds
        )
    except LedgerError as exc:
        raise HoursError(str(exc)) from None
    try:
        yield ledger
    except LedgerError as exc:
        raise HoursError(str(exc)) from None
    finally:
        ledger.close()


def _when(day: datetime | None, zone: ZoneInfo, option: str = "--date") -> datetime | None:
    """None (now) for today or no date; the start of an earlier day in the configured zone."""
    if day is None:
        return None
    today = datetime.now(zone).date()
    if day.date() > today:
        raise HoursError(f"{option} {day:%Y-%m-%d} is in the future (today is {today})")
    if day.date() == today:
        return None
    return datetime.combine(day.date(), time(), zone)


def _drawn(recorded: Recorded) -> str:
    parts = []
    for m in recorded.entry.movements:
        if m.bucket == "outside":
            parts.append("billed outside the contract")
        elif m.bucket == "health_check":
            parts.append(f"the Annual Health Check ({abs(m.days)} day)")
        else:
            parts.append(f"{BUCKET_NAMES[m.bucket]} {duration(abs(m.minutes))}")
    return " and ".join(parts)


def _confirm(line: str, balance: Balance) -> None:
    click.echo(f"{line}; PAYG balance {duration(balance.balance_minutes)}")
    warning = balance.warning()
    if warning:
        warn(warning)


def _valid(what: str) -> Callable[[click.Context, click.Parameter, str | None], str | None]:
    """A callback that checks a number by the ledger's own rules while the command line is read."""

    def check(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
        from agent.ledger import rules
        from agent.ledger.errors import InvalidInputError

        if value is None or ctx.resilient_parsing:
            return value
        try:
            rules.hours_to_minutes(value) if what == "hours" else rules.price(value)
        except InvalidInputError as exc:
            raise click.BadParameter(str(exc)) from None
        return value

    return check


@click.group("hours")
def hours() -> None:
    """The hours ledger: pay-as-you-go blocks, work, add-ons, balances and statements."""


@hours.command("buy")
@click.argument("customer")
@click.option(
    "--hours", "hours_", required=True, callback=_valid("hours"), help="Hours bought, e.g. 20 or 7.5."
)
@click.option(
    "--price", required=True, callback=_valid("price"), help="Price paid for the block, e.g. 3500 or 3500.50."
)
@click.option("--currency", required=True, help="ISO 4217 code, e.g. GBP or USD.")
@click.option("--reference", help="Order or invoice reference; a reference is recorded once.")
@click.option("--date", "day", type=date_type, help="Purchase date (default: today).")
@config_option
def hours_buy(
    customer: str,
    hours_: str,
    price: str,
    currency: str,
    reference: str | None,
    day: datetime | None,
    config_path: Path,
) -> None:
    """Record a purchased block of PAYG hours for CUSTOMER."""
    loaded = _load(config_path)
    terms = _terms(loaded, customer)
    when = _when(day, _zone(loaded))
    with _ledger(loaded) as ledger:
        recorded = ledger.buy(
            customer,
            hours=hours_,
            price=price,
            currency=currency.upper(),
            terms=terms,
            when=when,
            reference=reference,
        )
    e = recorded.entry
    assert e.price is not None
    what = f"{customer} bought {duration(e.minutes)} for {e.currency} {e.price:,.2f}"
    if e.reference:
        what += f" (reference {e.reference})"
    head = f"recorded #{e.id}" if recorded.created else f"already recorded as #{e.id}"
    _confirm(f"{head}: {what}", recorded.balance)


@hours.command("log")
@click.argument("customer")
@click.option("--activity", "activity_id", required=True, help="What the work was; see `hours activities`.")
@click.option("--minutes", required=True, type=WORK_MINUTES, help="Time spent, in minutes.")
@click.option(
    "--engineer",
    envvar="ATLAS_HEALTH_ENGINEER",
    required=True,
    help="Who did the work (default: $ATLAS_HEALTH_ENGINEER).",
)
@click.option("--note", help="What was done, for the statement.")
@click.option("--report", "report_id", help="The report or run id it belongs to; recorded once per id.")
@click.option(
    "--outside-contract",
    is_flag=True,
    help="Bill it outside the contract (e.g. administration work without the Administration add-on).",
)
@click.option("--date", "day", type=date_type, help="When the work was done (default: today).")
@config_option
def hours_log(
    customer: str,
    activity_id: str,
    minutes: int,
    engineer: str,
    note: str | None,
    report_id: str | None,
    outside_contract: bool,
    day: datetime | None,
    config_path: Path,
) -> None:
    """Log work for CUSTOMER, rounded up to the contract's increment, against the right bucket."""
    loaded = _load(config_path)
    terms = _terms(loaded, customer)
    when = _when(day, _zone(loaded))
    with _ledger(loaded) as ledger:
        recorded = ledger.log(
            customer,
            activity_id=activity_id,
            minutes=minutes,
            engineer=engineer,
            terms=terms,
            note=note,
            report_id=report_id,
            outside_contract=outside_contract,
            when=when,
        )
    e = recorded.entry
    if not recorded.created:
        _confirm(
            f"already recorded as #{e.id} for report {e.report_id}: {duration(e.minutes)}", recorded.balance
        )
        return
    rounded = f" (logged {duration(minutes)}, rounded up)" if e.minutes != minutes else ""
    line = f"recorded #{e.id}: {customer} {e.activity} {duration(e.minutes)}{rounded} from {_drawn(recorded)}"
    _confirm(line, recorded.balance)


@hours.command("void")
@click.argument("entry", type=ENTRY_ID)
@click.option("--reason", required=True, help="Why the entry is wrong; kept on the statement.")
@config_option
def hours_void(entry: int, reason: str, config_path: Path) -> None:
    """Cancel ledger entry number ENTRY with a void that gives back exactly what it moved."""
    loaded = _load(config_path)
    with _ledger(loaded) as ledger:
        recorded = ledger.void(entry, reason=reason, terms_for=_terms_or_default(loaded))
    _confirm(
        f"recorded #{recorded.entry.id}: void of #{entry} for {recorded.entry.customer}", recorded.balance
    )


def _balance_json(balance: Balance) -> dict[str, Any]:
    return {
        "customer": balance.customer,
        "currency": balance.currency,
        "payg": {
            "purchased_minutes": balance.purchased_minutes,
            "used_minutes": balance.used_minutes,
            "balance_minutes": balance.balance_minutes,
            "balance": duration(balance.balance_minutes),
            "last_purchase_minutes": balance.last_purchase_minutes,
        },
        "outside_contract_minutes": balance.outside_minutes,
        "overdraft_allowed": balance.overdraft,
        "low_threshold_minutes": balance.low_threshold_minutes,
        "low": balance.low,
        "negative": balance.negative,
        "warning": balance.warning(),
        "addons": [
            {
                "addon": a.addon,
                "start": a.start.isoformat(),
                "end": a.end.isoformat(),
                **(
                    {"granted_minutes": a.granted_minutes, "used_minutes": a.used_minutes,
                     "left_minutes": a.left_minutes} if a.addon == "upgrades" else {}
                ),
                **(
                    {"granted_days": a.granted_days, "used_days": a.used_days, "left_days": a.left_days}
                    if a.addon == "health_check" else {}
                ),
            }
            for a in balance.addons
        ],
    }  # fmt: skip


def _addon_cell(balance: Balance, addon: str) -> str:
    today = datetime.now(UTC).date()
    for a in balance.addons:
        if a.addon == addon and a.start <= today <= a.end:
            return f"{a.left_days} day(s)" if addon == "health_check" else duration(a.left_minutes)
    return "-"


def _print_balances(balances: Sequence[Balance]) -> None:
    from rich.table import Table

    table = Table(title="Support hours")
    # Upgrades: the Annual Upgrades hours left; On-site days: the Annual Health Check days left.
    for column in ("Customer", "PAYG left", "Bought", "Used", "Upgrades", "On-site days", "Status"):
        justify: JustifyMethod = "left" if column in ("Customer", "Status") else "right"
        table.add_column(column, no_wrap=True, min_width=len(column), justify=justify)
    for b in balances:
        status = "[red]negative[/]" if b.negative else ("[yellow]low[/]" if b.low else "[green]ok[/]")
        table.add_row(
            escape(b.customer),
            duration(b.balance_minutes),
            duration(b.purchased_minutes),
            duration(b.used_minutes),
            _addon_cell(b, "upgrades"),
            _addon_cell(b, "health_check"),
            status,
        )
    stdout().print(table)


@hours.command("balance")
@click.argument("customer", required=False)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@config_option
def hours_balance(customer: str | None, fmt: str, config_path: Path) -> None:
    """Balances of CUSTOMER, or of every customer with a contract or ledger entries."""
    loaded = _load(config_path)
    with _ledger(loaded) as ledger:
        if customer is not None:
            names = [customer]
            _terms(loaded, customer)
        else:
            contracted = [c.name for c in loaded.config.customers if c.support is not None]
            names = sorted(set(contracted) | set(ledger.customers()))
        terms_for = _terms_or_default(loaded)
        balances = [ledger.balance(name, terms_for(name)) for name in names]
    for b in balances:
        warning = b.warning()
        if warning:
            warn(warning)
    if fmt == "json":
        click.echo(json.dumps({"customers": [_balance_json(b) for b in balances]}, indent=2))
    else:
        _print_balances(balances)


@hours.command("statement")
@click.argument("customer")
@click.option("--from", "start", required=True, type=date_type, help="First day of the period (YYYY-MM-DD).")
@click.option("--to", "end", required=True, type=date_type, help="Last day of the period (YYYY-MM-DD).")
@click.option("--format", "fmt", type=click.Choice(STATEMENT_FORMATS), default="md", show_default=True)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    help="File or existing folder to write the statement to (default: stdout).",
)
@config_option
def hours_statement(
    customer: str,
    start: datetime,
    end: datetime,
    fmt: StatementFormat,
    output: Path | None,
    config_path: Path,
) -> None:
    """CUSTOMER's statement for a period: balances, purchases, work, voids and add-on use."""
    from agent.files import OutputError, write_atomic
    from agent.ledger.statement import build_statement
    from agent.version import __version__
    from reports.statement import render_statement

    loaded = _load(config_path)

    with _ledger(loaded) as ledger:
        # A customer whose contract has since left the configuration still has its history.
        known = customer in ledger.customers()
        terms = _terms_or_default(loaded)(customer) if known else _terms(loaded, customer)
        data = build_statement(
            ledger,
            customer,
            terms,
            start.date(),
            end.date(),
            zone=_zone(loaded),
            generated_at=datetime.now(UTC),
            tool_version=__version__,
        )
    document = render_statement(data, fmt)
    if output is None:
        click.echo(document.content, nl=False)
        return
    path = output / document.filename if output.is_dir() else output
    try:
        write_atomic(path, document.content)
    except OutputError as exc:
        raise HoursError(str(exc)) from None
    stderr().print(f"wrote {escape(str(path))}")


@hours.command("activities")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def hours_activities(fmt: str) -> None:
    """What work can be logged as, and which package of the support offering covers it."""
    from rich.table import Table

    from agent.ledger.activities import ACTIVITIES

    if fmt == "json":
        rows = [{"activity": a.id, "title": a.title, "package": a.package.value} for a in ACTIVITIES]
        click.echo(json.dumps(rows, indent=2))
        return
    table = Table(title="Activities")
    for column in ("Activity", "What", "Covered by"):
        table.add_column(column, overflow="fold")
    for a in ACTIVITIES:
        table.add_row(a.id, a.title, a.package.label)
    stdout().print(table)
