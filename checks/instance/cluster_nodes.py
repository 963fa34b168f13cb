"""instance.cluster.nodes: are all Data Center nodes alive, active and on the same version?"""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import InstanceCheck, collected
from checks.context import InstanceContext
from checks.finding import Category, Evidence, Finding, Severity
from checks.instance._calls import moment, plural, product_name, source
from checks.metadata import CheckMeta
from collectors.model import ClusterNode
from collectors.products import Deployment

CLUSTER_MONITORING_KB = (
    "https://confluence.atlassian.com/adminjiraserver0915/jira-cluster-monitoring-1402410927.html"
)

HEALTHY_STATES = frozenset({"ACTIVE", "RUNNING"})
DOWN_STATES = frozenset({"OFFLINE", "ERROR"})


def node_state(node: ClusterNode) -> str:
    """Upper case with underscores: "NO HEARTBEAT" and "no_heartbeat" are the same state."""
    return (node.state or "").strip().upper().replace(" ", "_")


class InstanceClusterNodes(InstanceCheck):
    meta = CheckMeta(
        id="instance.cluster.nodes",
        title="Cluster nodes",
        description=(
            "For Data Center clusters: every node must be alive and ACTIVE, and all nodes must run the "
            "same version outside a rolling upgrade. An OFFLINE node or a dead one carries no traffic."
        ),
        category=Category.AVAILABILITY,
        default_severity=Severity.CRITICAL,
        deployments=(Deployment.DATACENTER,),
        requires=("cluster",),
        references=(CLUSTER_MONITORING_KB,),
    )

    def run(self, ctx: InstanceContext) -> Iterator[Finding]:
        inst = ctx.instance
        cluster = collected(inst.cluster, "cluster")
        src = source(inst, "cluster")
        product = product_name(inst)
        if not cluster.clustered:
            yield ctx.finding(
                Severity.INFO,
                f"{product} Data Center runs as a single node",
                f"This {product} Data Center instance is not clustered: one node, so no failover when it "
                "goes down.",
                evidence=[Evidence(label="clustered", value=False, source=src, time=ctx.now)],
                recommendation="Fine for a small instance; add nodes behind a load balancer for failover.",
            )
            return
        if not cluster.nodes:
            yield ctx.finding(
                Severity.UNKNOWN,
                "Cluster reported no nodes",
                "The instance says it is clustered but listed no nodes.",
                evidence=[Evidence(label="nodes", value=0, source=src, time=ctx.now)],
                recommendation="Check the cluster nodes page in the product's administration.",
            )
            return
        problems = 0
        for node in cluster.nodes:
            finding = self._node(ctx, node, src)
            if finding is not None:
                problems += 1
                yield finding
        running = [n for n in cluster.nodes if node_state(n) not in DOWN_STATES and n.alive is not False]
        versions: dict[str, list[str]] = {}
        for node in running:
            if node.version:
                versions.setdefault(node.version, []).append(node.node_id)
        if len(versions) > 1:
            problems += 1
            spread = "; ".join(f"{v} on {', '.join(ids)}" for v, ids in sorted(versions.items()))
            yield ctx.finding(
                Severity.WARNING,
                "Cluster nodes run different versions",
                f"The running nodes are on {len(versions)} different versions: {spread}.",
                evidence=[
                    Evidence(label=f"{n.node_id} version", value=n.version, source=src, time=ctx.now)
                    for n in running
                ],
                recommendation=(
                    "Mixed versions are only expected during a rolling (zero-downtime) upgrade. If none is "
                    "in progress, upgrade the remaining nodes to the same version."
                ),
                key="versions",
            )
        if problems:
            return
        ids = ", ".join(n.node_id for n in cluster.nodes)
        version = next(iter(versions), None)
        yield ctx.ok(
            "All cluster nodes active",
            f"{plural(len(cluster.nodes), 'node')} ACTIVE and alive: {ids}"
            + (f" (all on {version})." if version else "."),
            evidence=[
                Evidence(label=n.node_id, value=f"{n.state} alive={n.alive}", source=src, time=ctx.now)
                for n in cluster.nodes
            ],
        )

    def _node(self, ctx: InstanceContext, node: ClusterNode, src: str) -> Finding | None:
        state = node_state(node)
        where = f"{node.node_id}" + (f" ({node.ip})" if node.ip else "")
        since = f" since {moment(node.last_state_change)}" if node.last_state_change else ""
        evidence = [
            Evidence(label="node", value=node.node_id, source=src, time=ctx.now),
            Evidence(label="state", value=node.state, source=src, time=ctx.now),
            Evidence(label="alive", value=node.alive, source=src, time=ctx.now),
            Evidence(label="ip", value=node.ip, source=src, time=ctx.now),
            Evidence(label="version", value=node.version, source=src, time=ctx.now),
            Evidence(
                label="last state change",
                value=moment(node.last_state_change) if node.last_state_change else None,
                source=src,
                time=node.last_state_change,
            ),
        ]
        if node.alive is False or state in DOWN_STATES:
            what = f"is {state}" if state in DOWN_STATES else "is not alive"
            if node.alive is False and state and state not in DOWN_STATES:
                what = f"is not alive (state {state})"
            return ctx.finding(
                Severity.CRITICAL,
                f"Cluster node {node.node_id} is down",
                f"Node {where} {what}{since}: it serves no users and the remaining nodes carry its load.",
                evidence=evidence,
                recommendation=(
                    "Check the node's process and logs. If it was removed on purpose, remove it from the "
                    "cluster so it stops being reported."
                ),
                node=node.node_id,
                key=node.node_id,
            )
        if state and state not in HEALTHY_STATES:
            shown = state.replace("_", " ")
            hint = (
                "it has not sent a heartbeat for at least 5 minutes (hung, or cut off from the database)"
                if state == "NO_HEARTBEAT"
                else "it is changing state or not taking traffic"
            )
            return ctx.finding(
                Severity.WARNING,
                f"Cluster node {node.node_id} is {shown}",
                f"Node {where} is {shown}{since}: {hint}.",
                evidence=evidence,
                recommendation="Check the node's logs and thread dumps; re-check shortly.",
                node=node.node_id,
                key=node.node_id,
            )
        return None
