"""Every product has its own collection plan, on every deployment: none is left at /status only."""

from __future__ import annotations

import pytest

from collectors.model import Deployment, Product
from collectors.rest import instance
from collectors.target import InstanceTarget


def test_every_product_has_a_plan() -> None:
    assert set(instance._PLANS) == set(Product)


@pytest.mark.parametrize("deployment", list(Deployment))
@pytest.mark.parametrize("product", list(Product))
def test_each_plan_collects_more_than_status(product: Product, deployment: Deployment) -> None:
    target = InstanceTarget("acme", "x", product, deployment, "https://x.example")
    cloud_plan = instance._CLOUD_PLANS.get(product) if deployment is Deployment.CLOUD else None
    plan = (cloud_plan or instance._PLANS[product])(target)
    calls = {step.call for step in plan.steps}
    assert len(calls) >= 2, calls  # status (or its stand-in) plus the product's own calls
