"""What the runner needs for host-scoped checks: which apply to a host, why one is skipped, its context.

A host check sees its host, the customer's other hosts (``peers``: clock skew between cluster nodes)
and the customer's instances (the product version the host serves).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from checks.metadata import CheckMeta, Threshold
from collectors.hosts.model import HostSnapshot
from collectors.model import InstanceSnapshot, Snapshot


def host_applies(meta: CheckMeta, host: HostSnapshot) -> bool:
    return meta.scope == "host" and (host.product is None or host.product in meta.products)


def _lookup(host: HostSnapshot, path: str) -> object | None:
    value: object | None = host
    for part in path.split("."):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value


def host_skip_reason(host: HostSnapshot, fields: Iterable[str]) -> str | None:
    """Why the host data a check needs is missing, or None when it is all there."""
    missing = [f for f in fields if _lookup(host, f) is None]
    if not missing:
        return None
    connect = host.connect_error()
    if connect is not None:
        return f"host not reached ({connect.message})"
    for name in missing:
        error = host.error_for(name)
        if error is not None:
            return f"{name.replace('_', ' ')} not collected: {error.message}"
    if "thread_dumps" in missing:
        return "no thread dumps were taken: ask for them with --thread-dumps N --interval S"
    return f"{', '.join(m.replace('_', ' ') for m in missing)} not collected on this host"


def host_thresholds(
    check_id: str,
    host: HostSnapshot,
    defaults: Mapping[str, Mapping[str, Threshold]],
    per_target: Mapping[str, Mapping[str, Mapping[str, Threshold]]],
) -> dict[str, Threshold]:
    """The configured thresholds, with the host's own overrides (keyed "customer/host") winning."""
    merged = dict(defaults.get(check_id, {}))
    merged.update(per_target.get(f"{host.customer}/{host.name}", {}).get(check_id, {}))
    return merged


def hosts_with_neighbours(
    snapshot: Snapshot,
) -> Iterator[tuple[HostSnapshot, tuple[HostSnapshot, ...], tuple[InstanceSnapshot, ...]]]:
    """Each host with its customer's other hosts and the customer's instances."""
    for host in snapshot.hosts:
        peers = tuple(h for h in snapshot.hosts if h.customer == host.customer and h is not host)
        instances = tuple(i for i in snapshot.instances if i.customer == host.customer)
        yield host, peers, instances
