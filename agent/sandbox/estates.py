"""Ready-made estates: the demo's two customers, and a healthy fleet for benchmarks."""

from __future__ import annotations

from collections.abc import Sequence

from agent.sandbox.spec import Fault, InstanceSpec
from collectors.model import Deployment, Product

CLOUD_USERNAME = "svc-health@example.com"  # Cloud authenticates with an e-mail address and an API token
DEFAULT_VERSIONS = {Product.JIRA: "9.12.2", Product.CONFLUENCE: "9.2.3"}


def demo_estate() -> dict[str, list[InstanceSpec]]:
    """Two customers whose instances, once checked, give ok, warning and critical findings.

    Acme has every product (Jira, Confluence, Bitbucket, Bamboo, Crowd, Fisheye/Crucible and a Jira
    Cloud site), each with a product fault; Globex adds Bitbucket Cloud and a Bamboo short of agents.

    Latency is kept low except on one staging instance, so the whole demo collects in a few seconds.
    """
    acme = [
        InstanceSpec("acme-jira", Product.JIRA, Deployment.DATACENTER, version="10.3.4", nodes=3),
        InstanceSpec(
            "acme-confluence", Product.CONFLUENCE, Deployment.DATACENTER, version="9.2.3",
            context_path="/confluence", nodes=2, faults={Fault.NODE_OFFLINE, Fault.LICENSE_EXPIRING},
        ),
        InstanceSpec(
            "acme-jira-staging", Product.JIRA, Deployment.SERVER, version="9.4.15",
            faults={Fault.INDEX_LAGGING, Fault.APP_FAILED}, latency_ms=1200,
        ),
        InstanceSpec("acme-cloud", Product.JIRA, Deployment.CLOUD, username=CLOUD_USERNAME),
        InstanceSpec(
            "acme-bitbucket", Product.BITBUCKET, Deployment.DATACENTER, version="10.2.1",
            faults={Fault.BITBUCKET_SEATS_NEAR_LIMIT},
        ),
        InstanceSpec("acme-bamboo", Product.BAMBOO, Deployment.DATACENTER, version="10.2.3",
                     faults={Fault.BAMBOO_QUEUE_BACKLOG}),
        InstanceSpec("acme-crowd", Product.CROWD, Deployment.SERVER, version="7.2.3", context_path="/crowd",
                     faults={Fault.CROWD_SYNC_FAILED}),
        InstanceSpec("acme-fisheye", Product.FECRU, Deployment.SERVER, version="4.8.15",
                     context_path="/fecru", faults={Fault.FECRU_REPO_STOPPED}),
    ]
    globex = [
        InstanceSpec(
            "globex-jira", Product.JIRA, Deployment.DATACENTER, nodes=2,
            faults={Fault.ATST_FAILING, Fault.LICENSE_EXPIRED, Fault.SEATS_FULL},
        ),
        InstanceSpec(
            "globex-wiki", Product.CONFLUENCE, Deployment.SERVER, version="8.5.6", faults={Fault.UNAUTHORIZED}
        ),
        InstanceSpec("globex-jsm-dr", Product.JIRA, Deployment.DATACENTER, faults={Fault.DOWN}),
        InstanceSpec("globex-bamboo", Product.BAMBOO, Deployment.SERVER, version="9.6.4",
                     faults={Fault.BAMBOO_AGENTS_OFFLINE}),
        InstanceSpec("globex-bitbucket", Product.BITBUCKET, Deployment.CLOUD, username=CLOUD_USERNAME),
    ]
    return {"acme": acme, "globex": globex}


def fleet_estate(
    count: int, latency_ms: int, products: Sequence[Product] = (Product.JIRA, Product.CONFLUENCE)
) -> list[InstanceSpec]:
    """`count` healthy Data Center instances answering after `latency_ms`, alternating `products`."""
    if count < 0 or latency_ms < 0 or not products:
        raise ValueError("fleet_estate needs count >= 0, latency_ms >= 0 and at least one product")
    specs = []
    for index in range(count):
        product = products[index % len(products)]
        specs.append(
            InstanceSpec(
                f"fleet-{index + 1:04d}-{product.value}",
                product,
                Deployment.DATACENTER,
                version=DEFAULT_VERSIONS.get(product, "9.12.2"),
                latency_ms=latency_ms,
            )
        )
    return specs
