"""What a scenario plants in the traffic and the logs: effects, and the common one that degrades
requests (errors, latency) on some nodes for a while.

An effect acts from ``start`` to ``end`` (None: until the logs end), ramping in and out over
``ramp`` seconds. Each may change or add the requests of a minute (``shape``), write lines of its own
(``lines``: application log or catalina.out), write the application-log event of a request it made
fail (``event``), press on a node's heap (``pressure``) or schedule one-off full collections
(``forced_gc``). Requests an effect changed carry its number in ``Requests.reason``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from sandbox.incident_gc import Pressure
from sandbox.incident_lines import VERSION
from sandbox.incident_traffic import API, ENDPOINTS, LOGIN_PASSED, NO_LOGIN, People, Requests, Traffic

SHUTDOWN_S = 12.0  # a clean stop: from the stop command to the JVM's exit
Line = tuple[float, str, str]  # (time, "app" or "catalina", text)
Event = tuple[str, str, str, str]  # (level, logger, message, stack) of a request's log event


@dataclass
class World:
    """What effects may read: who is who, the node names, random sources, the timeline."""

    people: People
    traffic: Traffic
    nodes: tuple[str, ...]
    random: random.Random
    np: np.random.Generator
    scale: float
    log_end: float


@dataclass
class Run:
    """One JVM run of a node: started at ``start`` (None: days before the logs), serving from ``ready``,
    stopped at ``stop`` (None: still running): cleanly (stop lines, heap summary) or not (the process
    vanished: no line at all)."""

    start: float | None = None
    ready: float | None = None
    stop: float | None = None
    clean: bool = True
    version: str = VERSION

    def alive(self) -> tuple[float, float]:
        end = math.inf if self.stop is None else self.stop + (SHUTDOWN_S if self.clean else 0.0)
        return (-math.inf if self.start is None else self.start), end

    def serving(self) -> tuple[float, float]:
        return (-math.inf if self.ready is None else self.ready), (
            math.inf if self.stop is None else self.stop
        )


class Effect:
    user_not_found = False  # its failed form logins are of users the directory could not look up

    def __init__(
        self, start: float, end: float | None, nodes: tuple[int, ...] = (), ramp: float = 60.0
    ) -> None:
        self.start = start
        self.end = end
        self.nodes = nodes
        self.ramp = ramp

    def until(self) -> float:
        return self.end if self.end is not None else float("inf")

    def active(self, a: float, b: float) -> bool:
        return self.start < b and self.until() > a

    def level(self, t: np.ndarray) -> np.ndarray:
        """0 outside the effect, rising to 1 over ``ramp`` seconds after the start and falling to 0 over
        ``ramp`` seconds before the end."""
        up = np.clip((t - self.start) / max(self.ramp, 1e-9), 0.0, 1.0)
        down = np.clip((self.until() - t) / max(self.ramp, 1e-9), 0.0, 1.0)
        return np.where((t >= self.start) & (t < self.until()), np.minimum(up, down), 0.0)

    def shape(self, world: World, minute: float, batches: list[Requests], reason: int) -> None:
        """Change or add this minute's requests (``batches``: one per node)."""

    def lines(self, world: World, node: int, minute: float) -> list[Line]:
        return []

    def event(self, world: World, node: int, req: Requests, i: int) -> Event | None:
        return None

    def pressure(self, node: int, at: float) -> Pressure | None:
        return None

    def forced_gc(self, node: int) -> list[tuple[float, float, float]]:
        return []


@dataclass
class Cause:
    """What a cause-class builder plants: its effects, where it acted, when it was over (None: still
    going at the end of the logs), and the nodes' JVM runs when it stops or restarts some."""

    effects: list[Effect]
    end: float | None
    nodes: tuple[int, ...]
    runs: dict[int, list[Run]] = field(default_factory=dict)


EventMaker = Callable[[World, int, Requests, int], Event | None]
LineMaker = Callable[[World, int, float], list[Line]]


class Lines(Effect):
    """Lines only: ``make(world, node, minute, effect)`` gives a node's lines for a minute while the
    effect lasts."""

    def __init__(
        self,
        start: float,
        end: float | None,
        nodes: tuple[int, ...],
        make: Callable[[World, int, float, Effect], list[Line]],
    ) -> None:
        super().__init__(start, end, nodes)
        self.make = make

    def lines(self, world: World, node: int, minute: float) -> list[Line]:
        if node not in self.nodes or not self.active(minute, minute + 60):
            return []
        return self.make(world, node, minute, self)


class Degrade(Effect):
    """Requests to some endpoints on some nodes fail (a share of them, with a status and a duration of
    its own) or slow down; each failure writes the event ``make_event`` gives."""

    def __init__(
        self,
        start: float,
        end: float | None,
        nodes: tuple[int, ...],
        *,
        targets: np.ndarray,
        fail: float,
        status: int = 500,
        fail_ms: tuple[float, float] | None = None,
        slow: float = 1.0,
        ramp: float = 60.0,
        make_event: EventMaker | None = None,
        make_lines: LineMaker | None = None,
        pressure: Pressure | None = None,
    ) -> None:
        super().__init__(start, end, nodes, ramp)
        self.targets = targets
        self.fail = fail
        self.status = status
        self.fail_ms = fail_ms
        self.slow = slow
        self.make_event = make_event
        self.make_lines = make_lines
        self._pressure = pressure

    def shape(self, world: World, minute: float, batches: list[Requests], reason: int) -> None:
        if not self.active(minute, minute + 60):
            return
        for node in self.nodes:
            req = batches[node]
            if not len(req):
                continue
            lv = self.level(req.t)
            on = self.targets[req.ep] & (lv > 0) & (req.reason == 0)
            failing = on & (world.np.random(len(req)) < self.fail * lv)
            slowed = on & ~failing
            req.ms[slowed] = np.rint(req.ms[slowed] * (1 + (self.slow - 1) * lv[slowed])).astype(np.int64)
            if self.fail_ms is not None:
                low, high = self.fail_ms
                req.ms[failing] = np.rint(world.np.uniform(low, high, int(failing.sum()))).astype(np.int64)
            req.status[failing] = self.status
            req.nbytes[failing] = world.np.integers(300, 2_000, int(failing.sum()))
            req.reason[failing] = reason
            req.login[failing & (req.login == LOGIN_PASSED)] = NO_LOGIN  # it never got as far as the check

    def event(self, world: World, node: int, req: Requests, i: int) -> Event | None:
        return self.make_event(world, node, req, i) if self.make_event else None

    def lines(self, world: World, node: int, minute: float) -> list[Line]:
        if self.make_lines is None or node not in self.nodes or not self.active(minute, minute + 60):
            return []
        return self.make_lines(world, node, minute)

    def pressure(self, node: int, at: float) -> Pressure | None:
        if self._pressure is not None and node in self.nodes and self.start <= at < self.until():
            return self._pressure
        return None


def every(world: World, minute: float, start: float, end: float, per_minute: float) -> list[float]:
    """Random instants in ``[minute, minute + 60)`` that also lie in ``[start, end)``, about
    ``per_minute`` of them (a Poisson count)."""
    a, b = max(minute, start), min(minute + 60, end)
    if b <= a:
        return []
    count = int(world.np.poisson(per_minute * (b - a) / 60))
    return sorted(a + world.random.random() * (b - a) for _ in range(count))


_PAGE_ACTION = {"/browse/": "ViewIssue", "/secure/Dashboard.jspa": "Dashboard", "/issues/": "IssueNavigator"}


def failed_request(stack: str | Callable[[World], str], level: str = "ERROR") -> EventMaker:
    """The event Jira writes for a request that failed with ``stack`` (the exception and its causes):
    the REST layer's "Returning internal server error", or the action dispatcher's for pages."""

    def make(world: World, node: int, req: Requests, i: int) -> Event:
        ep = ENDPOINTS[int(req.ep[i])]
        trace = stack(world) if callable(stack) else stack
        if ep.kind == API:
            return (
                level,
                "c.a.j.rest.exception.ExceptionInterceptor",
                "Returning internal server error in response",
                trace,
            )
        action = next(
            (name for prefix, name in _PAGE_ACTION.items() if ep.path.startswith(prefix)),
            "JiraWebActionSupport",
        )
        return (
            level,
            "c.a.j.web.dispatcher.JiraWebworkActionDispatcher",
            f"Exception thrown from action '{action}', returning 500",
            trace,
        )

    return make
