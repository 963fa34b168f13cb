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

from pydantic import BaseModel, ConfigDict, Field

from checks.base import CheckContext
from checks.check_worker import CHECK_THREADS
from checks.finding import Category, Finding, Severity, fingerprint
from checks.host_scope import host_applies, host_skip_reason, host_thresholds, hosts_with_neighbours
from checks.logs_scope import LOGS_SUBJECT, logs_applies, logs_skip_reason, logs_thresholds
from checks.metadata import Threshold
from checks.registry import RegisteredCheck, Registry
from collectors.model import InstanceSnapshot, Snapshot

# The logical call that fills a snapshot field, where its name differs from the field's.
FIELD_CALLS = {"licenses": "license"}
# Failures of /status after which the collector calls nothing else on the instance.
TRANSPORT_FAILURES = frozenset({"connection_refused", "dns", "tls", "timeout", "connection"})


class SkipCheck(Exception):
    """Raised by a check whose data is absent or does not apply; the message is the reason."""


class CheckSettings(BaseModel):
    """The part of the configuration that shapes analysis; stored in bundles for offline analysis."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    disabled: frozenset[str] = frozenset()
    thresholds: dict[str, dict[str, Threshold]] = Field(default_factory=dict)
    # "customer/instance" -> check id -> threshold overrides
    instance_thresholds: dict[str, dict[str, dict[str, Threshold]]] = Field(default_factory=dict)
    budget_s: float | None = Field(default=None, gt=0)  # caps every check's own budget

    def thresholds_for(self, check_id: str, inst: InstanceSnapshot) -> dict[str, Threshold]:
        merged = dict(self.thresholds.get(check_id, {}))
        merged.update(self.instance_thresholds.get(f"{inst.customer}/{inst.instance}", {}).get(check_id, {}))
        return merged


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


def _lookup(inst: InstanceSnapshot, path: str) -> object | None:
    value: object | None = inst
    for part in path.split("."):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value


def skip_reason(inst: InstanceSnapshot, fields: Iterable[str]) -> str | None:
    """Why the data a check needs is missing, or None when it is all there.

    A dotted name ("bamboo.agents") is looked up part by part; its collection error is filed under
    the same dotted call name by the collector.
    """
    missing = [f for f in fields if _lookup(inst, f) is None]
    if not missing:
        return None
    status_error = inst.error_for("status")
    if status_error is not None and status_error.kind in TRANSPORT_FAILURES:
        return f"instance unreachable ({status_error.message})"
    for name in missing:
        error = inst.error_for(FIELD_CALLS.get(name, name))
        if error is not None:
            return f"{_words(name)} not collected: {error.message}"
    return f"{', '.join(_words(m) for m in missing)} not collected for this product or deployment"


def _words(name: str) -> str:
    return name.replace("_", " ").replace(".", " ")


def _applies(registered: RegisteredCheck, inst: InstanceSnapshot) -> bool:
    meta = registered.meta
    return inst.product in meta.products and inst.deployment in meta.deployments


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
    box: dict[str, object] = {}

    def target() -> None:
        try:
            box["findings"] = list(registered.cls().run(ctx))
        except Exception as exc:  # every failure of a check becomes data
            box["error"] = exc

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
    error = box.get("error")
    if isinstance(error, SkipCheck):
        return outcome(OutcomeStatus.SKIPPED, str(error) or "not applicable"), []
    if error is not None:
        msg = f"{type(error).__name__}: {error}"
        return outcome(OutcomeStatus.CRASHED, msg, 1), [_unknown(ctx, f"{meta.title}: check failed", msg)]
    findings = box.get("findings", [])
    bad = [f for f in findings if not isinstance(f, Finding) or f.check != meta.id]  # type: ignore[union-attr]
    if bad:
        msg = f"the check returned {len(bad)} result(s) that are not findings of {meta.id}"
        return outcome(OutcomeStatus.CRASHED, msg, 1), [_unknown(ctx, f"{meta.title}: check failed", msg)]
    return outcome(OutcomeStatus.RAN, count=len(findings)), findings  # type: ignore[arg-type]


def run_checks(snapshot: Snapshot, registry: Registry, settings: CheckSettings | None = None) -> Analysis:
    settings = settings or CheckSettings()
    findings: list[Finding] = []
    outcomes: list[CheckOutcome] = []
    for inst in snapshot.instances:
        for registered in registry:
            meta = registered.meta
            if meta.scope != "instance" or meta.id in settings.disabled or not _applies(registered, inst):
                continue
            reason = skip_reason(inst, meta.requires)
            if reason is not None:
                outcomes.append(
                    CheckOutcome(
                        check=meta.id,
                        customer=inst.customer,
                        target=inst.instance,
                        status=OutcomeStatus.SKIPPED,
                        reason=reason,
                    )
                )
                continue
            ctx = CheckContext(meta=meta, instance=inst, thresholds=settings.thresholds_for(meta.id, inst))
            budget = min(meta.budget_s, settings.budget_s) if settings.budget_s else meta.budget_s
            outcome, produced = _run_one(registered, ctx, budget)
            outcomes.append(outcome)
            findings.extend(produced)
    for host, peers, instances in hosts_with_neighbours(snapshot):
        for registered in registry:
            meta = registered.meta
            if meta.id in settings.disabled or not host_applies(meta, host):
                continue
            reason = host_skip_reason(host, meta.requires)
            if reason is not None:
                outcomes.append(
                    CheckOutcome(
                        check=meta.id,
                        customer=host.customer,
                        target=host.name,
                        status=OutcomeStatus.SKIPPED,
                        reason=reason,
                    )
                )
                continue
            thresholds = host_thresholds(meta.id, host, settings.thresholds, settings.instance_thresholds)
            ctx = CheckContext(meta=meta, host=host, peers=peers, instances=instances, thresholds=thresholds)
            budget = min(meta.budget_s, settings.budget_s) if settings.budget_s else meta.budget_s
            outcome, produced = _run_one(registered, ctx, budget)
            outcomes.append(outcome)
            findings.extend(produced)
    for logs in snapshot.logs:  # once per customer's log analysis
        for registered in registry:
            meta = registered.meta
            if meta.id in settings.disabled or not logs_applies(meta, logs):
                continue
            reason = logs_skip_reason(logs, meta.requires)
            if reason is not None:
                outcomes.append(
                    CheckOutcome(
                        check=meta.id,
                        customer=logs.customer,
                        target=LOGS_SUBJECT,
                        status=OutcomeStatus.SKIPPED,
                        reason=reason,
                    )
                )
                continue
            ctx = CheckContext(meta=meta, logs=logs, thresholds=logs_thresholds(meta.id, settings.thresholds))
            budget = min(meta.budget_s, settings.budget_s) if settings.budget_s else meta.budget_s
            outcome, produced = _run_one(registered, ctx, budget)
            outcomes.append(outcome)
            findings.extend(produced)
    return Analysis(findings=sort_findings(findings), outcomes=outcomes)


def exit_code(worst: Severity) -> int:
    """Nagios-style: 0 ok, 1 warning, 2 critical, 3 unknown (3 is also every usage error)."""
    return {Severity.CRITICAL: 2, Severity.WARNING: 1, Severity.UNKNOWN: 3}.get(worst, 0)
