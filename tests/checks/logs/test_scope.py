"""The runner's logs scope: logs checks run once per log analysis, skip without their log, and leave the
instance and host checks as they were."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from atlas_health import Category, CheckMeta, HostCheck, InstanceCheck, LogsCheck, LogsContext, Severity
from atlas_health.testing.harness import registry as full_registry
from atlas_health.testing.history import daily, history
from atlas_health.testing.hosts import host
from atlas_health.testing.instances import NOW, instance
from atlas_health.testing.logs import analysis, log_file, logs_snapshot
from checks.base import CheckDefinitionError
from checks.context import NO_TIME
from checks.registry import RegisteredCheck, Registry
from checks.runner import CheckSettings, OutcomeStatus, run_checks
from checks.scopes.logs import LOGS_SCOPE, analysis_products
from collectors.history_model import HEAP_FLOOR_MB
from collectors.logs.model import LogKind
from collectors.model import Product


def meta(check_id: str, **kwargs) -> CheckMeta:
    values = dict(
        id=check_id,
        title=check_id,
        description="test logs check",
        category=Category.PERFORMANCE,
        default_severity=Severity.WARNING,
    )
    values.update(kwargs)
    return CheckMeta(**values)


class SeesLogs(LogsCheck):
    meta = meta("test.logs.sees", thresholds={"limit": 1})

    def run(self, ctx):
        yield ctx.ok("seen", f"{ctx.customer} {ctx.subject} {ctx.now:%H:%M} limit {ctx.threshold('limit')}")
        yield ctx.ok("node", "one node", node="node2", key="node")


class NeedsGc(LogsCheck):
    meta = meta("test.logs.gc", requires=("gc",))

    def run(self, ctx):
        yield ctx.ok("gc", f"{len(ctx.logs.gc)} GC summaries")


class ConfluenceLogsOnly(LogsCheck):
    meta = meta("test.logs.confluence", products=(Product.CONFLUENCE,))

    def run(self, ctx):
        yield ctx.ok("c", "c")


class CrashesOnLogs(LogsCheck):
    meta = meta("test.logs.crashes")

    def run(self, ctx):
        raise RuntimeError("boom")


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


class HostOnly(HostCheck):
    meta = CheckMeta(
        id="test.host.only",
        title="h",
        description="a host check",
        category=Category.CAPACITY,
        default_severity=Severity.WARNING,
    )

    def run(self, ctx):
        yield ctx.ok("h", ctx.host.name)


def logs_skip_reason(logs, requires):
    return LOGS_SCOPE.skip_reason(logs, requires)


def logs_applies(meta, logs):
    return LOGS_SCOPE.applies(meta, logs)


def logs_now(logs):
    return LogsContext(meta=SeesLogs.meta, logs=logs).now


def registry(*classes):
    reg = Registry()
    for cls in classes:
        reg.add(RegisteredCheck(cls, "test"))
    return reg


def test_a_logs_check_runs_once_per_analysis_with_its_customer_subject_time_and_thresholds():
    other = analysis(customer="globex", last_at=NOW - timedelta(hours=2))
    settings = CheckSettings(thresholds={"test.logs.sees": {"limit": 7}})
    result = run_checks(logs_snapshot(analysis(), other), registry(SeesLogs), settings)
    assert sorted((f.customer, f.target, f.message) for f in result.findings) == [
        ("acme", "logs", "acme logs 09:59 limit 7"),
        ("acme", "logs/node2", "one node"),
        ("globex", "logs", "globex logs 08:00 limit 7"),
        ("globex", "logs/node2", "one node"),
    ]
    assert [(o.customer, o.target, o.status) for o in result.outcomes] == [
        ("acme", "logs", OutcomeStatus.RAN),
        ("globex", "logs", OutcomeStatus.RAN),
    ]


def test_per_instance_overrides_do_not_reach_logs_checks():
    settings = CheckSettings(
        instance_thresholds={
            "acme/logs": {"test.logs.sees": {"limit": 9}},
            "acme/jira-prod": {"test.logs.sees": {"limit": 9}},
        }
    )
    result = run_checks(logs_snapshot(analysis(), instances=(instance(),)), registry(SeesLogs), settings)
    assert "limit 1" in next(f.message for f in result.findings if f.target == "logs")


def test_a_check_needing_gc_is_skipped_with_what_to_give_when_no_gc_log_was_analysed():
    result = run_checks(logs_snapshot(analysis(gc=None)), registry(NeedsGc))
    assert result.findings == []
    (outcome,) = result.outcomes
    assert (outcome.status, outcome.target) == (OutcomeStatus.SKIPPED, "logs")
    assert outcome.reason.startswith("no GC log was analysed: give the GC logs to analyze")
    ran = run_checks(logs_snapshot(analysis()), registry(NeedsGc))
    assert [f.message for f in ran.findings] == ["2 GC summaries"]


def test_skip_reasons_name_the_missing_log():
    logs = analysis(access=None, security=None)
    assert logs_skip_reason(logs, ("gc",)) is None
    assert logs_skip_reason(logs, ("access",)).startswith("no access log was analysed: give the access logs")
    assert logs_skip_reason(logs, ("gc", "security")) == (
        "no security log was analysed: give atlassian-jira-security.log to analyze"
    )
    assert logs_skip_reason(analysis(gc=[]), ("gc",)) is None  # given but empty: the check decides


def test_products_filter_on_the_files_read_and_neutral_checks_always_apply():
    jira_only = analysis()
    assert analysis_products(jira_only) == {"jira"}
    assert logs_applies(SeesLogs.meta, jira_only)
    assert not logs_applies(ConfluenceLogsOnly.meta, jira_only)
    with_wiki = analysis(
        files=[*jira_only.files, log_file("conf/atlassian-confluence.log", "wiki1", LogKind.CONFLUENCE_APP)]
    )
    assert logs_applies(ConfluenceLogsOnly.meta, with_wiki)
    gc_only = analysis(files=[log_file("gc.log", kind=LogKind.GC_UNIFIED)])
    assert analysis_products(gc_only) == set()
    assert not logs_applies(ConfluenceLogsOnly.meta, gc_only)
    result = run_checks(logs_snapshot(jira_only), registry(ConfluenceLogsOnly, SeesLogs))
    assert {o.check for o in result.outcomes} == {"test.logs.sees"}


def test_disabled_logs_checks_do_not_run_and_a_crash_is_unknown_on_logs():
    disabled = run_checks(
        logs_snapshot(analysis()), registry(SeesLogs), CheckSettings(disabled=frozenset({"test.logs.sees"}))
    )
    assert disabled.outcomes == [] and disabled.findings == []
    crashed = run_checks(logs_snapshot(analysis()), registry(CrashesOnLogs))
    (finding,) = crashed.findings
    assert (finding.severity, finding.target, finding.customer) == (Severity.UNKNOWN, "logs", "acme")
    assert crashed.outcomes[0].status is OutcomeStatus.CRASHED


def test_instance_host_and_logs_checks_each_run_in_their_own_scope():
    snapshot = logs_snapshot(analysis(), instances=(instance(),), hosts=(host("jira-node1"),))
    result = run_checks(snapshot, registry(InstanceOnly, HostOnly, SeesLogs))
    assert sorted((f.check, f.target) for f in result.findings) == [
        ("test.host.only", "jira-node1"),
        ("test.instance.only", "jira-prod"),
        ("test.logs.sees", "logs"),
        ("test.logs.sees", "logs/node2"),
    ]
    without_logs = run_checks(
        logs_snapshot(instances=(instance(),), hosts=(host("jira-node1"),)),
        registry(InstanceOnly, HostOnly, SeesLogs),
    )
    assert {o.check for o in without_logs.outcomes} == {"test.instance.only", "test.host.only"}


def test_the_real_logs_checks_run_once_per_analysis_and_skip_without_their_logs():
    bare = analysis(gc=None, access=None, security=None)
    result = run_checks(logs_snapshot(bare, instances=(instance(),)), full_registry())
    logs_outcomes = {o.check: o for o in result.outcomes if o.target == "logs"}
    assert set(logs_outcomes) == {
        "logs.signatures",
        "logs.gc.pauses",
        "logs.gc.overhead",
        "logs.gc.heap_floor",
        "logs.gc.heap_floor_forecast",
        "logs.gc.evacuation",
        "logs.access.errors",
        "logs.access.latency",
        "logs.auth.bursts",
        "logs.restarts",
        "logs.files",
    }
    skipped = {c for c, o in logs_outcomes.items() if o.status is OutcomeStatus.SKIPPED}
    assert skipped == {
        "logs.gc.pauses",
        "logs.gc.overhead",
        "logs.gc.heap_floor",
        "logs.gc.heap_floor_forecast",
        "logs.gc.evacuation",
        "logs.access.errors",
        "logs.access.latency",
        "logs.auth.bursts",
    }
    assert logs_outcomes["logs.auth.bursts"].reason.startswith("no security log was analysed")
    assert not [o for o in result.outcomes if o.check.startswith("logs.") and o.target != "logs"]
    assert not [o for o in result.outcomes if o.target == "logs" and not o.check.startswith("logs.")]


def test_a_healthy_analysis_gives_no_problem():
    steady = [(HEAP_FLOOR_MB, node, daily(lambda d: 2000.0, 10)) for node in ("node1", "node2")]
    result = run_checks(logs_snapshot(analysis(history=history(*steady))), full_registry())
    assert result.findings
    assert {f.severity for f in result.findings} == {Severity.OK}, [
        (f.check, f.severity, f.message) for f in result.findings if f.severity is not Severity.OK
    ]
    assert all(o.status is OutcomeStatus.RAN for o in result.outcomes), result.outcomes


def test_now_is_the_last_event_else_the_window_never_the_wall_clock():
    until = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)
    assert logs_now(analysis()) == NOW - timedelta(minutes=1)
    assert logs_now(analysis(last_at=None, until=until)) == until
    assert logs_now(analysis(last_at=None, first_at=None, since=until.replace(tzinfo=None))) == until
    assert logs_now(analysis(last_at=None, first_at=None)) == NO_TIME
    ctx = LogsContext(meta=SeesLogs.meta, logs=analysis(last_at=None, first_at=None))
    assert (ctx.now, ctx.customer, ctx.subject) == (NO_TIME, "acme", "logs")


def test_logs_requires_are_validated_against_the_log_analysis():
    with pytest.raises(CheckDefinitionError, match="requires names unknown logs fields: jvms"):

        class BadLogs(LogsCheck):
            meta = meta("test.logs.bad", requires=("jvms",))

            def run(self, ctx):
                yield from ()

    class GoodLogs(LogsCheck):
        meta = meta("test.logs.good", requires=("gc", "access", "security"))

        def run(self, ctx):
            yield from ()

    assert GoodLogs.meta.requires == ("gc", "access", "security")
    with pytest.raises(CheckDefinitionError, match="requires names unknown instance fields: gc"):

        class InstanceReadsGc(InstanceCheck):  # an instance check has no GC log
            meta = meta("test.instance.gc", requires=("gc",))

            def run(self, ctx):
                yield from ()
