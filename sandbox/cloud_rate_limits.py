"""Rate-limit headers as Atlassian Cloud sends them, on every REST answer of a Cloud site.

Jira and Confluence Cloud: X-RateLimit-Limit, -Remaining, -Reset (an ISO 8601 minute), -NearLimit
(true under 20 % left) and, on a 429, Retry-After and RateLimit-Reason. Bitbucket Cloud: an hourly
X-RateLimit-Limit, X-RateLimit-Resource and X-RateLimit-NearLimit. Each instance's budget counts
down with the calls it answers, so remaining figures move like a real site's.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta

from collectors.model import Deployment, Product
from sandbox.exchange import Call, Response, json_response
from sandbox.spec import Fault, InstanceSpec

LIMITS = {Product.BITBUCKET: 1000}  # Bitbucket Cloud: authenticated requests per hour
DEFAULT_LIMIT = 350  # Jira/Confluence Cloud burst budget as the sandbox announces it
NEAR_LIMIT_SHARE = 0.2

_lock = threading.Lock()
_used: Counter[str] = Counter()


def _limit(spec: InstanceSpec) -> int:
    return LIMITS.get(spec.product, DEFAULT_LIMIT)


def _reset(now: datetime, seconds: int = 60) -> str:
    """Jira Cloud's X-RateLimit-Reset: yyyy-MM-ddTHH:mmZ."""
    return (now + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%MZ")


def _take(spec: InstanceSpec) -> int:
    """What is left of the instance's budget after this answer (never below 1 outside a 429)."""
    limit = _limit(spec)
    with _lock:
        _used[spec.name] += 1
        used = _used[spec.name] % limit
    return max(1, limit - used)


def headers(call: Call) -> tuple[tuple[str, str], ...]:
    spec = call.spec
    limit, remaining = _limit(spec), _take(spec)
    near = "true" if remaining < limit * NEAR_LIMIT_SHARE else "false"
    if spec.product is Product.BITBUCKET:
        return (
            ("X-RateLimit-Limit", str(limit)),
            ("X-RateLimit-Resource", "api"),
            ("X-RateLimit-NearLimit", near),
        )
    return (
        ("X-RateLimit-Limit", str(limit)),
        ("X-RateLimit-Remaining", str(remaining)),
        ("X-RateLimit-Reset", _reset(call.now)),
        ("X-RateLimit-NearLimit", near),
    )


def stamp(call: Call, response: Response) -> Response:
    """A Cloud site's REST answer with its rate-limit headers; other deployments unchanged."""
    if call.spec.deployment is not Deployment.CLOUD:
        return response
    return replace(response, headers=(*response.headers, *headers(call)))


def too_many_requests(call: Call) -> Response:
    """The 429 of CLOUD_RATE_LIMITED, with Atlassian Cloud's headers (on any deployment)."""
    spec = call.spec
    wait = spec.retry_after_s
    sent = [
        ("Retry-After", str(wait)),
        ("X-RateLimit-Limit", str(_limit(spec))),
        ("X-RateLimit-Remaining", "0"),
        ("X-RateLimit-Reset", _reset(call.now, max(wait, 1))),
        ("X-RateLimit-NearLimit", "true"),
    ]
    if spec.product is Product.BITBUCKET:
        sent.append(("X-RateLimit-Resource", "api"))
    else:
        sent.append(("RateLimit-Reason", f"{spec.product.value}-burst-based"))
    return json_response({"message": "Rate limit exceeded."}, 429, sent)


def limited(spec: InstanceSpec) -> bool:
    return Fault.CLOUD_RATE_LIMITED in spec.faults
