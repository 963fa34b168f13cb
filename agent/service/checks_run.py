"""One scheduled run's collection and checks for the customers of a job: collect once for all of
them, then run the schedule's checks (all, or its categories and check ids)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from agent import pipeline
from agent.config.loader import LoadedConfig
from agent.config.service_refs import selected_checks
from agent.config.service_schema import Schedule
from agent.config.targets import check_settings
from checks.registry import Registry
from checks.runner import Analysis
from collectors.model import Snapshot


def run_schedule_checks(
    loaded: LoadedConfig,
    customers: Sequence[str],
    schedule: Schedule,
    registry: Registry,
    *,
    with_history: Callable[[Snapshot], Snapshot] | None = None,
) -> tuple[Snapshot, Analysis]:
    """The snapshot of ``customers`` and the analysis by the checks ``schedule`` selects.

    Checks the schedule leaves out are disabled for this run, so their outcomes say "skipped" and
    the alerts they judge are left as they are. ``with_history`` gives the collected snapshot the
    figures of earlier runs before the checks see it.
    """
    snapshot = pipeline.collect(loaded, customers)
    if with_history is not None:
        snapshot = with_history(snapshot)
    settings = check_settings(loaded.config)
    wanted = selected_checks(schedule, registry)
    if wanted is not None:
        left_out = frozenset(r.meta.id for r in registry if r.meta.id not in wanted)
        settings = settings.model_copy(update={"disabled": settings.disabled | left_out})
    return snapshot, pipeline.analyze(snapshot, settings, registry)
