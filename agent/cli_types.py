"""Argument types that refuse what the commands cannot use while the command line is read, before
any work: each with a one-line error naming the option and what it takes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click

# What a ledger entry id or any other integer the ledger stores can be (SQLite's and PostgreSQL's
# bigint); a larger number cannot name anything, and the database driver refuses it with an overflow.
MAX_ID = 2**63 - 1
# The ledger's limit on one piece of work (agent/ledger/rules.py, MAX_MINUTES), here to keep the
# ledger unloaded while the command line is read.
MAX_WORK_MINUTES = 100_000 * 60
FIRST_DAY = datetime(1900, 1, 1)
LAST_DAY = datetime(9998, 12, 31)  # a day after it, as the end of a period, is still a date

ENTRY_ID = click.IntRange(1, MAX_ID)
WORK_MINUTES = click.IntRange(1, MAX_WORK_MINUTES)
REPORT_MINUTES = click.IntRange(0, MAX_WORK_MINUTES)


class Day(click.DateTime):
    """A day as YYYY-MM-DD, between 1900-01-01 and 9998-12-31."""

    def __init__(self) -> None:
        super().__init__(formats=["%Y-%m-%d"])

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        day = super().convert(value, param, ctx)
        if not FIRST_DAY <= day <= LAST_DAY:
            self.fail(f"{day:%Y-%m-%d} is out of range: use a day from 1900-01-01 to 9998-12-31", param, ctx)
        return day


def time_zone(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """An IANA zone name (Europe/Berlin, UTC), checked before the command does its work."""
    if value is None or ctx.resilient_parsing:
        return value
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a file name
        hint = "use an IANA name such as Europe/Berlin"
        raise click.BadParameter(f"unknown time zone {value!r}: {hint}") from None
    return value
