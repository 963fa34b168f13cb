"""instance.atst: the product's own health checks (Atlassian Troubleshooting and Support Tools)."""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import InstanceCheck, collected
from checks.context import InstanceContext
from checks.finding import Category, Evidence, Finding, Severity
from checks.instance._calls import plural, source
from checks.metadata import CheckMeta
from collectors.model import HealthCheckResult
from collectors.products import Deployment

ATST_REST_KB = "https://confluence.atlassian.com/jirakb/how-to-retrieve-health-check-results-using-rest-api-867195158.html"

# ATST's own severity -> ours. "disabled" checks are switched off by an administrator: not reported.
SEVERITY_MAP: dict[str, Severity | None] = {
    "critical": Severity.CRITICAL,
    "major": Severity.CRITICAL,
    "warning": Severity.WARNING,
    "minor": Severity.INFO,
    "undefined": Severity.WARNING,
    "disabled": None,
}

# First match wins: "Cluster Index Replication" is about the cluster before it is about the index.
_CATEGORY_WORDS: tuple[tuple[tuple[str, ...], Category], ...] = (
    (("cluster",), Category.AVAILABILITY),
    (("index", "lucene"), Category.INTEGRITY),
    (("licen",), Category.LICENSING),
    (("supported platforms", "end of life"), Category.CONFIGURATION),
    (("database",), Category.CONFIGURATION),
    (("security", "cve", "vulnerab"), Category.SECURITY),
)


def atst_severity(result: HealthCheckResult) -> Severity | None:
    """Our severity for a failing ATST status; None when ATST marks the check disabled."""
    raw = (result.severity or "undefined").strip().lower()
    return SEVERITY_MAP.get(raw, Severity.WARNING)


def atst_category(result: HealthCheckResult) -> Category:
    text = f"{result.tag or ''} {result.name}".lower()
    for words, category in _CATEGORY_WORDS:
        if any(word in text for word in words):
            return category
    return Category.CONFIGURATION


class InstanceAtst(InstanceCheck):
    meta = CheckMeta(
        id="instance.atst",
        title="ATST health checks",
        description=(
            "Reports every failing health check of the product's Troubleshooting and Support Tools (or the "
            "older Support Tools Plugin), with ATST's severity mapped to ours (critical and major are "
            "critical, minor is info, disabled checks are left out) and its documentation link."
        ),
        category=Category.CONFIGURATION,
        default_severity=Severity.WARNING,
        deployments=(Deployment.DATACENTER, Deployment.SERVER),
        requires=("health_checks",),
        references=(ATST_REST_KB,),
    )

    def run(self, ctx: InstanceContext) -> Iterator[Finding]:
        inst = ctx.instance
        checks = collected(inst.health_checks, "health checks")
        src = source(inst, "health_checks", health_source=checks.source)
        statuses = checks.statuses
        if not statuses:
            yield ctx.finding(
                Severity.INFO,
                "ATST returned no health checks",
                f"The {checks.source} endpoint answered with an empty list of health checks.",
                evidence=[Evidence(label="statuses", value=0, source=src)],
                recommendation=(
                    "Check in Administration > Troubleshooting and support tools that checks are enabled."
                ),
            )
            return
        failing = [s for s in statuses if not s.healthy]
        reported = 0
        disabled = 0
        for result in failing:
            severity = atst_severity(result)
            if severity is None:
                disabled += 1
                continue
            reported += 1
            yield ctx.finding(
                severity,
                result.name,
                result.failure_reason or f"The ATST check '{result.name}' failed without giving a reason.",
                evidence=[
                    Evidence(label="ATST check", value=result.name, source=src, time=result.time),
                    Evidence(label="key", value=result.key, source=src, time=result.time),
                    Evidence(label="ATST severity", value=result.severity, source=src, time=result.time),
                    Evidence(label="tag", value=result.tag, source=src, time=result.time),
                    Evidence(label="node", value=result.node_id, source=src, time=result.time),
                    Evidence(label="application", value=result.application, source=src, time=result.time),
                ],
                recommendation=(
                    f"Follow the ATST documentation for '{result.name}'."
                    if result.documentation
                    else f"See '{result.name}' under Administration > Troubleshooting and support tools."
                ),
                references=[result.documentation] if result.documentation else [],
                node=result.node_id,
                key=result.key or result.name,
                category=atst_category(result),
            )
        if reported:
            return
        passing = len(statuses) - len(failing)
        extra = f"; {plural(disabled, 'failing check')} disabled in ATST not counted" if disabled else ""
        yield ctx.ok(
            "ATST health checks pass",
            f"All {plural(passing, 'ATST check')} pass ({checks.source}){extra}.",
            evidence=[
                Evidence(label="checks", value=len(statuses), source=src),
                Evidence(label="passing", value=passing, source=src),
                Evidence(label="failing but disabled", value=disabled, source=src),
            ],
        )
