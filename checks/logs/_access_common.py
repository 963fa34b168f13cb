"""What the access-log checks share (no checks here): naming a summary, merging its endpoint lists."""

from __future__ import annotations

from collectors.logs.model import AccessSummary, EndpointStats, Talker
from collectors.products import Product


def access_label(summary: AccessSummary) -> str:
    """ "The Jira access logs" / "The access logs" (product unknown)."""
    if summary.product is None:
        return "The access logs"
    try:
        name = Product(summary.product).label
    except ValueError:
        name = summary.product
    return f"The {name} access logs"


def access_key(summary: AccessSummary) -> str:
    return summary.product or "access"


def endpoints(summary: AccessSummary) -> list[EndpointStats]:
    """The slowest and busiest endpoints together, each once (the fuller record where they differ)."""
    seen: dict[tuple[str, str], EndpointStats] = {}
    for stats in [*summary.slowest_endpoints, *summary.busiest_endpoints]:
        key = (stats.method, stats.endpoint)
        known = seen.get(key)
        if known is None or (stats.errors_5xx, stats.count) > (known.errors_5xx, known.count):
            seen[key] = stats
    return list(seen.values())


def failing_talkers(summary: AccessSummary) -> list[Talker]:
    """Users and client addresses that got 5xx answers, most first."""
    return sorted(
        (t for t in [*summary.top_users, *summary.top_clients] if t.errors_5xx > 0),
        key=lambda t: (-t.errors_5xx, t.name),
    )
