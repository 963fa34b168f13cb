"""cloud.products: which products and plans the Cloud site is licensed for, and its users."""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import InstanceCheck, SkipCheck, collected
from checks.context import InstanceContext
from checks.finding import Category, Evidence, Finding, Severity
from checks.instance._calls import plural, source
from checks.metadata import CheckMeta
from collectors.products import Deployment


class CloudProducts(InstanceCheck):
    meta = CheckMeta(
        id="cloud.products",
        title="Cloud licensed products and users",
        description=(
            "Lists what the Cloud site is licensed for (product, plan) and its user counts where the API "
            "gives them; for Bitbucket Cloud, the workspaces the credentials see and their members."
        ),
        category=Category.LICENSING,
        default_severity=Severity.INFO,
        deployments=(Deployment.CLOUD,),
        requires=("cloud",),
    )

    def run(self, ctx: InstanceContext) -> Iterator[Finding]:
        inst = ctx.instance
        facts = collected(inst.cloud, "cloud")
        if facts.products is None and facts.workspaces is None:
            error = (
                inst.error_for("cloud.products")
                or inst.error_for("license")
                or inst.error_for("cloud.workspaces")
            )
            if error is not None:
                raise SkipCheck(f"licensed products not collected: {error.message}")
            raise SkipCheck("the API gives no licence data")
        for product in facts.products or []:
            plan = f" on the {product.plan.title()} plan" if product.plan else ""
            users = f", {plural(product.user_count, 'user')}" if product.user_count is not None else ""
            src = source(inst, "cloud.products" if inst.call("cloud.products") else "license")
            yield ctx.finding(
                Severity.INFO,
                f"{product.name or product.key}{plan}",
                f"The site is licensed for {product.name or product.key}{plan}{users}.",
                evidence=[
                    Evidence(label="product", value=product.key, source=src, time=ctx.now),
                    Evidence(label="plan", value=product.plan, source=src, time=ctx.now),
                    Evidence(label="users", value=product.user_count, source=src, time=ctx.now),
                ],
                key=product.key,
            )
        for workspace in facts.workspaces or []:
            members = f" with {plural(workspace.members, 'member')}" if workspace.members is not None else ""
            yield ctx.finding(
                Severity.INFO,
                f"Workspace {workspace.name or workspace.slug}",
                f"Bitbucket Cloud workspace {workspace.slug}{members}.",
                evidence=[
                    Evidence(
                        label="workspace",
                        value=workspace.slug,
                        source=source(inst, "cloud.workspaces"),
                        time=ctx.now,
                    ),
                    Evidence(label="members", value=workspace.members, time=ctx.now),
                ],
                key=f"workspace:{workspace.slug}",
            )
