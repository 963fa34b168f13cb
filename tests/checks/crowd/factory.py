"""Crowd snapshots for check tests: a healthy Crowd Server with an internal and an LDAP directory by
default (tests/checks/factory.py underneath), with builders for its directories."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from atlas_health.testing.instances import NOW, instance
from collectors.facts.crowd import CrowdDirectory, CrowdFacts, DirectorySync
from collectors.model import Deployment, InstanceSnapshot, Product


def sync(ago: timedelta = timedelta(minutes=20), **kwargs: Any) -> DirectorySync:
    started = NOW - ago
    values: dict[str, Any] = {
        "state": "SUCCESS",
        "mode": "INCREMENTAL",
        "started_at": started,
        "finished_at": started + timedelta(seconds=42),
        "duration_ms": 42_000,
    }
    values.update(kwargs)
    return DirectorySync(**values)


def internal(name: str = "Crowd internal", **kwargs: Any) -> CrowdDirectory:
    values: dict[str, Any] = {
        "id": "32769",
        "type": "INTERNAL",
        "description": "Crowd Internal Directory",
        "active": True,
        "synchronizable": False,
    }
    values.update(kwargs)
    return CrowdDirectory(name=name, **values)


def ldap(name: str = "Corporate LDAP", **kwargs: Any) -> CrowdDirectory:
    values: dict[str, Any] = {
        "id": "32770",
        "type": "CONNECTOR",
        "description": "Microsoft Active Directory",
        "active": True,
        "synchronizable": True,
        "last_sync": sync(),
    }
    values.update(kwargs)
    return CrowdDirectory(name=name, **values)


def crowd(*directories: CrowdDirectory, **overrides: Any) -> InstanceSnapshot:
    """A healthy Crowd Server; positional directories replace the default pair."""
    data: dict[str, Any] = {
        "url": "https://id.acme.test/crowd",
        "index": None,
        "licenses": None,  # Crowd's own licence is not collected
        "cluster": None,
        "crowd": CrowdFacts(directories=list(directories) if directories else [internal(), ldap()]),
    }
    data.update(overrides)
    return instance(product=Product.CROWD, deployment=Deployment.SERVER, **data)
