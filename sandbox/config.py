"""A configuration for a running sandbox, in the shape of config.yaml, plus the secrets it refers to."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from collectors.model import Deployment, Product
from sandbox.server import Sandbox


def env_name(customer: str, instance: str, kind: str) -> str:
    """ATLAS_SANDBOX_<CUSTOMER>_<INSTANCE>_<KIND>, upper-case, anything else than A-Z0-9 as "_"."""
    return re.sub(r"[^A-Z0-9]", "_", f"ATLAS_SANDBOX_{customer}_{instance}_{kind}".upper())


def sandbox_config(
    sandbox: Sandbox, customers: Mapping[str, Sequence[str]]
) -> tuple[dict[str, Any], dict[str, str]]:
    """(config, environment): the config lists `customers` -> instance names; the environment holds
    the token or password each instance's auth block names. The sandbox must be started."""
    config_customers = []
    environment: dict[str, str] = {}
    for customer, names in customers.items():
        instances = []
        for name in names:
            spec = sandbox.spec(name)
            if spec.deployment is Deployment.CLOUD:
                if "@" not in spec.username:
                    raise ValueError(f"{name}: a Cloud instance's username must be an e-mail address")
                variable, secret = env_name(customer, name, "PASSWORD"), spec.accepted_password()
                auth = {"type": "basic", "username": spec.username, "password_env": variable}
            elif spec.product is Product.CROWD:  # Crowd has no tokens: an administrator's password
                variable, secret = env_name(customer, name, "PASSWORD"), spec.accepted_password()
                auth = {"type": "basic", "username": spec.username, "password_env": variable}
            else:
                variable, secret = env_name(customer, name, "TOKEN"), spec.accepted_token()
                auth = {"type": "token", "token_env": variable}
            if environment.get(variable, secret) != secret:
                raise ValueError(f"{customer}/{name}: environment variable {variable} would hold two secrets")
            environment[variable] = secret
            instances.append(
                {
                    "name": name,
                    "product": spec.product.value,
                    "url": sandbox.url(name),  # https:// for TLS_UNTRUSTED; verification stays on
                    "deployment": spec.deployment.value,
                    "auth": auth,
                }
            )
        config_customers.append({"name": customer, "instances": instances})
    return {"customers": config_customers}, environment
