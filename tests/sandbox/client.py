"""A small `requests` client for the sandbox tests: the right credentials per instance."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from collectors.model import Deployment
from sandbox import Sandbox

TIMEOUT_S = 10


def auth_headers(sandbox: Sandbox, name: str) -> dict[str, str]:
    """Bearer token for Server/DC; Cloud gets basic auth through `auth_tuple` instead."""
    spec = sandbox.spec(name)
    if spec.deployment is Deployment.CLOUD:
        return {}
    return {"Authorization": f"Bearer {spec.accepted_token()}"}


def auth_tuple(sandbox: Sandbox, name: str) -> tuple[str, str] | None:
    spec = sandbox.spec(name)
    if spec.deployment is Deployment.CLOUD:
        return (spec.username, spec.accepted_password())
    return None


def get(
    sandbox: Sandbox, name: str, path: str, *, authenticated: bool = True, **kwargs: Any
) -> requests.Response:
    return call(sandbox, name, "GET", path, authenticated=authenticated, **kwargs)


def call(
    sandbox: Sandbox, name: str, method: str, path: str, *, authenticated: bool = True, **kwargs: Any
) -> requests.Response:
    if authenticated:
        kwargs.setdefault("headers", auth_headers(sandbox, name))
        kwargs.setdefault("auth", auth_tuple(sandbox, name))
    return requests.request(method, sandbox.url(name) + path, timeout=TIMEOUT_S, **kwargs)


def from_epoch_ms(value: int) -> datetime:
    return datetime.fromtimestamp(value / 1000, UTC)


def from_atlassian_iso(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%f%z")


def close_to(moment: datetime, expected: datetime, tolerance: timedelta = timedelta(minutes=1)) -> bool:
    return abs(moment - expected) <= tolerance
