"""jira.index.replication: lag and size of the index replication queues of a Data Center node."""

from __future__ import annotations

import pytest

from atlas_health.testing.harness import analyse, evidence, findings_of, only, outcome_of, run_check
from atlas_health.testing.instances import index_summary, instance, node, queue
from checks.finding import Severity
from checks.jira.index_replication import JiraIndexReplication, queue_lag_s
from checks.runner import OutcomeStatus
from collectors.model import Cluster, Deployment, ReplicationQueue


def queues(*qs, **kw):
    return instance(index=index_summary(replication_queues=list(qs)), **kw)


@pytest.mark.parametrize(
    ("lag", "size", "severity", "words"),
    [
        pytest.param(0, 0, Severity.OK, "node2 0 s behind, 0 queued", id="current"),
        pytest.param(59, 99, Severity.OK, "node2 59 s behind, 99 queued", id="just-below"),
        pytest.param(60, 0, Severity.WARNING, "60 s behind (warning from 60 s)", id="lag-warning"),
        pytest.param(
            0, 100, Severity.WARNING, "100 operations waiting (warning from 100)", id="queue-warning"
        ),
        pytest.param(
            763,
            4200,
            Severity.CRITICAL,
            "763 s behind (critical from 300 s) and 4,200 operations",
            id="critical-with-queue",
        ),
    ],
)
def test_lag_and_queue(lag, size, severity, words):
    finding = only(run_check(JiraIndexReplication, queues(queue("node2", lag_s=lag, size=size))))
    assert finding.severity is severity
    assert words in finding.message


def test_problem_finding_targets_the_lagging_node():
    finding = only(run_check(JiraIndexReplication, queues(queue("node2"), queue("node3", lag_s=400))))
    assert finding.target == "jira-prod/node3"
    assert finding.message.startswith("Index replication from node1 to node3 is 400 s behind")
    assert evidence(finding)["lag s"] == 400.0


def test_no_queues_on_a_multi_node_cluster_is_info():
    inst = queues(cluster=Cluster(clustered=True, nodes=[node("node1"), node("node2"), node("node3")]))
    finding = only(run_check(JiraIndexReplication, inst))
    assert finding.severity is Severity.INFO
    assert "3 nodes" in finding.message


def test_no_queues_on_a_single_node_is_ok():
    inst = queues(cluster=Cluster(clustered=False))
    assert only(run_check(JiraIndexReplication, inst)).severity is Severity.OK


def test_unknown_times_fall_back_to_the_queue_size():
    q = ReplicationQueue(name="node2", queue_size=500)
    assert queue_lag_s(q) is None
    assert only(run_check(JiraIndexReplication, queues(q))).severity is Severity.WARNING


def test_threshold_override():
    inst = queues(queue("node2", lag_s=30))
    assert only(run_check(JiraIndexReplication, inst, warning_lag_s=20)).severity is Severity.WARNING


def test_through_the_runner():
    inst = queues(queue("node2", lag_s=900))
    assert only(findings_of(analyse(inst), "jira.index.replication")).severity is Severity.CRITICAL
    assert outcome_of(analyse(instance(deployment=Deployment.SERVER)), "jira.index.replication") is None
    assert outcome_of(analyse(instance(index=None)), "jira.index.replication").status is OutcomeStatus.SKIPPED
