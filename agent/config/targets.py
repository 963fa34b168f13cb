"""Turn a validated configuration into what collectors and the check runner take."""

from __future__ import annotations

from collections.abc import Iterable

from agent.config.hosts_schema import Host
from agent.config.loader import LoadedConfig
from agent.config.schema import Config, Customer, Instance, Settings
from checks.runner import CheckSettings
from collectors.target import CollectOptions, InstanceTarget


class UnknownCustomerError(ValueError):
    pass


def select_customers(config: Config, names: Iterable[str] = ()) -> list[str]:
    known = [c.name for c in config.customers]
    wanted = list(names)
    unknown = [n for n in wanted if n not in known]
    if unknown:
        raise UnknownCustomerError(
            f"unknown customer {', '.join(map(repr, unknown))}; the configuration has: {', '.join(known)}"
        )
    return wanted or known


def _verify(inst: Instance, loaded: LoadedConfig) -> bool | str:
    """requests' `verify`: a CA bundle path (relative to the config file) or a flag."""
    if inst.ca_bundle is not None:
        return str(loaded.base_dir / inst.ca_bundle)  # an absolute ca_bundle stays as it is
    return inst.verify_tls


def instance_targets(loaded: LoadedConfig, customers: Iterable[str] = ()) -> list[InstanceTarget]:
    chosen = set(select_customers(loaded.config, customers))
    targets = []
    for customer in loaded.config.customers:
        if customer.name not in chosen:
            continue
        for inst in customer.instances:
            targets.append(
                InstanceTarget(
                    customer=customer.name,
                    name=inst.name,
                    product=inst.product,
                    deployment=inst.deployment,
                    url=inst.url,
                    credentials=loaded.credentials[(customer.name, inst.name)],
                    verify_tls=_verify(inst, loaded),
                )
            )
    return targets


def collect_options(settings: Settings, user_agent: str) -> CollectOptions:
    return CollectOptions(
        timeout_s=settings.timeout_seconds,
        retry_after_cap_s=settings.retry_after_cap_seconds,
        max_retries=settings.max_retries,
        instance_budget_s=settings.instance_budget_seconds,
        call_deadline_s=settings.call_deadline_seconds,
        response_cap_bytes=round(settings.response_cap_mb * 2**20),
        instance_concurrency=settings.concurrency.instances,
        calls_per_instance=settings.concurrency.calls_per_instance,
        user_agent=user_agent,
    )


def check_settings(config: Config) -> CheckSettings:
    return CheckSettings(
        disabled=frozenset(config.checks.disabled),
        thresholds={k: dict(v) for k, v in config.checks.thresholds.items()},
        instance_thresholds={  # hosts too: their names never clash with the customer's instances
            f"{c.name}/{t.name}": {k: dict(v) for k, v in t.thresholds.items()}
            for c in config.customers
            for t in _named_targets(c)
            if t.thresholds
        },
        budget_s=config.settings.check_budget_seconds,
    )


def _named_targets(customer: Customer) -> list[Instance | Host]:
    """The customer's instances and hosts: the targets a threshold can be set for by name."""
    return [*customer.instances, *customer.hosts]
