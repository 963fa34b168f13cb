"""The figures of one run the service keeps for history: disk use per filesystem, availability and
response time per instance, licence seats and expiry, and the heap floor per node.

They are what forecasts, the report's trend lines and the dashboard's charts are drawn from; the
names are collectors.history_model's. Bounded: at most ``MAX_PER_SUBJECT`` series per host, instance
or log analysis, so a host with hundreds of mounts cannot flood the history.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterator
from dataclasses import dataclass

from checks.context import LOGS_SUBJECT
from checks.host.disk_free import watched
from collectors import history_model as m
from collectors.hosts.model import HostSnapshot
from collectors.logs.model import LogAnalysis
from collectors.model import InstanceSnapshot, Snapshot

MAX_PER_SUBJECT = 64


@dataclass(frozen=True)
class Sample:
    target: str  # host name, instance name, or "logs"
    metric: str
    key: str
    value: float


def samples(snapshot: Snapshot, customer: str) -> list[Sample]:
    """The figures of ``customer``'s hosts, instances and logs in ``snapshot``."""
    found: list[Sample] = []
    for host in snapshot.hosts:
        if host.customer == customer and host.method != "files":
            found.extend(_bounded(_host(host)))
    for instance in snapshot.instances:
        if instance.customer == customer:
            found.extend(_bounded(_instance(instance)))
    for logs in snapshot.logs:
        if logs.customer == customer:
            found.extend(_bounded(_logs(logs)))
    return found


def _bounded(produced: Iterator[Sample]) -> list[Sample]:
    kept: list[Sample] = []
    for sample in produced:
        if len(kept) >= MAX_PER_SUBJECT:
            break
        if math.isfinite(sample.value):  # a product's odd answer never becomes a point of a fit
            kept.append(sample)
    return kept


def _host(host: HostSnapshot) -> Iterator[Sample]:
    for fs in watched(host.filesystems or []):
        if fs.size and fs.used is not None:
            yield Sample(host.name, m.DISK_USED, fs.mount, float(fs.used))
            yield Sample(host.name, m.DISK_SIZE, fs.mount, float(fs.size))


def _instance(instance: InstanceSnapshot) -> Iterator[Sample]:
    name = instance.instance
    yield Sample(name, m.UP, "", 1.0 if is_up(instance) else 0.0)
    answered = [call.elapsed_ms for call in instance.calls if call.ok]
    if answered:
        yield Sample(name, m.RESPONSE_MS, "", float(statistics.median(answered)))
    for licence in instance.licenses or []:
        app = licence.application
        if licence.seats_used is not None:
            yield Sample(name, m.SEATS_USED, app, float(licence.seats_used))
        if licence.seats_allowed is not None and not licence.unlimited_seats:
            yield Sample(name, m.SEATS_ALLOWED, app, float(licence.seats_allowed))
        if licence.expiry is not None:
            yield Sample(name, m.LICENCE_EXPIRY, app, licence.expiry.timestamp())


def is_up(instance: InstanceSnapshot) -> bool:
    """Up: /status said RUNNING with a good answer; where the product gave no state (Cloud, an older
    product without /status), any REST call answering counts."""
    status = instance.status
    state = (status.state or "").strip().upper() if status is not None else ""
    if state:
        http = status.http_status if status is not None else None
        return state == "RUNNING" and (http is None or http < 400)
    return any(call.ok for call in instance.calls)


def _logs(logs: LogAnalysis) -> Iterator[Sample]:
    for gc in logs.gc or []:
        if not gc.heap_after:
            continue
        yield Sample(LOGS_SUBJECT, m.HEAP_FLOOR_MB, gc.node, min(p.after_mb for p in gc.heap_after))
        total = next((p.total_mb for p in reversed(gc.heap_after) if p.total_mb), None)
        if total is not None:
            yield Sample(LOGS_SUBJECT, m.HEAP_MAX_MB, gc.node, float(total))
