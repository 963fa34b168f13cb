"""Targets pointing at sandbox instances, with the credentials each one accepts."""

from __future__ import annotations

from collectors.model import Deployment
from collectors.target import CollectOptions, Credentials, InstanceTarget
from sandbox import InstanceSpec, Sandbox

# Short budgets so a test that goes wrong fails in seconds, not minutes.
FAST = CollectOptions(timeout_s=5.0, retry_after_cap_s=5.0, max_retries=2, instance_budget_s=30.0)


def credentials_for(spec: InstanceSpec) -> Credentials:
    if spec.deployment is Deployment.CLOUD:
        return Credentials("basic", spec.username, spec.accepted_password())  # e-mail + API token
    return Credentials("token", None, spec.accepted_token())  # personal access token


def target_for(sandbox: Sandbox, name: str, customer: str = "acme", **changes: object) -> InstanceTarget:
    spec = sandbox.spec(name)
    fields: dict[str, object] = {
        "customer": customer,
        "name": name,
        "product": spec.product,
        "deployment": spec.deployment,
        "url": sandbox.url(name),
        "credentials": credentials_for(spec),
    }
    fields.update(changes)
    return InstanceTarget(**fields)  # type: ignore[arg-type]


def secrets_of(spec: InstanceSpec) -> list[str]:
    return [spec.accepted_token(), spec.accepted_password()]
