"""Bitbucket's own facts (Server / Data Center): search index, mail server, mirrors.

Status, version, licence, cluster, ATST and apps use the generic InstanceSnapshot fields. A part left at
``None`` was not collected; its CollectionError is filed under the dotted call name given on the field
("bitbucket.index"), so a check can declare ``requires=("bitbucket.index",)``. ``mirrors`` stays ``None``
without an error where Smart Mirroring is not there to ask (Server, or the plugin absent): not applicable.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class _Facts(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SearchIndex(_Facts):
    """`/rest/indexing/latest/status`: IDLE (up to date) or INDEXING; unavailable when search is down."""

    available: bool
    state: str | None = None  # IDLE, INDEXING, ... as the product says it
    message: str | None = None  # the product's own explanation when search is unavailable
    http_status: int | None = None


class MailServer(_Facts):
    """`/rest/api/1.0/admin/mail-server`; 404 or 204 means no mail server is configured."""

    configured: bool
    hostname: str | None = None
    port: int | None = None
    protocol: str | None = None  # SMTP, SMTPS
    sender_address: str | None = None


class Mirror(_Facts):
    """One Smart Mirror (or mirror farm) registered with this upstream."""

    id: str
    name: str | None = None
    base_url: str | None = None
    enabled: bool | None = None
    state: str | None = None  # AUTHORIZED, PENDING, ... where the answer carries one
    mirror_type: str | None = None  # SINGLE, FARM
    version: str | None = None  # the mirror's Bitbucket version
    last_seen: datetime | None = None  # the mirror's last contact with the upstream


class BitbucketFacts(_Facts):
    index: SearchIndex | None = None  # call "bitbucket.index"
    mail: MailServer | None = None  # call "bitbucket.mail"
    mirrors: list[Mirror] | None = None  # call "bitbucket.mirrors"
