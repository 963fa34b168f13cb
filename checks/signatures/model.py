"""One entry of the log signature knowledge base: a known problem, how to recognise it in a log line
and what to do about it.

Every entry carries a line that must match and a near-miss that must not; both are checked here
with Python's re when the entry is built, and by the tests (and ``atlas-health signatures test``) with
Hyperscan and ``grep -E`` too.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from checks.signatures.pattern_subset import PatternError, check_pattern, compile_pattern
from collectors.products import Product

Family = Literal["application", "security", "catalina", "access", "gc"]
FAMILIES: tuple[str, ...] = ("application", "security", "catalina", "access", "gc")
Severity = Literal["info", "warning", "critical"]
# Cause classes: what kind of trouble a hit points to (reports group by them). Closed, so a typo is an
# error, not a new group; a new class is one line here.
CAUSES: tuple[str, ...] = (
    "memory",
    "gc",
    "database",
    "threads",
    "http",
    "authentication",
    "directory",
    "index",
    "os",
    "plugins",
    "startup",
    "cluster",
    "product",
    "license",
    "mail",
    "integration",
    "restart",
)
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")


class Signature(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(max_length=80)  # dotted lower case: jvm.heap.oom
    title: str = Field(min_length=1, max_length=120)
    products: list[Product] = Field(default_factory=list)  # empty: every product
    files: list[Family] = Field(min_length=1)  # the log families the pattern is scanned in
    pattern: str = Field(min_length=1, max_length=2000)  # the subset in pattern_subset.py
    ignore_case: bool = False
    severity: Severity
    cause: str
    explanation: str = Field(min_length=1)
    recommendation: str = Field(min_length=1)
    kb: str | None = None  # the KB article or bug the entry comes from
    match: str = Field(min_length=1)  # a real-shaped log line the pattern must match
    near_miss: str = Field(min_length=1)  # a similar line it must not match
    restart: bool = False  # a product start or stop marker: each hit is also a restart event
    # Causes, for entries whose words other failures share: a regex that must (caused_by) or must not
    # (unless_caused_by) match a line of the whole event, its message and "Caused by:" chain.
    caused_by: str | None = Field(default=None, min_length=1, max_length=2000)
    unless_caused_by: str | None = Field(default=None, min_length=1, max_length=2000)
    replaces: bool = False  # a consultant's entry that deliberately replaces the built-in of that id

    @field_validator("id")
    @classmethod
    def _dotted(cls, value: str) -> str:
        if not ID_PATTERN.match(value):
            hint = "dotted lower case with at least two parts, e.g. jvm.heap.oom"
            raise ValueError(f"{value!r} must be {hint}")
        return value

    @field_validator("cause")
    @classmethod
    def _known_cause(cls, value: str) -> str:
        if value not in CAUSES:
            raise ValueError(f"unknown cause {value!r}; use one of: {', '.join(CAUSES)}")
        return value

    @field_validator("files", "products")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("an item is listed twice")
        return value

    @field_validator("kb")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://\S+$", value):
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value

    @field_validator("match", "near_miss")
    @classmethod
    def _one_line(cls, value: str) -> str:
        if "\n" in value or "\r" in value:
            raise ValueError("must be a single log line")
        return value

    @model_validator(mode="after")
    def _pattern_agrees_with_examples(self) -> Signature:
        try:
            check_pattern(self.pattern, self.ignore_case)
        except PatternError as exc:
            raise ValueError(f"pattern: {exc}") from None
        for name in ("caused_by", "unless_caused_by"):
            cause = getattr(self, name)
            if cause is not None:
                try:
                    check_pattern(cause, self.ignore_case)
                except PatternError as exc:
                    raise ValueError(f"{name}: {exc}") from None
        compiled = compile_pattern(self.pattern, self.ignore_case)
        if not compiled.search(self.match):
            raise ValueError("match: the pattern does not match this line")
        if compiled.search(self.near_miss):
            raise ValueError("near_miss: the pattern matches this line; a near-miss must not match")
        return self

    def applies_to(self, family: str, product: str | None) -> bool:
        return family in self.files and (not self.products or product is None or product in self.products)
