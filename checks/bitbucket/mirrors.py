"""bitbucket.mirrors: are the Smart Mirrors registered with this upstream in contact and in service?"""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import InstanceCheck, collected
from checks.context import InstanceContext
from checks.finding import Category, Evidence, Finding, Severity
from checks.instance._calls import moment, plural, source
from checks.metadata import CheckMeta
from collectors.facts.bitbucket import Mirror
from collectors.products import Deployment, Product

MIRRORS_DOC = "https://confluence.atlassian.com/bitbucketserver088/mirrors-1216582959.html"
# States of a mirror's registration; anything else (PENDING, ...) waits for an administrator.
_AUTHORISED = frozenset({"", "AUTHORIZED", "AUTHORISED", "ENABLED", "ACTIVE"})


class BitbucketMirrors(InstanceCheck):
    meta = CheckMeta(
        id="bitbucket.mirrors",
        title="Bitbucket mirrors",
        description=(
            "For every Smart Mirror of this Data Center upstream: when it last contacted the upstream. A "
            "mirror out of contact no longer synchronises, so the teams cloning from it get stale "
            "repositories or errors; disabled and unauthorised mirrors are named too."
        ),
        category=Category.AVAILABILITY,
        default_severity=Severity.WARNING,
        products=(Product.BITBUCKET,),
        deployments=(Deployment.DATACENTER,),
        requires=("bitbucket.mirrors",),
        thresholds={"warning_minutes": 15, "critical_minutes": 60},
        references=(MIRRORS_DOC,),
    )

    def run(self, ctx: InstanceContext) -> Iterator[Finding]:
        inst = ctx.instance
        bitbucket = collected(inst.bitbucket, "bitbucket facts")
        mirrors = collected(bitbucket.mirrors, "mirrors")
        src = source(inst, "bitbucket.mirrors")
        if not mirrors:
            yield ctx.ok(
                "No mirrors registered",
                "No Smart Mirror is registered with this instance.",
                evidence=[Evidence(label="mirrors", value=0, source=src, time=ctx.now)],
            )
            return
        problems = [f for f in (self._one(ctx, m, src) for m in mirrors) if f is not None]
        yield from problems
        if not problems:
            names = ", ".join(m.name or m.id for m in mirrors)
            yield ctx.ok(
                "All mirrors in contact",
                f"{plural(len(mirrors), 'mirror')} enabled and in contact with the upstream: {names}.",
                evidence=[
                    Evidence(
                        label=m.name or m.id,
                        value=moment(m.last_seen) if m.last_seen else None,
                        source=src,
                        time=m.last_seen,
                    )
                    for m in mirrors
                ],
            )

    def _one(self, ctx: InstanceContext, mirror: Mirror, src: str) -> Finding | None:
        name = mirror.name or mirror.id
        where = f"{name} ({mirror.base_url})" if mirror.base_url else name
        evidence = [
            Evidence(label="mirror", value=name, source=src, time=ctx.now),
            Evidence(label="base URL", value=mirror.base_url, source=src, time=ctx.now),
            Evidence(label="enabled", value=mirror.enabled, source=src, time=ctx.now),
            Evidence(label="state", value=mirror.state, source=src, time=ctx.now),
            Evidence(label="version", value=mirror.version, source=src, time=ctx.now),
            Evidence(
                label="last seen",
                value=moment(mirror.last_seen) if mirror.last_seen else None,
                source=src,
                time=mirror.last_seen,
            ),
        ]
        if mirror.enabled is False:
            return ctx.finding(
                Severity.INFO,
                f"Mirror {name} is disabled",
                f"Mirror {where} is disabled: it serves nothing until it is enabled again.",
                evidence=evidence,
                recommendation="Remove the mirror if retired, or enable it in Administration > Mirrors.",
                key=mirror.id,
            )
        state = (mirror.state or "").strip().upper()
        if state not in _AUTHORISED:
            return ctx.finding(
                Severity.WARNING,
                f"Mirror {name} is {state}",
                f"Mirror {where} is {state}: it is registered but not serving, typically waiting for an "
                "administrator to authorise it.",
                evidence=evidence,
                recommendation="Authorise the mirror in Administration > Mirrors, or remove the request.",
                key=mirror.id,
            )
        if mirror.last_seen is None:
            return ctx.finding(
                Severity.WARNING,
                f"Mirror {name} has not been in contact",
                f"The upstream has no record of mirror {where} contacting it.",
                evidence=evidence,
                recommendation="Check the mirror's service and its connection to the upstream.",
                key=mirror.id,
            )
        minutes = (ctx.now - mirror.last_seen).total_seconds() / 60
        evidence.append(Evidence(label="minutes since last contact", value=round(minutes, 1)))
        warning, critical = ctx.threshold("warning_minutes"), ctx.threshold("critical_minutes")
        if minutes < warning:
            return None
        severity = Severity.CRITICAL if minutes >= critical else Severity.WARNING
        return ctx.finding(
            severity,
            f"Mirror {name} is out of contact",
            f"Mirror {where} last contacted the upstream {_age(minutes)} ago ({moment(mirror.last_seen)}; "
            f"{severity.value} from {critical if severity is Severity.CRITICAL else warning} minutes): it no "
            "longer synchronises, so clones and fetches from it get stale repositories or fail.",
            evidence=evidence,
            recommendation=(
                "Check the mirror's process and its atlassian-bitbucket.log, and that it can reach the "
                "upstream's base URL; point users at the upstream meanwhile."
            ),
            key=mirror.id,
        )


def _age(minutes: float) -> str:
    if minutes < 120:
        return f"{minutes:.0f} minutes"
    hours = minutes / 60
    return f"{hours:.0f} hours" if hours < 48 else f"{hours / 24:.0f} days"
