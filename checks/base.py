"""The Check base class and the context a check runs in.

A check is a small class: a ``meta`` (CheckMeta) and a ``run(ctx)`` that yields findings. It does no
I/O: everything it needs is in ``ctx.instance`` (or, for a host-scoped check, ``ctx.host`` with its
customer's other hosts and instances beside it; for a logs-scoped check, ``ctx.logs``). The runner
owns budgets, skipping and crash handling, so a check only says what it concluded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from checks.finding import Category, Evidence, Finding, Severity, fingerprint
from checks.logs_scope import LOGS_SUBJECT, logs_now
from checks.metadata import CheckMeta, Threshold
from collectors.hosts.model import HostSnapshot
from collectors.logs.model import LogAnalysis
from collectors.model import InstanceSnapshot


@dataclass(frozen=True)
class CheckContext:
    """What one check sees for one instance, or (host scope) for one host.

    A host-scoped check gets ``host``, the customer's other hosts as ``peers`` (clock skew across
    cluster nodes) and the customer's ``instances`` (the product version a host serves); ``instance``
    is then None. A logs-scoped check gets ``logs``, one customer's log analysis, and nothing else.
    """

    meta: CheckMeta
    instance: InstanceSnapshot | None = None
    thresholds: Mapping[str, Threshold] = field(default_factory=dict)
    host: HostSnapshot | None = None
    peers: tuple[HostSnapshot, ...] = ()
    instances: tuple[InstanceSnapshot, ...] = ()
    logs: LogAnalysis | None = None

    @property
    def now(self) -> datetime:
        """The moment of collection, not the wall clock, so offline analysis gives the same answer.

        For logs: the last event seen, else the end of the window asked for (logs_scope.logs_now).
        """
        if self.logs is not None:
            return logs_now(self.logs)
        return self.host.started_at if self.host is not None else self._instance.started_at

    @property
    def customer(self) -> str:
        if self.logs is not None:
            return self.logs.customer
        return self.host.customer if self.host is not None else self._instance.customer

    @property
    def subject(self) -> str:
        """The instance or host name a finding's target starts with ("logs" for a log analysis)."""
        if self.logs is not None:
            return LOGS_SUBJECT
        return self.host.name if self.host is not None else self._instance.instance

    @property
    def served_instance(self) -> InstanceSnapshot | None:
        """The instance the host serves, when the configuration says and it was collected."""
        name = self.host.instance if self.host is not None else None
        return next((i for i in self.instances if i.instance == name), None) if name else None

    @property
    def _instance(self) -> InstanceSnapshot:
        if self.instance is None:
            raise ValueError(f"{self.meta.id}: a check context needs an instance, a host or logs")
        return self.instance

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
        target = self.subject if node is None else f"{self.subject}/{node}"
        return Finding(
            check=self.meta.id,
            severity=severity,
            category=category or self.meta.category,
            customer=self.customer,
            target=target,
            title=title,
            message=message,
            evidence=list(evidence),
            recommendation=recommendation,
            references=list(references) or list(self.meta.references),
            fingerprint=fingerprint(self.meta.id, self.customer, target, key),
        )

    def ok(self, title: str, message: str, **kwargs: Any) -> Finding:
        return self.finding(Severity.OK, title, message, **kwargs)


class Check:
    """Subclass, set ``meta``, implement ``run``. Never derive from another concrete check."""

    meta: ClassVar[CheckMeta]

    def run(self, ctx: CheckContext) -> Iterable[Finding]:
        raise NotImplementedError
