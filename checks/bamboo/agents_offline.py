"""bamboo.agents.offline: which share of the enabled remote agents is offline?"""

from __future__ import annotations

from collections.abc import Iterator

from checks.bamboo._calls import BAMBOO_AGENTS_KB, bamboo_source
from checks.base import InstanceCheck, SkipCheck, collected
from checks.context import InstanceContext
from checks.finding import Category, Evidence, Finding, Severity
from checks.instance._calls import plural
from checks.metadata import CheckMeta
from collectors.products import Product


class BambooAgentsOffline(InstanceCheck):
    meta = CheckMeta(
        id="bamboo.agents.offline",
        title="Bamboo agents offline",
        description=(
            "The share of enabled remote agents that are offline: each one is build capacity lost, and "
            "plans whose requirements only it meets cannot build."
        ),
        category=Category.CAPACITY,
        default_severity=Severity.WARNING,
        products=(Product.BAMBOO,),
        requires=("bamboo.agents",),
        thresholds={"warning_percent": 25, "critical_percent": 50},
        references=(BAMBOO_AGENTS_KB,),
    )

    def run(self, ctx: InstanceContext) -> Iterator[Finding]:
        inst = ctx.instance
        bamboo = collected(inst.bamboo, "bamboo facts")
        agents = collected(bamboo.agents, "agents")
        enabled = [a for a in agents if a.enabled is not False]
        if not enabled:
            raise SkipCheck("no enabled remote agents")
        src = bamboo_source(inst, "bamboo.agents")
        offline = [a for a in enabled if not a.online]
        percent = 100 * len(offline) / len(enabled)
        warning, critical = ctx.threshold("warning_percent"), ctx.threshold("critical_percent")
        names = ", ".join(a.name or a.id for a in offline[:10]) + (", ..." if len(offline) > 10 else "")
        evidence = [
            Evidence(label="enabled remote agents", value=len(enabled), source=src, time=ctx.now),
            Evidence(label="offline", value=len(offline), source=src, time=ctx.now),
            Evidence(label="offline percent", value=round(percent, 1)),
        ]
        if offline:
            evidence.append(Evidence(label="offline agents", value=names, source=src, time=ctx.now))
        if percent >= warning:
            severity = Severity.CRITICAL if percent >= critical else Severity.WARNING
            limit = critical if severity is Severity.CRITICAL else warning
            yield ctx.finding(
                severity,
                f"{percent:.0f} % of Bamboo agents offline",
                f"{len(offline)} of {plural(len(enabled), 'enabled remote agent')} are offline ({names}), "
                f"at or above {limit} %: build capacity is reduced and builds queue longer.",
                evidence=evidence,
                recommendation=(
                    "Bring the agents back (agent process, host, network to the server's broker port) or "
                    "disable the ones retired on purpose so they no longer count."
                ),
            )
            return
        message = (
            f"{len(offline)} of {plural(len(enabled), 'enabled remote agent')} offline ({percent:.0f} %)."
            if offline
            else f"All {plural(len(enabled), 'enabled remote agent')} are online."
        )
        yield ctx.ok(
            "Bamboo agents mostly online" if offline else "Bamboo agents online", message, evidence=evidence
        )
