from __future__ import annotations

import pytest

from reports.context import build_health_check
from reports.model import HealthCheckReport
from tests.reports import estate


def build(tz: str = "Europe/Berlin") -> HealthCheckReport:
    return build_health_check(
        estate.snapshot(),
        estate.analysis(),
        estate.CUSTOMER,
        generated_at=estate.GENERATED,
        tz=tz,
        tool_version=estate.TOOL_VERSION,
    )


@pytest.fixture
def report() -> HealthCheckReport:
    return build()
