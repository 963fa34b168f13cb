"""Crowd (Server / Data Center): status, server info, the agent's user, directories, ATST and apps.

Authentication: the admin REST API (/rest/admin/1.0) takes a Crowd administrator's user name and
password (basic); Crowd has no personal access tokens. The usermanagement API would need an
application's name and password instead, and is not used. The base URL includes the context path
(usually /crowd), so /status is <base>/status.
"""

from __future__ import annotations

import requests

from collectors.facts.crowd import CrowdDirectory
from collectors.model import CurrentUser
from collectors.rest.common import apps_step, health_checks_step, simple_step, status_step
from collectors.rest.crowd_parsing import parse_directories
from collectors.rest.parsing import parse_server_info
from collectors.rest.session import InstanceSession, Plan, Step
from collectors.target import InstanceTarget

ADMIN = "rest/admin/1.0"
USER_HEADER = "X-AUSERNAME"
DIRECTORY_PAGE = 1000  # Crowd instances have a handful of directories; one page holds them all


def plan(target: InstanceTarget) -> Plan:
    return Plan(
        status_step(),
        [
            simple_step("server_info", f"{ADMIN}/server-info", parse_server_info),
            Step("current_user", "current_user", _current_user),
            health_checks_step(),
            apps_step(),
            Step("crowd.directories", "crowd.directories", _directories),
        ],
    )


def _current_user(session: InstanceSession) -> CurrentUser | None:
    """Crowd has no "who am I" resource for user credentials. An admin resource that accepts them proves
    them; the user is the one the answer names (X-AUSERNAME) or else the one the basic credentials gave."""
    headers: dict[str, str] = {}

    def keep(response: requests.Response) -> None:
        headers.update(response.headers)

    def user(_payload: object) -> CurrentUser:
        if not session.has_credentials:
            return CurrentUser(authenticated=False)
        name = headers.get(USER_HEADER) or session.target.credentials.username
        return CurrentUser(authenticated=True, username=name)

    reply = session.get("current_user", f"{ADMIN}/server-info", on_response=keep, parse=user)
    if not reply.ok:
        session.fail("current_user", reply.failure)
        return None
    current: CurrentUser = reply.value
    return current


def _directories(session: InstanceSession) -> list[CrowdDirectory] | None:
    reply = session.get(
        "crowd.directories",
        f"{ADMIN}/directory/detailed",
        params={"start": 0, "limit": DIRECTORY_PAGE},
        parse=parse_directories,
    )
    if not reply.ok:
        session.fail("crowd.directories", reply.failure)
        return None
    directories: list[CrowdDirectory] = reply.value
    return directories
