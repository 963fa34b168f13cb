"""What one customer's part of a run adds up to, for history, metrics and the log: findings by
severity, collection errors, and the worst severity per instance or host."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from checks.finding import Severity
from checks.runner import Analysis, OutcomeStatus
from collectors.model import Snapshot


@dataclass(frozen=True)
class RunSummary:
    worst: Severity
    findings_by_severity: dict[str, int]
    collection_errors: int
    instances: dict[str, str]  # instance or host -> worst severity of its findings ("ok" when none)
    checks_run: int
    checks_not_run: int  # skipped, crashed or timed out


def summarise(customer: str, snapshot: Snapshot, analysis: Analysis) -> RunSummary:
    """``analysis`` is the customer's own (``Analysis.for_customer``)."""
    instances: dict[str, Severity] = {i.instance: Severity.OK for i in snapshot.for_customer(customer)}
    instances.update({h.name: Severity.OK for h in snapshot.hosts if h.customer == customer})
    for finding in analysis.findings:
        name = finding.target.split("/", 1)[0]  # a node's findings count for its instance
        if name in instances and finding.severity.rank > instances[name].rank:
            instances[name] = finding.severity
    errors = sum(len(i.errors) for i in snapshot.for_customer(customer))
    errors += sum(len(h.errors) for h in snapshot.hosts if h.customer == customer)
    statuses = Counter(o.status for o in analysis.outcomes)
    return RunSummary(
        worst=analysis.worst(),
        findings_by_severity=dict(Counter(f.severity.value for f in analysis.findings)),
        collection_errors=errors,
        instances={name: severity.value for name, severity in instances.items()},
        checks_run=statuses[OutcomeStatus.RAN],
        checks_not_run=sum(n for status, n in statuses.items() if status is not OutcomeStatus.RAN),
    )
