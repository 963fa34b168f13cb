"""The `atlas-health` command line.

Exit codes (Nagios-style, so the agent plugs into existing monitoring): 0 all ok, 1 worst finding
is a warning, 2 worst is critical, 3 worst is unknown, or a usage, configuration or I/O error.
stdout carries only the requested output (JSON, Markdown, HTML or the summary table); progress and
messages go to stderr.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click

from agent.cli_history import history
from agent.cli_hours import hours, warn
from agent.cli_incident import incident
from agent.cli_serve import serve
from agent.cli_signatures import signatures
from agent.cli_types import REPORT_MINUTES, time_zone
from agent.console import escape, stderr, stdout
from agent.logging_setup import add_logging_options
from reports.formats import HEALTH_CHECK_FORMATS, HealthCheckFormat

# Anything heavy is imported inside the commands that use it: CONTRIBUTING.md, "Lazy imports".
if TYPE_CHECKING:
    from agent.config.loader import LoadedConfig
    from checks.registry import Registry
    from checks.runner import Analysis
    from collectors.hosts.target import ThreadDumpRequest
    from collectors.logs.patterns import ScanPattern
    from collectors.model import Snapshot
    from reports.comparison import PreviousReport
    from reports.model import HealthCheckReport

USAGE_ERROR = 3


class AgentError(click.ClickException):
    """A one-line, user-facing error with the usage exit code."""

    exit_code = USAGE_ERROR

    def show(self, file: IO[Any] | None = None) -> None:
        stderr().print(f"[red]error:[/] {escape(self.message)}", highlight=False, soft_wrap=True)


def _registry() -> Registry:
    from checks.registry import load_registry

    registry = load_registry()
    for problem in registry.problems:
        stderr().print(f"[yellow]warning:[/] {escape(str(problem))}", highlight=False)
    return registry


def _load(path: Path, registry: Registry, resolve_secrets: bool = True) -> LoadedConfig:
    from agent.config.loader import ConfigError, load_config

    try:
        return load_config(path, registry=registry, resolve_secrets=resolve_secrets)
    except ConfigError as exc:
        for issue in exc.issues:
            stderr().print(escape(issue.render(exc.source)), highlight=False, soft_wrap=True)
        raise AgentError(f"{exc.source}: {len(exc.issues)} configuration error(s)") from None


def _collect(
    loaded: LoadedConfig,
    customers: Sequence[str],
    dumps: ThreadDumpRequest | None = None,
    log_spool: Path | None = None,
) -> Snapshot:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from agent import pipeline
    from agent.config.host_targets import host_targets
    from agent.config.targets import UnknownCustomerError, instance_targets

    try:
        total = len(instance_targets(loaded, customers)) + len(host_targets(loaded, customers))
    except UnknownCustomerError as exc:
        raise AgentError(str(exc)) from None
    columns = (TextColumn("collecting"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=stderr(), transient=True) as progress:
        task = progress.add_task("collect", total=total)
        return pipeline.collect(
            loaded,
            customers,
            on_done=lambda _inst: progress.advance(task),
            thread_dumps=dumps,
            log_spool=log_spool,
            on_host_done=lambda _host: progress.advance(task),
        )


def _dump_request(count: int | None, interval: float | None) -> ThreadDumpRequest | None:
    from collectors.hosts.target import ThreadDumpRequest

    if count is None:
        if interval is not None:
            raise AgentError("--interval needs --thread-dumps N: it is the time between the dumps")
        return None
    return ThreadDumpRequest(count=count, interval_s=10.0 if interval is None else interval)


def _emit(
    snapshot: Snapshot,
    analysis: Analysis,
    timezone: str,
    formats: Sequence[HealthCheckFormat],
    output: Path | None,
    loaded: LoadedConfig | None = None,
    report_minutes: int | None = None,
    previous: PreviousReport | None = None,
) -> int:
    from agent import pipeline
    from agent.files import OutputError, write_atomic
    from agent.summary import print_summary
    from checks.finding import Severity
    from checks.runner import exit_code

    reports = pipeline.build_reports(snapshot, analysis, timezone)
    if previous is not None:
        reports = _compared(reports, previous)
    if loaded is not None:  # each report logs its time against its customer's hours
        from agent.ledger.reporting import log_reports

        reports = log_reports(
            reports, loaded.config, base_dir=loaded.base_dir, minutes=report_minutes, warn=warn
        )
    worst = max((Severity(r.summary.overall) for r in reports), key=lambda s: s.rank, default=Severity.OK)
    if output is not None:
        documents = pipeline.render_reports(reports, formats or pipeline.FORMATS)
        written = []
        try:
            for doc in documents:
                write_atomic(output / doc.filename, doc.content)
                written.append(output / doc.filename)
        except OutputError as exc:
            raise AgentError(str(exc)) from None
        print_summary(stderr() if formats == ("json",) else stdout(), reports, written)
    elif formats:
        if len(formats) > 1:
            raise AgentError("several --format values need --output DIR; stdout takes one format")
        for doc in pipeline.render_reports(reports, formats):
            content = doc.content
            if formats[0] == "json":  # one JSON document per customer, one per line (JSON Lines)
                content = json.dumps(json.loads(content), separators=(",", ":"))
            click.echo(content)
    else:
        print_summary(stdout(), reports)
    return exit_code(worst)


def _read_previous(path: Path | None, customers: Sequence[str]) -> PreviousReport | None:
    """The report named by --compare-with, read before anything is collected (fail fast)."""
    if path is None:
        return None
    from agent.previous_report import read_previous
    from reports.comparison import PreviousReportError

    try:
        previous = read_previous(path)
    except PreviousReportError as exc:
        raise AgentError(f"--compare-with {exc}") from None
    if customers and previous.customer not in customers:
        raise AgentError(
            f"--compare-with {path}: a report of customer {previous.customer[:80]!r}, who is not among "
            f"--customer {', '.join(customers)}: name a report of the customer checked"
        )
    return previous


def _compared(reports: list[HealthCheckReport], previous: PreviousReport) -> list[HealthCheckReport]:
    """The reports with the one of ``previous``'s customer compared to it; an error when none is."""
    from reports.comparison import PreviousReportError, with_comparison

    if not any(r.customer == previous.customer for r in reports):
        checked = ", ".join(repr(r.customer) for r in reports) or "nobody"
        raise AgentError(
            f"--compare-with {previous.source}: a report of customer {previous.customer[:80]!r}, but this "
            f"check is of {checked}: name a report of the customer checked"
        )
    try:
        return [with_comparison(r, previous) if r.customer == previous.customer else r for r in reports]
    except PreviousReportError as exc:
        raise AgentError(f"--compare-with {exc}") from None


format_option = click.option(
    "--format",
    "formats",
    multiple=True,
    type=click.Choice(HEALTH_CHECK_FORMATS),
    help="Report format; repeatable. Without --output the report goes to stdout.",
)
output_option = click.option(
    "--output",
    "-o",
    "output",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the reports to (all formats unless --format is given).",
)
customer_option = click.option(
    "--customer", "customers", multiple=True, help="Only this customer; repeatable. Default: all."
)
thread_dumps_option = click.option(
    "--thread-dumps",
    "thread_dumps",
    type=click.IntRange(1, 20),
    help="Take N thread dumps of each host's product JVM (jcmd or jstack, as the JVM's owner).",
)
interval_option = click.option(
    "--interval",
    "interval",
    type=click.FloatRange(0, 600),
    help="Seconds between the thread dumps (default 10).",
)
minutes_option = click.option(
    "--minutes",
    "report_minutes",
    type=REPORT_MINUTES,
    help="Minutes to log per report against the customer's support hours (default: ledger.report_minutes).",
)


def _show_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """click.version_option's output, with the version (importlib.metadata) read only when asked."""
    if not value or ctx.resilient_parsing:
        return
    from agent.version import __version__

    click.echo(f"atlas-health, version {__version__}", color=ctx.color)
    ctx.exit()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_show_version,
    help="Show the version and exit.",
)
def cli() -> None:
    """Health checks and incident diagnosis for Atlassian estates."""


@cli.group("config")
def config_group() -> None:
    """Work with configuration files."""


@config_group.command("validate")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def config_validate(file: Path) -> None:
    """Validate FILE: every error with its key path and line; exit 3 if any."""
    loaded = _load(file, _registry())
    from agent.signatures import load_signatures

    try:  # the consultant's signature files are part of the configuration
        load_signatures(loaded)
    except Exception as exc:
        _signature_file_errors(exc)
        raise
    count = sum(len(c.instances) for c in loaded.config.customers)
    customers = len(loaded.config.customers)
    stderr().print(f"{escape(str(file))}: valid ({customers} customer(s), {count} instance(s))")


@cli.group("checks")
def checks_group() -> None:
    """The check catalogue."""


@checks_group.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown"]), default="table")
def checks_list(fmt: str) -> None:
    """Print every check with its scope, products, category, default severity and thresholds."""
    from agent.catalogue import print_catalogue

    print_catalogue(_registry(), fmt, stdout())


@cli.command()
@click.option("--config", "config_path", required=True, type=click.Path(dir_okay=False, path_type=Path))
@format_option
@output_option
@customer_option
@minutes_option
@thread_dumps_option
@interval_option
@click.option(
    "--compare-with",
    "compare_with",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A previous health-check report (.json) of the customer: the report shows what changed since.",
)
def check(
    config_path: Path,
    formats: tuple[HealthCheckFormat, ...],
    output: Path | None,
    customers: tuple[str, ...],
    report_minutes: int | None,
    thread_dumps: int | None,
    interval: float | None,
    compare_with: Path | None,
) -> None:
    """Collect from the configured estate, run every check and report."""
    from agent import pipeline
    from agent.config.targets import check_settings

    dumps = _dump_request(thread_dumps, interval)
    previous = _read_previous(compare_with, customers)
    registry = _registry()
    loaded = _load(config_path, registry)
    snapshot = _collect(loaded, customers, dumps)
    analysis = pipeline.analyze(snapshot, check_settings(loaded.config), registry)
    timezone = loaded.config.settings.timezone
    sys.exit(_emit(snapshot, analysis, timezone, formats, output, loaded, report_minutes, previous))


@cli.command()
@click.option("--config", "config_path", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--output",
    "-o",
    "output",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the snapshot bundle to.",
)
@customer_option
@thread_dumps_option
@interval_option
def collect(
    config_path: Path,
    output: Path,
    customers: tuple[str, ...],
    thread_dumps: int | None,
    interval: float | None,
) -> None:
    """Collect a snapshot bundle to analyse later (offline) with `atlas-health analyze`."""
    import tempfile

    from agent.bundle import write_bundle
    from agent.config.targets import check_settings
    from agent.files import OutputError
    from agent.version import __version__

    dumps = _dump_request(thread_dumps, interval)
    registry = _registry()
    loaded = _load(config_path, registry)
    try:  # host logs are streamed beside the bundle's folder, then moved into it
        output.absolute().parent.mkdir(parents=True, exist_ok=True)
        spool = tempfile.TemporaryDirectory(prefix=f".{output.name}.logs.", dir=output.absolute().parent)
    except OSError as exc:
        raise AgentError(f"cannot write next to {output}: {exc.strerror or exc}") from None
    with spool:
        snapshot = _collect(loaded, customers, dumps, Path(spool.name))
        try:
            write_bundle(output, snapshot, check_settings(loaded.config), __version__, logs=Path(spool.name))
        except OutputError as exc:
            raise AgentError(str(exc)) from None
    errors = sum(len(i.errors) for i in snapshot.instances)
    instances = len(snapshot.instances)
    stderr().print(f"wrote {escape(str(output))} ({instances} instance(s), {errors} collection error(s))")


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Take check settings (thresholds, disabled checks) and signature files from this config.",
)
@click.option("--customer", "log_customer", help="Whose logs these are (default: the bundle's customer).")
@click.option("--since", help="Only events from this time: 2024-05-01, '2024-05-01 10:30', or a span: 2h.")
@click.option("--until", help="Only events before this time (same forms as --since).")
@click.option(
    "--log-timezone",
    default="UTC",
    show_default=True,
    help="Zone of log timestamps without an offset, and of --since/--until without one.",
)
@click.option("--workers", type=click.IntRange(1, 64), help="Processes reading logs (default: one per core).")
@click.option(
    "--timezone", default="UTC", show_default=True, callback=time_zone, help="Time zone for the reports."
)
@format_option
@output_option
@minutes_option
def analyze(
    paths: tuple[Path, ...],
    config_path: Path | None,
    log_customer: str | None,
    since: str | None,
    until: str | None,
    log_timezone: str,
    workers: int | None,
    timezone: str,
    formats: tuple[HealthCheckFormat, ...],
    output: Path | None,
    report_minutes: int | None,
) -> None:
    """Run the checks offline on a snapshot bundle, logs, support zips, or any mix of them.

    PATHS are bundles written by `collect`, log files (plain or gzipped), folders of logs (one
    sub-folder per node, or flat) and Atlassian support zips (several nodes' zips at once).
    """
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from agent.log_analysis import InputError, LogRequest, build_snapshot, split_inputs
    from agent.log_window import WindowError, parse_window
    from collectors.logs.sources import SourceError
    from collectors.logs.timestamps import parse_zone

    loaded: LoadedConfig | None = None
    warm = _Preload()
    if config_path is not None:  # the configuration is validated against the check registry first
        loaded = _load(config_path, warm.wait(), resolve_secrets=False)
    try:
        log_tz = parse_zone(log_timezone)
        start, end = parse_window(since, until, log_tz)
        bundle_path, log_paths = split_inputs(list(paths))
    except (ValueError, InputError) as exc:
        raise AgentError(str(exc)) from None
    if bundle_path is None and not log_paths:
        raise AgentError("nothing to analyse: give a bundle, log files, folders or support zips")
    patterns: Callable[[], list[ScanPattern]] | list[ScanPattern] = _builtin_patterns
    if loaded is not None:  # the configuration's own signature files: their errors come first
        try:
            patterns = _load_patterns(loaded)
        except Exception as exc:
            _signature_file_errors(exc)
            raise

    def progress_made(done: int, total: int) -> None:
        # The worker processes exist once a first task is done: the checks and reports load now,
        # in this otherwise idle process, while the workers read on.
        warm.start()
        progress.update(task, completed=done, total=total)

    percent = TextColumn("{task.percentage:>3.0f}%")
    columns = (TextColumn("reading logs"), BarColumn(), percent, TimeElapsedColumn())
    try:
        # Only on a terminal: a progress bar that cannot redraw would leave a stray line on stderr.
        console = stderr()
        with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as progress:
            task = progress.add_task("logs", total=None)
            request = LogRequest(patterns, log_tz, start, end, workers, on_progress=progress_made)
            snapshot, settings = build_snapshot(bundle_path, log_paths, log_customer, request)
    except Exception as exc:
        from agent.bundle import BundleError

        if isinstance(exc, (BundleError, SourceError, InputError, WindowError)):
            raise AgentError(str(exc)) from None
        raise
    registry = warm.wait()
    from agent import pipeline

    if loaded is not None:
        from agent.config.targets import check_settings

        settings, timezone = check_settings(loaded.config), loaded.config.settings.timezone
    analysis = pipeline.analyze(snapshot, settings, registry)
    sys.exit(_emit(snapshot, analysis, timezone, formats, output, loaded, report_minutes))


def _load_patterns(loaded: LoadedConfig | None) -> list[ScanPattern]:
    from agent.signatures import load_signatures
    from checks.signatures.scan import to_scan_patterns

    return to_scan_patterns(load_signatures(loaded))


def _builtin_patterns() -> list[ScanPattern]:
    """The built-in knowledge base's patterns, loaded by the log engine when it first needs them, while
    worker processes already read the access and GC logs."""
    return _load_patterns(None)


class _Preload:
    """Loads the check registry and the report pipeline once: in a thread, or when first needed."""

    def __init__(self) -> None:
        self.registry: Registry | None = None
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def run(self) -> None:
        """Load, unless done already; waits for a load under way in the thread."""
        with self._lock:
            if self.registry is not None or self._error is not None:
                return
            try:
                import agent.pipeline  # noqa: F401 - loaded now so that it is ready when needed

                self.registry = _registry()
            except BaseException as exc:  # raised again in the main thread by wait()
                self._error = exc

    def start(self) -> None:
        if self._thread is None and self.registry is None:
            self._thread = threading.Thread(target=self.run, name="preload", daemon=True)
            self._thread.start()

    def wait(self) -> Registry:
        self.run()
        if self._error is not None:
            raise self._error
        assert self.registry is not None
        return self.registry


def _signature_file_errors(exc: Exception) -> None:
    """A consultant's broken signature file: one line per problem, then exit 3."""
    from agent.config.loader import ConfigError

    if isinstance(exc, ConfigError):
        for issue in exc.issues:
            stderr().print(escape(issue.render(exc.source)), highlight=False, soft_wrap=True)
        raise AgentError(f"{exc.source}: {len(exc.issues)} configuration error(s)") from None


@cli.command()
@click.option(
    "--output",
    "-o",
    "output",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("atlas-health-demo"),
    show_default=True,
    help="Folder for the demo reports.",
)
def demo(output: Path) -> None:
    """Start a simulated estate, run a full health check on it and write the reports."""
    from agent.demo import run_demo

    sys.exit(run_demo(output, stdout(), stderr()))


cli.add_command(history)
cli.add_command(hours)
cli.add_command(incident)
cli.add_command(signatures)
cli.add_command(serve)
add_logging_options(cli)  # --log-level and -v on every command, after its name or before


def main(argv: Sequence[str] | None = None) -> int:
    try:
        cli.main(
            args=list(argv) if argv is not None else None, prog_name="atlas-health", standalone_mode=False
        )
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.UsageError as exc:  # one line, like every other refusal, with where to read more
        if type(exc).show is not click.UsageError.show:  # ours say it their way; a bare group, its help
            exc.show()
            return USAGE_ERROR
        hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
        message = escape(exc.format_message() + hint)
        stderr().print(f"[red]error:[/] {message}", highlight=False, soft_wrap=True)
        return USAGE_ERROR
    except click.ClickException as exc:
        exc.show()
        return USAGE_ERROR
    except click.exceptions.Abort:
        stderr().print("aborted")
        return 130
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else USAGE_ERROR)
    except KeyboardInterrupt:
        stderr().print("interrupted")
        return 130
    except Exception as exc:  # a defect: say so in one line instead of a traceback
        # Plain text, not markup: the exception's message may quote anything it was given.
        from rich.text import Text

        line = Text("internal error:", style="red")
        line.append(
            f" {type(exc).__name__}: {exc} "
            "(a defect in atlas-health; run with ATLAS_HEALTH_DEBUG=1 for the traceback and report it)"
        )
        stderr().print(line, highlight=False, soft_wrap=True)
        if os.environ.get("ATLAS_HEALTH_DEBUG"):
            raise
        return USAGE_ERROR
    return 0


if __name__ == "__main__":
    sys.exit(main())
