"""instance.license.seats: how many of each licence's user seats are taken."""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import InstanceCheck, SkipCheck
from checks.context import InstanceContext
from checks.finding import Category, Evidence, Finding, Severity
from checks.instance._calls import source
from checks.instance.license_expiry import licence_name
from checks.metadata import CheckMeta
from collectors.model import License

LICENSE_LIMIT_KB = "https://confluence.atlassian.com/jirakb/health-check-jira-license-limit-1402415831.html"


class InstanceLicenseSeats(InstanceCheck):
    meta = CheckMeta(
        id="instance.license.seats",
        title="Licence user seats",
        description=(
            "For every licence with a user limit: seats in use against seats allowed. A full licence stops "
            "new users from getting access (and, in Jira, can block issue creation for them)."
        ),
        category=Category.LICENSING,
        default_severity=Severity.WARNING,
        requires=("licenses",),
        thresholds={"warning_percent": 90},
        references=(LICENSE_LIMIT_KB,),
    )

    def run(self, ctx: InstanceContext) -> Iterator[Finding]:
        inst = ctx.instance
        counted = [lic for lic in inst.licenses or [] if lic.unlimited_seats or lic.seats_allowed is not None]
        if not counted:
            raise SkipCheck("no licence reports a user limit")
        src = source(inst, "licenses")
        for lic in counted:
            yield self._one(ctx, lic, src)

    def _one(self, ctx: InstanceContext, lic: License, src: str) -> Finding:
        name = licence_name(lic)
        evidence = [
            Evidence(label="application", value=lic.application, source=src),
            Evidence(label="seats used", value=lic.seats_used, source=src),
            Evidence(
                label="seats allowed",
                value="unlimited" if lic.unlimited_seats else lic.seats_allowed,
                source=src,
            ),
        ]
        if lic.unlimited_seats:
            used = f"{lic.seats_used:,} users" if lic.seats_used is not None else "users"
            return ctx.ok(
                f"{name} licence has unlimited seats",
                f"The {name} licence allows unlimited users ({used} in use).",
                evidence=evidence,
                key=lic.application,
            )
        allowed = lic.seats_allowed or 0
        if lic.seats_used is None:
            return ctx.finding(
                Severity.UNKNOWN,
                f"{name} seat use unknown",
                f"The {name} licence allows {allowed:,} users, but the number in use was not reported.",
                evidence=evidence,
                recommendation="Check the user count under Administration > Licensing.",
                key=lic.application,
            )
        used_n = lic.seats_used
        percent = used_n / allowed * 100 if allowed > 0 else 100.0
        evidence.append(Evidence(label="percent used", value=round(percent, 1), source=src))
        counts = f"{used_n:,} of {allowed:,} users ({percent:.0f} %)"
        if used_n >= allowed:
            return ctx.finding(
                Severity.CRITICAL,
                f"{name} licence is full",
                f"The {name} licence has {counts} in use: no further user can be given access.",
                evidence=evidence,
                recommendation=(
                    "Deactivate users who left or no longer need access, or buy a higher user tier."
                ),
                key=lic.application,
            )
        warning = ctx.threshold("warning_percent")
        if percent >= warning:
            return ctx.finding(
                Severity.WARNING,
                f"{name} licence is nearly full",
                f"The {name} licence has {counts} in use, {allowed - used_n:,} seats left "
                f"(warning from {warning} %).",
                evidence=evidence,
                recommendation=(
                    "Plan the next user tier, or free seats by deactivating users who no longer need access."
                ),
                key=lic.application,
            )
        return ctx.ok(
            f"{name} licence has room",
            f"The {name} licence has {counts} in use, {allowed - used_n:,} seats left.",
            evidence=evidence,
            key=lic.application,
        )
