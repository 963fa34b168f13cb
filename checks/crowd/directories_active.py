"""crowd.directories.active: does Crowd have an active directory to authenticate users against?"""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import InstanceCheck, collected
from checks.context import InstanceContext
from checks.finding import Category, Evidence, Finding, Severity
from checks.instance._calls import plural, source
from checks.metadata import CheckMeta
from collectors.products import Product


class CrowdDirectoriesActive(InstanceCheck):
    meta = CheckMeta(
        id="crowd.directories.active",
        title="Crowd active directories",
        description=(
            "Counts Crowd's active directories. With none, no user can be authenticated: every "
            "application that relies on Crowd for single sign-on or user management refuses all logins."
        ),
        category=Category.AUTHENTICATION,
        default_severity=Severity.CRITICAL,
        products=(Product.CROWD,),
        requires=("crowd.directories",),
    )

    def run(self, ctx: InstanceContext) -> Iterator[Finding]:
        inst = ctx.instance
        crowd = collected(inst.crowd, "crowd facts")
        directories = collected(crowd.directories, "directories")
        src = source(inst, "crowd.directories")
        active = [d for d in directories if d.active is not False]
        evidence = [
            Evidence(
                label=d.name,
                value="active" if d.active is not False else "inactive",
                source=src,
                time=ctx.now,
            )
            for d in directories
        ]
        if not active:
            what = (
                f"all {plural(len(directories), 'directory', 'directories')} are inactive"
                if directories
                else "no directory is configured"
            )
            yield ctx.finding(
                Severity.CRITICAL,
                "Crowd has no active directory",
                f"Crowd cannot authenticate anyone: {what}. Applications that use Crowd refuse every login.",
                evidence=evidence or [Evidence(label="directories", value=0, source=src, time=ctx.now)],
                recommendation=(
                    "Activate the directory the users live in (Directories in Crowd's administration), and "
                    "check that each application is mapped to it."
                ),
            )
            return
        yield ctx.ok(
            "Crowd has active directories",
            f"{plural(len(active), 'active directory', 'active directories')}: "
            f"{', '.join(d.name for d in active)}.",
            evidence=evidence,
        )
