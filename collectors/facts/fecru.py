"""Fisheye/Crucible's own facts: its repositories and their indexing.

``repositories`` is ``None`` when the listing failed (call "fecru.repositories"); a repository whose
indexing status could not be read keeps ``indexing`` at ``None`` (call "fecru.indexing").
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class _Facts(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RepositoryIndexing(_Facts):
    """indexing-status-v1: scanning and indexing progress, and whether indexing stopped."""

    stopped: bool | None = None
    failed: bool | None = None
    scanning_percent: float | None = None
    indexing_percent: float | None = None
    message: str | None = None  # the error Fisheye reports for a failed or stopped scan


class FecruRepository(_Facts):
    name: str
    type: str | None = None  # git, svn, hg, p4, cvs
    enabled: bool | None = None
    state: str | None = None  # RUNNING, STARTING, STOPPING, STOPPED, DISABLED, UNKNOWN
    indexing: RepositoryIndexing | None = None


class FecruFacts(_Facts):
    repositories: list[FecruRepository] | None = None  # call "fecru.repositories"
