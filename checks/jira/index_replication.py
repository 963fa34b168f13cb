"""jira.index.replication: do the index replication queues between Data Center nodes keep up?"""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import InstanceCheck, collected
from checks.context import InstanceContext
from checks.finding import Category, Evidence, Finding, Severity
from checks.instance._calls import moment, plural, source
from checks.metadata import CheckMeta
from collectors.model import ReplicationQueue
from collectors.products import Deployment, Product

INDEX_REPLICATION_KB = (
    "https://confluence.atlassian.com/jirakb/jira-health-check-shows-the-message-index-replication-for-cluster-"
    "node-node-is-behind-by-number-seconds-1055688675.html"
)


def queue_lag_s(queue: ReplicationQueue) -> float | None:
    """Seconds between the newest operation queued and the newest one consumed."""
    if queue.last_queued_time is None or queue.last_consumed_time is None:
        return None
    return max(0.0, (queue.last_queued_time - queue.last_consumed_time).total_seconds())


def _size(queue: ReplicationQueue) -> str:
    return f"{queue.queue_size:,}" if queue.queue_size is not None else "?"


class JiraIndexReplication(InstanceCheck):
    meta = CheckMeta(
        id="jira.index.replication",
        title="Jira index replication",
        description=(
            "For Jira Data Center: how far each index replication queue of the answering node lags (the "
            "newest queued operation against the newest consumed one) and how many operations wait. A "
            "lagging node shows other nodes' changes late in searches and boards."
        ),
        category=Category.INTEGRITY,
        default_severity=Severity.WARNING,
        products=(Product.JIRA,),
        deployments=(Deployment.DATACENTER,),
        requires=("index",),
        thresholds={"warning_lag_s": 60, "critical_lag_s": 300, "warning_queue": 100},
        references=(INDEX_REPLICATION_KB,),
    )

    def run(self, ctx: InstanceContext) -> Iterator[Finding]:
        inst = ctx.instance
        index = collected(inst.index, "index")
        src = source(inst, "index")
        at = index.report_time
        queues = index.replication_queues
        if not queues:
            nodes = len(inst.cluster.nodes) if inst.cluster is not None and inst.cluster.clustered else 0
            if nodes > 1:
                yield ctx.finding(
                    Severity.INFO,
                    "No index replication queues reported",
                    f"The cluster has {nodes} nodes but the index summary of "
                    f"{index.node_id or 'the answering node'} lists no replication queues.",
                    evidence=[
                        Evidence(label="cluster nodes", value=nodes, source=source(inst, "cluster")),
                        Evidence(label="replication queues", value=0, source=src, time=at),
                    ],
                    recommendation="Check the node's index replication in atlassian-jira.log.",
                )
            else:
                yield ctx.ok(
                    "No index replication to check",
                    "The answering node has no index replication queues (a single node replicates nothing).",
                    evidence=[Evidence(label="replication queues", value=0, source=src, time=at)],
                )
            return
        warning_lag = ctx.threshold("warning_lag_s")
        critical_lag = ctx.threshold("critical_lag_s")
        warning_queue = ctx.threshold("warning_queue")
        problems = 0
        for queue in queues:
            lag = queue_lag_s(queue)
            size = queue.queue_size
            evidence = [
                Evidence(label="queue", value=queue.name, source=src, time=at),
                Evidence(label="lag s", value=None if lag is None else round(lag, 1), source=src, time=at),
                Evidence(label="queue size", value=size, source=src, time=at),
                Evidence(
                    label="last queued",
                    value=moment(queue.last_queued_time) if queue.last_queued_time else None,
                    source=src,
                    time=queue.last_queued_time,
                ),
                Evidence(
                    label="last consumed",
                    value=moment(queue.last_consumed_time) if queue.last_consumed_time else None,
                    source=src,
                    time=queue.last_consumed_time,
                ),
            ]
            reasons = []
            severity = None
            if lag is not None and lag >= critical_lag:
                severity = Severity.CRITICAL
                reasons.append(f"{lag:,.0f} s behind (critical from {critical_lag} s)")
            elif lag is not None and lag >= warning_lag:
                severity = Severity.WARNING
                reasons.append(f"{lag:,.0f} s behind (warning from {warning_lag} s)")
            if size is not None and size >= warning_queue:
                severity = severity or Severity.WARNING
                reasons.append(f"{size:,} operations waiting (warning from {warning_queue})")
            if severity is None:
                continue
            problems += 1
            source_node = index.node_id or "the answering node"
            yield ctx.finding(
                severity,
                f"Index replication to {queue.name} is behind",
                f"Index replication from {source_node} to {queue.name} is {' and '.join(reasons)}: changes "
                f"made on {source_node} show up late in {queue.name}'s searches and boards.",
                evidence=evidence,
                recommendation=(
                    f"Check {queue.name}'s atlassian-jira.log for index replication errors, its load and GC, "
                    "and the shared home's latency; a node that cannot catch up can be restarted to recover "
                    "its index from a snapshot."
                ),
                node=queue.name,
                key=queue.name,
            )
        if problems:
            return
        detail = ", ".join(f"{q.name} {queue_lag_s(q) or 0:,.0f} s behind, {_size(q)} queued" for q in queues)
        yield ctx.ok(
            "Index replication keeps up",
            f"{plural(len(queues), 'replication queue')} of {index.node_id or 'the answering node'} keep up: "
            f"{detail}.",
            evidence=[
                Evidence(label=f"{q.name} lag s", value=queue_lag_s(q), source=src, time=at) for q in queues
            ],
        )
