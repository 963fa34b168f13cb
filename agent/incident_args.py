"""`atlas-health incident`'s arguments, checked before any work: the window, the zones, the paths, the
engineer's notes file and which mode (live or offline) they ask for.

Light on purpose (CONTRIBUTING.md, "Lazy imports"): it runs before anything heavy is loaded, so a
mistyped option answers at once.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path

SPAN = re.compile(r"^\d+\s*[smhdw]$")  # --last: a span back from now, as agent/log_window.py reads it


class ArgumentError(ValueError):
    """An argument that cannot be used; the message is one line that says how to fix it."""


class RunError(Exception):
    """The run cannot go on; the message is one line for the person at the terminal."""


@dataclass(frozen=True)
class IncidentRequest:
    """What `incident` was asked for, validated."""

    bundle: Path | None  # a `collect` bundle among the PATHs
    log_paths: tuple[Path, ...]  # every other PATH: logs, folders, support zips
    config_path: Path | None
    customer: str | None
    live: bool  # collect now from the customer's instances and hosts
    since: datetime | None
    until: datetime | None
    log_tz: tzinfo  # of log timestamps without an offset
    timezone: str | None  # of the report; None: the configuration's, else UTC
    formats: tuple[str, ...]
    output: Path | None
    notes_path: Path | None
    notes: str | None  # the text of --notes
    minutes: int | None
    workers: int | None


def read_notes(path: Path) -> str:
    """The engineer's notes (Markdown): a regular file of UTF-8 text, no larger than the report takes
    (reports/post_incident_notes.py: 256 KiB).

    Opened without blocking and checked on the open descriptor, so a FIFO, a device such as
    /dev/zero or a folder is refused at once, even if the path changes between a check and the read.
    """
    from reports.post_incident_notes import NOTES_MAX_BYTES as cap

    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise ArgumentError(f"--notes {path}: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise ArgumentError(f"--notes {path} is a folder: give the Markdown file of the engineer's notes")
        if not stat.S_ISREG(info.st_mode):
            raise ArgumentError(f"--notes {path} is not a regular file (a pipe or a device): give Markdown")
        if info.st_size > cap:
            raise ArgumentError(f"--notes {path} is {info.st_size:,} bytes; notes may have {cap // 1024} KiB")
        with os.fdopen(os.dup(fd), "rb") as handle:
            data = handle.read(cap + 1)
    except OSError as exc:
        raise ArgumentError(f"--notes {path}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if len(data) > cap:  # it grew after the check
        raise ArgumentError(f"--notes {path} is larger than the {cap // 1024} KiB notes may have")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ArgumentError(f"--notes {path} is not UTF-8 text (byte {exc.start})") from None


def _report_zone(name: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ArgumentError(
            f"--timezone: unknown time zone {name!r}: use an IANA name such as Europe/Berlin"
        ) from None
    return name


def _log_zone(name: str) -> tzinfo:
    from collectors.logs.timestamps import parse_zone

    try:
        return parse_zone(name)
    except ValueError as exc:
        raise ArgumentError(f"--log-timezone: {exc}") from None


def parse_request(
    paths: Sequence[Path],
    *,
    since: str | None,
    until: str | None,
    last: str | None,
    config_path: Path | None,
    customer: str | None,
    offline: bool,
    formats: Sequence[str],
    output: Path | None,
    notes_path: Path | None,
    minutes: int | None,
    timezone: str | None,
    log_timezone: str,
    workers: int | None,
) -> IncidentRequest:
    """Every argument checked, in the order a person reads the command line; raises ArgumentError."""
    from agent.log_analysis import InputError, split_inputs
    from agent.log_window import WindowError, parse_window

    if last is not None and until is not None:
        raise ArgumentError("--last and --until exclude each other: --last 2h means the two hours up to now")
    if last is not None and since is not None:
        raise ArgumentError("--last and --since exclude each other: --last 2h is --since 2h up to now")
    if last is not None and not SPAN.match(last.strip()):
        raise ArgumentError(f"--last {last!r} is not a span back from now: use 30m, 2h or 1d")
    log_tz = _log_zone(log_timezone)
    try:
        if last is None:
            start, end = parse_window(since, until, log_tz)
        else:
            start, end = parse_window(last, until, log_tz, since_option="--last")
    except WindowError as exc:
        raise ArgumentError(str(exc)) from None
    zone = _report_zone(timezone) if timezone is not None else None
    live = config_path is not None and customer is not None and not offline
    if not paths and not live:
        if config_path is not None:
            raise ArgumentError("--config without PATHs collects now: name the customer with --customer C")
        raise ArgumentError(
            "nothing to investigate: give logs, support zips or a bundle, or --config F --customer C to "
            "collect now"
        )
    try:
        bundle, log_paths = split_inputs(list(paths))
    except InputError as exc:
        raise ArgumentError(str(exc)) from None
    if live and bundle is not None:
        raise ArgumentError(
            f"{bundle} is a bundle: investigate it offline (without --customer, or with --offline), "
            "or collect now and add logs, not a bundle"
        )
    if len(formats) > 1 and output is None:
        raise ArgumentError("several --format values need --output DIR; stdout takes one format")
    notes = read_notes(notes_path) if notes_path is not None else None
    return IncidentRequest(
        bundle=bundle,
        log_paths=tuple(log_paths),
        config_path=config_path,
        customer=customer,
        live=live,
        since=start,
        until=end,
        log_tz=log_tz,
        timezone=zone,
        formats=tuple(formats),
        output=output,
        notes_path=notes_path,
        notes=notes,
        minutes=minutes,
        workers=workers,
    )
