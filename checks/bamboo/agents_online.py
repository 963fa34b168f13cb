"""bamboo.agents.online: is at least one enabled remote agent online to run builds?"""

from __future__ import annotations

from collections.abc import Iterator

from checks.bamboo._calls import BAMBOO_AGENTS_KB, bamboo_source
from checks.base import InstanceCheck, collected
from checks.context import InstanceContext
from checks.finding import Category, Evidence, Finding, Severity
from checks.instance._calls import plural
from checks.metadata import CheckMeta
from collectors.products import Product


class BambooAgentsOnline(InstanceCheck):
    meta = CheckMeta(
        id="bamboo.agents.online",
        title="Bamboo agents online",
        description=(
            "Counts the enabled remote agents that are online (connected to the server). With none online, "
            "builds that need a remote agent wait in the queue forever."
        ),
        category=Category.AVAILABILITY,
        default_severity=Severity.CRITICAL,
        products=(Product.BAMBOO,),
        requires=("bamboo.agents",),
        references=(BAMBOO_AGENTS_KB,),
    )

    def run(self, ctx: InstanceContext) -> Iterator[Finding]:
        inst = ctx.instance
        bamboo = collected(inst.bamboo, "bamboo facts")
        agents = collected(bamboo.agents, "agents")
        src = bamboo_source(inst, "bamboo.agents")
        enabled = [a for a in agents if a.enabled is not False]
        online = [a for a in enabled if a.online]
        busy = [a for a in online if a.busy]
        evidence = [
            Evidence(label="remote agents", value=len(agents), source=src, time=ctx.now),
            Evidence(label="enabled", value=len(enabled), source=src, time=ctx.now),
            Evidence(label="online", value=len(online), source=src, time=ctx.now),
            Evidence(label="busy", value=len(busy), source=src, time=ctx.now),
        ]
        if not enabled:
            yield ctx.finding(
                Severity.INFO,
                "No enabled remote agents",
                "Bamboo has no enabled remote agents"
                + (f" ({len(agents)} disabled)." if agents else ".")
                + " Builds run only where local or elastic agents can take them.",
                evidence=evidence,
                recommendation="If builds are meant to run on remote agents, install or enable them.",
            )
            return
        if not online:
            offline = ", ".join(a.name or a.id for a in enabled[:10])
            yield ctx.finding(
                Severity.CRITICAL,
                "No Bamboo remote agent is online",
                f"None of the {plural(len(enabled), 'enabled remote agent')} is online ({offline}): builds "
                "that need a remote agent cannot start.",
                evidence=evidence,
                recommendation=(
                    "Check the agent hosts (is the agent process running, can it reach the server's broker "
                    "port?) and the agent logs (atlassian-bamboo-agent.log); restart the agents."
                ),
            )
            return
        yield ctx.ok(
            "Bamboo agents online",
            f"{len(online)} of {plural(len(enabled), 'enabled remote agent')} online, {len(busy)} busy.",
            evidence=evidence,
        )
