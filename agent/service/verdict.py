"""From one run's analysis to what it can say about the customer's alerts (a ``Verdict``).

A problem is *seen* when a finding is at or above ``min_severity``; ``unknown`` never is (it says the
check could not tell, not that something is wrong). A (check, target) pair is *judged* only when its
check ran cleanly: skipped (data absent, e.g. the target could not be collected), crashed, timed out or
unknown pairs say nothing, so their alerts neither fire further nor resolve. A target that cannot be
reached at all is not silent: ``instance.status`` (and the host checks) report it as a finding.
"""

from __future__ import annotations

from datetime import datetime

from agent.service.events import Observation, Verdict
from checks.finding import Finding, Severity
from checks.runner import Analysis, OutcomeStatus

SEVERITY_ORDER = ("info", "warning", "critical")


def subject_of(target: str) -> str:
    """The subject a finding's target belongs to: "jira-prod/node2" -> "jira-prod" (the check's outcome
    is recorded per subject, a node's finding narrows it)."""
    return target.split("/", 1)[0]


def at_least(severity: str, min_severity: str) -> bool:
    """Whether ``severity`` is an alertable level at or above ``min_severity`` (info < warning < critical)."""
    if severity not in SEVERITY_ORDER:
        return False  # ok and unknown are never observations
    return SEVERITY_ORDER.index(severity) >= SEVERITY_ORDER.index(min_severity)


def verdict_from_analysis(
    customer: str, analysis: Analysis, *, min_severity: str, at: datetime, report: str | None = None
) -> Verdict:
    """The customer's part of ``analysis`` as a verdict; ``report`` is the run's kept report, if any."""
    if min_severity not in SEVERITY_ORDER:
        raise ValueError(f"min_severity {min_severity!r} is not one of {', '.join(SEVERITY_ORDER)}")
    findings = [f for f in analysis.findings if f.customer == customer]
    unsure = {(f.check, subject_of(f.target)) for f in findings if f.severity is Severity.UNKNOWN}
    judged = frozenset(
        (o.check, o.target)
        for o in analysis.outcomes
        if o.customer == customer and o.status is OutcomeStatus.RAN and (o.check, o.target) not in unsure
    )
    seen = [_observation(f, report) for f in findings if at_least(f.severity.value, min_severity)]
    return Verdict(customer=customer, at=at, seen=seen, judged=judged)


def _observation(finding: Finding, report: str | None) -> Observation:
    return Observation(
        customer=finding.customer,
        fingerprint=finding.fingerprint,
        check=finding.check,
        target=finding.target,
        category=finding.category.value,
        severity=finding.severity.value,
        title=finding.title,
        message=finding.message,
        report=report,
    )


def is_judged(verdict: Verdict, check: str, target: str) -> bool:
    """Whether an alert on (check, target) can be called absent by this verdict; a node's target is
    judged by its subject's outcome."""
    return (check, target) in verdict.judged or (check, subject_of(target)) in verdict.judged
