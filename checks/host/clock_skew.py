"""host.clock.skew: clocks of the hosts serving the same cluster must agree (cluster locks, cache
replication, index replication and session handling compare timestamps across nodes).

Each host's offset is measured against the agent over SSH, with half the round trip as its
uncertainty; two nodes' skew is the difference of their offsets, less both uncertainties.
"""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import HostCheck, collected
from checks.context import HostContext
from checks.finding import Category, Evidence, Finding, Severity
from checks.host._facts import source
from checks.metadata import CheckMeta
from collectors.hosts.model import ClockReading, HostSnapshot


def skew_ms(a: ClockReading, b: ClockReading) -> float:
    """The least the two clocks can differ by, given both measurements' uncertainty."""
    return max(0.0, abs(a.offset_s - b.offset_s) - a.uncertainty_s - b.uncertainty_s) * 1000


class HostClockSkew(HostCheck):
    meta = CheckMeta(
        id="host.clock.skew",
        title="Clock skew",
        description=(
            "Difference between the clocks of hosts serving the same cluster (and, for a host alone, "
            "against the agent). Data Center nodes whose clocks disagree replicate caches and indexes "
            "wrongly and misjudge each other's heartbeats."
        ),
        category=Category.INTEGRITY,
        default_severity=Severity.WARNING,
        requires=("clock",),
        thresholds={"warning_ms": 1000, "critical_ms": 5000},
    )

    def run(self, ctx: HostContext) -> Iterator[Finding]:
        host = ctx.host
        mine = collected(host.clock, "clock")
        same = host.instance
        peers = [(p, p.clock) for p in ctx.peers if p.clock is not None and same and p.instance == same]
        if peers:
            yield from self._cluster(ctx, host, mine, peers)
            return
        if host.method == "local":
            yield ctx.ok("Agent's own clock", "The agent's own machine: no offset to measure.")
            return
        src = source(host, "clock")
        least = max(0.0, abs(mine.offset_s) - mine.uncertainty_s) * 1000
        evidence = [
            Evidence(label="offset from the agent (s)", value=mine.offset_s, source=src, time=mine.host_time),
            Evidence(label="measurement uncertainty (s)", value=mine.uncertainty_s, source=src),
        ]
        yield from self._judge(ctx, least, f"{host.name} and the agent", evidence, cluster=False)

    def _cluster(
        self,
        ctx: HostContext,
        host: HostSnapshot,
        mine: ClockReading,
        peers: list[tuple[HostSnapshot, ClockReading]],
    ) -> Iterator[Finding]:
        worst, theirs = max(peers, key=lambda peer: skew_ms(mine, peer[1]))
        least = skew_ms(mine, theirs)
        evidence = [
            Evidence(
                label=f"{host.name} offset (s)",
                value=mine.offset_s,
                source=source(host, "clock"),
                time=mine.host_time,
            ),
            Evidence(
                label=f"{worst.name} offset (s)",
                value=theirs.offset_s,
                source=source(worst, "clock"),
                time=theirs.host_time,
            ),
            Evidence(label="skew at least (ms)", value=round(least, 1)),
        ]
        what = f"{host.name} and {worst.name} (both serving {host.instance})"
        yield from self._judge(ctx, least, what, evidence, cluster=True)

    def _judge(
        self, ctx: HostContext, least: float, what: str, evidence: list[Evidence], cluster: bool
    ) -> Iterator[Finding]:
        warning = ctx.threshold("warning_ms")
        if least < warning:
            yield ctx.ok(
                "Clocks agree", f"The clocks of {what} differ by less than {warning:g} ms.", evidence=evidence
            )
            return
        severity = Severity.CRITICAL if least >= ctx.threshold("critical_ms") else Severity.WARNING
        message = f"The clocks of {what} differ by at least {least / 1000:.1f} s."
        if not cluster:
            severity = Severity.WARNING  # the agent's own clock may be the wrong one
            message += " Either clock may be the wrong one; the agent's machine should run NTP too."
        yield ctx.finding(
            severity,
            "Clocks of cluster nodes disagree" if cluster else "Host clock differs from the agent's",
            message,
            evidence=evidence,
            recommendation="Run NTP (chrony or systemd-timesyncd) against one time source on every node.",
        )
