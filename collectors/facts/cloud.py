"""What an Atlassian Cloud site (Jira, Confluence, Bitbucket Cloud) says beyond the generic fields.

Only Cloud targets get this part, so Data Center checks never see it and Cloud checks never
depend on Data Center fields. ``rate_limits`` holds the rate-limit headers of the answers that
carried any (an empty list: collected, none seen); ``products`` the licensed products with their
plan and user count where the API gives them (call "cloud.products").
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class _Facts(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RateLimitSeen(_Facts):
    """The rate-limit headers of one answer, as sent, plus what they mean."""

    call: str | None = None  # the logical call the answer belonged to, when known
    url: str  # redacted
    at: datetime
    status_code: int
    limit: int | None = None  # X-RateLimit-Limit
    remaining: int | None = None  # X-RateLimit-Remaining
    reset: str | None = None  # X-RateLimit-Reset as sent (Jira Cloud: ISO 8601; others: epoch seconds)
    reset_at: datetime | None = None
    retry_after_s: float | None = None  # Retry-After
    near_limit: bool | None = None  # X-RateLimit-NearLimit: under 20 % of the budget left
    reason: str | None = None  # RateLimit-Reason (Jira Cloud) or X-RateLimit-Resource (Bitbucket Cloud)


class CloudProduct(_Facts):
    key: str  # jira-software, jira-servicedesk, confluence, bitbucket
    name: str | None = None
    plan: str | None = None  # FREE, STANDARD, PREMIUM, ENTERPRISE
    user_count: int | None = None


class CloudWorkspace(_Facts):
    """A Bitbucket Cloud workspace the credentials can see."""

    slug: str
    name: str | None = None
    is_private: bool | None = None
    members: int | None = None


class CloudFacts(_Facts):
    rate_limits: list[RateLimitSeen] | None = None
    products: list[CloudProduct] | None = None  # call "cloud.products"
    workspaces: list[CloudWorkspace] | None = None  # Bitbucket Cloud; call "cloud.workspaces"
