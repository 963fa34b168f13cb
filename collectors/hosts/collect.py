"""Collect every configured host: concurrently, one connection per host, results in target order."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import UTC, datetime

from collectors.hosts.local import collect_local
from collectors.hosts.model import HostError, HostErrorKind, HostSnapshot
from collectors.hosts.remote import collect_remote
from collectors.hosts.target import HostCollectOptions, HostTarget
from collectors.model import Snapshot
from collectors.redaction import Redactor

log = logging.getLogger(__name__)


def collect_host(target: HostTarget, options: HostCollectOptions) -> HostSnapshot:
    """One host's snapshot; never raises (a defect of ours becomes a recorded collector error)."""
    try:
        return collect_local(target, options) if target.local else collect_remote(target, options)
    except Exception as exc:
        log.exception("collecting host %s/%s failed", target.customer, target.name)
        now = datetime.now(UTC)
        message = Redactor(target.known_secrets).text(f"collector error: {type(exc).__name__}: {exc}")
        return HostSnapshot(
            customer=target.customer,
            name=target.name,
            address=target.address,
            method="local" if target.local else "ssh",
            instance=target.instance,
            node=target.node,
            product=target.product,
            started_at=now,
            finished_at=now,
            errors=[
                HostError(
                    call="collector", kind=HostErrorKind.COLLECTOR, message=message.splitlines()[0], at=now
                )
            ],
        )


def collect_hosts(
    targets: Sequence[HostTarget],
    options: HostCollectOptions,
    on_done: Callable[[HostSnapshot], None] | None = None,
) -> list[HostSnapshot]:
    """All hosts at once (up to ``options.host_concurrency``); ``on_done`` runs in this thread."""
    results: list[HostSnapshot | None] = [None] * len(targets)
    if not targets:
        return []
    workers = max(1, min(options.host_concurrency, len(targets)))
    with ThreadPoolExecutor(workers, thread_name_prefix="collect-host") as pool:
        futures = {pool.submit(collect_host, target, options): i for i, target in enumerate(targets)}
        for future in as_completed(futures):
            snapshot = future.result()
            results[futures[future]] = snapshot
            if on_done is not None:
                try:
                    on_done(snapshot)
                except Exception:
                    log.exception("on_done callback failed for host %s", snapshot.name)
    return [s for s in results if s is not None]


def attach_hosts(snapshot: Snapshot, hosts: list[HostSnapshot]) -> Snapshot:
    """The run's snapshot with its hosts; their limits join the run's, the run ends with the last host."""
    finished = max([snapshot.finished_at, *(h.finished_at for h in hosts)])
    limits = [*snapshot.limits_hit, *(line for h in hosts for line in h.limits_hit)]
    return snapshot.model_copy(update={"hosts": hosts, "limits_hit": limits, "finished_at": finished})
