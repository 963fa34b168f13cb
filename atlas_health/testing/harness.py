"""Running checks in tests: directly (one class, one context) and through the real runner."""

from __future__ import annotations

from functools import cache
from typing import Any

from atlas_health.testing.instances import snapshot
from checks.base import Check, InstanceCheck
from checks.context import InstanceContext
from checks.finding import Finding
from checks.metadata import Threshold
from checks.registry import Registry, load_registry
from checks.runner import Analysis, CheckOutcome, CheckSettings, run_checks
from checks.scopes import HostNeighbourhood
from collectors.hosts.model import HostSnapshot
from collectors.logs.model import LogAnalysis
from collectors.model import InstanceSnapshot


def run_check(cls: type[InstanceCheck], inst: InstanceSnapshot, **thresholds: Threshold) -> list[Finding]:
    """Run one instance check on one instance, the way the runner does, minus budgets and skipping."""
    ctx = InstanceContext(meta=cls.meta, instance=inst, thresholds=thresholds)
    return list(cls().run(ctx))


def run_any(
    cls: type[Check[Any]], subject: InstanceSnapshot | HostSnapshot | LogAnalysis, **thresholds: Threshold
) -> list[Finding]:
    """Run any check on a subject of its scope (an instance, a host or a log analysis), the way the
    runner does, minus budgets and skipping. A host check sees no peers and no instances."""
    scope_subject: object = (
        HostNeighbourhood(subject, (), ()) if isinstance(subject, HostSnapshot) else subject
    )
    expected = {"instance": InstanceSnapshot, "host": HostSnapshot, "logs": LogAnalysis}[cls.scope.name]
    if not isinstance(subject, expected):
        raise TypeError(f"{cls.__name__} is a {cls.scope.name} check: give it a {expected.__name__}")
    return list(cls().run(cls.scope.context(cls.meta, scope_subject, thresholds)))


def only(findings: list[Finding]) -> Finding:
    """The one finding a check gave; fails the test when it gave none or several."""
    assert len(findings) == 1, [f"{f.severity}: {f.title}" for f in findings]
    return findings[0]


@cache
def registry() -> Registry:
    """The built-in checks and the installed plugins' ones, loaded once per test session."""
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
