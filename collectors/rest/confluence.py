"""Confluence: Server, Data Center and Cloud."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from collectors.model import Cluster, Deployment, ErrorKind, License
from collectors.rest.cloud import parse_confluence_edition
from collectors.rest.common import apps_step, health_checks_step, simple_step, status_step
from collectors.rest.parsing import (
    parse_cluster_nodes,
    parse_confluence_license,
    parse_count,
    parse_current_user,
    parse_server_info,
    with_confluence_counts,
)
from collectors.rest.session import InstanceSession, Plan, Step
from collectors.target import InstanceTarget

_LICENSE = "rest/license/1.0/license"


def plan(target: InstanceTarget) -> Plan:
    if target.deployment is Deployment.CLOUD:
        # Cloud (base URL ends in /wiki) offers none of the admin endpoints: not applicable, no error.
        return Plan(
            status_step(),
            [
                simple_step("current_user", "rest/api/user/current", parse_current_user),
                simple_step("cloud.products", "rest/api/settings/systemInfo", parse_confluence_edition),
            ],
        )
    return Plan(
        status_step(),
        [
            simple_step("server_info", "rest/api/server-information", parse_server_info),
            # Confluence answers {"type": "anonymous"} when credentials are missing: see parse_current_user
            simple_step("current_user", "rest/api/user/current", parse_current_user),
            health_checks_step(),
            Step("licenses", "license", _licenses),
            Step("cluster", "cluster", _cluster),
            apps_step(),
        ],
    )


def _licenses(session: InstanceSession) -> list[License] | None:
    details = session.get("license", f"{_LICENSE}/details", parse=parse_confluence_license)
    users = session.get("license:userCount", f"{_LICENSE}/userCount", parse=_counter("userCount"))
    max_users = session.get("license:maxUsers", f"{_LICENSE}/maxUsers", parse=_counter("maxUsers"))
    for reply in (details, users, max_users):
        session.fail("license", reply.failure)
    if not details.ok:
        return None
    return [with_confluence_counts(details.value, users.value, max_users.value)]


def _counter(name: str) -> Callable[[Any], int]:
    return lambda payload: parse_count(payload, name)


def _cluster(session: InstanceSession) -> Cluster | None:
    """rest/api/cluster/nodes (9.5+), else the ZDU endpoint older Data Center versions serve.

    An unclustered instance answers 404 then 403 "requires a clustered installation": not clustered, no error.
    """
    reply = session.get("cluster", "rest/api/cluster/nodes", parse=parse_cluster_nodes, cluster_call=True)
    if reply.kind is ErrorKind.NOT_FOUND:
        reply = session.get("cluster:zdu", "rest/zdu/cluster", parse=parse_cluster_nodes, cluster_call=True)
    if reply.ok:
        return Cluster(clustered=True, nodes=reply.value)
    if reply.kind is ErrorKind.NOT_CLUSTERED:
        return Cluster(clustered=False)
    session.fail("cluster", reply.failure)
    return None
