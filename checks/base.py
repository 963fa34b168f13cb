"""The Check base class and the context a check runs in.

A check is a small class: a ``meta`` (CheckMeta) and a ``run(ctx)`` that yields findings. It does no
I/O: everything it needs is in ``ctx.instance``. The runner owns budgets, skipping and crash handling,
so a check only says what it concluded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from checks.finding import Category, Evidence, Finding, Severity, fingerprint
from checks.metadata import CheckMeta, Threshold
from collectors.model import InstanceSnapshot


@dataclass(frozen=True)
class CheckContext:
    """What one check sees for one instance."""

    meta: CheckMeta
    instance: InstanceSnapshot
    thresholds: Mapping[str, Threshold] = field(default_factory=dict)

    @property
    def now(self) -> datetime:
        """The moment of collection, not the wall clock, so offline analysis gives the same answer."""
        return self.instance.started_at

    def threshold(self, name: str) -> Threshold:
        if name in self.thresholds:
            return self.thresholds[name]
        return self.meta.thresholds[name]

    def finding(
        self,
        severity: Severity,
        title: str,
        message: str,
        *,
        evidence: Iterable[Evidence] = (),
        recommendation: str = "",
        references: Iterable[str] = (),
        node: str | None = None,
        key: str = "",
        category: Category | None = None,
    ) -> Finding:
        """Build a finding for this check and instance.

        ``node`` narrows the target to one cluster node; ``key`` separates several findings of the
        same check on the same target (one per ATST check, one per app) in the fingerprint.
        """
        target = self.instance.instance if node is None else f"{self.instance.instance}/{node}"
        return Finding(
            check=self.meta.id,
            severity=severity,
            category=category or self.meta.category,
            customer=self.instance.customer,
            target=target,
            title=title,
            message=message,
            evidence=list(evidence),
            recommendation=recommendation,
            references=list(references) or list(self.meta.references),
            fingerprint=fingerprint(self.meta.id, self.instance.customer, target, key),
        )

    def ok(self, title: str, message: str, **kwargs: Any) -> Finding:
        return self.finding(Severity.OK, title, message, **kwargs)


class Check:
    """Subclass, set ``meta``, implement ``run``. Never derive from another concrete check."""

    meta: ClassVar[CheckMeta]

    def run(self, ctx: CheckContext) -> Iterable[Finding]:
        raise NotImplementedError
