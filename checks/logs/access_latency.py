"""logs.access.latency: how long the product took to answer, from its access logs, per product.

Defaults: over the window, p95 warning from 2,000 ms and critical from 10,000 ms, p99 warning from
10,000 ms and critical from 30,000 ms; in the worst bucket with at least ``min_requests`` requests,
p95 warning from 10,000 ms and critical from 30,000 ms (a bucket is short: a higher bar).
"""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import LogsCheck, SkipCheck, collected
from checks.context import LogsContext
from checks.finding import Category, Evidence, Finding, Severity
from checks.logs._access_common import access_key, access_label
from checks.logs._common import (
    KB_ACCESS_LOG_JIRA,
    KB_GC_TUNING,
    KB_LOG_FORMATS_BITBUCKET,
    between,
    bucket_words,
    plural,
    when,
    worst,
)
from checks.metadata import CheckMeta
from collectors.logs.model import AccessSummary

SHOWN_ENDPOINTS = 5


def _level(value: float | None, warning: float, critical: float) -> Severity:
    if value is None:
        return Severity.OK
    if value >= critical:
        return Severity.CRITICAL
    return Severity.WARNING if value >= warning else Severity.OK


def _ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.0f} ms"


class LogsAccessLatency(LogsCheck):
    meta = CheckMeta(
        id="logs.access.latency",
        title="Response times in the access logs",
        description=(
            "The 95th and 99th percentile response time of the product's requests in its access logs, over "
            "the window and in the slowest bucket, naming the slowest endpoints."
        ),
        category=Category.PERFORMANCE,
        default_severity=Severity.WARNING,
        requires=("access",),
        thresholds={
            "p95_warning_ms": 2000,
            "p95_critical_ms": 10000,
            "p99_warning_ms": 10000,
            "p99_critical_ms": 30000,
            "bucket_p95_warning_ms": 10000,
            "bucket_p95_critical_ms": 30000,
            "min_requests": 100,
        },
        references=(KB_ACCESS_LOG_JIRA, KB_LOG_FORMATS_BITBUCKET, KB_GC_TUNING),
    )

    def run(self, ctx: LogsContext) -> Iterator[Finding]:
        logs = ctx.logs
        access = collected(logs.access, "access logs")
        summaries = [s for s in access if s.requests > 0 and s.p95_ms is not None]
        if not summaries:
            raise SkipCheck("the access logs held no timed request in the window")
        for summary in summaries:
            yield self._summary(ctx, summary, logs.bucket_s)

    def _summary(self, ctx: LogsContext, summary: AccessSummary, bucket_s: int) -> Finding:
        t = ctx.threshold
        label = access_label(summary)
        source = f"access logs of {', '.join(summary.nodes)}" if summary.nodes else "access logs"
        bucket = bucket_words(bucket_s)
        judged = [m for m in summary.per_minute if m.requests >= t("min_requests") and m.p95_ms is not None]
        top = max(judged, key=lambda m: m.p95_ms or 0.0, default=None)
        severity = worst(
            _level(summary.p95_ms, t("p95_warning_ms"), t("p95_critical_ms")),
            _level(summary.p99_ms, t("p99_warning_ms"), t("p99_critical_ms")),
            _level(top.p95_ms if top else None, t("bucket_p95_warning_ms"), t("bucket_p95_critical_ms")),
        )
        slowest = sorted(summary.slowest_endpoints, key=lambda e: -(e.p95_ms or e.max_ms))[:SHOWN_ENDPOINTS]
        first = min((m.at for m in summary.per_minute), default=None)
        last = max((m.at for m in summary.per_minute), default=None)

        evidence = [
            Evidence(label="requests", value=summary.requests, source=source),
            Evidence(label="p50 ms", value=summary.p50_ms, source=source),
            Evidence(label="p95 ms", value=summary.p95_ms, source=source),
            Evidence(label="p99 ms", value=summary.p99_ms, source=source),
        ]
        if top is not None:
            evidence.append(
                Evidence(
                    label=f"slowest {bucket}: p95 ms over {top.requests} requests",
                    value=top.p95_ms,
                    source=source,
                    time=top.at,
                )
            )
        evidence += [
            Evidence(
                label=f"{e.method} {e.endpoint} p95 ms ({e.count:,} requests, max {e.max_ms:,.0f} ms)",
                value=e.p95_ms,
                source=source,
            )
            for e in slowest
        ]
        evidence += [Evidence(label="note", value=note, source=source) for note in summary.notes]

        message = (
            f"{label}: p95 {_ms(summary.p95_ms)} and p99 {_ms(summary.p99_ms)} over "
            f"{summary.requests:,} requests {between(first, last)} (p95 warning from "
            f"{t('p95_warning_ms'):,g} ms, critical from {t('p95_critical_ms'):,g} ms)"
        )
        if top is not None:
            message += (
                f"; the slowest {bucket}, at {when(top.at)}, had p95 {_ms(top.p95_ms)} over "
                f"{top.requests:,} requests"
            )
        if slowest:
            named = ", ".join(
                f"{e.method} {e.endpoint} (p95 {_ms(e.p95_ms)}, {plural(e.count, 'request')})"
                for e in slowest[:3]
            )
            message += f". Slowest endpoints: {named}"
        message += "."
        if summary.notes:
            message += f" Note: {' '.join(summary.notes)}"
        key = access_key(summary)
        if severity is Severity.OK:
            return ctx.ok("Requests are answered quickly", message, evidence=evidence, key=key)
        return ctx.finding(
            severity,
            f"{label.removeprefix('The ')} show slow responses (p95 {_ms(summary.p95_ms)})",
            message,
            evidence=evidence,
            recommendation=(
                "Slow answers across endpoints point at the node (GC pauses, CPU, an exhausted database pool "
                "or HTTP thread pool: see the GC and signature findings of the same time); one slow endpoint "
                "points at that feature or an app behind it (a heavy JQL filter or dashboard, a big export). "
                "Take thread dumps while it is slow. Long git operations and long polls are slow by design: "
                "judge those by endpoint, not by the percentile."
            ),
            key=key,
        )
