"""The live half of `atlas-health incident --config F --customer C`: collect now, show the first
screen (the state now and the leading suspect so far) as soon as the instances and host vitals are
in, then read the hosts' logs of the window with any PATHs given."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from agent.config.host_targets import host_targets
from agent.config.loader import LoadedConfig
from agent.config.targets import UnknownCustomerError, check_settings, instance_targets
from agent.incident_args import IncidentRequest, RunError
from agent.incident_live import FirstScreen, collect_live
from agent.incident_screen import print_first_screen, suspect_from
from checks.incident.analysis import investigate
from checks.incident.model import Incident
from checks.registry import Registry
from checks.runner import CheckSettings, run_checks
from collectors.model import Snapshot

log = logging.getLogger(__name__)
ReadLogs = Callable[[list[Path], str], Snapshot]  # paths, customer -> a snapshot of their analysis


def spool_folder(output: Path | None) -> tempfile.TemporaryDirectory[str]:
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


def collect_now(
    request: IncidentRequest,
    loaded: LoadedConfig,
    registry: Registry,
    read_logs: ReadLogs,
    spool: Path,
    screen: Console,
    err: Console,
    zone: str,
) -> tuple[Snapshot, CheckSettings]:
    """Collect now (the first screen as soon as the instances are in), then read the hosts' logs of
    the window and the PATHs given with them, all as the customer's one log analysis."""
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
    snapshot = collect_live(loaded, customer, spool, since=request.since, on_first_screen=first_screen)
    err.print(collected_line(snapshot))
    host_logs = spool / customer
    paths = [*([host_logs] if host_logs.is_dir() else []), *request.log_paths]
    if not paths:
        return snapshot, settings
    logs = read_logs(paths, customer)
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
