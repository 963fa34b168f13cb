"""The run pipeline: configuration -> Snapshot -> Analysis -> reports. No terminal or file concerns."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from agent.version import __version__
from checks.registry import Registry
from checks.runner import Analysis, CheckSettings, OutcomeStatus, run_checks
from collectors.model import Snapshot
from reports.context import build_health_check
from reports.document import Document
from reports.formats import HEALTH_CHECK_FORMATS, HealthCheckFormat
from reports.model import HealthCheckReport
from reports.render import render

if TYPE_CHECKING:  # collecting needs REST and SSH clients; analysing a bundle or logs does not load them
    from agent.config.loader import LoadedConfig
    from collectors.hosts.model import HostSnapshot
    from collectors.hosts.target import ThreadDumpRequest
    from collectors.model import InstanceSnapshot

FORMATS = HEALTH_CHECK_FORMATS
log = logging.getLogger(__name__)


def collect(
    loaded: LoadedConfig,
    customers: Iterable[str] = (),
    on_done: Callable[[InstanceSnapshot], None] | None = None,
    *,
    thread_dumps: ThreadDumpRequest | None = None,
    log_spool: Path | None = None,
    on_host_done: Callable[[HostSnapshot], None] | None = None,
) -> Snapshot:
    """Instances over REST and hosts over SSH (or locally) at the same time.

    Host logs are fetched into ``log_spool`` when given (a bundle is being written), else only listed.
    """
    from agent.config.host_targets import host_collect_options, host_targets
    from agent.config.targets import collect_options, instance_targets
    from agent.version import USER_AGENT
    from collectors.estate import collect_estate
    from collectors.hosts.collect import attach_hosts, collect_hosts

    targets = instance_targets(loaded, customers)
    options = collect_options(loaded.config.settings, USER_AGENT)
    hosts = host_targets(loaded, customers)
    host_options = host_collect_options(loaded.config.settings.hosts, thread_dumps, log_spool)
    started = time.perf_counter()
    log.info("collecting %d instance(s) and %d host(s)", len(targets), len(hosts))
    with ThreadPoolExecutor(1, thread_name_prefix="collect-hosts") as pool:
        collecting = pool.submit(collect_hosts, hosts, host_options, on_host_done)
        snapshot = collect_estate(targets, options, tool_version=__version__, on_done=on_done)
        snapshot = attach_hosts(snapshot, collecting.result())
    log.info("collection done in %.1f s", time.perf_counter() - started)
    return snapshot


def analyze(snapshot: Snapshot, settings: CheckSettings, registry: Registry) -> Analysis:
    started = time.perf_counter()
    analysis = run_checks(snapshot, registry, settings)
    for outcome in analysis.outcomes:
        if outcome.status is OutcomeStatus.SKIPPED:
            log.debug("check %s on %s skipped: %s", outcome.check, outcome.target, outcome.reason)
        elif outcome.status is not OutcomeStatus.RAN:  # crashed or timed out: an unknown finding says so
            what = outcome.status.value.replace("_", " ")
            log.warning("check %s on %s %s: %s", outcome.check, outcome.target, what, outcome.reason)
    counts = Counter(outcome.status.value for outcome in analysis.outcomes)
    log.info(
        "checks done in %.1f s: %s; %d finding(s)",
        time.perf_counter() - started,
        ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "none ran",
        len(analysis.findings),
    )
    return analysis


def build_reports(
    snapshot: Snapshot, analysis: Analysis, timezone: str, generated_at: datetime | None = None
) -> list[HealthCheckReport]:
    """One health-check report per customer in the snapshot."""
    when = generated_at or datetime.now(UTC)
    started = time.perf_counter()
    reports = [
        build_health_check(
            snapshot,
            analysis.for_customer(customer),
            customer,
            generated_at=when,
            tz=timezone,
            tool_version=__version__,
        )
        for customer in snapshot.customers()
    ]
    log.debug("%d report(s) built in %.0f ms", len(reports), (time.perf_counter() - started) * 1000)
    return reports


def render_reports(
    reports: Sequence[HealthCheckReport], formats: Sequence[HealthCheckFormat]
) -> list[Document]:
    documents = []
    for report in reports:
        for fmt in formats:
            started = time.perf_counter()
            documents.append(render(report, fmt))
            elapsed = (time.perf_counter() - started) * 1000
            log.debug("%s report for %s rendered in %.0f ms", fmt, report.customer, elapsed)
    return documents
