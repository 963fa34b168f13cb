"""Running checks in tests: directly (one class, one context) and through the real runner."""

from __future__ import annotations

from functools import cache

from checks.base import Check, CheckContext
from checks.finding import Finding
from checks.metadata import Threshold
from checks.registry import Registry, load_registry
from checks.runner import Analysis, CheckOutcome, CheckSettings, run_checks
from collectors.model import InstanceSnapshot
from tests.checks.factory import snapshot


def run_check(cls: type[Check], inst: InstanceSnapshot, **thresholds: Threshold) -> list[Finding]:
    """Run one check class on one instance, the way the runner does, minus budgets and skipping."""
    ctx = CheckContext(meta=cls.meta, instance=inst, thresholds=thresholds)
    return list(cls().run(ctx))


def only(findings: list[Finding]) -> Finding:
    assert len(findings) == 1, [f"{f.severity}: {f.title}" for f in findings]
    return findings[0]


@cache
def registry() -> Registry:
    return load_registry()


def analyse(*instances: InstanceSnapshot, settings: CheckSettings | None = None) -> Analysis:
    """All registered checks over the instances, through checks.runner.run_checks."""
    return run_checks(snapshot(*instances), registry(), settings)


def findings_of(analysis: Analysis, check_id: str) -> list[Finding]:
    return [f for f in analysis.findings if f.check == check_id]


def outcome_of(analysis: Analysis, check_id: str) -> CheckOutcome | None:
    matches = [o for o in analysis.outcomes if o.check == check_id]
    assert len(matches) <= 1, matches
    return matches[0] if matches else None


def evidence(finding: Finding) -> dict[str, object]:
    """Evidence as label -> value, for assertions."""
    return {e.label: e.value for e in finding.evidence}
