"""`atlas-health incident`: when it started, on which node, what came first, what it caused, whom it
hurt and what to change, from logs, support zips and bundles, from a live collection, or both; and the
post-incident report, logged against the customer's hours.

Exit codes: 0 no incident found, 1 the worst cause is a warning, 2 critical, 3 an error. Every
argument is checked before any work; an error is one line on stderr.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from agent.cli_types import REPORT_MINUTES
from agent.console import escape, stderr, stdout
from reports.formats import HEALTH_CHECK_FORMATS

USAGE_ERROR = 3


class IncidentError(click.ClickException):
    """A one-line, user-facing error with the usage exit code."""

    exit_code = USAGE_ERROR

    def show(self, file: Any = None) -> None:
        stderr().print(f"[red]error:[/] {escape(self.message)}")


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--since", help="Start of the window: 2024-05-01, '2024-05-01 10:30', or a span back: 2h.")
@click.option("--until", help="End of the window (same forms as --since). Default: the end of the evidence.")
@click.option("--last", help="The window is this span up to now (30m, 2h, 1d); excludes --since and --until.")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Configuration: with --customer, collect from the customer's instances and hosts now (live); "
    "also gives check settings, signature files, the time zone and the hours ledger.",
)
@click.option("--customer", help="The customer: live with --config; offline, whose the PATHs are.")
@click.option(
    "--offline",
    is_flag=True,
    help="With --config and --customer: do not collect, only investigate the PATHs (and log the hours).",
)
@click.option(
    "--output",
    "-o",
    "output",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the post-incident report (all formats unless --format is given) and the notes file.",
)
@click.option(
    "--format",
    "formats",
    multiple=True,
    type=click.Choice(HEALTH_CHECK_FORMATS),
    help="Report format; repeatable. Without --output the report goes to stdout (json: one document).",
)
@click.option(
    "--notes",
    "notes_path",
    type=click.Path(path_type=Path),
    help="The engineer's sections (Markdown, at most 256 KiB). Default: the notes file in --output.",
)
@click.option(
    "--minutes",
    type=REPORT_MINUTES,
    help="Minutes to log against the customer's hours (default: ledger.report_minutes.post_incident).",
)
@click.option("--timezone", help="Time zone of the report (default: the configuration's, else UTC).")
@click.option(
    "--log-timezone",
    default="UTC",
    show_default=True,
    help="Zone of log timestamps without an offset, and of --since/--until without one.",
)
@click.option("--workers", type=click.IntRange(1, 64), help="Processes reading logs (default: one per core).")
def incident(
    paths: tuple[Path, ...],
    since: str | None,
    until: str | None,
    last: str | None,
    config_path: Path | None,
    customer: str | None,
    offline: bool,
    output: Path | None,
    formats: tuple[str, ...],
    notes_path: Path | None,
    minutes: int | None,
    timezone: str | None,
    log_timezone: str,
    workers: int | None,
) -> None:
    """Investigate an incident: its window, its likely causes with their evidence, its impact, and the
    post-incident report.

    PATHS are what `analyze` reads: bundles written by `collect`, log files, folders of logs and
    support zips, from several nodes at once. With --config and --customer the customer's instances
    and hosts are collected now (state, host vitals, 3 thread dumps 10 s apart, the hosts' logs of
    the window): the state now shows first, the investigation follows. Without a window, the window
    is found from the evidence.
    """
    from agent.incident_args import ArgumentError, RunError, parse_request

    try:
        request = parse_request(
            paths,
            since=since,
            until=until,
            last=last,
            config_path=config_path,
            customer=customer,
            offline=offline,
            formats=formats,
            output=output,
            notes_path=notes_path,
            minutes=minutes,
            timezone=timezone,
            log_timezone=log_timezone,
            workers=workers,
        )
    except ArgumentError as exc:
        raise IncidentError(str(exc)) from None
    from agent.incident_run import run_incident

    try:
        code = run_incident(request, stdout(), stderr())
    except (ArgumentError, RunError) as exc:
        raise IncidentError(str(exc)) from None
    sys.exit(code)
