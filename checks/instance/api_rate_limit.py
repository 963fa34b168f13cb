"""instance.api.rate_limit: did the instance throttle the agent (HTTP 429)?"""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import InstanceCheck, SkipCheck
from checks.context import InstanceContext
from checks.finding import Category, Evidence, Finding, Severity
from checks.instance._calls import plural, source, unreachable
from checks.metadata import CheckMeta
from collectors.model import ErrorKind

RATE_LIMITING_KB = "https://confluence.atlassian.com/adminjiraserver/improving-instance-stability-with-rate-limiting-983794911.html"


class InstanceApiRateLimit(InstanceCheck):
    meta = CheckMeta(
        id="instance.api.rate_limit",
        title="REST API rate limiting",
        description=(
            "Counts calls the instance answered with HTTP 429 (rate limited): retried ones after the "
            "Retry-After wait, and ones that still failed after the allowed retries."
        ),
        category=Category.PERFORMANCE,
        default_severity=Severity.WARNING,
        requires=(),
        references=(RATE_LIMITING_KB,),
    )

    def run(self, ctx: InstanceContext) -> Iterator[Finding]:
        inst = ctx.instance
        down = unreachable(inst)
        if down is not None:
            raise SkipCheck(f"instance unreachable ({down.message})")
        if not inst.calls and not inst.errors:
            raise SkipCheck("no calls were recorded")
        throttled = [c for c in inst.calls if c.attempts > 1]
        limited = [e for e in inst.errors if e.kind is ErrorKind.RATE_LIMITED]

        if limited:
            names = ", ".join(e.call for e in limited)
            yield ctx.finding(
                Severity.WARNING,
                "Calls blocked by rate limiting",
                f"{plural(len(limited), 'call')} never got through the instance's rate limit (HTTP 429 after "
                f"the allowed Retry-After waits): {names}. Their data is missing from this run.",
                evidence=[
                    Evidence(label=e.call, value=e.message, source=source(inst, e.call), time=e.at)
                    for e in limited
                ],
                recommendation=(
                    "Add an exemption for the agent's account in the product's rate limiting settings "
                    "(Administration > System > Rate limiting), or let the agent wait longer "
                    "(retry_after_cap_s, max_retries)."
                ),
                key="rate-limited",
            )
        if throttled:
            waited = sum(c.retry_after_waited_s for c in throttled)
            yield ctx.finding(
                Severity.INFO,
                "Calls throttled and retried",
                f"{plural(len(throttled), 'call was', 'calls were')} throttled (429) and retried after "
                f"Retry-After, waiting {waited:,.1f} s in total: "
                f"{', '.join(c.call for c in throttled)}.",
                evidence=[
                    Evidence(
                        label=f"{c.call} attempts",
                        value=c.attempts,
                        source=source(inst, c.call),
                        time=c.started_at,
                    )
                    for c in throttled
                ],
                recommendation=(
                    "Nothing was lost, but the agent competes for the same budget as the users' "
                    "integrations: consider a rate limiting exemption for its account."
                ),
                key="throttled",
            )
        if not limited and not throttled:
            yield ctx.ok(
                "No rate limiting",
                f"None of the {plural(len(inst.calls), 'call')} was rate limited (HTTP 429).",
                evidence=[Evidence(label="calls", value=len(inst.calls))],
            )
