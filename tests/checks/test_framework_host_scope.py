"""The runner's host scope: host checks run once per host, with the host's peers and instances."""

from __future__ import annotations

import pytest

from atlas_health import Category, CheckMeta, HostCheck, InstanceCheck, Severity
from atlas_health.testing.hosts import host
from atlas_health.testing.instances import instance, snapshot
from checks.base import CheckDefinitionError
from checks.registry import RegisteredCheck, Registry
from checks.runner import CheckSettings, OutcomeStatus, run_checks
from collectors.model import Product


def meta(check_id: str, **kwargs) -> CheckMeta:
    values = dict(
        id=check_id,
        title=check_id,
        description="test host check",
        category=Category.CAPACITY,
        default_severity=Severity.WARNING,
    )
    values.update(kwargs)
    return CheckMeta(**values)


class SeesNeighbours(HostCheck):
    meta = meta("test.host.neighbours", thresholds={"limit": 1})

    def run(self, ctx):
        served = ctx.served_instance.instance if ctx.served_instance else None
        yield ctx.ok("seen", f"{len(ctx.peers)} peer(s), serves {served}, limit {ctx.threshold('limit')}")


class CrashesOnHost(HostCheck):
    meta = meta("test.host.crashes")

    def run(self, ctx):
        raise RuntimeError("boom")


class ConfluenceHostsOnly(HostCheck):
    meta = meta("test.host.confluence", products=(Product.CONFLUENCE,))

    def run(self, ctx):
        yield ctx.ok("c", "c")


class NeedsDumps(HostCheck):
    meta = meta("test.host.dumps", requires=("thread_dumps",))

    def run(self, ctx):
        yield ctx.ok("d", "d")


def registry(*classes):
    reg = Registry()
    for cls in classes:
        reg.add(RegisteredCheck(cls, "test"))
    return reg


def estate():
    return snapshot(instance()).model_copy(
        update={"hosts": [host("jira-node1"), host("jira-node2", node="node2")]}
    )


def test_host_checks_run_per_host_with_peers_instances_and_thresholds():
    settings = CheckSettings(instance_thresholds={"acme/jira-node2": {"test.host.neighbours": {"limit": 7}}})
    analysis = run_checks(estate(), registry(SeesNeighbours), settings)
    messages = {f.target: f.message for f in analysis.findings}
    assert messages == {
        "jira-node1": "1 peer(s), serves jira-prod, limit 1",
        "jira-node2": "1 peer(s), serves jira-prod, limit 7",
    }
    assert all(o.status is OutcomeStatus.RAN for o in analysis.outcomes)


def test_a_crashing_host_check_is_unknown_on_that_host():
    analysis = run_checks(estate(), registry(CrashesOnHost))
    assert {(f.target, f.severity) for f in analysis.findings} == {
        ("jira-node1", Severity.UNKNOWN),
        ("jira-node2", Severity.UNKNOWN),
    }
    assert {o.status for o in analysis.outcomes} == {OutcomeStatus.CRASHED}


def test_product_filter_disabled_checks_and_missing_data():
    analysis = run_checks(estate(), registry(ConfluenceHostsOnly, NeedsDumps), CheckSettings())
    assert not [o for o in analysis.outcomes if o.check == "test.host.confluence"]
    skipped = [o for o in analysis.outcomes if o.check == "test.host.dumps"]
    assert {o.status for o in skipped} == {OutcomeStatus.SKIPPED}
    disabled = run_checks(
        estate(), registry(NeedsDumps), CheckSettings(disabled=frozenset({"test.host.dumps"}))
    )
    assert disabled.outcomes == []


def test_instance_checks_do_not_run_on_hosts_and_host_checks_not_on_instances():
    class InstanceOnly(InstanceCheck):
        meta = CheckMeta(
            id="test.instance.only",
            title="i",
            description="an instance check",
            category=Category.CAPACITY,
            default_severity=Severity.WARNING,
        )

        def run(self, ctx):
            yield ctx.ok("i", ctx.instance.instance)

    analysis = run_checks(estate(), registry(InstanceOnly, SeesNeighbours))
    assert {(f.check, f.target) for f in analysis.findings} == {
        ("test.instance.only", "jira-prod"),
        ("test.host.neighbours", "jira-node1"),
        ("test.host.neighbours", "jira-node2"),
    }


def test_host_requires_are_validated_against_the_host_snapshot():
    with pytest.raises(CheckDefinitionError, match="requires names unknown host fields: licenses"):

        class ReadsLicences(HostCheck):
            meta = meta("test.host.bad", requires=("licenses",))

            def run(self, ctx):
                yield from ()

    class ReadsJvms(HostCheck):
        meta = meta("test.host.good", requires=("jvms", "memory"))

        def run(self, ctx):
            yield from ()

    assert ReadsJvms.meta.requires == ("jvms", "memory")
