"""One `atlas-health incident` run: the evidence (PATHs, a live collection, or both) into one
Snapshot, then agent/incident_report.py for the rest. The command line's concerns (options, exit on
error) stay in agent/cli_incident.py.

Reading logs offline starts as `analyze` does: the worker processes fork before pydantic, the check
registry and the report modules are loaded, and those load in a thread while the workers read
(CONTRIBUTING.md, "Lazy imports").
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

from agent.incident_args import IncidentRequest, RunError

if TYPE_CHECKING:
    from rich.console import Console

    from agent.config.loader import ConfigError, LoadedConfig
    from checks.registry import Registry
    from checks.runner import CheckSettings
    from collectors.logs.patterns import ScanPattern
    from collectors.model import Snapshot

    PatternSource = Sequence[ScanPattern] | Callable[[], Sequence[ScanPattern]]  # a loader: analyze_logs


class _Preload:
    """The check registry and the modules that investigate and report, loaded once: in a thread
    while the log workers read, or when first needed."""

    def __init__(self, err: Console) -> None:
        self._err = err
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.registry: Registry | None = None
        self._error: BaseException | None = None

    def run(self) -> None:
        with self._lock:
            if self.registry is not None or self._error is not None:
                return
            try:
                import agent.incident_report  # noqa: F401 - loaded now, ready when the logs are read
                from checks.registry import load_registry

                registry = load_registry()
                for problem in registry.problems:
                    self._err.print(f"[yellow]warning:[/] {_escape(problem)}")
                self.registry = registry
            except BaseException as exc:  # raised again in the main thread by wait()
                self._error = exc

    def start(self) -> None:
        if self._thread is None and self.registry is None:
            self._thread = threading.Thread(target=self.run, name="incident-preload", daemon=True)
            self._thread.start()

    def wait(self) -> Registry:
        self.run()
        if self._error is not None:
            raise self._error
        assert self.registry is not None
        return self.registry


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def run_incident(request: IncidentRequest, out: Console, err: Console) -> int:
    warm = _Preload(err)
    loaded = None
    if request.config_path is not None:  # validated against the check registry first, as analyze does
        loaded = _load(request.config_path, warm.wait(), request.live, err)
    patterns = _patterns(loaded, err)
    zone = request.timezone or (loaded.config.settings.timezone if loaded is not None else "UTC")
    # stdout carries a document when one is printed there, else the screens
    screen = err if request.formats == ("json",) or (request.output is None and request.formats) else out

    def read_logs(
        bundle: Path | None, paths: Sequence[Path], customer: str | None
    ) -> tuple[Snapshot, CheckSettings]:
        return _read_logs(bundle, paths, customer, request, patterns, warm, err)

    with ExitStack() as stack:
        if request.live:
            from agent.incident_collect import collect_now, spool_folder

            assert loaded is not None and request.customer is not None
            spool = Path(stack.enter_context(spool_folder(request.output)))
            snapshot, settings = collect_now(
                request,
                loaded,
                warm.wait(),
                lambda paths, customer: read_logs(None, paths, customer)[0],
                spool,
                screen,
                err,
                zone,
            )
            customer: str | None = request.customer
        else:
            snapshot, settings = read_logs(request.bundle, request.log_paths, request.customer)
            customer = None
    registry = warm.wait()
    from agent.incident_report import customer_of, finish

    if customer is None:
        customer = customer_of(snapshot, request.customer)
    if loaded is not None:
        from agent.config.targets import check_settings

        settings = check_settings(loaded.config)
    return finish(request, snapshot, customer, settings, registry, loaded, zone, screen, err)


def _issues(exc: ConfigError, err: Console) -> RunError:
    for issue in exc.issues:
        err.print(_escape(issue.render(exc.source)))
    return RunError(f"{exc.source}: {len(exc.issues)} configuration error(s)")


def _load(path: Path, registry: Registry, live: bool, err: Console) -> LoadedConfig:
    from agent.config.loader import ConfigError, load_config

    try:  # secrets are read only to collect: offline the configuration gives settings and the ledger
        return load_config(path, registry=registry, resolve_secrets=live)
    except ConfigError as exc:
        raise _issues(exc, err) from None


def _builtin_patterns() -> list[ScanPattern]:
    """The built-in knowledge base, loaded by the log engine when it first needs it, while worker
    processes already read the access and GC logs."""
    from agent.signatures import load_signatures
    from checks.signatures.scan import to_scan_patterns

    return to_scan_patterns(load_signatures(None))


def _patterns(loaded: LoadedConfig | None, err: Console) -> PatternSource:
    if loaded is None:
        return _builtin_patterns
    from agent.config.loader import ConfigError
    from agent.signatures import load_signatures
    from checks.signatures.scan import to_scan_patterns

    try:  # the consultant's signature files: their errors come before any reading
        return to_scan_patterns(load_signatures(loaded))
    except ConfigError as exc:
        raise _issues(exc, err) from None


def _read_logs(
    bundle: Path | None,
    paths: Sequence[Path],
    customer: str | None,
    request: IncidentRequest,
    patterns: PatternSource,
    warm: _Preload,
    err: Console,
) -> tuple[Snapshot, CheckSettings]:
    """``analyze``'s reading of a bundle and logs, with its progress bar on a terminal."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from agent.log_analysis import InputError, LogRequest, build_snapshot
    from agent.log_window import WindowError
    from collectors.logs.sources import SourceError

    percent = TextColumn("{task.percentage:>3.0f}%")
    columns = (TextColumn("reading logs"), BarColumn(), percent, TimeElapsedColumn())
    try:
        with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as progress:
            task = progress.add_task("logs", total=None)

            def advance(done: int, total: int) -> None:
                warm.start()  # the workers exist once a first task is done: load the rest meanwhile
                progress.update(task, completed=done, total=total)

            window = (request.since, request.until)
            logs = LogRequest(patterns, request.log_tz, *window, request.workers, advance)
            return build_snapshot(bundle, list(paths), customer, logs)
    except Exception as exc:
        from agent.bundle import BundleError

        if isinstance(exc, (BundleError, SourceError, InputError, WindowError)):
            raise RunError(str(exc)) from None
        raise
