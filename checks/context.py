"""What a check sees: one context type per scope, each with the subject it looks at, never None.

An instance check gets an ``InstanceContext`` (``ctx.instance``), a host check a ``HostContext``
(``ctx.host``, the customer's other hosts and instances beside it), a logs check a ``LogsContext``
(``ctx.logs``, one customer's log analysis). What they share (thresholds, building findings) lives in
``CheckContext``. Checks do no I/O: everything they read is in the context.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from checks.finding import Category, Evidence, Finding, Severity, fingerprint
from checks.metadata import CheckMeta, Threshold
from collectors.hosts.model import HostSnapshot
from collectors.logs.model import LogAnalysis
from collectors.model import InstanceSnapshot

# The target of a logs finding ("logs", or "logs/node1" for one node): a section of its own in reports.
LOGS_SUBJECT = "logs"
# The time of an analysis that saw no timed event and had no window: fixed, never the wall clock,
# so analysing the same logs twice gives the same findings.
NO_TIME = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, kw_only=True)
class CheckContext(ABC):
    """What every check sees: its metadata, the configured thresholds, and how to build findings."""

    meta: CheckMeta
    thresholds: Mapping[str, Threshold] = field(default_factory=dict)

    @property
    @abstractmethod
    def now(self) -> datetime:
        """The moment of collection, not the wall clock, so offline analysis gives the same answer."""

    @property
    @abstractmethod
    def customer(self) -> str: ...

    @property
    @abstractmethod
    def subject(self) -> str:
        """The name a finding's target starts with: the instance, the host, or "logs"."""

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
        """Build a finding of this check on this context's subject.

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


@dataclass(frozen=True, kw_only=True)
class InstanceContext(CheckContext):
    """One collected instance (``ctx.instance``)."""

    instance: InstanceSnapshot

    @property
    def now(self) -> datetime:
        return self.instance.started_at

    @property
    def customer(self) -> str:
        return self.instance.customer

    @property
    def subject(self) -> str:
        return self.instance.instance


@dataclass(frozen=True, kw_only=True)
class HostContext(CheckContext):
    """One collected host (``ctx.host``), with the customer's other hosts as ``peers`` (clock skew
    across cluster nodes) and the customer's ``instances`` (the product version a host serves)."""

    host: HostSnapshot
    peers: tuple[HostSnapshot, ...] = ()
    instances: tuple[InstanceSnapshot, ...] = ()

    @property
    def now(self) -> datetime:
        return self.host.started_at

    @property
    def customer(self) -> str:
        return self.host.customer

    @property
    def subject(self) -> str:
        return self.host.name

    @property
    def served_instance(self) -> InstanceSnapshot | None:
        """The instance the host serves, when the configuration says and it was collected."""
        name = self.host.instance
        return next((i for i in self.instances if i.instance == name), None) if name else None


@dataclass(frozen=True, kw_only=True)
class LogsContext(CheckContext):
    """One customer's log analysis (``ctx.logs``). Findings' targets start with "logs"."""

    logs: LogAnalysis

    @property
    def now(self) -> datetime:
        """The analysis' own "now": the last event seen, else the window's end, else its start."""
        logs = self.logs
        for moment in (logs.last_at, logs.until, logs.first_at, logs.since):
            if moment is not None:
                return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
        return NO_TIME

    @property
    def customer(self) -> str:
        return self.logs.customer

    @property
    def subject(self) -> str:
        return LOGS_SUBJECT
