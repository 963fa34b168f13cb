"""instance.license.expiry: when each licence (and its software maintenance) runs out."""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import InstanceCheck
from checks.context import InstanceContext
from checks.finding import Category, Evidence, Finding, Severity
from checks.instance._calls import day, days_between, source
from checks.metadata import CheckMeta
from collectors.model import License


def licence_name(lic: License) -> str:
    return lic.name or lic.application


def is_evaluation(lic: License) -> bool:
    return (lic.license_type or "").strip().upper() == "EVALUATION"


class InstanceLicenseExpiry(InstanceCheck):
    meta = CheckMeta(
        id="instance.license.expiry",
        title="Licence expiry",
        description=(
            "For every licence: days until it expires (an expired licence locks users out of changes), "
            "evaluation licences, and software maintenance that has ended (no upgrades to newer releases)."
        ),
        category=Category.LICENSING,
        default_severity=Severity.CRITICAL,
        requires=("licenses",),
        thresholds={"warning_days": 30, "critical_days": 7},
    )

    def run(self, ctx: InstanceContext) -> Iterator[Finding]:
        inst = ctx.instance
        licenses = inst.licenses or []
        src = source(inst, "licenses")
        if not licenses:
            yield ctx.finding(
                Severity.WARNING,
                "No licence reported",
                "The instance reported no licence at all.",
                evidence=[Evidence(label="licences", value=0, source=src)],
                recommendation="Check the licences in the administration (Jira: Versions & licenses).",
            )
            return
        for lic in licenses:
            yield self._one(ctx, lic, src)

    def _one(self, ctx: InstanceContext, lic: License, src: str) -> Finding:
        now = ctx.now
        name = licence_name(lic)
        kind = "evaluation licence" if is_evaluation(lic) else "licence"
        evidence = [
            Evidence(label="application", value=lic.application, source=src),
            Evidence(label="licence type", value=lic.license_type, source=src),
            Evidence(label="expiry", value=day(lic.expiry) if lic.expiry else None, source=src),
            Evidence(
                label="maintenance expiry",
                value=day(lic.maintenance_expiry) if lic.maintenance_expiry else None,
                source=src,
            ),
            Evidence(label="SEN", value=lic.sen, source=src),
        ]
        maintenance_note = ""
        maintenance_over = (
            lic.maintenance_expiry is not None and days_between(now, lic.maintenance_expiry) <= 0
        )
        if maintenance_over and lic.maintenance_expiry is not None:
            maintenance_note = (
                f" Software maintenance ended on {day(lic.maintenance_expiry)}: releases built after that "
                "date cannot be installed with this licence."
            )
        warning_days = ctx.threshold("warning_days")
        critical_days = ctx.threshold("critical_days")
        renew = (
            "Buy a licence, or request a new evaluation licence from my.atlassian.com; the data carries over."
            if is_evaluation(lic)
            else "Renew the licence and apply the new key before the expiry date."
        )

        expired = lic.expiry is not None and days_between(now, lic.expiry) <= 0
        if lic.valid is False and not expired:
            return ctx.finding(
                Severity.CRITICAL,
                f"{name} licence is not valid",
                f"The product reports the {kind} for {name} as invalid.{maintenance_note}",
                evidence=evidence,
                recommendation="Check the licence in the product's administration and apply a valid key.",
                key=lic.application,
            )
        if lic.expiry is None:
            if maintenance_over:
                return ctx.finding(
                    Severity.INFO,
                    f"{name} software maintenance has ended",
                    f"The {kind} for {name} does not expire.{maintenance_note}",
                    evidence=evidence,
                    recommendation="Renew software maintenance before planning an upgrade.",
                    key=lic.application,
                )
            return ctx.ok(
                f"{name} licence does not expire",
                f"The {kind} for {name} has no expiry date (perpetual)"
                + (
                    f"; software maintenance runs until {day(lic.maintenance_expiry)}."
                    if lic.maintenance_expiry
                    else "."
                ),
                evidence=evidence,
                key=lic.application,
            )
        days = days_between(now, lic.expiry)
        evidence.append(Evidence(label="days left", value=round(days, 1), source=src))
        if days <= 0:
            return ctx.finding(
                Severity.CRITICAL,
                f"{name} licence has expired",
                f"The {kind} for {name} expired on {day(lic.expiry)}, {abs(days):.0f} days before this "
                f"check.{maintenance_note}",
                evidence=evidence,
                recommendation=renew,
                key=lic.application,
            )
        severity = (
            Severity.CRITICAL if days <= critical_days else Severity.WARNING if days <= warning_days else None
        )
        if severity is not None:
            return ctx.finding(
                severity,
                f"{name} licence expires in {days:.0f} days",
                f"The {kind} for {name} expires on {day(lic.expiry)}, in {days:.0f} days "
                f"({severity.value} from {critical_days if severity is Severity.CRITICAL else warning_days} "
                f"days).{maintenance_note}",
                evidence=evidence,
                recommendation=renew,
                key=lic.application,
            )
        if maintenance_over:
            return ctx.finding(
                Severity.INFO,
                f"{name} software maintenance has ended",
                f"The {kind} for {name} is valid until {day(lic.expiry)} ({days:.0f} days)."
                f"{maintenance_note}",
                evidence=evidence,
                recommendation="Renew software maintenance before planning an upgrade.",
                key=lic.application,
            )
        return ctx.ok(
            f"{name} licence is valid",
            f"The {kind} for {name} is valid until {day(lic.expiry)} ({days:.0f} days).",
            evidence=evidence,
            key=lic.application,
        )
