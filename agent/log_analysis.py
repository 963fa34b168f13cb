"""``analyze PATH...``: what the paths are (a bundle, logs, support zips) and the snapshot they make.

A bundle brings its snapshot and the host logs it fetched (under logs/<customer>/<host>/); every
other path is logs for one customer. The result is one Snapshot whose ``logs`` hold one analysis
per customer, so the checks and reports treat log findings like any other.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from collectors.logs.engine import analyze_logs
from collectors.logs.patterns import ScanPattern
from collectors.logs.sources import is_bundle

if TYPE_CHECKING:  # loaded when used: reading logs alone starts without the snapshot and check models
    from checks.runner import CheckSettings
    from collectors.hosts.model import HostSnapshot
    from collectors.logs.model import LogAnalysis
    from collectors.model import Snapshot

DEFAULT_CUSTOMER = "logs"
log = logging.getLogger(__name__)


class InputError(Exception):
    """The paths given to analyze cannot be used together; the message says how to fix it."""


@dataclass(frozen=True)
class LogRequest:
    patterns: Sequence[ScanPattern] | Callable[[], Sequence[ScanPattern]]  # a loader: see analyze_logs
    tz: tzinfo = UTC
    since: datetime | None = None
    until: datetime | None = None
    workers: int | None = None
    on_progress: Callable[[int, int], None] | None = None


def split_inputs(paths: Sequence[Path]) -> tuple[Path | None, list[Path]]:
    """The one bundle among the paths (if any) and the log paths."""
    bundles = [p for p in paths if is_bundle(p)]
    if len(bundles) > 1:
        raise InputError(
            f"{len(bundles)} bundles given ({', '.join(map(str, bundles))}): analyse one bundle at a time"
        )
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise InputError(f"{missing[0]}: no such file or folder")
    return (bundles[0] if bundles else None), [p for p in paths if p not in bundles]


def build_snapshot(
    bundle_path: Path | None, log_paths: Sequence[Path], customer: str | None, request: LogRequest
) -> tuple[Snapshot, CheckSettings]:
    """The snapshot to check: the bundle's (if any) with the analysis of every log given."""
    snapshot, settings = None, None
    per_customer: dict[str, list[Path]] = {}
    if bundle_path is not None:  # the bundle and check models load only for a bundle: logs start sooner
        from agent.bundle import LOGS, read_bundle

        started = time.perf_counter()
        bundle = read_bundle(bundle_path)
        log.info("bundle %s read in %.1f s", bundle_path, time.perf_counter() - started)
        snapshot, settings = bundle.snapshot, bundle.settings
        if (bundle_path / LOGS).is_dir():
            for folder in sorted((bundle_path / LOGS).iterdir()):
                if folder.is_dir():
                    per_customer.setdefault(folder.name, []).append(folder)
    if log_paths:
        known = snapshot.customers() if snapshot is not None else []
        if customer is None and len(known) > 1:
            raise InputError(
                f"the bundle has {len(known)} customers ({', '.join(known)}): say whose logs these are "
                "with --customer NAME"
            )
        owner = customer or (known[0] if known else DEFAULT_CUSTOMER)
        per_customer.setdefault(owner, []).extend(log_paths)
    for name, paths in per_customer.items():
        log.debug("logs of %s: %s", name, ", ".join(map(str, paths)))
    analyses = [
        analyze_logs(
            paths,
            request.patterns,
            customer=name,
            tz=request.tz,
            since=request.since,
            until=request.until,
            workers=request.workers,
            on_progress=request.on_progress,
        )
        for name, paths in per_customer.items()
    ]
    hosts: list[HostSnapshot] = []
    if any(a.thread_dumps for a in analyses):  # the dumps among the files, as hosts' thread dumps
        from agent.thread_dump_inputs import dump_hosts

        taken = [h.name for h in snapshot.hosts] if snapshot is not None else []
        hosts = dump_hosts(analyses, taken, request.tz)
        # the text lives on in the hosts' dumps alone: a series of large dumps is held once
        analyses = [a.model_copy(update={"thread_dumps": []}) for a in analyses]
    if snapshot is None:
        snapshot = _log_snapshot(analyses, hosts)
    else:
        snapshot = snapshot.model_copy(update={"logs": [*snapshot.logs, *analyses]})
    if hosts:
        snapshot = snapshot.model_copy(update={"hosts": [*snapshot.hosts, *hosts]})
    if settings is None:
        from checks.runner import CheckSettings

        settings = CheckSettings()
    return snapshot, settings


def _log_snapshot(analyses: list[LogAnalysis], dump_hosts: Sequence[HostSnapshot] = ()) -> Snapshot:
    """A snapshot of logs alone, dated by the logs' own window (and the thread dumps' times) so that a
    re-run gives the same report id."""
    from agent.version import __version__
    from collectors.model import Snapshot

    starts = [start for a in analyses if (start := a.first_at or a.since) is not None]
    ends = [end for a in analyses if (end := a.last_at or a.until) is not None]
    starts += [h.started_at for h in dump_hosts]
    ends += [h.finished_at for h in dump_hosts]
    now = datetime.now(UTC)
    return Snapshot(
        tool_version=__version__,
        started_at=min(starts) if starts else now,
        finished_at=max(ends) if ends else now,
        logs=analyses,
    )
