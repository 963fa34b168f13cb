"""Bitbucket Server and Data Center: status, version, user, licence, cluster, search index, mail, mirrors,
ATST and apps. Bitbucket Cloud is a Cloud site and is not collected here.

Authentication: a personal access token (Bearer) or a user and password (basic). The licence, cluster,
mail server and mirrors need a system administrator.
"""

from __future__ import annotations

from typing import Any

import requests

from collectors.facts.bitbucket import MailServer, Mirror, SearchIndex
from collectors.model import Cluster, ClusterNode, CurrentUser, ErrorKind
from collectors.rest.bitbucket_parsing import (
    current_user_from,
    index_unavailable,
    parse_admin_cluster,
    parse_application_properties,
    parse_index_status,
    parse_license,
    parse_mail_server,
    parse_mirrors,
    parse_zdu_nodes,
)
from collectors.rest.common import apps_step, health_checks_step, simple_step, status_step
from collectors.rest.session import InstanceSession, Plan, Step
from collectors.target import InstanceTarget

API = "rest/api/1.0"
PROPERTIES = f"{API}/application-properties"
INDEX_STATUS = "rest/indexing/latest/status"
MIRRORS = "rest/mirroring/1.0/mirrorServers"


def plan(target: InstanceTarget) -> Plan:
    return Plan(
        status_step(),  # STARTING answers 503, MAINTENANCE 200 (Bitbucket KB)
        [
            simple_step("server_info", PROPERTIES, parse_application_properties),
            Step("current_user", "current_user", _current_user),
            health_checks_step(),
            simple_step("licenses", f"{API}/admin/license", parse_license, call="license"),
            Step("cluster", "cluster", _cluster),
            apps_step(),
            Step("bitbucket.index", "bitbucket.index", _index),
            Step("bitbucket.mail", "bitbucket.mail", _mail),
            Step("bitbucket.mirrors", "bitbucket.mirrors", _mirrors),
        ],
    )


def _current_user(session: InstanceSession) -> CurrentUser | None:
    """application-properties answers anyone; with credentials its X-AUSERNAME header names the user.

    Rejected credentials get a 401 even here, so a 200 without the header means the request was anonymous.
    """
    headers: dict[str, str] = {}

    def keep(response: requests.Response) -> None:
        headers.update(response.headers)

    reply = session.get(
        "current_user", PROPERTIES, on_response=keep, parse=lambda _payload: current_user_from(headers)
    )
    if not reply.ok:
        session.fail("current_user", reply.failure)
        return None
    user: CurrentUser = reply.value
    return user


def _cluster(session: InstanceSession) -> Cluster | None:
    """The rolling upgrade resource names every node with its state (OFFLINE included); where it is
    missing (404), admin/cluster lists the connected nodes. One node alone is not a cluster."""
    reply = session.get("cluster", "rest/zdu/cluster", parse=parse_zdu_nodes, cluster_call=True)
    if reply.kind is ErrorKind.NOT_FOUND:
        reply = session.get(
            "cluster:admin", f"{API}/admin/cluster", parse=parse_admin_cluster, cluster_call=True
        )
    if reply.kind is ErrorKind.NOT_CLUSTERED:
        return Cluster(clustered=False)
    if not reply.ok:
        session.fail("cluster", reply.failure)
        return None
    nodes: list[ClusterNode] = reply.value
    return Cluster(clustered=len(nodes) > 1, nodes=nodes)


def _index(session: InstanceSession) -> SearchIndex | None:
    """IDLE or INDEXING; a 503 with Bitbucket's JSON error is the search server being down (data, not a
    failed call). Any other failure, a Tomcat 500 page included, is recorded as a failed call."""
    seen: dict[str, Any] = {}

    def keep(response: requests.Response) -> None:
        seen["status"] = response.status_code

    def parse(payload: Any) -> SearchIndex:
        status = seen.get("status")
        return index_unavailable(payload, status) if status == 503 else parse_index_status(payload)

    reply = session.get(
        "bitbucket.index",
        INDEX_STATUS,
        parse=parse,
        on_response=keep,
        answer_on_error=lambda payload: seen.get("status") == 503 and isinstance(payload, dict),
    )
    if not reply.ok:
        session.fail("bitbucket.index", reply.failure)
        return None
    index: SearchIndex = reply.value
    return index


def _mail(session: InstanceSession) -> MailServer | None:
    """Not configured: 404 (NoMailHostConfigurationException) or 204 with no body."""
    reply = session.get("bitbucket.mail", f"{API}/admin/mail-server", parse=parse_mail_server)
    status = reply.record.status_code if reply.record is not None else None
    if reply.kind is ErrorKind.NOT_FOUND or (reply.kind is ErrorKind.MALFORMED_JSON and status == 204):
        return MailServer(configured=False)
    if not reply.ok:
        session.fail("bitbucket.mail", reply.failure)
        return None
    mail: MailServer = reply.value
    return mail


def _mirrors(session: InstanceSession) -> list[Mirror] | None:
    """Smart Mirroring (Data Center): a 404 means the mirroring plugin is not there, so no mirrors apply."""
    reply = session.get("bitbucket.mirrors", MIRRORS, params={"limit": 100}, parse=parse_mirrors)
    if reply.kind is ErrorKind.NOT_FOUND:
        return None
    if not reply.ok:
        session.fail("bitbucket.mirrors", reply.failure)
        return None
    mirrors: list[Mirror] = reply.value
    return mirrors
