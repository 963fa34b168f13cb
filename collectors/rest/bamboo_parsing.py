"""Bamboo payloads -> facts: server state, remote agents, build and deployment queues.

Shapes are taken from Bamboo's REST API (RestBuildAgent, the queue resources) as client libraries
and scripts use them; fields that vary across versions are read tolerantly.
"""

from __future__ import annotations

from typing import Any

from collectors.facts.bamboo import BambooAgent, BambooQueue, BambooServer, QueuedBuild, QueuedDeployment
from collectors.model import CurrentUser
from collectors.rest.parsing import ShapeError, _bool, _first, _int, _str, as_object, parse_time

# Queue entries document no queued time; versions or proxies that add one use one of these names.
_QUEUED_TIME_KEYS = ("queuedTime", "queuedDate", "queueTime", "enqueuedTime", "submittedTime")


def parse_server(payload: Any) -> BambooServer:
    data = as_object(payload, "Bamboo server state")
    state = _str(_first(data, "state", "status"))
    reindex = _bool(data.get("reindexInProgress"))
    if state is None and reindex is None:
        raise ShapeError("Bamboo server state has neither 'state' nor 'reindexInProgress'")
    return BambooServer(state=state, reindex_in_progress=reindex)


def parse_current_user(payload: Any) -> CurrentUser:
    """/rest/api/latest/currentUser: {"name", "fullName", "email"}."""
    data = as_object(payload, "current user")
    name = _str(_first(data, "name", "username"))
    if name is None:
        raise ShapeError("current user has no name")
    display = _str(_first(data, "fullName", "displayName"))
    return CurrentUser(authenticated=True, username=name, display_name=display)


def _entries(payload: Any, what: str, *path: str) -> list[dict[str, Any]]:
    """A list at the end of ``path`` (Bamboo nests lists: {"queuedBuilds": {"queuedBuild": [...]}})."""
    value = payload
    for key in path:
        if isinstance(value, list):
            break
        if not isinstance(value, dict):
            raise ShapeError(f"expected an object for {what}, got {type(value).__name__}")
        value = value.get(key, [])
    if isinstance(value, dict):  # a single entry is sometimes not wrapped in a list
        value = [value]
    if not isinstance(value, list):
        raise ShapeError(f"expected a list for {what}")
    return [item for item in value if isinstance(item, dict)]


def parse_agents(payload: Any) -> list[BambooAgent]:
    """/rest/api/latest/agent/remote: a bare list of agents (or {"agents": [...]} behind some proxies)."""
    if isinstance(payload, dict):
        payload = payload.get("agents", payload.get("results"))
    if not isinstance(payload, list):
        raise ShapeError("expected a list of agents")
    agents = []
    for item in payload:
        if not isinstance(item, dict):
            continue
        agent_id = _str(item.get("id"))
        if agent_id is None:
            raise ShapeError("an agent has no id")
        agents.append(
            BambooAgent(
                id=agent_id,
                name=_str(item.get("name")),
                type=_str(item.get("type")),
                online=_bool(_first(item, "active", "online")),
                enabled=_bool(item.get("enabled")),
                busy=_bool(item.get("busy")),
            )
        )
    return agents


def agent_ids(payload: Any) -> set[str]:
    return {agent.id for agent in parse_agents(payload)}


def parse_queue(payload: Any) -> BambooQueue:
    """/rest/api/latest/queue?expand=queuedBuilds."""
    data = as_object(payload, "build queue")
    wrapper = data.get("queuedBuilds")
    if not isinstance(wrapper, dict | list):
        raise ShapeError("build queue has no queuedBuilds")
    entries = _entries(data, "queued builds", "queuedBuilds", "queuedBuild")
    builds = [
        QueuedBuild(
            plan_key=_str(entry.get("planKey")),
            build_result_key=_str(entry.get("buildResultKey")),
            build_number=_int(entry.get("buildNumber")),
            trigger_reason=_str(entry.get("triggerReason")),
            queued_at=parse_time(_first(entry, *_QUEUED_TIME_KEYS)),
        )
        for entry in entries
    ]
    size = _int(wrapper.get("size")) if isinstance(wrapper, dict) else None
    return BambooQueue(size=max(size if size is not None else 0, len(builds)), builds=builds)


def parse_deployment_queue(payload: Any) -> list[QueuedDeployment]:
    """/rest/api/latest/queue/deployment: {"queuedDeployments": {"queuedDeployment": [...]}} or a list."""
    if isinstance(payload, list):
        entries = [e for e in payload if isinstance(e, dict)]
    else:
        data = as_object(payload, "deployment queue")
        if "queuedDeployments" not in data and "results" not in data:
            raise ShapeError("deployment queue has no queuedDeployments")
        key = "queuedDeployments" if "queuedDeployments" in data else "results"
        entries = _entries(data, "queued deployments", key, "queuedDeployment")
    return [
        QueuedDeployment(
            deployment_result_id=_str(_first(entry, "deploymentResultId", "id")),
            environment_id=_str(entry.get("environmentId")),
            version_name=_str(_first(entry, "versionName", "deploymentVersionName")),
            queued_at=parse_time(_first(entry, *_QUEUED_TIME_KEYS)),
        )
        for entry in entries
    ]
