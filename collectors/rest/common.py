"""Steps every Atlassian Server/DC product shares: /status, ATST health checks, UPM apps."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from collectors.model import ErrorKind, HealthChecks, ProductStatus
from collectors.rest.parsing import parse_apps, parse_health_checks, parse_status
from collectors.rest.session import InstanceSession, Step

ATST_PATH = "rest/troubleshooting/1.0/check/"
STP_PATH = "rest/supportHealthCheck/1.0/check/"  # the Support Tools Plugin's older path
UPM_PATH = "rest/plugins/1.0/"


def _has_state(payload: Any) -> bool:
    return isinstance(payload, dict) and ("state" in payload or "status" in payload)


def status_step(path: str = "status") -> Step:
    """The unauthenticated load-balancer probe (Bamboo: rest/api/latest/status).

    Jira answers MAINTENANCE with 503 and ERROR with 500, both with a JSON state: that is the answer,
    not a failure, so checks see the state and the code.
    """

    def run(session: InstanceSession) -> ProductStatus | None:
        reply = session.get("status", path, parse=parse_status, answer_on_error=_has_state)
        if not reply.ok or reply.record is None:
            session.fail("status", reply.failure)
            return None
        status: ProductStatus = reply.value
        return status.model_copy(update={"http_status": reply.record.status_code})

    return Step("status", "status", run)


def health_checks_step() -> Step:
    """ATST checks, falling back to the STP path on 404.

    The library's own health_check() never reaches its fallback (its first get raises on the 404),
    so both calls are made here.
    """

    def run(session: InstanceSession) -> HealthChecks | None:
        reply = session.get(
            "health_checks", ATST_PATH, parse=lambda p: parse_health_checks(p, "troubleshooting")
        )
        if reply.kind is ErrorKind.NOT_FOUND:
            reply = session.get(
                "health_checks:supportHealthCheck",
                STP_PATH,
                parse=lambda p: parse_health_checks(p, "supportHealthCheck"),
            )
        if not reply.ok:
            session.fail("health_checks", reply.failure)
            return None
        return reply.value

    return Step("health_checks", "health_checks", run)


def apps_step() -> Step:
    return simple_step("apps", UPM_PATH, parse_apps)


def simple_step(field: str, path: str, parse: Callable[[Any], Any], call: str | None = None) -> Step:
    """One call, one field: the value on success, the failure recorded otherwise."""
    name = call or field

    def run(session: InstanceSession) -> Any:
        reply = session.get(name, path, parse=parse)
        if not reply.ok:
            session.fail(name, reply.failure)
            return None
        return reply.value

    return Step(field, name, run)
