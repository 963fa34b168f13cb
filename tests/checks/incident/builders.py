"""Hand-built per-node log analyses with known figures, for the incident reasoning's unit tests.

Each minute of each node is written from a function of (node, minute), so a test states its story
in a line or two and the expected answers follow from it directly."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from collectors.logs.model import (
    AccessMinute,
    AccessSummary,
    GcMinute,
    GcSummary,
    LevelMinute,
    LogAnalysis,
    LoginMinute,
    LogSample,
    MinuteCount,
    NodeAccess,
    NodeCount,
    NodeLevels,
    NodeLogins,
    SecuritySummary,
    SignatureHit,
)

T0 = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
NODES = ("node1", "node2", "node3")

# (node, minute) -> value
PerMinute = Callable[[str, int], float]


def minute(m: int) -> datetime:
    return T0 + timedelta(minutes=m)


def analysis(
    minutes: int = 180,
    *,
    nodes: tuple[str, ...] = NODES,
    requests: PerMinute = lambda _n, _m: 40,
    errors_5xx: PerMinute = lambda _n, _m: 0,
    p95: PerMinute = lambda _n, _m: 300,
    log_errors: PerMinute = lambda _n, _m: 2,
    log_events: PerMinute = lambda _n, _m: 100,
    failed_logins: PerMinute = lambda _n, _m: 0,
    gc_share: PerMinute | None = None,
    seed: int = 3,
) -> LogAnalysis:
    rng = random.Random(seed)

    def noisy(value: float) -> int:  # Poisson-like noise, so medians and MADs are not degenerate
        return max(0, round(value + rng.gauss(0, value**0.5))) if value else 0

    per_node_access = []
    per_node_levels = []
    per_node_logins = []
    gcs = []
    for node in nodes:
        access, levels, logins, gc = [], [], [], []
        for m in range(minutes):
            n = noisy(requests(node, m))
            e = min(n, noisy(errors_5xx(node, m)))
            access.append(
                AccessMinute(at=minute(m), requests=n, status_5xx=e, p95_ms=p95(node, m) if n else None)
            )
            errs = noisy(log_errors(node, m))
            levels.append(LevelMinute(at=minute(m), total=noisy(log_events(node, m)) + errs, error=errs))
            logins.append(LoginMinute(at=minute(m), failed=noisy(failed_logins(node, m)), passed=5))
            if gc_share is not None:
                share = gc_share(node, m)
                gc.append(GcMinute(at=minute(m), pauses=10, pause_ms=share * 60_000, share=share))
        per_node_access.append(NodeAccess(node=node, per_minute=access))
        per_node_levels.append(NodeLevels(node=node, per_minute=levels))
        per_node_logins.append(NodeLogins(node=node, per_minute=logins))
        if gc_share is not None:
            gcs.append(GcSummary(node=node, format="unified", per_minute=gc))
    return LogAnalysis(
        customer="acme",
        engine="re",
        first_at=T0,
        last_at=minute(minutes),
        nodes=list(nodes),
        node_levels=per_node_levels,
        access=[AccessSummary(product="jira", nodes=list(nodes), per_node=per_node_access)],
        security=SecuritySummary(per_node=per_node_logins),
        gc=gcs or None,
    )


def hit(
    signature: str,
    minutes_by_node: dict[str, range | list[int]],
    *,
    per_minute: int = 5,
    severity: str = "critical",
    title: str | None = None,
) -> SignatureHit:
    """A signature hit seen ``per_minute`` times in each of the given minutes on each node."""
    by_node = []
    for node, minutes in minutes_by_node.items():
        series = [MinuteCount(at=minute(m), count=per_minute) for m in minutes]
        if series:
            by_node.append(
                NodeCount(
                    node=node,
                    count=per_minute * len(series),
                    first_at=series[0].at,
                    last_at=series[-1].at,
                    per_minute=series,
                )
            )
    samples = [
        LogSample(
            at=nc.first_at, node=nc.node, file=f"{nc.node}/atlassian-jira.log", text=f"{signature} line"
        )
        for nc in by_node
    ]
    return SignatureHit(
        signature=signature,
        count=sum(nc.count for nc in by_node),
        title=title or signature,
        severity=severity,
        nodes=sorted(minutes_by_node),
        first_at=min((nc.first_at for nc in by_node if nc.first_at), default=None),
        last_at=max((nc.last_at for nc in by_node if nc.last_at), default=None),
        samples=samples,
        by_node=by_node,
    )
