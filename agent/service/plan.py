"""Which jobs the configuration asks for: the global schedules over their customers, plus each
customer's own. Pure; the scheduler turns the specs into APScheduler jobs."""

from __future__ import annotations

from agent.config.schema import Config
from agent.config.service_schema import Schedule
from agent.service.events import JobSpec


def served_customers(config: Config) -> list[str]:
    """The customers the service watches (``service.customers``), in configuration order."""
    service = config.service
    names = [c.name for c in config.customers]
    if service is None or service.customers == "all":
        return names
    wanted = set(service.customers)
    return [name for name in names if name in wanted]


def unknown_customers(config: Config) -> list[str]:
    """Names in ``service.customers`` that no customer has (a configuration error)."""
    if config.service is None or config.service.customers == "all":
        return []
    known = {c.name for c in config.customers}
    return [name for name in config.service.customers if name not in known]


def plan_jobs(config: Config) -> list[JobSpec]:
    if config.service is None:
        return []
    global_schedules = {s.name: s for s in config.service.schedules}
    shared: dict[str, list[str]] = {name: [] for name in global_schedules}
    own: list[JobSpec] = []
    by_name = {c.name: c for c in config.customers}
    for name in served_customers(config):
        customer_service = by_name[name].service
        own_schedules: dict[str, Schedule] = (
            {s.name: s for s in customer_service.schedules} if customer_service else {}
        )
        replaces_all = customer_service is not None and customer_service.replace_schedules
        for schedule_name in global_schedules:
            if not replaces_all and schedule_name not in own_schedules:
                shared[schedule_name].append(name)
        own.extend(
            JobSpec(f"{schedule.name}@{name}", schedule, (name,)) for schedule in own_schedules.values()
        )
    jobs = [
        JobSpec(name, global_schedules[name], tuple(customers))
        for name, customers in shared.items()
        if customers
    ]
    return jobs + own
