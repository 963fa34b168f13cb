"""Live collection for `incident --config F --customer C`: the state now first, then the evidence.

Three collections start at once: the instances over REST, a quick pass over the hosts for their
vitals (no thread dumps, no logs), and the full pass over the hosts (vitals again, three thread dumps
ten seconds apart from each product JVM, and the logs of the window streamed into a spool folder).
As soon as the instances and the quick pass are in, or the first-screen deadline passes, whatever is
in is handed to ``on_first_screen``, so the engineer sees the state now within seconds; the full
pass and the logs follow.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from agent.config.host_targets import host_collect_options, host_targets
from agent.config.loader import LoadedConfig
from agent.config.targets import collect_options, instance_targets
from agent.version import USER_AGENT, __version__
from collectors.estate import collect_estate
from collectors.hosts.collect import attach_hosts, collect_hosts
from collectors.hosts.model import HostSnapshot
from collectors.hosts.target import ThreadDumpRequest
from collectors.model import InstanceSnapshot, Snapshot

log = logging.getLogger(__name__)

FIRST_SCREEN_S = 7.0  # after this the first screen shows what is in; startup and printing fit in 10 s
QUICK_HOST_BUDGET_S = 6.0  # the quick pass over a host: vitals only
DEFAULT_LOOKBACK_HOURS = 6.0  # host logs without --since: enough before an incident for a baseline
WINDOW_MARGIN_HOURS = 0.25  # files last written a little before --since still hold its first lines
THREAD_DUMPS = ThreadDumpRequest(count=3, interval_s=10.0)
T = TypeVar("T")


@dataclass(frozen=True)
class FirstScreen:
    """What was in when the first screen was due."""

    snapshot: Snapshot  # the instances and hosts that answered so far
    pending_instances: list[str]  # still being collected
    pending_hosts: list[str]
    customer: str
    log_window_hours: float
    host_count: int


def log_window_hours(settings_hours: float, since: datetime | None, now: datetime) -> float:
    """How far back host log files are fetched (by their last write): from --since, else the last
    few hours (at most the configured window)."""
    if since is None:
        return min(settings_hours, DEFAULT_LOOKBACK_HOURS)
    back = (now - since).total_seconds() / 3600 + WINDOW_MARGIN_HOURS
    return max(WINDOW_MARGIN_HOURS, math.ceil(back * 4) / 4)


class _Gathered:
    """Results arriving from the collector threads, read by the main thread at the deadline."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.instances: list[InstanceSnapshot] = []
        self.hosts: list[HostSnapshot] = []

    def instance(self, snapshot: InstanceSnapshot) -> None:
        with self._lock:
            self.instances.append(snapshot)

    def host(self, snapshot: HostSnapshot) -> None:
        with self._lock:
            self.hosts.append(snapshot)

    def now(self) -> tuple[list[InstanceSnapshot], list[HostSnapshot]]:
        with self._lock:
            return list(self.instances), list(self.hosts)


def collect_live(
    loaded: LoadedConfig,
    customer: str,
    spool: Path,
    *,
    since: datetime | None,
    on_first_screen: Callable[[FirstScreen], None],
    on_host_done: Callable[[HostSnapshot], None] | None = None,
    first_screen_s: float = FIRST_SCREEN_S,
) -> Snapshot:
    """The customer's instances and hosts now, host logs of the window in ``spool`` (laid out as a
    bundle's logs/ folder: <customer>/<host>/...). Never raises for anything a target does."""
    started = time.monotonic()
    targets = instance_targets(loaded, [customer])
    hosts = host_targets(loaded, [customer])
    settings = loaded.config.settings
    options = collect_options(settings, USER_AGENT)
    base = host_collect_options(settings.hosts)
    window = log_window_hours(settings.hosts.logs.window_hours, since, datetime.now(UTC))
    quick = replace(base, host_budget_s=min(base.host_budget_s, QUICK_HOST_BUDGET_S))
    full = replace(base, thread_dumps=THREAD_DUMPS, log_spool=spool, log_window_hours=window)
    log.info(
        "live: %d instance(s), %d host(s) of %s; host logs of the last %.2f h",
        len(targets),
        len(hosts),
        customer,
        window,
    )
    gathered = _Gathered()
    with ThreadPoolExecutor(3, thread_name_prefix="incident-live") as pool:
        estate = pool.submit(
            collect_estate, targets, options, tool_version=__version__, on_done=gathered.instance
        )
        vitals = pool.submit(collect_hosts, hosts, quick, gathered.host)
        evidence = pool.submit(collect_hosts, hosts, full, on_host_done)
        due = started + first_screen_s
        wait([estate], timeout=max(0.0, due - time.monotonic()))
        wait([vitals], timeout=max(0.0, due - time.monotonic()))
        instances, quick_hosts = gathered.now()
        partial = Snapshot(
            tool_version=__version__,
            started_at=datetime.now(UTC),
            finished_at=datetime.now(UTC),
            instances=_in_order(instances, [t.name for t in targets], lambda i: i.instance),
            hosts=_in_order(quick_hosts, [h.name for h in hosts], lambda h: h.name),
        )
        done_instances = {i.instance for i in instances}
        done_hosts = {h.name for h in quick_hosts}
        try:  # the first screen is a courtesy: the investigation goes on without it
            on_first_screen(
                FirstScreen(
                    snapshot=partial,
                    pending_instances=[t.name for t in targets if t.name not in done_instances],
                    pending_hosts=[h.name for h in hosts if h.name not in done_hosts],
                    customer=customer,
                    log_window_hours=window,
                    host_count=len(hosts),
                )
            )
        except Exception:
            log.exception("the first screen failed; collection goes on")
        snapshot = attach_hosts(estate.result(), evidence.result())
    log.info("live collection done in %.1f s", time.monotonic() - started)
    return snapshot


def _in_order(items: list[T], names: list[str], name: Callable[[T], str]) -> list[T]:
    rank = {n: i for i, n in enumerate(names)}
    return sorted(items, key=lambda item: rank.get(name(item), len(rank)))
