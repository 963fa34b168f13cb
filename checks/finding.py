"""Findings: what a check concluded, in the one vocabulary every report and alert shares."""

from __future__ import annotations

import hashlib
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Severity(StrEnum):
    OK = "ok"
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"
    UNKNOWN = "unknown"

    @property
    def rank(self) -> int:
        """Ordering for "worst first": critical > warning > unknown > info > ok."""
        return _RANK[self]


_RANK = {
    Severity.OK: 0,
    Severity.INFO: 1,
    Severity.UNKNOWN: 2,
    Severity.WARNING: 3,
    Severity.CRITICAL: 4,
}


class Category(StrEnum):
    AVAILABILITY = "availability"
    AUTHENTICATION = "authentication"
    PERFORMANCE = "performance"
    CAPACITY = "capacity"
    CONFIGURATION = "configuration"
    LICENSING = "licensing"
    SECURITY = "security"
    INTEGRITY = "integrity"


class Evidence(BaseModel):
    """One fact behind a finding: a number, a line or a payload excerpt, with where and when."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str
    value: Any = None  # str, int, float, bool or None: kept JSON-plain
    source: str | None = None  # e.g. "GET /rest/api/2/index/summary"
    time: datetime | None = None


class Finding(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    check: str
    severity: Severity
    category: Category
    customer: str
    target: str  # instance name, or "instance/node" for a node
    title: str
    message: str
    evidence: list[Evidence] = Field(default_factory=list)
    recommendation: str = ""
    references: list[str] = Field(default_factory=list)
    fingerprint: str


def fingerprint(check: str, customer: str, target: str, key: str = "") -> str:
    """Stable across runs: the same problem on the same thing gets the same id.

    Severity and message are left out on purpose, so a warning that turns critical is still
    recognised as the same problem by de-duplication and alerting.
    """
    raw = "\x1f".join((check, customer, target, key))
    return hashlib.sha256(raw.encode()).hexdigest()[:20]
