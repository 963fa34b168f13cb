"""Fisheye/Crucible snapshots for check tests: three running repositories and a disabled one."""

from __future__ import annotations

from typing import Any

from atlas_health.testing.instances import instance
from collectors.facts.fecru import FecruFacts, FecruRepository, RepositoryIndexing
from collectors.model import InstanceSnapshot, Product

INDEXED = RepositoryIndexing(stopped=False, failed=False, scanning_percent=100.0, indexing_percent=100.0)


def repository(name: str, **changes: Any) -> FecruRepository:
    values: dict[str, Any] = {"type": "git", "enabled": True, "state": "RUNNING", "indexing": INDEXED}
    values.update(changes)
    return FecruRepository(name=name, **values)


def fecru(repositories: list[FecruRepository] | None = None, **overrides: Any) -> InstanceSnapshot:
    if repositories is None:
        repositories = [
            repository("core"),
            repository("web"),
            repository("infra"),
            repository("archive", enabled=False, state="DISABLED", indexing=None),
        ]
    return instance(
        Product.FECRU,
        fecru=FecruFacts(repositories=repositories),
        cluster=None,
        licenses=None,
        index=None,
        **overrides,
    )
