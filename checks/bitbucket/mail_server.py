"""bitbucket.mail.server: is a mail server configured, so Bitbucket can send its notifications?"""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import InstanceCheck, collected
from checks.context import InstanceContext
from checks.finding import Category, Evidence, Finding, Severity
from checks.instance._calls import source
from checks.metadata import CheckMeta
from collectors.products import Deployment, Product


class BitbucketMailServer(InstanceCheck):
    meta = CheckMeta(
        id="bitbucket.mail.server",
        title="Bitbucket mail server",
        description=(
            "Whether Bitbucket has a mail server configured. Without one it sends no e-mail: no pull "
            "request notifications, no access requests, no password reset links."
        ),
        category=Category.CONFIGURATION,
        default_severity=Severity.INFO,
        products=(Product.BITBUCKET,),
        deployments=(Deployment.DATACENTER, Deployment.SERVER),
        requires=("bitbucket.mail",),
    )

    def run(self, ctx: InstanceContext) -> Iterator[Finding]:
        inst = ctx.instance
        bitbucket = collected(inst.bitbucket, "bitbucket facts")
        mail = collected(bitbucket.mail, "mail")
        src = source(inst, "bitbucket.mail")
        if not mail.configured:
            yield ctx.finding(
                Severity.INFO,
                "No mail server configured",
                "Bitbucket has no mail server, so it sends no e-mail: pull request notifications, access "
                "requests and password reset links never arrive.",
                evidence=[Evidence(label="configured", value=False, source=src, time=ctx.now)],
                recommendation="Configure one in Administration > Mail server, unless e-mail is unwanted.",
            )
            return
        where = f"{mail.hostname}:{mail.port}" if mail.port else f"{mail.hostname}"
        yield ctx.ok(
            "Mail server configured",
            f"Bitbucket sends e-mail through {where}"
            + (f" ({mail.protocol})" if mail.protocol else "")
            + (f" as {mail.sender_address}." if mail.sender_address else "."),
            evidence=[
                Evidence(label="host", value=mail.hostname, source=src, time=ctx.now),
                Evidence(label="port", value=mail.port, source=src, time=ctx.now),
                Evidence(label="protocol", value=mail.protocol, source=src, time=ctx.now),
                Evidence(label="sender", value=mail.sender_address, source=src, time=ctx.now),
            ],
        )
