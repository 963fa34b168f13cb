"""From an analysis to a verdict: what a run saw and which (check, target) pairs it could judge."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from agent.config.loader import load_config
from agent.pipeline import collect
from agent.service.verdict import verdict_from_analysis
from atlas_health.testing.harness import analyse, registry
from atlas_health.testing.instances import instance, unreachable
from checks.finding import Category, Finding, Severity, fingerprint
from checks.runner import Analysis, CheckOutcome, OutcomeStatus, run_checks
from collectors.model import Product
from sandbox import Fault, InstanceSpec, Sandbox, sandbox_config

AT = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)


def finding(check: str, target: str, severity: Severity, customer: str = "acme") -> Finding:
    return Finding(
        check=check,
        severity=severity,
        category=Category.AVAILABILITY,
        customer=customer,
        target=target,
        title=f"{check} on {target}",
        message="m",
        fingerprint=fingerprint(check, customer, target),
    )


def outcome(check: str, target: str, status: OutcomeStatus, customer: str = "acme") -> CheckOutcome:
    return CheckOutcome(check=check, customer=customer, target=target, status=status)


def test_seen_is_at_or_above_min_severity_and_never_unknown_or_ok() -> None:
    analysis = Analysis(
        findings=[
            finding("a", "jira", Severity.OK),
            finding("b", "jira", Severity.INFO),
            finding("c", "jira", Severity.WARNING),
            finding("d", "jira", Severity.CRITICAL),
            finding("e", "jira", Severity.UNKNOWN),
            finding("d", "wiki", Severity.CRITICAL, customer="globex"),
        ],
        outcomes=[outcome(c, "jira", OutcomeStatus.RAN) for c in "abcde"],
    )
    seen = {
        level: [o.check for o in verdict_from_analysis("acme", analysis, min_severity=level, at=AT).seen]
        for level in ("info", "warning", "critical")
    }
    assert seen == {"info": ["b", "c", "d"], "warning": ["c", "d"], "critical": ["d"]}
    verdict = verdict_from_analysis("acme", analysis, min_severity="warning", at=AT, report="/r/x.html")
    assert verdict.customer == "acme" and verdict.at == AT
    assert {o.report for o in verdict.seen} == {"/r/x.html"}
    assert verdict.seen[0].fingerprint == fingerprint("c", "acme", "jira")
    assert verdict.judged == frozenset({("a", "jira"), ("b", "jira"), ("c", "jira"), ("d", "jira")})


def test_only_checks_that_ran_cleanly_are_judged() -> None:
    analysis = Analysis(
        findings=[
            finding("crashed", "jira", Severity.UNKNOWN),
            finding("unsure", "jira/node1", Severity.UNKNOWN),
            finding("unsure", "jira/node2", Severity.WARNING),
        ],
        outcomes=[
            outcome("clean", "jira", OutcomeStatus.RAN),
            outcome("skipped", "jira", OutcomeStatus.SKIPPED),
            outcome("crashed", "jira", OutcomeStatus.CRASHED),
            outcome("slow", "jira", OutcomeStatus.TIMED_OUT),
            outcome("unsure", "jira", OutcomeStatus.RAN),
            outcome("clean", "wiki", OutcomeStatus.RAN, customer="globex"),
        ],
    )
    verdict = verdict_from_analysis("acme", analysis, min_severity="warning", at=AT)
    assert verdict.judged == frozenset({("clean", "jira")})
    assert [(o.check, o.target) for o in verdict.seen] == [("unsure", "jira/node2")]


def test_an_unknown_min_severity_is_refused() -> None:
    with pytest.raises(ValueError, match="min_severity 'unknown'"):
        verdict_from_analysis("acme", Analysis(), min_severity="unknown", at=AT)


def test_an_unreachable_instance_is_an_observation_and_its_other_checks_are_not_judged() -> None:
    analysis = analyse(unreachable())
    verdict = verdict_from_analysis("acme", analysis, min_severity="warning", at=AT)
    target = unreachable().instance
    assert [(o.check, o.severity) for o in verdict.seen] == [("instance.status", "critical")]
    assert ("instance.status", target) in verdict.judged
    assert ("instance.license.expiry", target) not in verdict.judged
    healthy = verdict_from_analysis("acme", analyse(instance()), min_severity="warning", at=AT)
    assert ("instance.license.expiry", target) in healthy.judged


@pytest.mark.server
@pytest.mark.slow
def test_a_sandbox_estate_with_one_instance_down(tmp_path: Path) -> None:
    specs = [
        InstanceSpec(name="acme-jira", product=Product.JIRA, faults={Fault.LICENSE_EXPIRED}),
        InstanceSpec(name="acme-down", product=Product.JIRA, faults={Fault.DOWN}),
    ]
    with Sandbox(specs) as sandbox:
        config, env = sandbox_config(sandbox, {"acme": ["acme-jira", "acme-down"]})
        config["settings"] = {"timeout_seconds": 5, "retry_after_cap_seconds": 2, "max_retries": 1}
        path = tmp_path / "config.yaml"
        path.write_text(yaml.safe_dump(config))
        loaded = load_config(path, registry=registry(), env=env)
        snapshot = collect(loaded)
    analysis = run_checks(snapshot, registry())
    verdict = verdict_from_analysis("acme", analysis, min_severity="warning", at=AT)
    seen = {(o.check, o.target): o.severity for o in verdict.seen}
    assert seen[("instance.status", "acme-down")] == "critical"
    assert seen[("instance.license.expiry", "acme-jira")] == "critical"
    assert ("instance.status", "acme-down") in verdict.judged
    assert ("instance.license.expiry", "acme-jira") in verdict.judged
    assert ("instance.license.expiry", "acme-down") not in verdict.judged  # skipped: unreachable
    assert ("instance.status", "acme-jira") in verdict.judged
    assert ("instance.status", "acme-jira") not in seen
