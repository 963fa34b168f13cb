"""Running checks against a snapshot: applicability, skipping, budgets and crash capture.

The runner, not the check, owns everything that can go wrong around a check: a check whose data
was not collected is skipped with the collection error as its reason; a check that raises becomes
an ``unknown`` finding carrying the error; a check that overruns its budget becomes an ``unknown``
finding too, and the run goes on.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from checks.base import SkipCheck
from checks.check_worker import CHECK_THREADS
from checks.context import CheckContext
from checks.finding import Category, Finding, Severity, fingerprint
from checks.metadata import Threshold
from checks.registry import RegisteredCheck, Registry
from checks.scopes import SCOPES, Scope
from collectors.model import Snapshot


class CheckSettings(BaseModel):
    """The part of the configuration that shapes analysis; stored in bundles for offline analysis."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    disabled: frozenset[str] = frozenset()
    thresholds: dict[str, dict[str, Threshold]] = Field(default_factory=dict)
    # "customer/instance" (or "customer/host") -> check id -> threshold overrides
    instance_thresholds: dict[str, dict[str, dict[str, Threshold]]] = Field(default_factory=dict)
    budget_s: float | None = Field(default=None, gt=0)  # caps every check's own budget

    def thresholds_for(self, check_id: str, override_key: str | None) -> dict[str, Threshold]:
        """The configured thresholds of a check, with the target's own overrides winning."""
        merged = dict(self.thresholds.get(check_id, {}))
        if override_key is not None:
            merged.update(self.instance_thresholds.get(override_key, {}).get(check_id, {}))
        return merged

    def budget_for(self, registered: RegisteredCheck) -> float:
        own = registered.meta.budget_s
        return min(own, self.budget_s) if self.budget_s else own


class OutcomeStatus(StrEnum):
    RAN = "ran"
    SKIPPED = "skipped"
    CRASHED = "crashed"
    TIMED_OUT = "timed_out"


class CheckOutcome(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    check: str
    customer: str
    target: str
    status: OutcomeStatus
    reason: str | None = None
    duration_ms: float = 0.0
    findings: int = 0


class Analysis(BaseModel):
    model_config = ConfigDict(extra="forbid")

    findings: list[Finding] = Field(default_factory=list)
    outcomes: list[CheckOutcome] = Field(default_factory=list)

    def for_customer(self, customer: str) -> Analysis:
        return Analysis(
            findings=[f for f in self.findings if f.customer == customer],
            outcomes=[o for o in self.outcomes if o.customer == customer],
        )

    def worst(self) -> Severity:
        return max((f.severity for f in self.findings), key=lambda s: s.rank, default=Severity.OK)


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Worst first, then by customer, target and check, so reports and diffs are stable."""
    return sorted(findings, key=lambda f: (-f.severity.rank, f.customer, f.target, f.check, f.fingerprint))


def _unknown(ctx: CheckContext, title: str, message: str) -> Finding:
    return Finding(
        check=ctx.meta.id,
        severity=Severity.UNKNOWN,
        category=ctx.meta.category or Category.AVAILABILITY,
        customer=ctx.customer,
        target=ctx.subject,
        title=title,
        message=message,
        recommendation=(
            "This is a defect or a limit of the check, not of the instance: report it with the bundle."
        ),
        fingerprint=fingerprint(ctx.meta.id, ctx.customer, ctx.subject, "check-error"),
    )


def _run_one(
    registered: RegisteredCheck, ctx: CheckContext, budget_s: float
) -> tuple[CheckOutcome, list[Finding]]:
    meta = registered.meta
    results: list[object] = []  # what the check yielded: checked below, as plugins are untrusted
    errors: list[Exception] = []

    def target() -> None:
        try:
            results.extend(registered.cls().run(ctx))
        except Exception as exc:  # every failure of a check becomes data
            errors.append(exc)

    started = time.perf_counter()
    # On a daemon thread: a hung check cannot be killed, but it must not hold up the run or exit.
    finished = CHECK_THREADS.run(target, budget_s)
    elapsed = (time.perf_counter() - started) * 1000

    def outcome(status: OutcomeStatus, reason: str | None = None, count: int = 0) -> CheckOutcome:
        return CheckOutcome(
            check=meta.id,
            customer=ctx.customer,
            target=ctx.subject,
            status=status,
            reason=reason,
            duration_ms=round(elapsed, 3),
            findings=count,
        )

    if not finished:
        msg = f"the check did not finish within its {budget_s:g} s budget"
        timed_out = _unknown(ctx, f"{meta.title}: check timed out", msg)
        return outcome(OutcomeStatus.TIMED_OUT, msg, 1), [timed_out]
    error = errors[0] if errors else None
    if isinstance(error, SkipCheck):
        return outcome(OutcomeStatus.SKIPPED, str(error) or "not applicable"), []
    if error is not None:
        msg = f"{type(error).__name__}: {error}"
        return outcome(OutcomeStatus.CRASHED, msg, 1), [_unknown(ctx, f"{meta.title}: check failed", msg)]
    findings = [f for f in results if isinstance(f, Finding) and f.check == meta.id]
    if len(findings) != len(results):
        bad = len(results) - len(findings)
        msg = f"the check returned {bad} result(s) that are not findings of {meta.id}"
        return outcome(OutcomeStatus.CRASHED, msg, 1), [_unknown(ctx, f"{meta.title}: check failed", msg)]
    return outcome(OutcomeStatus.RAN, count=len(findings)), findings


def run_checks(snapshot: Snapshot, registry: Registry, settings: CheckSettings | None = None) -> Analysis:
    """Every enabled check over every subject of its scope: instances, then hosts, then log analyses."""
    settings = settings or CheckSettings()
    findings: list[Finding] = []
    outcomes: list[CheckOutcome] = []
    for scope in SCOPES:
        enabled = [r for r in registry.of_scope(scope) if r.meta.id not in settings.disabled]
        for subject in scope.subjects(snapshot):
            for registered in enabled:
                outcome, produced = _run_on(scope, registered, subject, settings)
                if outcome is not None:
                    outcomes.append(outcome)
                    findings.extend(produced)
    return Analysis(findings=sort_findings(findings), outcomes=outcomes)


def _run_on(
    scope: Scope[Any, Any], registered: RegisteredCheck, subject: object, settings: CheckSettings
) -> tuple[CheckOutcome | None, list[Finding]]:
    """One check on one subject: nothing when it does not apply, skipped when its data is missing."""
    meta = registered.meta
    if not scope.applies(meta, subject):
        return None, []
    reason = scope.skip_reason(subject, meta.requires)
    if reason is not None:
        customer, target = scope.label(subject)
        skipped = CheckOutcome(
            check=meta.id, customer=customer, target=target, status=OutcomeStatus.SKIPPED, reason=reason
        )
        return skipped, []
    thresholds = settings.thresholds_for(meta.id, scope.override_key(subject))
    ctx = scope.context(meta, subject, thresholds)
    return _run_one(registered, ctx, settings.budget_for(registered))


def exit_code(worst: Severity) -> int:
    """Nagios-style: 0 ok, 1 warning, 2 critical, 3 unknown (3 is also every usage error)."""
    return {Severity.CRITICAL: 2, Severity.WARNING: 1, Severity.UNKNOWN: 3}.get(worst, 0)
