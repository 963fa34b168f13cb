"""Bitbucket Cloud answers (api.bitbucket.org /2.0), served on loopback under the same paths.

The authenticated user, the workspaces it belongs to (the permissions listing) and each
workspace's members page. Every answer carries Bitbucket Cloud's rate-limit headers (see
cloud_rate_limits).
"""

from __future__ import annotations

import hashlib

from sandbox.exchange import Call, Response, Route, json_response, not_found, route
from sandbox.spec import InstanceSpec

WORKSPACES = (("acme", "Acme", 42), ("acme-oss", "Acme Open Source", 7))  # slug, name, members


def _uuid(spec: InstanceSpec, salt: str) -> str:
    digest = hashlib.sha256(f"{salt}:{spec.name}".encode()).hexdigest()
    return f"{{{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}}}"


def user(call: Call) -> Response:
    spec = call.spec
    nickname = spec.username.split("@", 1)[0]
    return json_response(
        {
            "type": "user",
            "account_id": "5b10ac8d" + hashlib.sha256(spec.name.encode()).hexdigest()[:16],
            "uuid": _uuid(spec, "user"),
            "display_name": "Health Check Service",
            "nickname": nickname,
            "account_status": "active",
            "links": {"self": {"href": f"{call.base_url}/2.0/user"}},
        }
    )


def workspace_permissions(call: Call) -> Response:
    values = [
        {
            "type": "workspace_membership",
            "permission": "owner" if index == 0 else "member",
            "workspace": {"type": "workspace", "slug": slug, "name": name, "uuid": _uuid(call.spec, slug)},
        }
        for index, (slug, name, _) in enumerate(WORKSPACES)
    ]
    return json_response({"pagelen": 100, "page": 1, "size": len(values), "values": values})


def members(call: Call) -> Response:
    slug = call.params["workspace"]
    found = next((w for w in WORKSPACES if w[0] == slug), None)
    if found is None:
        return not_found()
    count = found[2]
    first = {"type": "workspace_membership", "user": {"type": "user", "display_name": "Health Check Service"}}
    page: dict[str, object] = {"pagelen": 1, "page": 1, "size": count, "values": [first]}
    if count > 1:
        page["next"] = f"{call.base_url}/2.0/workspaces/{slug}/members?pagelen=1&page=2"
    return json_response(page)


ROUTES: list[Route] = [
    route("/2.0/user", user),
    route("/2.0/user/permissions/workspaces", workspace_permissions),
    route("/2.0/workspaces/{workspace}/members", members),
]
