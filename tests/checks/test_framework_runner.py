"""The runner's contract: skipping with reasons, crashes and overruns as `unknown`, thresholds."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from atlas_health import Category, CheckMeta, InstanceCheck, Severity, SkipCheck
from checks.registry import RegisteredCheck, Registry
from checks.runner import CheckSettings, OutcomeStatus, exit_code, run_checks
from collectors.model import (
    CollectionError,
    Deployment,
    ErrorKind,
    InstanceSnapshot,
    Product,
    ProductStatus,
    Snapshot,
)

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


def instance(name: str = "acme-jira", **fields) -> InstanceSnapshot:
    base = dict(
        customer="acme",
        instance=name,
        product=Product.JIRA,
        deployment=Deployment.DATACENTER,
        url="https://jira.example",
        started_at=NOW,
        finished_at=NOW,
        status=ProductStatus(state="RUNNING"),
    )
    base.update(fields)
    return InstanceSnapshot(**base)


def snapshot(*instances: InstanceSnapshot) -> Snapshot:
    return Snapshot(tool_version="test", started_at=NOW, finished_at=NOW, instances=list(instances))


def registry(*classes: type[InstanceCheck]) -> Registry:
    reg = Registry()
    for cls in classes:
        reg.add(RegisteredCheck(cls, "test"))
    return reg


def meta(check_id: str, **kwargs) -> CheckMeta:
    values = dict(
        id=check_id,
        title=check_id,
        description="test check",
        category=Category.AVAILABILITY,
        default_severity=Severity.WARNING,
    )
    values.update(kwargs)
    return CheckMeta(**values)


class NeedsLicences(InstanceCheck):
    meta = meta("test.needs.licences", requires=("licenses",))

    def run(self, ctx):
        yield ctx.ok("licences", "present")


class Crashes(InstanceCheck):
    meta = meta("test.crashes")

    def run(self, ctx):
        raise ZeroDivisionError("boom")


class Hangs(InstanceCheck):
    meta = meta("test.hangs", budget_s=0.2)

    def run(self, ctx):
        time.sleep(3)
        yield ctx.ok("late", "never seen")


class Skips(InstanceCheck):
    meta = meta("test.skips")

    def run(self, ctx):
        raise SkipCheck("only for clusters")


class UsesThreshold(InstanceCheck):
    meta = meta("test.threshold", thresholds={"limit": 10})

    def run(self, ctx):
        severity = Severity.WARNING if ctx.threshold("limit") < 5 else Severity.OK
        yield ctx.finding(severity, "limit", f"limit is {ctx.threshold('limit')}")


class ConfluenceOnly(InstanceCheck):
    meta = meta("test.confluence.only", products=(Product.CONFLUENCE,))

    def run(self, ctx):
        yield ctx.ok("c", "c")


def outcome_of(analysis, check_id):
    return next(o for o in analysis.outcomes if o.check == check_id)


def test_missing_data_skips_with_the_collection_error_as_reason() -> None:
    inst = instance(errors=[CollectionError(call="license", kind=ErrorKind.SERVER_ERROR, message="HTTP 500")])
    analysis = run_checks(snapshot(inst), registry(NeedsLicences))
    outcome = outcome_of(analysis, "test.needs.licences")
    assert outcome.status == OutcomeStatus.SKIPPED
    assert outcome.reason == "licenses not collected: HTTP 500"
    assert analysis.findings == []


def test_unreachable_instance_is_the_reason_for_every_skip() -> None:
    inst = instance(
        status=None,
        errors=[
            CollectionError(call="status", kind=ErrorKind.CONNECTION_REFUSED, message="connection refused")
        ],
    )
    outcome = outcome_of(run_checks(snapshot(inst), registry(NeedsLicences)), "test.needs.licences")
    assert outcome.reason == "instance unreachable (connection refused)"


def test_a_crash_becomes_an_unknown_finding_and_the_run_goes_on() -> None:
    analysis = run_checks(snapshot(instance()), registry(Crashes, UsesThreshold))
    crashed = [f for f in analysis.findings if f.check == "test.crashes"]
    assert len(crashed) == 1
    assert crashed[0].severity == Severity.UNKNOWN
    assert "ZeroDivisionError: boom" in crashed[0].message
    assert outcome_of(analysis, "test.crashes").status == OutcomeStatus.CRASHED
    assert outcome_of(analysis, "test.threshold").status == OutcomeStatus.RAN


def test_an_overrun_becomes_unknown_within_the_budget() -> None:
    started = time.monotonic()
    analysis = run_checks(snapshot(instance()), registry(Hangs))
    assert time.monotonic() - started < 2.5  # the runner did not wait for the 3 s sleep
    assert outcome_of(analysis, "test.hangs").status == OutcomeStatus.TIMED_OUT
    assert analysis.findings[0].severity == Severity.UNKNOWN
    assert "0.2 s budget" in analysis.findings[0].message


def test_skip_check_and_applicability() -> None:
    analysis = run_checks(snapshot(instance()), registry(Skips, ConfluenceOnly))
    assert outcome_of(analysis, "test.skips").reason == "only for clusters"
    assert all(o.check != "test.confluence.only" for o in analysis.outcomes)  # not applicable to Jira


def test_threshold_overrides_global_then_per_instance() -> None:
    snap = snapshot(instance("a"), instance("b"))
    settings = CheckSettings(
        thresholds={"test.threshold": {"limit": 3}},
        instance_thresholds={"acme/b": {"test.threshold": {"limit": 7}}},
    )
    by_target = {f.target: f for f in run_checks(snap, registry(UsesThreshold), settings).findings}
    assert by_target["a"].severity == Severity.WARNING and by_target["a"].message == "limit is 3"
    assert by_target["b"].severity == Severity.OK and by_target["b"].message == "limit is 7"


def test_disabled_checks_do_not_run() -> None:
    analysis = run_checks(
        snapshot(instance()), registry(UsesThreshold), CheckSettings(disabled={"test.threshold"})
    )
    assert analysis.outcomes == [] and analysis.findings == []


def test_findings_are_sorted_worst_first_and_fingerprints_are_stable() -> None:
    snap = snapshot(instance("a"), instance("b"))
    settings = CheckSettings(instance_thresholds={"acme/b": {"test.threshold": {"limit": 1}}})
    first = run_checks(snap, registry(UsesThreshold, Crashes), settings)
    second = run_checks(snap, registry(UsesThreshold, Crashes), settings)
    assert [f.severity for f in first.findings] == [
        Severity.WARNING,
        Severity.UNKNOWN,
        Severity.UNKNOWN,
        Severity.OK,
    ]
    assert [f.fingerprint for f in first.findings] == [f.fingerprint for f in second.findings]
    assert len({f.fingerprint for f in first.findings}) == 4


def test_exit_codes_follow_nagios() -> None:
    assert [exit_code(s) for s in Severity] == [0, 0, 1, 2, 3]


class NeedsAPart(InstanceCheck):
    meta = meta("test.needs.part", requires=("status.raw", "cluster.nodes"))

    def run(self, ctx):
        yield ctx.ok("part", "present")


def test_dotted_requires_name_parts_and_their_own_call_errors() -> None:
    inst = instance(
        errors=[CollectionError(call="cluster.nodes", kind=ErrorKind.FORBIDDEN, message="HTTP 403")]
    )
    outcome = outcome_of(run_checks(snapshot(inst), registry(NeedsAPart)), "test.needs.part")
    assert outcome.status == OutcomeStatus.SKIPPED
    assert outcome.reason == "cluster nodes not collected: HTTP 403"
