"""The products and deployments atlas-health knows: a module of its own, so that code needing only
these names (the log signature knowledge base) does not load the whole Snapshot model."""

from __future__ import annotations

from enum import StrEnum


class Product(StrEnum):
    JIRA = "jira"
    CONFLUENCE = "confluence"
    BITBUCKET = "bitbucket"
    BAMBOO = "bamboo"
    CROWD = "crowd"
    FECRU = "fecru"

    @property
    def label(self) -> str:
        """The name people use: "Fisheye/Crucible", not "fecru"."""
        return _PRODUCT_LABELS[self]


class Deployment(StrEnum):
    DATACENTER = "datacenter"
    SERVER = "server"
    CLOUD = "cloud"

    @property
    def label(self) -> str:
        return _DEPLOYMENT_LABELS[self]


_PRODUCT_LABELS = {
    Product.JIRA: "Jira",
    Product.CONFLUENCE: "Confluence",
    Product.BITBUCKET: "Bitbucket",
    Product.BAMBOO: "Bamboo",
    Product.CROWD: "Crowd",
    Product.FECRU: "Fisheye/Crucible",
}
_DEPLOYMENT_LABELS = {
    Deployment.DATACENTER: "Data Center",
    Deployment.SERVER: "Server",
    Deployment.CLOUD: "Cloud",
}
