"""What `serve` checks before it starts (and before it accepts a reloaded configuration) beyond the
schema: errors refuse the configuration, warnings are logged."""

from __future__ import annotations

from collections.abc import Mapping

from agent.config.loader import LoadedConfig
from agent.service.channels.preflight import channel_problems
from agent.service.http import can_bind
from agent.service.plan import plan_jobs, served_customers, unknown_customers


def service_problems(
    loaded: LoadedConfig, env: Mapping[str, str], *, serving: str | None = None
) -> tuple[list[str], list[str]]:
    """(errors, warnings) of ``loaded`` for `serve`: schedules, customers, the listen address, and
    every alert channel's credentials and reachability. ``serving``: the listen address this process
    already serves (a reload), which is not bound again to test it."""
    config, source = loaded.config, loaded.source
    errors: list[str] = []
    warnings: list[str] = []
    service = config.service
    if service is None:
        return [f"{source}: there is no service section: add one (see config.example.yaml)"], []
    if not service.schedules and not any(c.service and c.service.schedules for c in config.customers):
        errors.append(f"{source}: service.schedules is empty: add one, e.g. {{name: quick, every: 5m}}")
    for name in unknown_customers(config):
        errors.append(f"{source}: service.customers: no customer is named {name!r}")
    if not errors and not plan_jobs(config):
        errors.append(f"{source}: no schedule applies to any served customer: nothing would run")
    if service.listen != serving:
        host, port = service.listen_address
        problem = can_bind(host, port)
        if problem:
            errors.append(f"{source}: service.listen: {problem}")
    # Channels: a missing secret refuses the configuration; a host that does not answer is a warning,
    # since the outbox keeps what it cannot deliver until the host is back.
    channel_errors, channel_warnings = channel_problems(service.alerts, loaded.base_dir, env)
    errors.extend(f"{source}: {line}" for line in channel_errors)
    warnings.extend(f"{source}: {line}" for line in channel_warnings)
    by_name = {c.name: c for c in config.customers}
    for name in served_customers(config):
        customer = by_name[name]
        if not customer.instances and not customer.hosts:
            warnings.append(f"{source}: customer {name!r} has no instances or hosts: its runs check nothing")
    return errors, warnings
