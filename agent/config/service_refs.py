"""References inside the `service` section that the schema alone cannot check: customer names,
check categories and ids of a schedule's filter, and the channel names a customer picks."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from agent.config.schema import Config
from agent.config.service_schema import Schedule
from checks.finding import Category
from checks.registry import Registry

Path = tuple[str | int, ...]


def service_reference_problems(config: Config, registry: Registry) -> Iterator[tuple[Path, str]]:
    service = config.service
    customers = [c.name for c in config.customers]
    if service is not None:
        if service.customers != "all":
            for index, name in enumerate(service.customers):
                if name not in customers:
                    yield ("service", "customers", index), _unknown("customer", name, customers)
        for index, schedule in enumerate(service.schedules):
            yield from _schedule_problems(schedule, ("service", "schedules", index), registry)
    channels = service.alerts.channel_names() if service is not None else []
    for c_index, customer in enumerate(config.customers):
        own = customer.service
        if own is None:
            continue
        base: Path = ("customers", c_index, "service")
        if service is None:
            yield base, "customers[].service needs the top-level service section (atlas-health serve)"
            continue
        for index, schedule in enumerate(own.schedules):
            yield from _schedule_problems(schedule, (*base, "schedules", index), registry)
        for index, name in enumerate(own.channels or []):
            if name not in channels:
                yield (*base, "channels", index), _unknown("channel", name, channels)


def _schedule_problems(schedule: Schedule, base: Path, registry: Registry) -> Iterator[tuple[Path, str]]:
    categories = [c.value for c in Category]
    for index, category in enumerate(schedule.categories):
        if category not in categories:
            yield (*base, "categories", index), _unknown("category", category, categories)
    ids = [r.meta.id for r in registry]
    for index, check_id in enumerate(schedule.checks):
        if registry.get(check_id) is None:
            yield (*base, "checks", index), _unknown("check", check_id, ids)


def _unknown(what: str, name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else f"; known: {', '.join(known[:12]) or 'none'}"
    return f"unknown {what} {name!r}{hint}"


def selected_checks(schedule: Schedule, registry: Registry) -> frozenset[str] | None:
    """The check ids a schedule runs; None: every check."""
    if not schedule.categories and not schedule.checks:
        return None
    wanted = set(schedule.categories)
    return frozenset(
        r.meta.id for r in registry if r.meta.id in schedule.checks or r.meta.category.value in wanted
    )
