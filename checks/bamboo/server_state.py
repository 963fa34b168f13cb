"""bamboo.server.state: is the Bamboo server running, or paused, or rebuilding its index?"""

from __future__ import annotations

from collections.abc import Iterator

from checks.bamboo._calls import bamboo_source
from checks.base import InstanceCheck, collected
from checks.context import InstanceContext
from checks.finding import Category, Evidence, Finding, Severity
from checks.metadata import CheckMeta
from collectors.products import Product

PAUSE_KB = "https://confluence.atlassian.com/bamboo/pausing-the-server-289277223.html"
_PAUSED = {"PAUSED", "PAUSING"}
_RESTART = {"PREPARING_FOR_RESTART", "READY_FOR_RESTART"}


class BambooServerState(InstanceCheck):
    meta = CheckMeta(
        id="bamboo.server.state",
        title="Bamboo server state",
        description=(
            "Reads the server state from /rest/api/latest/server: a paused server (or one preparing for "
            "a restart) dispatches no builds to agents; a running reindex slows the server down."
        ),
        category=Category.AVAILABILITY,
        default_severity=Severity.WARNING,
        products=(Product.BAMBOO,),
        requires=("bamboo.server",),
        references=(PAUSE_KB,),
    )

    def run(self, ctx: InstanceContext) -> Iterator[Finding]:
        inst = ctx.instance
        bamboo = collected(inst.bamboo, "bamboo facts")
        server = collected(bamboo.server, "server")
        src = bamboo_source(inst, "bamboo.server")
        state = (server.state or "").upper()
        evidence = [
            Evidence(label="state", value=server.state, source=src, time=ctx.now),
            Evidence(label="reindex in progress", value=server.reindex_in_progress, source=src, time=ctx.now),
        ]
        if state in _PAUSED:
            yield ctx.finding(
                Severity.WARNING,
                "Bamboo server is paused",
                f"The server state is {state}: Bamboo does not dispatch queued builds to agents until it is "
                "resumed, so the build queue only grows.",
                evidence=evidence,
                recommendation=(
                    "If the pause was for maintenance (backup, upgrade) that is over, resume the server in "
                    "Administration > Overview > Resume server; otherwise ask who paused it and when it ends."
                ),
                key="paused",
            )
        elif state in _RESTART:
            yield ctx.finding(
                Severity.WARNING,
                "Bamboo server is waiting for a restart",
                f"The server state is {state}: running builds finish, new ones are not started until the "
                "restart.",
                evidence=evidence,
                recommendation="Restart Bamboo when the running builds have finished, as planned.",
                key="restart",
            )
        elif state and state != "RUNNING":
            yield ctx.finding(
                Severity.WARNING,
                f"Bamboo server state is {state}",
                f"The server reports the state {state}, not RUNNING.",
                evidence=evidence,
                recommendation="Check the Bamboo log (atlassian-bamboo.log) for what the server is doing.",
                key="state",
            )
        if server.reindex_in_progress:
            yield ctx.finding(
                Severity.INFO,
                "Bamboo is reindexing",
                "A reindex is running: searches and some pages are incomplete and the server is busier "
                "than usual until it finishes.",
                evidence=evidence,
                recommendation="Let the reindex finish; avoid restarting Bamboo in the middle of it.",
                key="reindex",
            )
        if state == "RUNNING" and not server.reindex_in_progress:
            yield ctx.ok(
                "Bamboo server is running",
                "The server state is RUNNING and no reindex runs.",
                evidence=evidence,
            )
        elif not state and not server.reindex_in_progress:
            yield ctx.finding(
                Severity.UNKNOWN,
                "Bamboo server state unknown",
                "The server answered without a state.",
                evidence=evidence,
                recommendation="Check the answer of /rest/api/latest/server with curl from the agent's host.",
            )
