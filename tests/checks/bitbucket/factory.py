"""Bitbucket snapshots for check tests: a healthy Data Center instance by default (tests/checks/factory.py
underneath), with builders for its own facts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from atlas_health.testing.instances import NOW, instance, license_
from collectors.facts.bitbucket import BitbucketFacts, MailServer, Mirror, SearchIndex
from collectors.model import Deployment, InstanceSnapshot, Product


def search_index(**kwargs: Any) -> SearchIndex:
    values: dict[str, Any] = {"available": True, "state": "IDLE", "http_status": 200}
    values.update(kwargs)
    return SearchIndex(**values)


def mail(**kwargs: Any) -> MailServer:
    values: dict[str, Any] = {
        "configured": True,
        "hostname": "smtp.acme.test",
        "port": 587,
        "protocol": "SMTP",
        "sender_address": "bitbucket@acme.test",
    }
    values.update(kwargs)
    return MailServer(**values)


def mirror(mirror_id: str = "B1-MIRROR", **kwargs: Any) -> Mirror:
    values: dict[str, Any] = {
        "name": "Mirror (Sydney)",
        "base_url": "https://mirror-syd.acme.test",
        "enabled": True,
        "mirror_type": "SINGLE",
        "version": "10.5.0",
        "last_seen": NOW - timedelta(minutes=1),
    }
    values.update(kwargs)
    return Mirror(id=mirror_id, **values)


def facts(**kwargs: Any) -> BitbucketFacts:
    values: dict[str, Any] = {"index": search_index(), "mail": mail(), "mirrors": [mirror()]}
    values.update(kwargs)
    return BitbucketFacts(**values)


def bitbucket(deployment: Deployment = Deployment.DATACENTER, **overrides: Any) -> InstanceSnapshot:
    """A healthy Bitbucket instance; ``overrides`` replace whole InstanceSnapshot fields."""
    data: dict[str, Any] = {
        "url": "https://git.acme.test",
        "index": None,  # Jira's index summary; Bitbucket's search index is in its facts
        "licenses": [license_("bitbucket", name="Bitbucket")],
        "bitbucket": facts(),
    }
    data.update(overrides)
    return instance(product=Product.BITBUCKET, deployment=deployment, **data)
