"""Collect a whole estate: instances concurrently, results in the order of the targets."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import UTC, datetime

from collectors.model import CollectionError, ErrorKind, InstanceSnapshot, Snapshot
from collectors.redaction import Redactor, credential_secrets
from collectors.rest import collect_instance
from collectors.target import CollectOptions, InstanceTarget

log = logging.getLogger(__name__)


def collect_estate(
    targets: Sequence[InstanceTarget],
    options: CollectOptions,
    *,
    tool_version: str,
    on_done: Callable[[InstanceSnapshot], None] | None = None,
) -> Snapshot:
    """One Snapshot of all ``targets``. Never raises for anything a target does.

    ``on_done`` is called in this thread as each instance finishes (in completion order), so a
    progress display needs no locking; an exception it raises is logged and collection goes on.
    """
    started_at = datetime.now(UTC)
    results: list[InstanceSnapshot | None] = [None] * len(targets)
    if targets:
        workers = max(1, min(options.instance_concurrency, len(targets)))
        with ThreadPoolExecutor(workers, thread_name_prefix="collect-estate") as pool:
            futures = {pool.submit(_collect_one, target, options): i for i, target in enumerate(targets)}
            for future in as_completed(futures):
                snapshot = future.result()  # _collect_one never raises
                results[futures[future]] = snapshot
                if on_done is not None:
                    try:
                        on_done(snapshot)
                    except Exception:
                        log.exception("on_done callback failed for %s", snapshot.instance)
    instances = [s for s in results if s is not None]
    return Snapshot(
        tool_version=tool_version,
        started_at=started_at,
        finished_at=datetime.now(UTC),
        instances=instances,
        limits_hit=_limits_hit(instances, options),
    )


def _collect_one(target: InstanceTarget, options: CollectOptions) -> InstanceSnapshot:
    try:
        return collect_instance(target, options)
    except Exception as exc:  # a collector bug: keep the other instances and say what happened
        log.exception("collecting %s/%s failed", target.customer, target.name)
        now = datetime.now(UTC)
        redactor = Redactor(credential_secrets(target.credentials.username, target.credentials.secret))
        error = CollectionError(
            call="collector",
            kind=ErrorKind.UNEXPECTED_SHAPE,
            message=redactor.text(f"collector error: {type(exc).__name__}: {exc}".splitlines()[0]),
            url=redactor.url(target.url),
            at=now,
        )
        return InstanceSnapshot(
            customer=target.customer,
            instance=target.name,
            product=target.product,
            deployment=target.deployment,
            url=redactor.url(target.url),
            started_at=now,
            finished_at=now,
            errors=[error],
        )


def _limits_hit(instances: list[InstanceSnapshot], options: CollectOptions) -> list[str]:
    limits = []
    for inst in instances:
        skipped = [e.call for e in inst.errors if e.kind is ErrorKind.BUDGET_EXCEEDED]
        if skipped:
            limits.append(
                f"{inst.customer}/{inst.instance}: instance budget of {options.instance_budget_s:g} s "
                f"used up; not collected: {', '.join(dict.fromkeys(skipped))}"
            )
    return limits
