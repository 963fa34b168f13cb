"""Collect one instance: /status first, then the other steps concurrently, within the instance budget.

If /status fails at the transport level (refused, DNS, TLS, timeout) nothing else is tried: every
other call would fail the same way, slowly. The finished snapshot passes the Redactor in one go, so
nothing from the wire or from an exception message is stored unredacted.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from collectors.model import CollectionError, Deployment, ErrorKind, InstanceSnapshot, Product
from collectors.redaction import Redactor, credential_secrets
from collectors.rest import bamboo, bitbucket, bitbucket_cloud, cloud, confluence, crowd, fecru, jira
from collectors.rest.http import TRANSPORT_KINDS, Deadline, Failure, build_client, one_line
from collectors.rest.parts import nest_parts
from collectors.rest.session import InstanceSession, Plan, Step
from collectors.rest.step_runner import run_concurrently
from collectors.target import CollectOptions, InstanceTarget

log = logging.getLogger(__name__)

_PLANS: dict[Product, Callable[[InstanceTarget], Plan]] = {
    Product.JIRA: jira.plan,
    Product.CONFLUENCE: confluence.plan,
    Product.BAMBOO: bamboo.plan,
    Product.FECRU: fecru.plan,
    Product.BITBUCKET: bitbucket.plan,
    Product.CROWD: crowd.plan,
}
# Products whose Cloud API is another service altogether (Bitbucket Cloud: api.bitbucket.org)
_CLOUD_PLANS: dict[Product, Callable[[InstanceTarget], Plan]] = {
    Product.BITBUCKET: bitbucket_cloud.plan,
}

# CollectionError.call names in snapshot field order, to keep errors in a stable order
_ERROR_ORDER = [
    "status",
    "server_info",
    "current_user",
    "health_checks",
    "license",
    "cluster",
    "index",
    "apps",
]


def collect_instance(
    target: InstanceTarget, options: CollectOptions, redactor: Redactor | None = None
) -> InstanceSnapshot:
    """What one target answered. Never raises for anything the target or the network does."""
    started_at, started = datetime.now(UTC), time.monotonic()
    redactor = (redactor or Redactor()).with_secrets(_secrets_of(target))
    where = f"{target.customer}/{target.name}"
    log.debug(
        "%s: collecting %s %s at %s",
        where,
        target.product.value,
        target.deployment.value,
        redactor.url(target.url),
    )
    # Cloud answers carry rate-limit headers; a response hook on each client records them
    recorder = cloud.RateLimitRecorder() if target.deployment is Deployment.CLOUD else None
    factory = recorder.client_factory() if recorder is not None else build_client
    session = InstanceSession(target, options, Deadline(options.instance_budget_s), factory)
    cloud_plan = _CLOUD_PLANS.get(target.product) if target.deployment is Deployment.CLOUD else None
    plan = (cloud_plan or _PLANS[target.product])(target)
    values: dict[str, Any] = {}
    try:
        values[plan.status.field] = _run(plan.status, session)
        status_error = next((e for e in session.errors if e.call == plan.status.call), None)
        if plan.steps and not (status_error and status_error.kind in TRANSPORT_KINDS):
            results = run_concurrently(  # _run never raises
                plan.steps,
                lambda step: _run(step, session),
                options.calls_per_instance,
                name=f"collect-{target.name}",
            )
            values.update((step.field, result) for step, result in zip(plan.steps, results, strict=True))
        elif plan.steps and status_error is not None:
            log.info(
                "%s: unreachable (%s): the other %d call(s) skipped",
                where,
                status_error.kind.value,
                len(plan.steps),
            )
    finally:
        session.close()
    values = nest_parts(values)
    if recorder is not None:
        values["cloud"] = cloud.cloud_facts(target.product, values, recorder.seen(session.records))

    snapshot = InstanceSnapshot(
        customer=target.customer,
        instance=target.name,
        product=target.product,
        deployment=target.deployment,
        url=target.url,
        started_at=started_at,
        finished_at=datetime.now(UTC),
        calls=sorted(session.records, key=lambda r: r.started_at),
        errors=sorted(session.errors, key=_error_rank),
        **values,
    )
    redacted: InstanceSnapshot = redactor.data(snapshot)
    log.info(
        "%s: collected in %.1f s: %d call(s), %d error(s)",
        where,
        time.monotonic() - started,
        len(session.records),
        len(session.errors),
    )
    return redacted


def _run(step: Step, session: InstanceSession) -> Any:
    if session.deadline.expired():
        budget = session.deadline.budget_s
        message = f"not started: the instance budget of {budget:g} s was used up"
        log.info("%s/%s: %s %s", session.target.customer, session.target.name, step.call, message)
        session.fail(step.call, Failure(ErrorKind.BUDGET_EXCEEDED, message, None, at=datetime.now(UTC)))
        return None
    try:
        return step.run(session)
    except Exception as exc:
        message = one_line(f"collector error: {type(exc).__name__}: {exc}")
        log.warning(
            "%s/%s: step %s: %s",
            session.target.customer,
            session.target.name,
            step.call,
            Redactor(_secrets_of(session.target)).text(message),
        )
        session.fail(step.call, Failure(ErrorKind.UNEXPECTED_SHAPE, message, None, at=datetime.now(UTC)))
        return None


def _secrets_of(target: InstanceTarget) -> tuple[str, ...]:
    return credential_secrets(target.credentials.username, target.credentials.secret)


def _error_rank(error: CollectionError) -> int:
    return _ERROR_ORDER.index(error.call) if error.call in _ERROR_ORDER else len(_ERROR_ORDER)
