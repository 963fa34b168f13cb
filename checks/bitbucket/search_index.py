"""bitbucket.search.index: can Bitbucket reach its search server, and is its index up to date?"""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import InstanceCheck, collected
from checks.context import InstanceContext
from checks.finding import Category, Evidence, Finding, Severity
from checks.instance._calls import source
from checks.metadata import CheckMeta
from collectors.products import Deployment, Product

SEARCH_SERVER_KB = (
    "https://confluence.atlassian.com/bitbucketserver/"
    "use-a-clustered-search-server-with-bitbucket-data-center-913477079.html"
)


class BitbucketSearchIndex(InstanceCheck):
    meta = CheckMeta(
        id="bitbucket.search.index",
        title="Bitbucket search index",
        description=(
            "Reads the search indexing status: IDLE is up to date, INDEXING is catching up. When the "
            "search server (OpenSearch or Elasticsearch) is unavailable, code, repository and project "
            "search fail while Git hosting carries on."
        ),
        category=Category.AVAILABILITY,
        default_severity=Severity.WARNING,
        products=(Product.BITBUCKET,),
        deployments=(Deployment.DATACENTER, Deployment.SERVER),
        requires=("bitbucket.index",),
        references=(SEARCH_SERVER_KB,),
    )

    def run(self, ctx: InstanceContext) -> Iterator[Finding]:
        inst = ctx.instance
        bitbucket = collected(inst.bitbucket, "bitbucket facts")
        index = collected(bitbucket.index, "index")
        src = source(inst, "bitbucket.index")
        evidence = [
            Evidence(label="available", value=index.available, source=src, time=ctx.now),
            Evidence(label="state", value=index.state, source=src, time=ctx.now),
            Evidence(label="HTTP status", value=index.http_status, source=src, time=ctx.now),
        ]
        if index.message:
            evidence.append(Evidence(label="message", value=index.message, source=src, time=ctx.now))
        state = (index.state or "").strip().upper()
        if not index.available:
            said = f": {index.message}" if index.message else "."
            yield ctx.finding(
                Severity.WARNING,
                "Bitbucket search is unavailable",
                f"Bitbucket cannot use its search server{said} Code search and repository and project "
                "search fail until it is back; Git operations and pull requests carry on.",
                evidence=evidence,
                recommendation=(
                    "Check that the search server (the bundled OpenSearch, or the remote OpenSearch or "
                    "Elasticsearch in Administration > Server settings > Search) is running and reachable "
                    "from every node, and that its credentials are right; atlassian-bitbucket.log names "
                    "the connection error."
                ),
            )
        elif state == "INDEXING":
            yield ctx.finding(
                Severity.INFO,
                "Bitbucket search index is catching up",
                "The search server is reachable and Bitbucket is indexing: recent pushes may not show "
                "in search results yet.",
                evidence=evidence,
                recommendation="Nothing to do unless the state stays INDEXING over several checks.",
            )
        elif state in ("IDLE", ""):
            yield ctx.ok(
                "Bitbucket search index is up to date",
                "The search server is reachable and nothing is waiting to be indexed"
                + (" (IDLE)." if state else "."),
                evidence=evidence,
            )
        else:
            yield ctx.finding(
                Severity.INFO,
                f"Bitbucket search index reports {state}",
                f"The indexing status is {state!r}, which this check does not know; search is reported "
                "as available.",
                evidence=evidence,
                recommendation="Check Administration > Server settings > Search in Bitbucket.",
            )
