"""Bamboo (Server and Data Center): status, info, agents, queues, ATST and apps.

Read-only: the library's ``stop_reindex()`` POSTs (it starts a reindex) and ``reindex()`` is only a
GET by accident of naming, so neither is ever called; the server state is read from ``/server``.
"""

from __future__ import annotations

from collectors.facts.bamboo import BambooAgent, BambooQueue
from collectors.rest.bamboo_parsing import (
    agent_ids,
    parse_agents,
    parse_current_user,
    parse_deployment_queue,
    parse_queue,
    parse_server,
)
from collectors.rest.common import apps_step, health_checks_step, simple_step, status_step
from collectors.rest.parsing import parse_server_info
from collectors.rest.session import InstanceSession, Plan, Step
from collectors.target import InstanceTarget

API = "rest/api/latest"


def plan(target: InstanceTarget) -> Plan:
    return Plan(
        status_step(f"{API}/status"),  # {"state": ...}; some versions and charts say "status"
        [
            simple_step("server_info", f"{API}/info", parse_server_info),
            simple_step("current_user", f"{API}/currentUser", parse_current_user),
            health_checks_step(),
            apps_step(),
            simple_step("bamboo.server", f"{API}/server", parse_server),
            Step("bamboo.agents", "bamboo.agents", _agents),
            Step("bamboo.queue", "bamboo.queue", _queue),
            simple_step("bamboo.deployment_queue", f"{API}/queue/deployment", parse_deployment_queue),
        ],
    )


def _agents(session: InstanceSession) -> list[BambooAgent] | None:
    """Every remote agent; whether it is online comes from its "active" flag, or, where the answer
    lacks it, from a second listing of the online agents only."""
    reply = session.get("bamboo.agents", f"{API}/agent/remote", parse=parse_agents)
    if not reply.ok:
        session.fail("bamboo.agents", reply.failure)
        return None
    agents: list[BambooAgent] = reply.value
    if all(agent.online is not None for agent in agents):
        return agents
    online = session.get(
        "bamboo.agents:online", f"{API}/agent/remote", params={"online": "true"}, parse=agent_ids
    )
    if not online.ok:
        session.fail("bamboo.agents", online.failure)
        return agents
    ids: set[str] = online.value
    return [a if a.online is not None else a.model_copy(update={"online": a.id in ids}) for a in agents]


def _queue(session: InstanceSession) -> BambooQueue | None:
    reply = session.get("bamboo.queue", f"{API}/queue", params={"expand": "queuedBuilds"}, parse=parse_queue)
    if not reply.ok:
        session.fail("bamboo.queue", reply.failure)
        return None
    queue: BambooQueue = reply.value
    return queue
