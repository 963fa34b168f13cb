"""instance.version.support: is the running feature release still supported by Atlassian?"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime

from checks.base import InstanceCheck, SkipCheck
from checks.context import InstanceContext
from checks.end_of_life import EndOfLifeTable, FeatureRelease, load_end_of_life
from checks.finding import Category, Evidence, Finding, Severity
from checks.instance._calls import aware, product_name, source
from checks.metadata import CheckMeta
from collectors.model import InstanceSnapshot
from collectors.products import Deployment, Product

TABLE_SOURCE = "checks/data/end_of_life.yaml"
EOL_POLICY_KB = "https://confluence.atlassian.com/support/atlassian-support-end-of-life-policy-201851003.html"


def feature_version(inst: InstanceSnapshot) -> tuple[int, int] | None:
    info = inst.server_info
    if info is None:
        return None
    if len(info.version_numbers) >= 2:
        return info.version_numbers[0], info.version_numbers[1]
    match = re.match(r"^\s*(\d+)\.(\d+)", info.version or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


def today(now: datetime) -> date:
    """The collection day in UTC: support is counted in whole days, the end-of-life day included."""
    return aware(now).astimezone(UTC).date()


def next_lts(table: EndOfLifeTable, current: FeatureRelease, now: datetime) -> FeatureRelease | None:
    """The newest LTS release newer than the running one that is still supported at ``now``."""
    candidates = [r for r in table.newer(current) if r.lts and r.eol >= today(now)]
    return candidates[-1] if candidates else None


def latest_supported(table: EndOfLifeTable, product: str, now: datetime) -> FeatureRelease | None:
    supported = [r for r in table.releases.get(product, ()) if r.eol >= today(now)]
    return supported[-1] if supported else None


class InstanceVersionSupport(InstanceCheck):
    meta = CheckMeta(
        id="instance.version.support",
        title="Version support (end of life)",
        description=(
            "Looks the running feature release (major.minor) up in the end-of-life table kept with the "
            "checks: past its end of life Atlassian ships no more fixes, including security fixes. Names "
            "the Long Term Support release to move to. Cloud is always current and is skipped."
        ),
        category=Category.SECURITY,
        default_severity=Severity.WARNING,
        products=(
            Product.JIRA,
            Product.CONFLUENCE,
            Product.BITBUCKET,
            Product.CROWD,
            Product.BAMBOO,
            Product.FECRU,
        ),
        requires=("server_info",),
        thresholds={"warning_days": 180},
        references=(EOL_POLICY_KB,),
    )

    def run(self, ctx: InstanceContext) -> Iterator[Finding]:
        inst = ctx.instance
        if inst.deployment is Deployment.CLOUD:
            raise SkipCheck("Cloud runs the current release; there is no version to support")
        table = load_end_of_life()
        product = product_name(inst)
        version = inst.server_info.version if inst.server_info is not None else None
        src = source(inst, "server_info")
        checked = table.checked.isoformat()
        evidence = [
            Evidence(label="version", value=version, source=src, time=ctx.now),
            Evidence(label="end-of-life table checked", value=checked, source=TABLE_SOURCE),
        ]
        numbers = feature_version(inst)
        if numbers is None:
            yield ctx.finding(
                Severity.UNKNOWN,
                f"{product} version unknown",
                f"The server info gave no usable version ({version!r}), so its support cannot be judged.",
                evidence=evidence,
                recommendation="Check the server info answer of the instance.",
            )
            return
        feature = f"{numbers[0]}.{numbers[1]}"
        release = table.lookup(inst.product.value, *numbers)
        if release is None:
            yield ctx.finding(
                Severity.INFO,
                f"{product} {feature} not in the end-of-life table",
                f"{product} {version} (feature release {feature}) is not in the end-of-life table (checked "
                f"{checked}), so its support dates are unknown here.",
                evidence=evidence,
                recommendation=(
                    "Look the release up in Atlassian's end of support announcements and add it to "
                    f"{TABLE_SOURCE}."
                ),
            )
            return

        now = ctx.now
        days = (release.eol - today(now)).days
        evidence += [
            Evidence(label="feature release", value=release.label, source=TABLE_SOURCE),
            Evidence(label="released", value=release.released.isoformat(), source=TABLE_SOURCE),
            Evidence(label="end of life", value=release.eol.isoformat(), source=TABLE_SOURCE),
            Evidence(label="days to end of life", value=days),
        ]
        if release.derived:
            evidence.append(
                Evidence(
                    label="end-of-life date derived",
                    value=f"from the {table.support_years}-year policy: {release.note or 'not confirmed'}",
                    source=TABLE_SOURCE,
                )
            )
        move_to = _move_to(table, release, now, product)
        if move_to:
            evidence.append(Evidence(label="move to", value=move_to, source=TABLE_SOURCE))
        name = f"{product} {release.label}"
        if days < 0:
            yield ctx.finding(
                Severity.CRITICAL,
                f"{name} is past its end of life",
                f"{product} {version} reached end of life on {release.eol.isoformat()} ({-days} "
                f"days ago): Atlassian no longer fixes bugs or security vulnerabilities in {release.version}."
                + (f" {move_to}" if move_to else ""),
                evidence=evidence,
                recommendation=_upgrade_advice(table, release, now, product),
            )
            return
        warning_days = ctx.threshold("warning_days")
        if days <= warning_days:
            yield ctx.finding(
                Severity.WARNING,
                f"{name} reaches end of life in {days} days",
                f"{product} {version} reaches end of life on {release.eol.isoformat()}, in {days} days "
                f"(warning from {warning_days} days)." + (f" {move_to}" if move_to else ""),
                evidence=evidence,
                recommendation=_upgrade_advice(table, release, now, product),
            )
            return
        yield ctx.ok(
            f"{name} is supported",
            f"{product} {version} is supported until {release.eol.isoformat()} ({days} days).",
            evidence=evidence,
        )


def _move_to(table: EndOfLifeTable, release: FeatureRelease, now: datetime, product: str) -> str:
    target = next_lts(table, release, now)
    latest = latest_supported(table, release.product, now)
    if target is not None:
        text = (
            f"The Long Term Support release to move to is {product} {target.version}, supported until "
            f"{target.eol.isoformat()}."
        )
        ends_soon = (target.eol - today(now)).days < 365
        if latest is not None and latest.numbers > target.numbers and ends_soon:
            text += (
                f" It ends within a year; the newest feature release, {product} {latest.version} (supported "
                f"until {latest.eol.isoformat()}), lasts longer."
            )
        return text
    if latest is not None and latest.numbers > release.numbers:
        return (
            f"No newer Long Term Support release is supported; the newest feature release is {product} "
            f"{latest.version}, supported until {latest.eol.isoformat()}."
        )
    return ""


def _upgrade_advice(table: EndOfLifeTable, release: FeatureRelease, now: datetime, product: str) -> str:
    target = next_lts(table, release, now) or latest_supported(table, release.product, now)
    newer = target is not None and target.numbers > release.numbers
    where = f" to {product} {target.label} or later" if newer and target is not None else ""
    return (
        f"Plan the upgrade{where} now: read the upgrade notes of every feature release in between, check "
        "that the apps support the target version, and rehearse on a staging copy."
    )
