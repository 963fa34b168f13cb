"""Sandboxes for the tests: one shared healthy estate, and a factory for single-fault instances."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from collectors.model import Deployment, Product
from sandbox import InstanceSpec, Sandbox

CLOUD_USER = "svc-health@example.com"

HEALTHY = [
    InstanceSpec("jira-dc", Product.JIRA, Deployment.DATACENTER, version="10.3.4", nodes=3),
    InstanceSpec("jira-server", Product.JIRA, Deployment.SERVER, version="9.4.15"),
    InstanceSpec("jira-cloud", Product.JIRA, Deployment.CLOUD, username=CLOUD_USER),
    InstanceSpec(
        "conf-dc",
        Product.CONFLUENCE,
        Deployment.DATACENTER,
        version="9.5.1",
        nodes=2,
        context_path="/confluence",
    ),
    InstanceSpec("conf-dc-old", Product.CONFLUENCE, Deployment.DATACENTER, version="8.5.6", nodes=3),
    InstanceSpec("conf-server", Product.CONFLUENCE, Deployment.SERVER, version="8.5.6"),
    InstanceSpec("conf-cloud", Product.CONFLUENCE, Deployment.CLOUD, username=CLOUD_USER),
]


@pytest.fixture(scope="module")
def healthy() -> Iterator[Sandbox]:
    """Healthy instances of every shape; tests must not update() them."""
    with Sandbox(HEALTHY) as sandbox:
        yield sandbox


@pytest.fixture
def sandbox_of() -> Iterator[Callable[..., Sandbox]]:
    """Start a sandbox of the given specs for one test; stopped afterwards."""
    started: list[Sandbox] = []

    def make(*specs: InstanceSpec) -> Sandbox:
        sandbox = Sandbox(specs).start()
        started.append(sandbox)
        return sandbox

    yield make
    for sandbox in started:
        sandbox.stop()
