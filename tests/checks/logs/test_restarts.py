"""logs.restarts: one restart per node looks planned; repeats and node-after-node restarts do not."""

from __future__ import annotations

import pytest

from atlas_health.testing.harness import findings_of, only, registry
from atlas_health.testing.logs import analysis, at, log_file, logs_snapshot, restart, run_logs_check
from checks.finding import Severity
from checks.logs.restarts import LogsRestarts
from checks.runner import CheckSettings, SkipCheck, run_checks
from collectors.logs.model import LogKind, RestartEvent


def restarts(*events, **thresholds):
    return only(run_logs_check(LogsRestarts, analysis(restarts=list(events)), **thresholds))


def test_no_restart_is_ok():
    finding = restarts()
    assert finding.check == "logs.restarts"
    assert finding.severity is Severity.OK
    assert finding.message == (
        "No product start or stop was logged between 2026-11-26 06:00 UTC and 2026-11-26 09:59 UTC."
    )


def test_one_restart_of_the_cluster_at_once_is_info():
    finding = restarts(
        restart("node1", 60, "jira-stopping", "Stopping Jira"),
        restart("node1", 64),
        restart("node1", 75, "jira-ready", "Jira is ready"),  # markers of one restart: one episode
        restart("node2", 62),
    )
    assert finding.severity is Severity.INFO
    assert finding.title == "2 restarts in the window"
    assert finding.message == (
        "2 restarts (node1 at 2026-11-26 07:00 UTC; node2 at 2026-11-26 07:02 UTC) seen in the window: at most 1 "
        "per node and none one after another across nodes, which looks planned."
    )
    assert [(e.label, e.time, e.source) for e in finding.evidence] == [
        ("node1 restart", at(60), "jira-stopping"),
        ("node2 restart", at(62), "jira-starting"),
    ]


def test_a_node_restarting_more_than_once_is_a_warning_with_its_times():
    finding = restarts(restart("node1", 20), restart("node1", 110), restart("node1", 200))
    assert finding.severity is Severity.WARNING
    assert finding.title == "Repeated restarts on node1"
    assert finding.message == (
        "3 restarts (node1 at 2026-11-26 06:20 UTC, 2026-11-26 07:50 UTC, 2026-11-26 09:20 UTC) seen in the "
        "window: node1 restarted 3 times, more than the 1 expected."
    )
    assert [e.time for e in finding.evidence] == [at(20), at(110), at(200)]
    assert "OutOfMemoryError" in finding.recommendation


def test_nodes_going_down_one_after_another_are_a_warning():
    finding = restarts(restart("node1", 60), restart("node2", 85))
    assert finding.severity is Severity.WARNING
    assert finding.title == "Nodes restarted one after another: node1 and node2"
    assert finding.message.endswith("seen in the window: node2 restarted 25 min after node1.")
    apart = restarts(restart("node1", 20), restart("node2", 200))  # hours apart: planned-looking
    assert apart.severity is Severity.INFO


def test_restart_thresholds_come_from_the_settings():
    events = [restart("node1", 20), restart("node1", 110)]
    assert restarts(*events, max_per_node=2).severity is Severity.INFO
    assert restarts(*events, episode_min=120).title == "1 restart in the window"
    settings = CheckSettings(thresholds={"logs.restarts": {"cascade_min": 10}})
    result = run_checks(
        logs_snapshot(analysis(restarts=[restart("node1", 60), restart("node2", 85)])), registry(), settings
    )
    assert only(findings_of(result, "logs.restarts")).severity is Severity.INFO


def test_markers_without_a_time_are_counted_but_not_timed():
    finding = restarts(RestartEvent(at=None, node="node2", signature="jira-starting", text="Starting Jira"))
    assert finding.severity is Severity.INFO
    assert "1 restart marker without a time seen in the window: at most 1 per node" in finding.message
    assert finding.evidence[0].label == "node2 restart marker without a time"


def test_skipped_without_application_or_catalina_logs():
    gc_only = analysis(files=[log_file("gc.log", kind=LogKind.GC_UNIFIED)])
    with pytest.raises(SkipCheck, match="no application or catalina log"):
        run_logs_check(LogsRestarts, gc_only)
    unknown_product = analysis(files=[log_file("atlassian-plugin.log", kind=LogKind.APPLICATION)])
    assert only(run_logs_check(LogsRestarts, unknown_product)).severity is Severity.OK
