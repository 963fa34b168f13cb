"""Ready-made estates: the demo's two customers, and healthy fleets (some products, or all) for benchmarks."""

from __future__ import annotations

from collections.abc import Sequence

from collectors.model import Deployment, Product
from sandbox.spec import Fault, InstanceSpec

CLOUD_USERNAME = "svc-health@example.com"  # Cloud authenticates with an e-mail address and an API token
DEFAULT_VERSIONS = {
    Product.JIRA: "9.12.2",
    Product.CONFLUENCE: "9.2.3",
    Product.BITBUCKET: "10.2.1",
    Product.BAMBOO: "10.2.3",
    Product.CROWD: "7.2.3",
    Product.FECRU: "4.8.15",
}
FleetKind = Product | tuple[Product, Deployment]  # a product alone means its Data Center deployment
# What a support team's estate is usually made of, Jira and Confluence first; every product appears in the
# first six, so even a small fleet has them all. Cloud sites are added separately (mixed_fleet_estate).
MIXED_FLEET: tuple[tuple[Product, Deployment], ...] = (
    (Product.JIRA, Deployment.DATACENTER),
    (Product.CONFLUENCE, Deployment.DATACENTER),
    (Product.BITBUCKET, Deployment.DATACENTER),
    (Product.BAMBOO, Deployment.DATACENTER),
    (Product.CROWD, Deployment.DATACENTER),
    (Product.FECRU, Deployment.SERVER),
    (Product.JIRA, Deployment.SERVER),
    (Product.CONFLUENCE, Deployment.SERVER),
    (Product.JIRA, Deployment.DATACENTER),
    (Product.BITBUCKET, Deployment.SERVER),
    (Product.CONFLUENCE, Deployment.DATACENTER),
    (Product.JIRA, Deployment.DATACENTER),
    (Product.BAMBOO, Deployment.SERVER),
    (Product.CROWD, Deployment.SERVER),
    (Product.JIRA, Deployment.SERVER),
    (Product.CONFLUENCE, Deployment.DATACENTER),
    (Product.JIRA, Deployment.DATACENTER),
    (Product.BITBUCKET, Deployment.DATACENTER),
    (Product.CONFLUENCE, Deployment.SERVER),
    (Product.JIRA, Deployment.DATACENTER),
)
CLOUD_SITES: tuple[tuple[Product, Deployment], ...] = (
    (Product.JIRA, Deployment.CLOUD),
    (Product.CONFLUENCE, Deployment.CLOUD),
    (Product.BITBUCKET, Deployment.CLOUD),
)


def demo_estate() -> dict[str, list[InstanceSpec]]:
    """Two customers whose instances, once checked, give ok, warning and critical findings.

    Acme has every product (Jira, Confluence, Bitbucket, Bamboo, Crowd, Fisheye/Crucible and a Jira
    Cloud site), each with a product fault; Globex adds Bitbucket Cloud and a Bamboo short of agents.

    Latency is kept low except on one staging instance, so the whole demo collects in a few seconds.
    """
    acme = [
        InstanceSpec("acme-jira", Product.JIRA, Deployment.DATACENTER, version="10.3.4", nodes=3),
        InstanceSpec(
            "acme-confluence",
            Product.CONFLUENCE,
            Deployment.DATACENTER,
            version="9.2.3",
            context_path="/confluence",
            nodes=2,
            faults={Fault.NODE_OFFLINE, Fault.LICENSE_EXPIRING},
        ),
        InstanceSpec(
            "acme-jira-staging",
            Product.JIRA,
            Deployment.SERVER,
            version="9.4.15",
            faults={Fault.INDEX_LAGGING, Fault.APP_FAILED},
            latency_ms=1200,
        ),
        InstanceSpec("acme-cloud", Product.JIRA, Deployment.CLOUD, username=CLOUD_USERNAME),
        InstanceSpec(
            "acme-bitbucket",
            Product.BITBUCKET,
            Deployment.DATACENTER,
            version="10.2.1",
            faults={Fault.BITBUCKET_SEATS_NEAR_LIMIT},
        ),
        InstanceSpec(
            "acme-bamboo",
            Product.BAMBOO,
            Deployment.DATACENTER,
            version="10.2.3",
            faults={Fault.BAMBOO_QUEUE_BACKLOG},
        ),
        InstanceSpec(
            "acme-crowd",
            Product.CROWD,
            Deployment.SERVER,
            version="7.2.3",
            context_path="/crowd",
            faults={Fault.CROWD_SYNC_FAILED},
        ),
        InstanceSpec(
            "acme-fisheye",
            Product.FECRU,
            Deployment.SERVER,
            version="4.8.15",
            context_path="/fecru",
            faults={Fault.FECRU_REPO_STOPPED},
        ),
    ]
    globex = [
        InstanceSpec(
            "globex-jira",
            Product.JIRA,
            Deployment.DATACENTER,
            nodes=2,
            faults={Fault.ATST_FAILING, Fault.LICENSE_EXPIRED, Fault.SEATS_FULL},
        ),
        InstanceSpec(
            "globex-wiki", Product.CONFLUENCE, Deployment.SERVER, version="8.5.6", faults={Fault.UNAUTHORIZED}
        ),
        InstanceSpec("globex-jsm-dr", Product.JIRA, Deployment.DATACENTER, faults={Fault.DOWN}),
        InstanceSpec(
            "globex-bamboo",
            Product.BAMBOO,
            Deployment.SERVER,
            version="9.6.4",
            faults={Fault.BAMBOO_AGENTS_OFFLINE},
        ),
        InstanceSpec("globex-bitbucket", Product.BITBUCKET, Deployment.CLOUD, username=CLOUD_USERNAME),
    ]
    return {"acme": acme, "globex": globex}


def fleet_estate(
    count: int, latency_ms: int, products: Sequence[FleetKind] = (Product.JIRA, Product.CONFLUENCE)
) -> list[InstanceSpec]:
    """`count` healthy instances answering after `latency_ms`, cycling through `products` (a product, for
    its Data Center deployment, or a (product, deployment) pair)."""
    if count < 0 or latency_ms < 0 or not products:
        raise ValueError("fleet_estate needs count >= 0, latency_ms >= 0 and at least one product")
    specs = []
    for index in range(count):
        kind = products[index % len(products)]
        product, deployment = kind if isinstance(kind, tuple) else (kind, Deployment.DATACENTER)
        cloud = deployment is Deployment.CLOUD
        specs.append(
            InstanceSpec(
                f"fleet-{index + 1:04d}-{product.value}{'-cloud' if cloud else ''}",
                product,
                deployment,
                version=DEFAULT_VERSIONS.get(product, "9.12.2"),
                context_path="/crowd" if product is Product.CROWD else "",
                latency_ms=latency_ms,
                username=CLOUD_USERNAME if cloud else "svc-health",
            )
        )
    return specs


def mixed_fleet_estate(count: int, latency_ms: int, cloud_sites: int = 2) -> list[InstanceSpec]:
    """`count` healthy instances of every product: first `cloud_sites` Cloud sites (Jira, Confluence and
    Bitbucket Cloud in turn), then Data Center and Server instances in MIXED_FLEET's proportions."""
    if not 0 <= cloud_sites <= count:
        raise ValueError(f"mixed_fleet_estate needs 0 <= cloud_sites <= count, not {cloud_sites} of {count}")
    kinds = [CLOUD_SITES[i % len(CLOUD_SITES)] for i in range(cloud_sites)]
    kinds += [MIXED_FLEET[i % len(MIXED_FLEET)] for i in range(count - cloud_sites)]
    return fleet_estate(count, latency_ms, kinds)
