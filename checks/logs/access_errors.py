"""logs.access.errors: the share of requests answered with a 5xx server error, per product.

Judged over the whole window (warning from 1 %, critical from 5 %) and in the worst bucket of the
series (warning from 5 %, critical from 25 %: a bucket is short, so a blip needs a higher bar). Both
only count with at least ``min_requests`` requests, so one failed request at night is no alert.
"""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import LogsCheck, SkipCheck, collected
from checks.context import LogsContext
from checks.finding import Category, Evidence, Finding, Severity
from checks.logs._access_common import access_key, access_label, endpoints, failing_talkers
from checks.logs._common import (
    KB_ACCESS_LOG_JIRA,
    KB_LOG_FORMATS_BITBUCKET,
    between,
    bucket_words,
    sources,
    when,
    worst,
)
from checks.metadata import CheckMeta
from collectors.logs.model import AccessMinute, AccessSummary

SHOWN = 5


def _pct(part: int, whole: int) -> float:
    return 100.0 * part / whole if whole else 0.0


def _level(value: float, warning: float, critical: float) -> Severity:
    if value >= critical:
        return Severity.CRITICAL
    return Severity.WARNING if value >= warning else Severity.OK


class LogsAccessErrors(LogsCheck):
    meta = CheckMeta(
        id="logs.access.errors",
        title="Server errors in the access logs",
        description=(
            "The share of requests the product answered with a 5xx status in its access logs, over the "
            "window and in the worst bucket, naming the endpoints and clients that got them."
        ),
        category=Category.AVAILABILITY,
        default_severity=Severity.WARNING,
        requires=("access",),
        thresholds={
            "warning_pct": 1,
            "critical_pct": 5,
            "bucket_warning_pct": 5,
            "bucket_critical_pct": 25,
            "min_requests": 100,
        },
        references=(KB_ACCESS_LOG_JIRA, KB_LOG_FORMATS_BITBUCKET),
    )

    def run(self, ctx: LogsContext) -> Iterator[Finding]:
        logs = ctx.logs
        access = collected(logs.access, "access logs")
        summaries = [s for s in access if s.requests > 0]
        if not summaries:
            raise SkipCheck("the access logs held no request in the window")
        for summary in summaries:
            yield self._summary(ctx, summary, logs.bucket_s)

    def _summary(self, ctx: LogsContext, summary: AccessSummary, bucket_s: int) -> Finding:
        t = ctx.threshold
        min_requests = t("min_requests")
        label = access_label(summary)
        source = f"access logs of {', '.join(summary.nodes)}" if summary.nodes else "access logs"
        bucket = bucket_words(bucket_s)
        rate = _pct(summary.status_5xx, summary.requests)
        judged = [m for m in summary.per_minute if m.requests >= min_requests]
        top: AccessMinute | None = max(
            judged, key=lambda m: (_pct(m.status_5xx, m.requests), m.requests), default=None
        )
        top_rate = _pct(top.status_5xx, top.requests) if top is not None else 0.0
        window = (
            _level(rate, t("warning_pct"), t("critical_pct"))
            if summary.requests >= min_requests
            else Severity.OK
        )
        peak = _level(top_rate, t("bucket_warning_pct"), t("bucket_critical_pct")) if top else Severity.OK
        severity = worst(window, peak)
        first = min((m.at for m in summary.per_minute), default=None)
        last = max((m.at for m in summary.per_minute), default=None)

        evidence = [
            Evidence(label="requests", value=summary.requests, source=source),
            Evidence(label="5xx answers", value=summary.status_5xx, source=source),
            Evidence(label="4xx answers", value=summary.status_4xx, source=source),
            Evidence(label="5xx %", value=round(rate, 3), source=source),
        ]
        if top is not None:
            evidence.append(
                Evidence(
                    label=f"worst {bucket}: 5xx % of {top.requests} requests",
                    value=round(top_rate, 2),
                    source=source,
                    time=top.at,
                )
            )
        failing = sorted((e for e in endpoints(summary) if e.errors_5xx), key=lambda e: -e.errors_5xx)[:SHOWN]
        evidence += [
            Evidence(label=f"5xx on {e.method} {e.endpoint}", value=e.errors_5xx, source=source)
            for e in failing
        ]
        evidence += [
            Evidence(label=f"5xx to {talker.name}", value=talker.errors_5xx, source=source)
            for talker in failing_talkers(summary)[:SHOWN]
        ]
        evidence += [
            Evidence(label="note", value=note, source=sources(summary.nodes)) for note in summary.notes
        ]

        message = (
            f"{label}: {summary.status_5xx:,} of {summary.requests:,} requests ({rate:.2f} %) got a "
            f"5xx answer {between(first, last)} (warning from {t('warning_pct'):g} %, critical from "
            f"{t('critical_pct'):g} %"
        )
        enough = summary.requests >= min_requests
        message += ")" if enough else f"; fewer than {min_requests:g} requests to judge)"
        if top is not None:
            message += (
                f"; the worst {bucket}, at {when(top.at)}, had {top_rate:.1f} % of {top.requests:,} "
                f"requests failing (warning from {t('bucket_warning_pct'):g} %)"
            )
        if failing:
            named = ", ".join(f"{e.method} {e.endpoint} ({e.errors_5xx:,})" for e in failing[:3])
            message += f". Most failing: {named}"
        message += "."
        key = access_key(summary)
        if severity is Severity.OK:
            return ctx.ok("Few server errors", message, evidence=evidence, key=key)
        return ctx.finding(
            severity,
            f"{label.removeprefix('The ')} show {rate:.1f} % server errors"
            if window.rank >= peak.rank
            else f"{label.removeprefix('The ')} show a burst of server errors",
            message,
            evidence=evidence,
            recommendation=(
                "5xx answers are failures users saw. Line up the worst buckets with the application log "
                "(logs.signatures and the top exceptions at the same time) and the GC pauses; the endpoints "
                "with most 5xx show which feature fails. 502/503/504 usually come from the proxy in front: "
                "the node was down, restarting or too slow to answer in time."
            ),
            key=key,
        )
