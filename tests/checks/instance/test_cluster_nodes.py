"""instance.cluster.nodes: node liveness, states and versions of a Data Center cluster."""

from __future__ import annotations

from datetime import timedelta

import pytest

from atlas_health.testing.harness import analyse, findings_of, only, outcome_of, run_check
from atlas_health.testing.instances import NOW, error, instance, node
from checks.finding import Severity
from checks.instance.cluster_nodes import InstanceClusterNodes
from checks.runner import OutcomeStatus
from collectors.model import Cluster, Deployment, ErrorKind


def cluster(*nodes, clustered=True):
    return instance(cluster=Cluster(clustered=clustered, nodes=list(nodes)))


def test_all_active_is_ok_listing_nodes():
    finding = only(
        run_check(
            InstanceClusterNodes, cluster(node("node1", version="10.3.4"), node("node2", version="10.3.4"))
        )
    )
    assert finding.severity is Severity.OK
    assert finding.message == "2 nodes ACTIVE and alive: node1, node2 (all on 10.3.4)."


def test_not_clustered_is_info():
    finding = only(run_check(InstanceClusterNodes, cluster(clustered=False)))
    assert finding.severity is Severity.INFO
    assert "single node" in finding.title


def test_cluster_not_collected_skips_with_the_reason():
    inst = instance(cluster=None, errors=[error("cluster", ErrorKind.FORBIDDEN, "HTTP 403", status_code=403)])
    analysis = analyse(inst)
    outcome = outcome_of(analysis, "instance.cluster.nodes")
    assert outcome.status is OutcomeStatus.SKIPPED
    assert outcome.reason == "cluster not collected: HTTP 403"
    assert findings_of(analysis, "instance.cluster.nodes") == []


@pytest.mark.parametrize(
    ("changes", "severity", "words"),
    [
        pytest.param({"state": "OFFLINE"}, Severity.CRITICAL, "is OFFLINE", id="offline"),
        pytest.param({"alive": False}, Severity.CRITICAL, "is not alive (state ACTIVE)", id="dead"),
        pytest.param({"state": "NO HEARTBEAT"}, Severity.WARNING, "heartbeat", id="no-heartbeat"),
        pytest.param({"state": "PASSIVATING"}, Severity.WARNING, "is PASSIVATING", id="passivating"),
    ],
)
def test_node_problems(changes, severity, words):
    changed = node("node2", last_state_change=NOW - timedelta(hours=2), **changes)
    finding = only(run_check(InstanceClusterNodes, cluster(node("node1"), changed)))
    assert finding.severity is severity
    assert words in finding.message
    assert "since 2026-11-26 08:00 UTC" in finding.message
    assert "10.0.0.12" in finding.message
    assert finding.target == "jira-prod/node2"


def test_mixed_versions_is_a_warning_listing_them():
    findings = run_check(
        InstanceClusterNodes,
        cluster(
            node("node1", version="10.3.4"), node("node2", version="10.3.4"), node("node3", version="10.3.6")
        ),
    )
    finding = only(findings)
    assert finding.severity is Severity.WARNING
    assert (
        finding.message
        == "The running nodes are on 2 different versions: 10.3.4 on node1, node2; 10.3.6 on node3."
    )


def test_offline_node_on_an_old_version_does_not_count_as_mixed():
    findings = run_check(
        InstanceClusterNodes,
        cluster(
            node("node1", version="10.3.6"), node("node2", version="10.3.4", state="OFFLINE", alive=False)
        ),
    )
    assert [f.severity for f in findings] == [Severity.CRITICAL]


def test_two_down_nodes_give_two_findings():
    findings = run_check(
        InstanceClusterNodes, cluster(node("node1", state="OFFLINE"), node("node2", alive=False))
    )
    assert len({f.fingerprint for f in findings}) == 2


def test_clustered_without_nodes_is_unknown():
    assert only(run_check(InstanceClusterNodes, cluster())).severity is Severity.UNKNOWN


def test_through_the_runner():
    inst = cluster(node("node1"), node("node2", state="OFFLINE"))
    assert only(findings_of(analyse(inst), "instance.cluster.nodes")).severity is Severity.CRITICAL
    assert outcome_of(analyse(instance(deployment=Deployment.SERVER)), "instance.cluster.nodes") is None
    missing = outcome_of(analyse(instance(cluster=None)), "instance.cluster.nodes")
    assert missing.status is OutcomeStatus.SKIPPED
    assert missing.reason == "cluster not collected for this product or deployment"
