"""The run pipeline: configuration -> Snapshot -> Analysis -> reports. No terminal or file concerns."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime

from agent.config.loader import LoadedConfig
from agent.config.targets import collect_options, instance_targets
from agent.version import USER_AGENT, __version__
from checks.registry import Registry
from checks.runner import Analysis, CheckSettings, run_checks
from collectors.estate import collect_estate
from collectors.model import InstanceSnapshot, Snapshot
from reports.context import build_health_check
from reports.document import Document
from reports.model import HealthCheckReport
from reports.render import render

FORMATS = ("html", "md", "json")


def collect(
    loaded: LoadedConfig,
    customers: Iterable[str] = (),
    on_done: Callable[[InstanceSnapshot], None] | None = None,
) -> Snapshot:
    targets = instance_targets(loaded, customers)
    options = collect_options(loaded.config.settings, USER_AGENT)
    return collect_estate(targets, options, tool_version=__version__, on_done=on_done)


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


def render_reports(reports: Sequence[HealthCheckReport], formats: Sequence[str]) -> list[Document]:
    return [render(report, fmt) for report in reports for fmt in formats]  # type: ignore[arg-type]
