"""host.oom_killer: did the kernel's OOM killer end a process lately? When it picks the product's
JVM the product simply vanishes, with nothing in its own logs: only the kernel log tells.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from checks.base import HostCheck, collected
from checks.context import HostContext
from checks.finding import Category, Evidence, Finding, Severity
from checks.host._facts import source
from checks.metadata import CheckMeta


class HostOomKiller(HostCheck):
    meta = CheckMeta(
        id="host.oom_killer",
        title="Kernel OOM killer",
        description=(
            "Processes the Linux OOM killer ended within the lookback window, from the kernel log. A killed "
            "Java process is the product JVM going away without a word in its own logs."
        ),
        category=Category.AVAILABILITY,
        default_severity=Severity.CRITICAL,
        requires=("oom_events",),
        thresholds={"lookback_hours": 168},
    )

    def run(self, ctx: HostContext) -> Iterator[Finding]:
        host = ctx.host
        oom_events = collected(host.oom_events, "oom events")
        since = ctx.now - timedelta(hours=ctx.threshold("lookback_hours"))
        events = [e for e in oom_events if e.at is None or e.at >= since]
        src = source(host, "oom_events")
        window = f"{ctx.threshold('lookback_hours'):g} h"
        if not events:
            yield ctx.ok("No OOM kills", f"The kernel log shows no OOM kill in the last {window}.")
            return
        java = [e for e in events if (e.process or "").lower() == "java"]
        victims = ", ".join(f"{e.process} (pid {e.pid})" for e in events[:10])
        message = f"{len(events)} process(es) ended for lack of memory in the last {window}: {victims}."
        if java:
            message += " A Java process among them is most likely the product's JVM."
        yield ctx.finding(
            Severity.CRITICAL if java else Severity.WARNING,
            "The OOM killer ended a Java process" if java else "The OOM killer ended processes",
            message,
            evidence=[
                Evidence(label=f"pid {e.pid} {e.process}", value=e.line, source=src, time=e.at)
                for e in events[:20]
            ],
            recommendation=(
                "Leave memory for the operating system: lower the heaps (-Xmx) of the JVMs on the host, move "
                "other services off it, or add RAM; check the JVM's native memory if heaps are already small."
            ),
            key="oom",
        )
