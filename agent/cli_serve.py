"""`atlas-health serve`: run the scheduled service until SIGTERM or SIGINT (README, "Running the
service"). Configuration errors are one line each on stderr with exit code 3; once running, everything
is logged on stderr (`--log-format json` for JSON lines)."""

from __future__ import annotations

import importlib
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from agent.console import escape, stderr

if TYPE_CHECKING:
    from agent.service.work import WorkFactory

USAGE_ERROR = 3
FACTORY_ENV = "ATLAS_HEALTH_WORK_FACTORY"  # "module:function": another Work (tests, embedding programs)
WORK_FACTORY = "agent.service.sweep:make_work"

log = logging.getLogger("agent.serve")


class ServeError(click.ClickException):
    exit_code = USAGE_ERROR

    def show(self, file: Any = None) -> None:
        stderr().print(f"[red]error:[/] {escape(self.message)}", soft_wrap=True)


def load_factory(reference: str) -> WorkFactory:
    """The work factory named ``module:function``."""
    module_name, _, name = reference.partition(":")
    try:
        factory = getattr(importlib.import_module(module_name), name)
    except (ImportError, AttributeError) as exc:
        raise ServeError(f"work factory {reference!r} cannot be loaded: {exc}") from None
    if not callable(factory):
        raise ServeError(f"work factory {reference!r} is not callable")
    return factory


@click.command()
@click.option(
    "--config",
    "config_path",
    envvar="ATLAS_HEALTH_CONFIG",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The configuration with its service section (default: $ATLAS_HEALTH_CONFIG).",
)
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="How to log on stderr: text lines, or one JSON object per line.",
)
@click.pass_context
def serve(ctx: click.Context, config_path: Path, log_format: str) -> None:
    """Run the scheduled service: checks on schedules, alerts, /healthz and /metrics.

    Runs until SIGTERM or SIGINT; SIGHUP reloads the configuration (an invalid one is refused and
    the running one kept). Logs at info unless --log-level or -v says otherwise.
    """
    from agent.config.loader import ConfigError, load_config
    from agent.ledger.storage import LedgerUnavailableError
    from agent.logging_setup import use_format
    from agent.service.daemon import Daemon
    from agent.service.preflight import service_problems
    from checks.registry import load_registry

    use_format(ctx, log_format, default_level="info")
    registry = load_registry()
    try:
        loaded = load_config(config_path, registry=registry)
    except ConfigError as exc:
        for issue in exc.issues:
            stderr().print(escape(issue.render(exc.source)), highlight=False, soft_wrap=True)
        raise ServeError(f"{exc.source}: {len(exc.issues)} configuration error(s)") from None
    errors, warnings = service_problems(loaded, os.environ)
    for warning in warnings:
        log.warning("%s", warning)
    for error in errors:
        stderr().print(escape(error), highlight=False, soft_wrap=True)
    if errors:
        raise ServeError(f"{loaded.source}: {len(errors)} error(s): the service cannot start")
    factory = load_factory(os.environ.get(FACTORY_ENV) or WORK_FACTORY)
    daemon = Daemon(loaded, work_factory=factory)
    daemon.install_signal_handlers()
    try:
        code = daemon.run_until_stopped()
    except LedgerUnavailableError as exc:
        raise ServeError(str(exc)) from None
    except OSError as exc:  # the listen address was taken between the check and the start
        raise ServeError(str(exc)) from None
    if daemon.abandoned:
        # The abandoned jobs' threads would hold the interpreter open: leave now, as the grace says.
        logging.shutdown()
        sys.stderr.flush()
        os._exit(code)
    ctx.exit(code)
