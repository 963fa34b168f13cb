"""Crowd's own facts: its user directories and their last synchronisation.

Status, version (server-info), ATST and apps use the generic InstanceSnapshot fields. ``directories`` is
``None`` when the listing failed; its CollectionError is filed under "crowd.directories".
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class _Facts(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DirectorySync(_Facts):
    """The last (or the running) synchronisation of a cached remote directory (LDAP, Crowd, Azure AD)."""

    state: str | None = None  # SUCCESS, FAILURE, ABORTED, IN_PROGRESS, UNKNOWN
    mode: str | None = None  # FULL, INCREMENTAL
    started_at: datetime | None = None
    finished_at: datetime | None = None
    duration_ms: int | None = None
    failure_message: str | None = None  # the product's reason, where the answer gives one


class CrowdDirectory(_Facts):
    id: str | None = None
    name: str
    type: str | None = None  # INTERNAL, CONNECTOR (LDAP), CROWD, AZURE_AD, DELEGATING, CUSTOM
    description: str | None = None  # e.g. "Microsoft Active Directory"
    active: bool | None = None
    synchronizable: bool | None = None  # a cached remote directory, synchronised on a schedule
    last_sync: DirectorySync | None = None  # None: never synchronised, or nothing to synchronise


class CrowdFacts(_Facts):
    directories: list[CrowdDirectory] | None = None  # call "crowd.directories"
