"""The pytest plugin atlas-health installs (entry point ``pytest11``): fixtures for check tests.

Loaded in every pytest session of an environment where atlas-health is installed, so it imports
nothing of the project until a fixture is used.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from checks.base import Check
    from checks.finding import Finding
    from checks.registry import Registry
    from collectors.hosts.model import HostSnapshot
    from collectors.logs.model import LogAnalysis
    from collectors.model import InstanceSnapshot


@pytest.fixture(scope="session")
def atlas_registry() -> Registry:
    """Every check this environment has: the built-ins and the installed plugins' (yours included)."""
    from atlas_health.testing.harness import registry

    return registry()


@pytest.fixture
def healthy_instance() -> InstanceSnapshot:
    """A Jira Data Center instance on which every built-in check passes."""
    from atlas_health.testing.instances import instance

    return instance()


@pytest.fixture
def healthy_host() -> HostSnapshot:
    """A Jira node reached over SSH on which every built-in host check passes."""
    from atlas_health.testing.hosts import host

    return host()


@pytest.fixture
def healthy_logs() -> LogAnalysis:
    """Four quiet hours of a two-node Jira cluster's logs."""
    from atlas_health.testing.logs import analysis

    return analysis()


@pytest.fixture
def run_atlas_check() -> Callable[..., list[Finding]]:
    """``run_atlas_check(CheckClass, subject, **thresholds)``: the check's findings for the subject."""
    from atlas_health.testing.harness import run_any

    def run(cls: type[Check[Any]], subject: Any, **thresholds: float) -> list[Finding]:
        return run_any(cls, subject, **thresholds)

    return run
