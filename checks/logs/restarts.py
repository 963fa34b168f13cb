"""logs.restarts: product starts and stops seen in the logs, per node.

Start and stop markers on one node less than ``episode_min`` apart are one restart (a stop, then the
start lines of the same restart). One restart per node looks planned: info. A node restarting more
than ``max_per_node`` times, or different nodes restarting one after the other (more than
``together_min`` and at most ``cascade_min`` apart: a failure moving from node to node, or a rolling
restart) is a warning. Nodes restarting together (within ``together_min``) look like a planned
cluster restart.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from itertools import pairwise
from typing import NamedTuple

from checks.base import LogsCheck, SkipCheck
from checks.context import LogsContext
from checks.finding import Category, Evidence, Finding, Severity
from checks.logs._common import KB_HEAP_DUMPS, KB_OOM, listing, plural, when
from checks.metadata import CheckMeta
from collectors.logs.model import RestartEvent

RESTART_FAMILIES = frozenset({"application", "catalina"})
Episode = list[RestartEvent]  # one restart of one node: its markers in time order


def episodes(events: list[RestartEvent], gap: timedelta) -> dict[str, list[Episode]]:
    """Timed markers grouped per node into restarts: a marker more than ``gap`` after the previous one
    on the same node opens a new restart."""
    found: dict[str, list[Episode]] = {}
    last: dict[str, datetime] = {}  # each node's latest marker so far
    for at, event in sorted(((e.at, e) for e in events if e.at is not None), key=lambda t: (t[1].node, t[0])):
        node_episodes = found.setdefault(event.node, [])
        if node_episodes and at - last[event.node] <= gap:
            node_episodes[-1].append(event)
        else:
            node_episodes.append([event])
        last[event.node] = at
    return found


class Cascade(NamedTuple):
    """One node's restart followed by another's, ``gap`` apart."""

    first: Episode
    second: Episode
    gap: timedelta


def cascades(found: dict[str, list[Episode]], together: timedelta, within: timedelta) -> list[Cascade]:
    """Pairs of restarts of different nodes that followed one another: apart by more than ``together``
    and at most ``within``."""
    starts = sorted(
        ((at, node, ep) for node, eps in found.items() for ep in eps if (at := ep[0].at) is not None),
        key=lambda s: s[0],
    )
    pairs = []
    for (at_a, node_a, ep_a), (at_b, node_b, ep_b) in pairwise(starts):
        if node_a != node_b and together < at_b - at_a <= within:
            pairs.append(Cascade(ep_a, ep_b, at_b - at_a))
    return pairs


class LogsRestarts(LogsCheck):
    meta = CheckMeta(
        id="logs.restarts",
        title="Restarts in the logs",
        description=(
            "Product starts and stops seen in the application and catalina logs, per node: one restart per "
            "node looks planned; repeated restarts, or nodes going down one after the other, do not."
        ),
        category=Category.AVAILABILITY,
        default_severity=Severity.WARNING,
        thresholds={"max_per_node": 1, "episode_min": 30, "together_min": 5, "cascade_min": 60},
        references=(KB_OOM, KB_HEAP_DUMPS),
    )

    def run(self, ctx: LogsContext) -> Iterator[Finding]:
        logs = ctx.logs
        if not any(f.kind.family in RESTART_FAMILIES and f.lines > 0 for f in logs.files):
            raise SkipCheck("no application or catalina log was analysed, so restarts cannot be seen")
        if not logs.restarts:
            yield ctx.ok(
                "No restart in the window",
                "No product start or stop was logged "
                f"between {when(logs.first_at)} and {when(logs.last_at)}.",
                key="restarts",
            )
            return
        t = ctx.threshold
        found = episodes(logs.restarts, timedelta(minutes=t("episode_min")))
        untimed = [e for e in logs.restarts if e.at is None]
        repeated = {node: eps for node, eps in found.items() if len(eps) > t("max_per_node")}
        chained = cascades(found, timedelta(minutes=t("together_min")), timedelta(minutes=t("cascade_min")))
        total = sum(len(eps) for eps in found.values())

        evidence = [
            Evidence(label=f"{node} restart", value=ep[0].text, source=ep[0].signature, time=ep[0].at)
            for node in sorted(found)
            for ep in found[node]
        ]
        evidence += [
            Evidence(label=f"{e.node} restart marker without a time", value=e.text, source=e.signature)
            for e in untimed
        ]
        per_node = "; ".join(
            f"{node} at {', '.join(when(ep[0].at) for ep in found[node])}" for node in sorted(found)
        )
        counted = plural(total, "restart") + (f" ({per_node})" if per_node else "")
        if untimed:
            markers = f"{plural(len(untimed), 'restart marker')} without a time"
            counted = f"{counted} and {markers}" if total else markers

        problems = []
        for node, eps in sorted(repeated.items()):
            problems.append(
                f"{node} restarted {len(eps)} times, more than the {t('max_per_node'):g} expected"
            )
        for first, second, gap in chained:
            minutes = gap.total_seconds() / 60
            problems.append(f"{second[0].node} restarted {minutes:.0f} min after {first[0].node}")
        if not problems:
            message = (
                f"{counted} seen in the window: at most {t('max_per_node'):g} per node and none "
                "one after another across nodes, which looks planned."
            )
            yield ctx.finding(
                Severity.INFO,
                f"{plural(max(total, len(untimed)), 'restart')} in the window",
                message,
                evidence=evidence,
                recommendation="Confirm the restarts were planned (a maintenance window, an upgrade).",
                key="restarts",
            )
            return
        chained_nodes = sorted({ep[0].node for c in chained for ep in (c.first, c.second)})
        yield ctx.finding(
            Severity.WARNING,
            f"Repeated restarts on {listing(sorted(repeated))}"
            if repeated
            else f"Nodes restarted one after another: {listing(chained_nodes)}",
            f"{counted} seen in the window: {'; '.join(problems)}.",
            evidence=evidence,
            recommendation=(
                "Find why each node went down: look just before each restart for OutOfMemoryError, long GC "
                "pauses, a JVM killed by the OS (host.oom_killer) or an operator stop in catalina.out. Nodes "
                "going down one after another suggest load moving to the survivors and toppling them; if it "
                "was a planned rolling restart, say so in the report."
            ),
            key="restarts",
        )
