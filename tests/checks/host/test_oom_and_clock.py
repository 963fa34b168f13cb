"""host.oom_killer and host.clock.skew."""

from __future__ import annotations

from datetime import timedelta

from atlas_health.testing.harness import only, registry
from atlas_health.testing.hosts import host, run_host_check
from atlas_health.testing.instances import NOW, instance, snapshot
from checks.finding import Severity
from checks.host.clock_skew import HostClockSkew
from checks.host.oom_killer import HostOomKiller
from checks.runner import OutcomeStatus, run_checks
from collectors.hosts.model import ClockReading, HostError, HostErrorKind, OomEvent

KILLED = "Out of memory: Killed process 4242 (java) total-vm:12345678kB, anon-rss:9000000kB, file-rss:0kB"


def test_no_oom_kill_is_ok():
    finding = only(run_host_check(HostOomKiller, host()))
    assert (finding.check, finding.severity) == ("host.oom_killer", Severity.OK)


def test_a_killed_java_process_is_critical():
    event = OomEvent(at=NOW - timedelta(hours=5), pid=4242, process="java", rss_kb=9000000, line=KILLED)
    finding = only(run_host_check(HostOomKiller, host(oom_events=[event])))
    assert (finding.severity, finding.title) == (Severity.CRITICAL, "The OOM killer ended a Java process")


def test_other_victims_warn_and_old_kills_are_outside_the_window():
    other = OomEvent(at=NOW - timedelta(hours=2), pid=77, process="node", line="Killed process 77 (node)")
    assert only(run_host_check(HostOomKiller, host(oom_events=[other]))).severity is Severity.WARNING
    old = OomEvent(at=NOW - timedelta(days=30), pid=4242, process="java", line=KILLED)
    assert only(run_host_check(HostOomKiller, host(oom_events=[old]))).severity is Severity.OK


def test_unreadable_kernel_log_skips():
    subject = host(
        oom_events=None,
        errors=[
            HostError(
                call="oom_events",
                kind=HostErrorKind.PERMISSION_DENIED,
                message="kernel log not readable (dmesg: Operation not permitted)",
                at=NOW,
            )
        ],
    )
    analysis = run_checks(snapshot(instance()).model_copy(update={"hosts": [subject]}), registry())
    outcome = next(o for o in analysis.outcomes if o.check == "host.oom_killer")
    assert outcome.status is OutcomeStatus.SKIPPED
    assert (
        outcome.reason == "oom events not collected: kernel log not readable (dmesg: Operation not permitted)"
    )


def clocked(name: str, offset: float, node: str = "node1"):
    return host(name, node=node, clock=ClockReading(host_time=NOW, offset_s=offset, uncertainty_s=0.01))


def test_cluster_nodes_in_step_are_ok():
    a, b = clocked("jira-node1", 0.05), clocked("jira-node2", 0.10, "node2")
    finding = only(run_host_check(HostClockSkew, a, peers=(b,)))
    assert (finding.check, finding.severity) == ("host.clock.skew", Severity.OK)


def test_cluster_nodes_out_of_step():
    a, b = clocked("jira-node1", 0.0), clocked("jira-node2", 2.5, "node2")
    finding = only(run_host_check(HostClockSkew, a, peers=(b,)))
    assert (finding.severity, finding.title) == (Severity.WARNING, "Clocks of cluster nodes disagree")
    assert "jira-node1 and jira-node2 (both serving jira-prod)" in finding.message
    far = clocked("jira-node3", 9.0, "node3")
    assert only(run_host_check(HostClockSkew, a, peers=(b, far))).severity is Severity.CRITICAL


def test_hosts_of_other_instances_are_not_peers():
    a = clocked("jira-node1", 0.0)
    elsewhere = host(
        "wiki-node1",
        instance="confluence-prod",
        clock=ClockReading(host_time=NOW, offset_s=30.0, uncertainty_s=0.01),
    )
    assert only(run_host_check(HostClockSkew, a, peers=(elsewhere,))).severity is Severity.OK


def test_a_lone_host_is_compared_with_the_agent_and_only_warns():
    finding = only(run_host_check(HostClockSkew, clocked("jira-node1", 60.0)))
    assert (finding.severity, finding.title) == (Severity.WARNING, "Host clock differs from the agent's")


def test_no_clock_reading_skips():
    analysis = run_checks(snapshot(instance()).model_copy(update={"hosts": [host(clock=None)]}), registry())
    outcome = next(o for o in analysis.outcomes if o.check == "host.clock.skew")
    assert (outcome.status, outcome.reason) == (OutcomeStatus.SKIPPED, "clock not collected on this host")
