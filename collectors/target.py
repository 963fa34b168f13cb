"""What a collector is told to collect: targets with resolved credentials, and the budgets.

The agent builds these from the validated configuration; collectors never read configuration files
or the environment themselves, so they can be driven from tests and the demo directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from collectors.model import Deployment, Product


@dataclass(frozen=True, repr=False)
class Credentials:
    """Resolved credentials. ``repr`` never shows the secret."""

    kind: str  # "token" (Bearer PAT), "basic" (user + password or Cloud API token) or "none"
    username: str | None = None
    secret: str | None = None

    def __repr__(self) -> str:
        return f"Credentials(kind={self.kind!r}, username={self.username!r}, secret=***)"


@dataclass(frozen=True)
class InstanceTarget:
    customer: str
    name: str
    product: Product
    deployment: Deployment
    url: str  # base URL without a trailing slash
    credentials: Credentials = field(default_factory=lambda: Credentials("none"))
    verify_tls: bool | str = True  # False, True or a CA bundle path


@dataclass(frozen=True)
class CollectOptions:
    """Budgets for one collection run (DESIGN: budgets everywhere)."""

    timeout_s: float = 10.0  # per HTTP call (connect and read)
    retry_after_cap_s: float = 30.0  # longest Retry-After we honour before giving up on a 429
    max_retries: int = 2  # retries of a 429 answer
    instance_budget_s: float = 120.0  # wall-clock limit for all calls to one instance
    call_deadline_s: float = 60.0  # wall-clock limit for one call, from the request to the last byte
    response_cap_bytes: int = 32 * 2**20  # largest answer body, on the wire and decompressed
    instance_concurrency: int = 16  # instances collected at once
    calls_per_instance: int = 4  # concurrent calls to one instance
    user_agent: str = "atlas-health"
