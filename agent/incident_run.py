"""One `atlas-health incident` run: the evidence (PATHs, a live collection, or both) into one
Snapshot, the health checks over it, the investigation, the post-incident report, its hours and its
output. The command line's concerns (options, exit on error) stay in agent/cli_incident.py."""

from __future__ import annotations

import json
import logging
import sys
import tempfile
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from agent import pipeline
from agent.config.loader import ConfigError, LoadedConfig, load_config
from agent.config.targets import UnknownCustomerError, check_settings, instance_targets
from agent.files import OutputError
from agent.incident_args import IncidentRequest
from agent.incident_live import FirstScreen, collect_live
from agent.incident_output import kept_notes, write_report
from agent.incident_screen import print_first_screen, print_incident_summary, suspect_from
from agent.ledger.reporting import POST_INCIDENT, log_reports
from agent.log_analysis import InputError, LogRequest, build_snapshot
from agent.signatures import load_signatures
from agent.version import __version__
from checks.incident.analysis import investigate
from checks.incident.model import Incident
from checks.registry import Registry, load_registry
from checks.runner import CheckSettings, run_checks
from checks.signatures.scan import to_scan_patterns
from collectors.logs.patterns import ScanPattern
from collectors.model import Snapshot
from reports.post_incident import build_post_incident, post_incident_report_id, render_post_incident
from reports.post_incident_notes import notes_template

log = logging.getLogger(__name__)

FORMATS = ("html", "md", "json")
NO_INCIDENT, WARNING, CRITICAL = 0, 1, 2


class RunError(Exception):
    """The run cannot go on; the message is one line for the person at the terminal."""


def exit_code(incident: Incident) -> int:
    """0 nothing abnormal, 1 the worst cause is a warning, 2 critical. Something abnormal without a
    cause is a warning: the engineer should look, and 0 would say all is well."""
    if not incident.found and not incident.causes:
        return NO_INCIDENT
    if any(c.severity == "critical" for c in incident.causes):
        return CRITICAL
    return WARNING


def run_incident(request: IncidentRequest, out: Console, err: Console) -> int:
    registry = _registry(err)
    loaded = _load(request.config_path, registry, request.live, err) if request.config_path else None
    patterns = _patterns(loaded, err)
    zone = request.timezone or (loaded.config.settings.timezone if loaded is not None else "UTC")
    # stdout carries a document when one is printed there, else the screens
    screen = err if request.formats == ("json",) or (request.output is None and request.formats) else out
    with ExitStack() as stack:
        if request.live:
            assert loaded is not None and request.customer is not None
            spool = stack.enter_context(_spool(request.output))
            snapshot, settings = _live(request, loaded, registry, patterns, spool, screen, err, zone)
            customer = request.customer
        else:
            snapshot, settings = _offline(request, patterns, err)
            customer = _customer(snapshot, request.customer)
    if loaded is not None:
        settings = check_settings(loaded.config)
    analysis = pipeline.analyze(snapshot, settings, registry)
    incident = investigate(snapshot, customer, since=request.since, until=request.until)
    report_id = post_incident_report_id(customer, snapshot, incident)
    template = notes_template(incident)
    notes = request.notes
    if notes is None:
        notes = kept_notes(request.output, customer, report_id, template)
    mine = analysis.for_customer(customer)
    try:
        report = build_post_incident(
            snapshot,
            incident,
            mine.findings,
            timezone=zone,
            notes=notes,
            tool_version=__version__,
            outcomes=mine.outcomes,
        )
    except ValueError as exc:  # notes the report cannot take, or a zone it does not know
        raise RunError(str(exc)) from None
    config = loaded.config if loaded is not None else None
    base_dir = loaded.base_dir if loaded is not None else None

    def warn(line: str) -> None:
        err.print(f"[yellow]warning:[/] {escape(line)}")

    report = log_reports(
        [report], config, base_dir=base_dir, minutes=request.minutes, warn=warn, billing=POST_INCIDENT
    )[0]
    if request.output is not None:
        documents = render_post_incident(report, request.formats or FORMATS)
        try:
            fresh = template if request.notes_path is None else None
            written = write_report(request.output, documents, customer, report.report_id, fresh)
        except OutputError as exc:
            raise RunError(str(exc)) from None
        print_incident_summary(screen, incident, zone, report.hours, written)
    elif request.formats:
        for doc in render_post_incident(report, request.formats):
            content = doc.content
            if doc.format == "json":  # one JSON document, on one line
                content = json.dumps(json.loads(content), separators=(",", ":"))
            sys.stdout.write(content.rstrip("\n") + "\n")
    else:
        print_incident_summary(screen, incident, zone, report.hours)
        screen.print("no report written: add --output DIR for the HTML, Markdown and JSON report")
    return exit_code(incident)


def _registry(err: Console) -> Registry:
    registry = load_registry()
    for problem in registry.problems:
        err.print(f"[yellow]warning:[/] {escape(problem)}")
    return registry


def _issues(exc: ConfigError, err: Console) -> RunError:
    for issue in exc.issues:
        err.print(escape(issue.render(exc.source)))
    return RunError(f"{exc.source}: {len(exc.issues)} configuration error(s)")


def _load(path: Path, registry: Registry, live: bool, err: Console) -> LoadedConfig:
    try:  # secrets are read only to collect: offline the configuration gives settings and the ledger
        return load_config(path, registry=registry, resolve_secrets=live)
    except ConfigError as exc:
        raise _issues(exc, err) from None


def _patterns(loaded: LoadedConfig | None, err: Console) -> list[ScanPattern]:
    try:
        return to_scan_patterns(load_signatures(loaded))
    except ConfigError as exc:  # the consultant's signature files
        raise _issues(exc, err) from None


def _spool(output: Path | None) -> tempfile.TemporaryDirectory[str]:
    """Where host logs are streamed: beside the output folder when there is one (its disk was chosen
    for reports), else the system's temporary folder. Removed at the end of the run."""
    try:
        if output is None:
            return tempfile.TemporaryDirectory(prefix="atlas-health-incident-")
        parent = output.absolute().parent
        parent.mkdir(parents=True, exist_ok=True)
        return tempfile.TemporaryDirectory(prefix=f".{output.name}.logs.", dir=parent)
    except OSError as exc:
        raise RunError(f"no folder for host logs next to {output}: {exc.strerror or exc}") from None


def _read_logs(
    bundle: Path | None,
    paths: Sequence[Path],
    customer: str | None,
    request: IncidentRequest,
    patterns: list[ScanPattern],
    err: Console,
) -> tuple[Snapshot, CheckSettings]:
    """``analyze``'s reading of a bundle and logs, with its progress bar on a terminal."""
    from agent.bundle import BundleError
    from agent.log_window import WindowError
    from collectors.logs.sources import SourceError

    percent = TextColumn("{task.percentage:>3.0f}%")
    columns = (TextColumn("reading logs"), BarColumn(), percent, TimeElapsedColumn())
    try:
        with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as progress:
            task = progress.add_task("logs", total=None)

            def advance(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            window = (request.since, request.until)
            logs = LogRequest(patterns, request.log_tz, *window, request.workers, advance)
            return build_snapshot(bundle, list(paths), customer, logs)
    except (BundleError, SourceError, InputError, WindowError) as exc:
        raise RunError(str(exc)) from None


def _offline(
    request: IncidentRequest, patterns: list[ScanPattern], err: Console
) -> tuple[Snapshot, CheckSettings]:
    return _read_logs(request.bundle, request.log_paths, request.customer, request, patterns, err)


def _customer(snapshot: Snapshot, wanted: str | None) -> str:
    known = snapshot.customers()
    if wanted is not None:
        if wanted not in known:
            held = ", ".join(known) or "nothing"
            raise RunError(f"the evidence holds nothing of {wanted!r}; it holds: {held}")
        return wanted
    if len(known) == 1:
        return known[0]
    if not known:
        raise RunError("the evidence holds nothing to investigate: no instance, host or log")
    names = ", ".join(known)
    raise RunError(f"the evidence holds {len(known)} customers ({names}): choose one with --customer")


def _live(
    request: IncidentRequest,
    loaded: LoadedConfig,
    registry: Registry,
    patterns: list[ScanPattern],
    spool: str,
    screen: Console,
    err: Console,
    zone: str,
) -> tuple[Snapshot, CheckSettings]:
    """Collect now (the first screen as soon as the instances are in), then read the hosts' logs of
    the window and the PATHs given with them, all as the customer's one log analysis."""
    from agent.config.host_targets import host_targets

    customer = request.customer
    assert customer is not None
    try:
        if not instance_targets(loaded, [customer]) and not host_targets(loaded, [customer]):
            raise RunError(f"{customer} has no instances or hosts in {request.config_path} to collect from")
    except UnknownCustomerError as exc:
        raise RunError(str(exc)) from None
    settings = check_settings(loaded.config)
    first_screen = _first_screen(registry, settings, screen, zone)
    err.print(f"collecting from {escape(customer)}'s instances and hosts ...")
    snapshot = collect_live(loaded, customer, Path(spool), since=request.since, on_first_screen=first_screen)
    err.print(collected_line(snapshot))
    host_logs = Path(spool) / customer
    paths = [*([host_logs] if host_logs.is_dir() else []), *request.log_paths]
    if not paths:
        return snapshot, settings
    logs, _ = _read_logs(None, paths, customer, request, patterns, err)
    return snapshot.model_copy(update={"logs": [*snapshot.logs, *logs.logs]}), settings


def collected_line(snapshot: Snapshot) -> str:
    """What the live collection brought, said once it is all in and the investigation starts."""
    dumps = sum(len(h.thread_dumps or []) for h in snapshot.hosts)
    files = [f for h in snapshot.hosts if h.logs is not None for f in h.logs.files if f.fetched_bytes]
    size = sum(f.fetched_bytes for f in files) / 1e6
    return (
        f"collected {len(snapshot.instances)} instance(s) and {len(snapshot.hosts)} host(s): {dumps} thread "
        f"dump(s), {len(files)} log file(s) ({size:.1f} MB); investigating ..."
    )


def _first_screen(
    registry: Registry, settings: CheckSettings, screen: Console, zone: str
) -> Callable[[FirstScreen], None]:
    def show(first: FirstScreen) -> None:
        findings = run_checks(first.snapshot, registry, settings).findings
        so_far: Incident | None = None
        try:  # what REST and the host vitals say; a defect here must not stop the collection
            so_far = investigate(first.snapshot, first.customer)
        except Exception:
            log.exception("investigating the first screen's evidence failed")
        print_first_screen(screen, first, findings, suspect_from(so_far, findings), zone)

    return show
