"""Atlassian Cloud sites: rate-limit headers seen on every answer, licensed products and user counts.

Rate-limit headers are read by a ``requests`` response hook on each client, so every answer is seen,
including 429s that were retried and calls made by any step; no call is repeated for them. Jira
Cloud's products come from the licence step's answers (roles with their user counts, plans);
Confluence Cloud's edition from its system info; Bitbucket Cloud has no licence API.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import requests
from atlassian.rest_client import AtlassianRestAPI

from collectors.facts.cloud import CloudFacts, CloudProduct, RateLimitSeen
from collectors.model import CallRecord, License, Product
from collectors.rest.http import build_client, parse_retry_after
from collectors.rest.parsing import ShapeError, _bool, _int, _str, as_object, parse_time
from collectors.target import CollectOptions, InstanceTarget

ClientFactory = Callable[[InstanceTarget, CollectOptions], AtlassianRestAPI]

MAX_SEEN = 200  # answers with rate-limit headers kept per instance
_HEADERS = (
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "X-RateLimit-NearLimit",
    "Retry-After",
    "RateLimit-Reason",
    "X-RateLimit-Resource",
)


def _reset_at(value: str | None, now: datetime) -> datetime | None:
    """Jira Cloud sends an ISO 8601 moment ("2026-11-26T10:01Z"); others epoch seconds or seconds left."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        number = int(text)
        if number < 10**8:  # seconds from now, not an epoch
            return datetime.fromtimestamp(now.timestamp() + number, tz=UTC)
    return parse_time(text)


def read_headers(
    headers: Mapping[str, str], *, url: str, status_code: int, at: datetime
) -> RateLimitSeen | None:
    """The rate-limit facts of one answer, or None when it carries no rate-limit header."""
    if not any(name in headers for name in _HEADERS):
        return None
    reset = headers.get("X-RateLimit-Reset")
    return RateLimitSeen(
        url=url,
        at=at,
        status_code=status_code,
        limit=_int(headers.get("X-RateLimit-Limit")),
        remaining=_int(headers.get("X-RateLimit-Remaining")),
        reset=reset,
        reset_at=_reset_at(reset, at),
        retry_after_s=parse_retry_after(headers.get("Retry-After"), at),
        near_limit=_bool(headers.get("X-RateLimit-NearLimit")),
        reason=headers.get("RateLimit-Reason") or headers.get("X-RateLimit-Resource"),
    )


class RateLimitRecorder:
    """Collects the rate-limit headers of every answer an instance's clients receive."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: list[RateLimitSeen] = []

    def client_factory(self, factory: ClientFactory = build_client) -> ClientFactory:
        def make(target: InstanceTarget, options: CollectOptions) -> AtlassianRestAPI:
            client = factory(target, options)
            client.session.hooks["response"].append(self._on_response)
            return client

        return make

    def _on_response(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        seen = read_headers(
            response.headers, url=response.url, status_code=response.status_code, at=datetime.now(UTC)
        )
        if seen is None:
            return
        with self._lock:
            if len(self._seen) < MAX_SEEN:
                self._seen.append(seen)

    def seen(self, records: list[CallRecord]) -> list[RateLimitSeen]:
        """What was seen, oldest first, each named after the recorded call with the same path."""
        by_path: dict[str, str] = {}
        for record in records:
            by_path.setdefault(urlsplit(record.url).path.rstrip("/"), record.call)
        with self._lock:
            seen = sorted(self._seen, key=lambda s: s.at)
        return [s.model_copy(update={"call": by_path.get(urlsplit(s.url).path.rstrip("/"))}) for s in seen]


# --- licensed products ------------------------------------------------------------------------------


def products_from_licenses(licenses: list[License] | None) -> list[CloudProduct] | None:
    """Jira Cloud: one product per application role, with its plan and user count."""
    if licenses is None:
        return None
    return [
        CloudProduct(key=lic.application, name=lic.name, plan=lic.license_type, user_count=lic.seats_used)
        for lic in licenses
    ]


def parse_confluence_edition(payload: Any) -> list[CloudProduct]:
    """Confluence Cloud /rest/api/settings/systemInfo: {"edition": "standard", "siteTitle", ...}."""
    data = as_object(payload, "system info")
    if "edition" not in data and "cloudId" not in data:
        raise ShapeError("system info has no edition or cloudId")
    edition = _str(data.get("edition"))
    return [CloudProduct(key="confluence", name="Confluence", plan=edition.upper() if edition else None)]


def cloud_facts(product: Product, values: Mapping[str, Any], rate_limits: list[RateLimitSeen]) -> CloudFacts:
    """The finished CloudFacts from the collected parts (``values`` already nested)."""
    parts: dict[str, Any] = dict(values.get("cloud") or {})
    if product is Product.JIRA and "products" not in parts:
        parts["products"] = products_from_licenses(values.get("licenses"))
    return CloudFacts(rate_limits=rate_limits, **parts)
