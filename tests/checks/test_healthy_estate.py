"""The whole catalogue over healthy and broken instances, through the real runner."""

from __future__ import annotations

from atlas_health.testing.harness import analyse, registry
from atlas_health.testing.history import daily, history
from atlas_health.testing.instances import instance, unreachable
from checks.finding import Severity
from checks.forecasting.series import NO_HISTORY
from checks.runner import OutcomeStatus
from collectors.history_model import SEATS_USED
from collectors.model import Deployment, Product

MINE = ("instance.", "jira.")


def mine(check_id: str) -> bool:
    return check_id.startswith(MINE)


def with_history():
    """A healthy instance as the service sees it: with a month of steady seat counts behind it."""
    return instance(history=history((SEATS_USED, "jira-software", daily(lambda d: 150.0, 30))))


def test_healthy_jira_data_center_passes_every_check_with_an_ok_finding():
    analysis = analyse(with_history())
    outcomes = {o.check: o for o in analysis.outcomes if mine(o.check)}
    expected = {r.meta.id for r in registry() if mine(r.meta.id)}
    assert {"instance.status", "instance.license.expiry", "jira.index.consistency"} <= expected
    assert set(outcomes) == expected
    assert {o.status for o in outcomes.values()} == {OutcomeStatus.RAN}, [
        (o.check, o.status, o.reason) for o in outcomes.values() if o.status is not OutcomeStatus.RAN
    ]
    assert all(o.findings >= 1 for o in outcomes.values())
    not_ok = [
        (f.check, f.severity, f.message) for f in analysis.findings if mine(f.check) and f.severity != "ok"
    ]
    assert not_ok == []


def test_without_history_only_the_forecasts_are_skipped():
    analysis = analyse(instance())
    skipped = {o.check: o.reason for o in analysis.outcomes if o.status is OutcomeStatus.SKIPPED}
    assert skipped == {"instance.license.seats_forecast": NO_HISTORY}


def test_healthy_confluence_data_center_runs_the_cross_product_checks_only():
    analysis = analyse(instance(product=Product.CONFLUENCE))
    ran = {o.check for o in analysis.outcomes if mine(o.check) and o.status is OutcomeStatus.RAN}
    assert "instance.version.support" in ran and "instance.cluster.nodes" in ran
    assert not any(c.startswith("jira.") for c in {o.check for o in analysis.outcomes})
    assert [f for f in analysis.findings if mine(f.check) and f.severity is not Severity.OK] == []


def test_unreachable_instance_gives_one_critical_and_skips_the_rest_with_the_reason():
    analysis = analyse(unreachable())
    mine_findings = [f for f in analysis.findings if mine(f.check)]
    assert [(f.check, f.severity) for f in mine_findings] == [("instance.status", Severity.CRITICAL)]
    skipped = {
        o.check: o.reason for o in analysis.outcomes if mine(o.check) and o.status is OutcomeStatus.SKIPPED
    }
    assert (
        skipped["instance.license.expiry"] == "instance unreachable (Connection refused (jira.acme.test:443))"
    )
    assert "instance.credentials" in skipped and "jira.index.consistency" in skipped


def test_cloud_skips_what_does_not_apply():
    analysis = analyse(instance(deployment=Deployment.CLOUD, cluster=None, index=None))
    ran = {o.check for o in analysis.outcomes if o.status is OutcomeStatus.RAN}
    assert {"instance.status", "instance.credentials", "instance.license.expiry"} <= ran
    assert "instance.atst" not in {o.check for o in analysis.outcomes}
