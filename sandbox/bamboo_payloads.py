"""Bamboo answers (Server and Data Center), per the Bamboo REST API as clients use it.

Six remote agents, two of them busy; a short build queue; an empty deployment queue. The product
faults take the server down to PAUSED, agents offline, or the queue into a backlog.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sandbox.common_payloads import ADMIN_ROUTES, email, version_numbers
from sandbox.exchange import Call, Response, Route, json_response, route
from sandbox.spec import Fault, InstanceSpec

API = "/rest/api/latest"
AGENTS = ("linux-build-1", "linux-build-2", "linux-build-3", "windows-build-1", "macos-build-1", "docker-1")
OFFLINE_WHEN_DEGRADED = 4  # BAMBOO_AGENTS_OFFLINE: 4 of 6 offline
BACKLOG = 40  # BAMBOO_QUEUE_BACKLOG: queued builds
BACKLOG_OLDEST_MIN = 45
PLANS = ("CORE-BUILD", "CORE-IT", "WEB-BUILD", "WEB-E2E", "OPS-DEPLOY")


def bamboo_time(moment: datetime) -> str:
    """Bamboo's date format: 2024-05-01T10:00:00.000Z."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def build_number(version: str) -> str:
    """A Bamboo-like build number: 9.6.4 -> "90604"."""
    major, minor, patch = version_numbers(version)
    return str(major * 10000 + minor * 100 + patch)


def server_state(spec: InstanceSpec) -> str:
    return "PAUSED" if Fault.BAMBOO_PAUSED in spec.faults else spec.state


def status(call: Call) -> Response:
    key = "status" if Fault.BAMBOO_LEGACY_STATUS in call.spec.faults else "state"
    return json_response({key: server_state(call.spec)})


def info(call: Call) -> Response:
    spec = call.spec
    return json_response(
        {
            "version": spec.version,
            "edition": "",
            "buildDate": "2024-03-01T10:00:00.000Z",
            "buildNumber": build_number(spec.version),
            "state": server_state(spec),
        }
    )


def server(call: Call) -> Response:
    return json_response({"state": server_state(call.spec), "reindexInProgress": False})


def current_user(call: Call) -> Response:
    spec = call.spec
    return json_response({"name": spec.username, "fullName": "Health Check Service", "email": email(spec)})


def _offline(spec: InstanceSpec) -> int:
    if Fault.BAMBOO_NO_AGENTS_ONLINE in spec.faults:
        return len(AGENTS)
    return OFFLINE_WHEN_DEGRADED if Fault.BAMBOO_AGENTS_OFFLINE in spec.faults else 0


def _agents(spec: InstanceSpec) -> list[dict[str, object]]:
    offline = _offline(spec)
    agents = []
    for index, name in enumerate(AGENTS):
        online = index >= offline  # the first ones go offline
        agents.append(
            {
                "id": 131073 + index,
                "name": name,
                "type": "REMOTE",
                "active": online,
                "enabled": True,
                "busy": online and index % 3 == 0,
            }
        )
    return agents


def remote_agents(call: Call) -> Response:
    """``?online=true`` lists the online agents only; the query is not in ``Call``, so the handler's
    path carries no filter and the full list is answered (the collector reads ``active``)."""
    return json_response(_agents(call.spec))


def _queued(spec: InstanceSpec, now: datetime) -> list[dict[str, object]]:
    if Fault.BAMBOO_QUEUE_BACKLOG in spec.faults:
        count, oldest = BACKLOG, BACKLOG_OLDEST_MIN
    else:
        count, oldest = 2, 3
    builds = []
    for index in range(count):
        plan = PLANS[index % len(PLANS)]
        number = 100 + index
        minutes = oldest - index * oldest / max(1, count)
        builds.append(
            {
                "planKey": plan,
                "buildNumber": number,
                "buildResultKey": f"{plan}-{number}",
                "triggerReason": "Code has changed" if index % 2 else "Scheduled build",
                # (illustrative) no public source documents a queued time on queue entries
                "queuedTime": bamboo_time(now - timedelta(minutes=minutes)),
                "link": {"href": f"{API}/result/{plan}-{number}", "rel": "self"},
            }
        )
    return builds


def queue(call: Call) -> Response:
    builds = _queued(call.spec, call.now)
    shown = builds[:25]  # Bamboo pages the expanded list; size is the whole queue
    return json_response(
        {
            "expand": "queuedBuilds",
            "link": {"href": f"{call.base_url}{API}/queue", "rel": "self"},
            "queuedBuilds": {
                "size": len(builds),
                "expand": "queuedBuild",
                "queuedBuild": shown,
                "start-index": 0,
                "max-result": len(shown),
            },
        }
    )


def deployment_queue(call: Call) -> Response:
    return json_response(
        {
            "expand": "queuedDeployments",
            "link": {"href": f"{call.base_url}{API}/queue/deployment", "rel": "self"},
            "queuedDeployments": {"size": 0, "queuedDeployment": [], "start-index": 0, "max-result": 0},
        }
    )


ROUTES: list[Route] = [
    route(f"{API}/status", status, anonymous=True),
    route(f"{API}/info", info, anonymous=True),
    route(f"{API}/server", server),
    route(f"{API}/currentUser", current_user),
    route(f"{API}/agent/remote", remote_agents),
    route(f"{API}/queue", queue),
    route(f"{API}/queue/deployment", deployment_queue),
    *ADMIN_ROUTES,
]
