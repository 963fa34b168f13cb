"""Each node's clock, corrected: host collection measures a host's offset against the agent, and a
node's log times are moved back by it so every source sits on one UTC clock."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from collectors.hosts.model import HostSnapshot

# Offsets below this are clock jitter, not skew: moving events by them would only blur the order.
MIN_CORRECTION_S = 1.0


class NodeClocks:
    def __init__(self, offsets_s: Mapping[str, float] | None = None) -> None:
        self.offsets_s = {node: s for node, s in (offsets_s or {}).items() if abs(s) >= MIN_CORRECTION_S}

    @classmethod
    def from_hosts(cls, hosts: Iterable[HostSnapshot], customer: str) -> NodeClocks:
        """Offsets by every name a node's logs may carry: the host's configured name and its node id."""
        offsets: dict[str, float] = {}
        for host in hosts:
            if host.customer != customer or host.clock is None:
                continue
            offsets[host.name] = host.clock.offset_s
            if host.node:
                offsets.setdefault(host.node, host.clock.offset_s)
        return cls(offsets)

    def fix(self, node: str | None, moment: datetime) -> datetime:
        offset = self.offsets_s.get(node or "")
        return moment if offset is None else moment - timedelta(seconds=offset)

    def epoch(self, node: str | None, moment: datetime) -> float:
        return self.fix(node, moment).timestamp()
