"""What the agent logs while it works: `--log-level` and `-v` on every command, one line per record on
stderr (stdout stays for the requested output).

The agent's own packages log at the chosen level. Third-party libraries (urllib3, paramiko,
SQLAlchemy, atlassian-python-api) log from warning up only: their debug output carries full URLs with
query strings, response bodies and key exchanges, and the agent's own lines already say what an
engineer needs (each call, command and retry, with its duration).

Kept light: the CLI imports this module to build its options, so `atlas-health --help` pays for it.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from typing import Any

import click

ENV_VAR = "ATLAS_HEALTH_LOG_LEVEL"
LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING, "error": logging.ERROR}
DEFAULT_LEVEL = logging.WARNING
OWN_PACKAGES = ("agent", "atlas_health", "checks", "collectors", "reports", "sandbox")
USAGE_ERROR = 3
_STATE = "atlas_health.logging"  # key of this run's choices in the root click context's meta


class LogLevelError(click.UsageError):
    """A log level that is not one of LEVELS: one line on stderr, exit code 3 like every usage error."""

    exit_code = USAGE_ERROR

    def show(self, file: Any = None) -> None:
        click.echo(f"{click.style('error:', fg='red')} {self.message}", err=True)


FORMATS = ("text", "json")


class _StderrHandler(logging.StreamHandler[Any]):
    """Writes to whatever ``sys.stderr`` is when a record comes: rich's live progress display swaps it
    to print lines above its bar, and test runners capture it."""

    def __init__(self, fmt: str = "text") -> None:
        super().__init__()
        text = _Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self.setFormatter(JsonFormatter() if fmt == "json" else text)

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


class _Formatter(logging.Formatter):
    """Time of day in UTC to the millisecond, e.g. ``14:03:07.412Z``."""

    converter = staticmethod(time.gmtime)
    default_time_format = "%H:%M:%S"
    default_msec_format = "%s.%03dZ"


# The attributes every LogRecord has; any other one came in ``extra=`` and goes into a JSON line.
_RECORD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, then the record's
    ``extra`` fields and, for an exception, its traceback as ``exception``."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _RECORD_FIELDS and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


def parse_level(text: str, source: str) -> int:
    level = LEVELS.get(text.strip().lower())
    if level is None:
        raise LogLevelError(f"{source}: {text!r} is not one of {', '.join(LEVELS)}")
    return level


def effective_level(levels: list[int], verbosity: int, env: str | None) -> int:
    """The most verbose of: the --log-level values given (else $ATLAS_HEALTH_LOG_LEVEL, else warning)
    and what -v (info) or -vv (debug) asks for."""
    if levels:
        level = min(levels)
    elif env:
        level = parse_level(env, ENV_VAR)
    else:
        level = DEFAULT_LEVEL
    if verbosity >= 2:
        return min(level, logging.DEBUG)
    if verbosity == 1:
        return min(level, logging.INFO)
    return level


def configure(level: int, fmt: str = "text") -> None:
    """One handler on the root logger, writing to stderr (``fmt`` text or json lines); the agent's
    packages at ``level``."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _StderrHandler)]:
        root.removeHandler(handler)
    root.addHandler(_StderrHandler(fmt))
    root.setLevel(max(level, logging.WARNING))
    for name in OWN_PACKAGES:
        logging.getLogger(name).setLevel(level)


def _saved() -> tuple[list[logging.Handler], dict[str, int]]:
    names = ("", *OWN_PACKAGES)
    return list(logging.getLogger().handlers), {name: logging.getLogger(name).level for name in names}


def _restore(saved: tuple[list[logging.Handler], dict[str, int]]) -> None:
    """Logging as it was before the command: a process that runs several commands (tests, an embedding
    program) keeps its own configuration."""
    handlers, levels = saved
    root = logging.getLogger()
    for added in [h for h in root.handlers if isinstance(h, _StderrHandler) and h not in handlers]:
        root.removeHandler(added)
    for handler in handlers:
        if handler not in root.handlers:
            root.addHandler(handler)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def _state(ctx: click.Context) -> dict[str, Any]:
    root = ctx.find_root()
    state = root.meta.get(_STATE)
    if state is None:
        state = root.meta[_STATE] = {"levels": [], "verbosity": 0}
        saved = _saved()
        root.call_on_close(lambda: _restore(saved))
    return state


def _apply(ctx: click.Context) -> None:
    state = _state(ctx)
    env = os.environ.get(ENV_VAR) or state.get("default")
    configure(effective_level(state["levels"], state["verbosity"], env), state.get("format", "text"))


def use_format(ctx: click.Context, fmt: str, default_level: str | None = None) -> None:
    """Log as ``fmt`` (text or json) from now on; ``default_level`` replaces warning as the level when
    neither --log-level, -v nor $ATLAS_HEALTH_LOG_LEVEL says (a service logs what it does)."""
    state = _state(ctx)
    state["format"] = fmt
    if default_level is not None:
        state["default"] = default_level
    _apply(ctx)


def _on_level(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if ctx.resilient_parsing:
        return
    if value is not None:
        _state(ctx)["levels"].append(parse_level(value, "--log-level"))
    _apply(ctx)


def _on_verbose(ctx: click.Context, _param: click.Parameter, value: int) -> None:
    if ctx.resilient_parsing:
        return
    _state(ctx)["verbosity"] += value or 0
    _apply(ctx)


def logging_options() -> list[click.Option]:
    """Fresh `--log-level` and `-v` options for one command."""
    return [
        click.Option(
            ["--log-level"],
            metavar="LEVEL",
            expose_value=False,
            callback=_on_level,
            help=f"What to log on stderr: {', '.join(LEVELS)} (default: ${ENV_VAR}, else warning).",
        ),
        click.Option(
            ["-v", "--verbose"],
            count=True,
            expose_value=False,
            callback=_on_verbose,
            help="Log more on stderr: -v info, -vv debug.",
        ),
    ]


def add_logging_options(command: click.Command) -> None:
    """`--log-level` and `-v` on ``command`` and every command under it, so that both
    `atlas-health -v check ...` and `atlas-health check ... -v` work."""
    command.params.extend(logging_options())
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            add_logging_options(sub)
