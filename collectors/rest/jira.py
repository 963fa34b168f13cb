"""Jira (Software, Service Management, Core): Server, Data Center and Cloud.

Only ``myself`` proves the credentials: serverInfo answers anonymously.
"""

from __future__ import annotations

from urllib.parse import quote

from collectors.model import Cluster, Deployment, ErrorKind, License
from collectors.rest.common import apps_step, health_checks_step, simple_step, status_step
from collectors.rest.parsing import (
    apply_jira_license,
    parse_application_roles,
    parse_cloud_plans,
    parse_cluster_nodes,
    parse_current_user,
    parse_index_summary,
    parse_server_info,
)
from collectors.rest.session import InstanceSession, Plan, Step
from collectors.target import InstanceTarget


def plan(target: InstanceTarget) -> Plan:
    if target.deployment is Deployment.CLOUD:
        # No ATST, UPM listing, cluster or index summary on Cloud: those fields stay None, no error.
        return Plan(
            status_step(),
            [
                simple_step("server_info", "rest/api/3/serverInfo", parse_server_info),
                simple_step("current_user", "rest/api/3/myself", parse_current_user),
                Step("licenses", "license", _cloud_licenses),
            ],
        )
    return Plan(
        status_step(),
        [
            simple_step("server_info", "rest/api/2/serverInfo", parse_server_info),
            simple_step("current_user", "rest/api/2/myself", parse_current_user),
            health_checks_step(),
            Step("licenses", "license", _licenses),
            Step("cluster", "cluster", _cluster),
            # Server deployments have an index too (without replication queues)
            simple_step("index", "rest/api/2/index/summary", parse_index_summary),
            apps_step(),
        ],
    )


def _licenses(session: InstanceSession) -> list[License] | None:
    """Seats per application role, then each role's licence (expiry, type, SEN).

    A role whose licence call fails keeps its seats; the failure is recorded under "license".
    """
    roles = session.get("license", "rest/api/2/applicationrole", parse=parse_application_roles)
    if not roles.ok:
        session.fail("license", roles.failure)
        return None
    licenses: list[License] = []
    for seats in roles.value:
        reply = session.get(
            f"license:{seats.application}",
            f"rest/plugins/applications/1.0/installed/{quote(seats.application, safe='')}/license",
            parse=lambda payload, seats=seats: apply_jira_license(seats, payload),
        )
        session.fail("license", reply.failure)
        licenses.append(reply.value if reply.ok else seats)
    return licenses


def _cloud_licenses(session: InstanceSession) -> list[License] | None:
    """Cloud has no expiry to read: seats per role plus the plan (FREE, STANDARD, PREMIUM, ...)."""
    roles = session.get("license", "rest/api/3/applicationrole", parse=parse_application_roles)
    plans = session.get("license:plans", "rest/api/3/instance/license", parse=parse_cloud_plans)
    session.fail("license", roles.failure)
    session.fail("license", plans.failure)
    if not roles.ok and not plans.ok:
        return None
    by_plan: dict[str, str | None] = plans.value if plans.ok else {}
    licenses = [
        lic.model_copy(update={"license_type": by_plan.get(lic.application)}) for lic in roles.value or []
    ]
    seen = {lic.application for lic in licenses}
    licenses += [License(application=app, license_type=p) for app, p in by_plan.items() if app not in seen]
    return licenses


def _cluster(session: InstanceSession) -> Cluster | None:
    reply = session.get("cluster", "rest/api/2/cluster/nodes", parse=parse_cluster_nodes, cluster_call=True)
    if reply.ok:
        return Cluster(clustered=True, nodes=reply.value)
    # An unclustered Jira (Server, or Data Center on one node) answers 405: a fact, not a failure.
    if reply.kind is ErrorKind.NOT_CLUSTERED:
        return Cluster(clustered=False)
    session.fail("cluster", reply.failure)
    return None
