"""The run pipeline: configuration -> Snapshot -> Analysis -> reports. No terminal or file concerns."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from agent.version import __version__
from checks.registry import Registry
from checks.runner import Analysis, CheckSettings, run_checks
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
    with ThreadPoolExecutor(1, thread_name_prefix="collect-hosts") as pool:
        collecting = pool.submit(collect_hosts, hosts, host_options, on_host_done)
        snapshot = collect_estate(targets, options, tool_version=__version__, on_done=on_done)
        return attach_hosts(snapshot, collecting.result())


def analyze(snapshot: Snapshot, settings: CheckSettings, registry: Registry) -> Analysis:
    return run_checks(snapshot, registry, settings)


def build_reports(
    snapshot: Snapshot, analysis: Analysis, timezone: str, generated_at: datetime | None = None
) -> list[HealthCheckReport]:
    """One health-check report per customer in the snapshot."""
    when = generated_at or datetime.now(UTC)
    return [
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


def render_reports(
    reports: Sequence[HealthCheckReport], formats: Sequence[HealthCheckFormat]
) -> list[Document]:
    return [render(report, fmt) for report in reports for fmt in formats]
