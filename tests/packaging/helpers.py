"""Shared pieces of the packaging tests: a small recorded snapshot written as a bundle."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from agent.bundle import write_bundle
from checks.runner import CheckSettings
from collectors.model import (
    CallRecord,
    Cluster,
    ClusterNode,
    CurrentUser,
    Deployment,
    InstanceSnapshot,
    Product,
    ProductStatus,
    ServerInfo,
    Snapshot,
)

REPO = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)


def recorded_snapshot() -> Snapshot:
    jira = InstanceSnapshot(
        customer="acme",
        instance="acme-jira",
        product=Product.JIRA,
        deployment=Deployment.DATACENTER,
        url="https://jira.acme.example",
        started_at=NOW,
        finished_at=NOW,
        calls=[
            CallRecord(
                call="status",
                url="https://jira.acme.example/status",
                started_at=NOW,
                elapsed_ms=42.0,
                status_code=200,
                ok=True,
            )
        ],
        status=ProductStatus(state="RUNNING", http_status=200),
        server_info=ServerInfo(version="10.3.4", version_numbers=[10, 3, 4], deployment_type="Server"),
        current_user=CurrentUser(authenticated=True, username="svc-health", display_name="Health Check"),
        cluster=Cluster(
            clustered=True,
            nodes=[
                ClusterNode(node_id="node1", state="ACTIVE", alive=True, version="10.3.4"),
                ClusterNode(node_id="node2", state="OFFLINE", alive=False, version="10.3.4"),
            ],
        ),
    )
    return Snapshot(tool_version="test", started_at=NOW, finished_at=NOW, instances=[jira])


def write_recorded_bundle(directory: Path) -> Path:
    write_bundle(directory, recorded_snapshot(), CheckSettings(), "test")
    return directory
