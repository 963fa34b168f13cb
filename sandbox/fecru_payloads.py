"""Fisheye/Crucible answers, per its REST API (rest-service-fecru) as clients use it.

Fisheye/Crucible documents no ``/status``: it answers 404 there, like any unknown path, and the
server info resource answers anonymously. Five repositories, one of them disabled on purpose;
FECRU_REPO_STOPPED stops one and makes its indexing fail.
"""

from __future__ import annotations

from sandbox.common_payloads import ADMIN_ROUTES
from sandbox.exchange import Call, Response, Route, json_response, not_found, route
from sandbox.spec import Fault, InstanceSpec

_REPOSITORIES = (  # name, type, enabled
    ("core", "git", True),
    ("web", "git", True),
    ("infra", "git", True),
    ("legacy-svn", "svn", True),
    ("archive-2015", "svn", False),
)
STOPPED = "legacy-svn"
STOPPED_MESSAGE = (
    "svn: E170013: Unable to connect to a repository at URL 'https://svn.example.com/legacy': "
    "E175002: Connection refused"
)


def server_info(call: Call) -> Response:
    return json_response(
        {
            "timeZone": "UTC",
            "appHomeDir": "/opt/atlassian/fecru",
            "instanceDir": "/var/atlassian/application-data/fecru",
            "isFishEye": True,
            "isCrucible": True,
            "version": {"releaseNumber": call.spec.version, "buildDate": "2024-01-15T10:00:00.000+0000"},
        }
    )


def _stopped(spec: InstanceSpec, name: str) -> bool:
    return Fault.FECRU_REPO_STOPPED in spec.faults and name == STOPPED


def repositories(call: Call) -> Response:
    values = [
        {
            "type": kind,
            "name": name,
            "description": f"The {name} repository",
            "storeDiff": True,
            "enabled": enabled,
            "started": enabled and not _stopped(call.spec, name),
        }
        for name, kind, enabled in _REPOSITORIES
    ]
    return json_response({"start": 0, "limit": 100, "lastPage": True, "size": len(values), "values": values})


def indexing_status(call: Call) -> Response:
    name = call.params["repository"]
    known = {n: enabled for n, _, enabled in _REPOSITORIES}
    if name not in known:
        return not_found()
    if _stopped(call.spec, name):
        body = {
            "scanningPercentage": 37.0,
            "indexingPercentage": 12.0,
            "stopped": True,
            "failed": True,
            "message": STOPPED_MESSAGE,
        }
    else:
        body = {
            "scanningPercentage": 100.0,
            "indexingPercentage": 100.0,
            "stopped": not known[name],
            "failed": False,
        }
    return json_response(body)


ROUTES: list[Route] = [
    route("/rest-service-fecru/server-v1", server_info, anonymous=True),
    route("/rest-service-fecru/admin/repositories", repositories),
    route("/rest-service-fecru/indexing-status-v1/status/{repository}", indexing_status),
    *ADMIN_ROUTES,
]
