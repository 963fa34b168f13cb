"""Check metadata, validated when a check is loaded rather than when it first runs."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

from checks.finding import Category, Severity
from collectors.products import Deployment, Product

CHECK_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")

Threshold = int | float


class CheckMeta(BaseModel):
    """What a check declares about itself.

    ``requires`` names the fields of the check's subject it reads ("licenses", "memory", "gc"), or
    parts of them ("bamboo.agents", filled by the call of that name); when one of them was not
    collected the runner marks the check skipped, with the collection error as its reason, and the
    check is never called. Which subject that is, is the check's scope: the base class it derives
    from (checks/base.py), which also validates ``requires``. ``thresholds`` are the defaults a
    config may override per check.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    title: str
    description: str
    category: Category
    default_severity: Severity
    products: tuple[Product, ...] = tuple(Product)
    deployments: tuple[Deployment, ...] = tuple(Deployment)
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

    @field_validator("default_severity")
    @classmethod
    def _not_ok(cls, value: Severity) -> Severity:
        if value in (Severity.OK, Severity.UNKNOWN):
            raise ValueError("default_severity is the severity of a problem: info, warning or critical")
        return value
