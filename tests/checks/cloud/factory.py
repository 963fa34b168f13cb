"""Cloud site snapshots for check tests: a Jira Cloud site with plenty of rate-limit headroom."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from atlas_health.testing.instances import NOW, instance
from collectors.facts.cloud import CloudFacts, CloudProduct, CloudWorkspace, RateLimitSeen
from collectors.model import Deployment, InstanceSnapshot, Product

URL = "https://acme.atlassian.net/rest/api/3/myself"


def seen(
    remaining: int | None = 340, limit: int | None = 350, *, status_code: int = 200, **changes: Any
) -> RateLimitSeen:
    values: dict[str, Any] = {
        "call": "current_user",
        "url": URL,
        "at": NOW,
        "status_code": status_code,
        "limit": limit,
        "remaining": remaining,
        "near_limit": False,
        "reset": (NOW + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%MZ"),
    }
    values.update(changes)
    return RateLimitSeen(**values)


def products() -> list[CloudProduct]:
    return [CloudProduct(key="jira-software", name="Jira Software", plan="STANDARD", user_count=312)]


def cloud_site(product: Product = Product.JIRA, **facts: Any) -> InstanceSnapshot:
    values: dict[str, Any] = {"rate_limits": [seen(345), seen(340)], "products": products()}
    values.update(facts)
    return instance(product, Deployment.CLOUD, cloud=CloudFacts(**values), apps=None, index=None)


def workspace(slug: str, members: int | None = 12) -> CloudWorkspace:
    return CloudWorkspace(slug=slug, name=slug.title(), members=members)
