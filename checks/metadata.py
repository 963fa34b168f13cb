"""Check metadata, validated when a check is loaded rather than when it first runs."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from checks.finding import Category, Severity
from collectors.hosts.model import HostSnapshot
from collectors.logs.model import LogAnalysis
from collectors.model import Deployment, InstanceSnapshot, Product

CHECK_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
_SNAPSHOT_FIELDS = frozenset(InstanceSnapshot.model_fields)
_HOST_FIELDS = frozenset(HostSnapshot.model_fields)
_LOGS_FIELDS = frozenset(LogAnalysis.model_fields)

Threshold = int | float


class CheckMeta(BaseModel):
    """What a check declares about itself.

    ``requires`` names InstanceSnapshot fields the check reads ("licenses"), or parts of them
    ("bamboo.agents", filled by the call of that name); when one of them was not collected
    the runner marks the check skipped, with the collection error as its reason, and the check is
    never called. ``thresholds`` are the defaults a config may override per check.

    ``scope="host"`` makes a check run once per collected host (``ctx.host``) instead of per
    instance; its ``requires`` then name HostSnapshot fields, and ``products`` filter on the product
    the host serves (a host serving none gets every host check).

    ``scope="logs"`` makes a check run once per customer's log analysis (``ctx.logs``); its
    ``requires`` name LogAnalysis fields ("gc", "access", "security": None when no such log was
    given), and ``products`` filter on the products whose log files were read (checks/logs_scope.py).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    title: str
    description: str
    category: Category
    default_severity: Severity
    products: tuple[Product, ...] = tuple(Product)
    deployments: tuple[Deployment, ...] = tuple(Deployment)
    scope: Literal["instance", "host", "logs"] = "instance"  # declared before requires, which depends on it
    requires: tuple[str, ...] = ()
    thresholds: dict[str, Threshold] = Field(default_factory=dict)
    references: tuple[str, ...] = ()
    budget_s: float = Field(default=5.0, gt=0, le=300)

    @field_validator("id")
    @classmethod
    def _dotted_id(cls, value: str) -> str:
        if not CHECK_ID.match(value):
            raise ValueError(
                f"check id {value!r} must be dotted lower-case words, e.g. 'jira.index.consistency'"
            )
        return value

    @field_validator("requires")
    @classmethod
    def _known_fields(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        # "bamboo.agents" names a part of a product's facts: its first segment must be a field.
        fields = {"host": _HOST_FIELDS, "logs": _LOGS_FIELDS}.get(info.data.get("scope"), _SNAPSHOT_FIELDS)
        unknown = [f for f in value if f.split(".", 1)[0] not in fields]
        if unknown:
            raise ValueError(f"requires names unknown snapshot fields: {', '.join(unknown)}")
        return value

    @field_validator("default_severity")
    @classmethod
    def _not_ok(cls, value: Severity) -> Severity:
        if value in (Severity.OK, Severity.UNKNOWN):
            raise ValueError("default_severity is the severity of a problem: info, warning or critical")
        return value
