"""cloud.rate_limit: how close did the agent come to the Cloud site's rate limit?"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from checks.base import InstanceCheck, SkipCheck, collected
from checks.context import InstanceContext
from checks.finding import Category, Evidence, Finding, Severity
from checks.instance._calls import plural
from checks.metadata import CheckMeta
from collectors.facts.cloud import RateLimitSeen
from collectors.products import Deployment

CLOUD_RATE_LIMITS = "https://developer.atlassian.com/cloud/jira/platform/rate-limiting/"


def _request(seen: RateLimitSeen) -> str:
    return f"GET {urlsplit(seen.url).path or '/'}"


def _share(seen: RateLimitSeen) -> float | None:
    if seen.remaining is None or not seen.limit:
        return None
    return 100 * seen.remaining / seen.limit


class CloudRateLimit(InstanceCheck):
    meta = CheckMeta(
        id="cloud.rate_limit",
        title="Cloud API rate limit headroom",
        description=(
            "Reads the rate-limit headers Atlassian Cloud sends (X-RateLimit-Limit, -Remaining, -NearLimit, "
            "Retry-After on a 429): a budget near zero means the site's other integrations, or this agent, "
            "are about to be throttled."
        ),
        category=Category.PERFORMANCE,
        default_severity=Severity.WARNING,
        deployments=(Deployment.CLOUD,),
        requires=("cloud.rate_limits",),
        thresholds={"warning_percent": 10},
        references=(CLOUD_RATE_LIMITS,),
    )

    def run(self, ctx: InstanceContext) -> Iterator[Finding]:
        inst = ctx.instance
        cloud = collected(inst.cloud, "cloud facts")
        seen = collected(cloud.rate_limits, "rate limits")
        if not seen:
            raise SkipCheck("no answer carried rate-limit headers")
        throttled = [s for s in seen if s.status_code == 429]
        lowest = min(seen, key=lambda s: (_share(s) is None, _share(s) or 0.0, s.at))
        share = _share(lowest)
        near = [s for s in seen if s.near_limit]
        src = _request(lowest)
        evidence = [
            Evidence(label="answers with rate-limit headers", value=len(seen)),
            Evidence(label="limit", value=lowest.limit, source=src, time=lowest.at),
            Evidence(label="lowest remaining", value=lowest.remaining, source=src, time=lowest.at),
            Evidence(label="429 answers", value=len(throttled)),
        ]
        if throttled:
            last = throttled[-1]
            src = _request(last)
            evidence += [
                Evidence(label="Retry-After (s)", value=last.retry_after_s, source=src, time=last.at),
                Evidence(label="reset", value=last.reset, source=src, time=last.at),
                Evidence(label="reason", value=last.reason, source=src, time=last.at),
            ]
        warning = ctx.threshold("warning_percent")
        if throttled or near or (share is not None and share <= warning):
            cause = (
                f"{plural(len(throttled), 'answer was', 'answers were')} HTTP 429 (rate limited)"
                if throttled
                else f"only {lowest.remaining} of {lowest.limit} requests were left"
                if share is not None and share <= warning
                else "the site flagged the budget as nearly used (X-RateLimit-NearLimit)"
            )
            reason = f" (reason: {throttled[-1].reason})" if throttled and throttled[-1].reason else ""
            yield ctx.finding(
                Severity.WARNING,
                "Cloud API rate limit nearly exhausted",
                f"While the agent collected, {cause}{reason}: integrations sharing this budget will be "
                "throttled too.",
                evidence=evidence,
                recommendation=(
                    "Find the integrations or scripts that use the API most (the site's API usage, or the "
                    "apps' own logs), spread their calls out, and let them honour Retry-After."
                ),
            )
            return
        left = (
            f"at least {lowest.remaining} of {lowest.limit} requests left"
            if share is not None
            else (f"a limit of {lowest.limit} requests" if lowest.limit else "no remaining budget reported")
        )
        yield ctx.ok(
            "Cloud API rate limit has headroom", f"No answer was rate limited; {left}.", evidence=evidence
        )
