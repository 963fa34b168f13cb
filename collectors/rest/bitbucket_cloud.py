"""Bitbucket Cloud (https://api.bitbucket.org): reachability, the authenticated user, workspaces.

api.bitbucket.org has no unauthenticated status probe, so ``/2.0/user`` is called once and serves
both: any JSON answer of the API (including a 401 or 429) means the service is up, and the same
answer says who the credentials are. Authentication: e-mail address (or username) and an API token
or app password, as HTTP basic.
"""

from __future__ import annotations

from typing import Any

from collectors.facts.cloud import CloudWorkspace
from collectors.model import CurrentUser, ErrorKind, ProductStatus
from collectors.rest.http import Reply
from collectors.rest.parsing import ShapeError, _bool, _first, _int, _str, as_items, as_object
from collectors.rest.session import InstanceSession, Plan, Step
from collectors.target import InstanceTarget

USER = "2.0/user"
WORKSPACE_PERMISSIONS = "2.0/user/permissions/workspaces"
WORKSPACES = "2.0/workspaces"  # deprecated listing, used where the permissions listing is missing
MAX_WORKSPACES = 10  # member counts are one call per workspace

# Answers that still prove the API is up (the failure is the credentials' or the rate limit's).
_API_ANSWERED = frozenset(
    {ErrorKind.UNAUTHORIZED, ErrorKind.FORBIDDEN, ErrorKind.RATE_LIMITED, ErrorKind.CLIENT_ERROR}
)


def parse_user(payload: Any) -> CurrentUser:
    data = as_object(payload, "Bitbucket user")
    account_id = _str(data.get("account_id"))
    username = _str(_first(data, "username", "nickname"))
    if account_id is None and username is None:
        raise ShapeError("Bitbucket user has no account_id, username or nickname")
    display = _str(data.get("display_name"))
    return CurrentUser(authenticated=True, username=username, display_name=display, account_id=account_id)


def parse_workspaces(payload: Any) -> list[CloudWorkspace]:
    """Either listing: {"values": [{"workspace": {...}, "permission"}]} or {"values": [{"slug", ...}]}."""
    workspaces = []
    for item in as_items(payload, "workspaces", "values"):
        workspace = nested if isinstance(nested := item.get("workspace"), dict) else item
        slug = _str(workspace.get("slug"))
        if slug is None:
            raise ShapeError("a workspace has no slug")
        private = _bool(workspace.get("is_private"))
        workspaces.append(CloudWorkspace(slug=slug, name=_str(workspace.get("name")), is_private=private))
    return workspaces


def parse_size(payload: Any) -> int | None:
    """A paged answer's total, where Bitbucket gives one (``size`` is optional in its pages)."""
    return _int(as_object(payload, "paged answer").get("size"))


class _UserProbe:
    """One /2.0/user call, shared by the status step and the current-user step."""

    def __init__(self) -> None:
        self.reply: Reply | None = None

    def status(self, session: InstanceSession) -> ProductStatus | None:
        # named "current_user": its record is the current-user evidence, and a 401 is no status code
        self.reply = session.get("current_user", USER, parse=parse_user)
        if self.reply.ok or self.reply.kind in _API_ANSWERED:
            return ProductStatus(state="RUNNING", raw={"probe": f"/{USER}"})
        session.fail("status", self.reply.failure)
        return None

    def current_user(self, session: InstanceSession) -> CurrentUser | None:
        if self.reply is None:
            return None
        if not self.reply.ok:
            session.fail("current_user", self.reply.failure)
            return None
        user: CurrentUser = self.reply.value
        return user


def plan(target: InstanceTarget) -> Plan:
    probe = _UserProbe()
    return Plan(
        Step("status", "status", probe.status),
        [
            Step("current_user", "current_user", probe.current_user),
            Step("cloud.workspaces", "cloud.workspaces", _workspaces),
        ],
    )


def _workspaces(session: InstanceSession) -> list[CloudWorkspace] | None:
    params = {"pagelen": 100}
    reply = session.get("cloud.workspaces", WORKSPACE_PERMISSIONS, params=params, parse=parse_workspaces)
    if reply.kind is ErrorKind.NOT_FOUND:
        reply = session.get("cloud.workspaces:legacy", WORKSPACES, params=params, parse=parse_workspaces)
    if not reply.ok:
        session.fail("cloud.workspaces", reply.failure)
        return None
    workspaces: list[CloudWorkspace] = reply.value
    counted = []
    for workspace in workspaces[:MAX_WORKSPACES]:
        members = session.get(
            f"cloud.workspaces:{workspace.slug}",
            f"{WORKSPACES}/{workspace.slug}/members",
            params={"pagelen": 1},
            parse=parse_size,
        )
        session.fail("cloud.workspaces", members.failure)
        counted.append(workspace.model_copy(update={"members": members.value}) if members.ok else workspace)
    return counted + workspaces[MAX_WORKSPACES:]
