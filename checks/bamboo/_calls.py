"""Evidence sources of the Bamboo checks (no checks here)."""

from __future__ import annotations

from checks.instance._calls import source
from collectors.model import InstanceSnapshot

_PATHS = {
    "bamboo.server": "GET /rest/api/latest/server",
    "bamboo.agents": "GET /rest/api/latest/agent/remote",
    "bamboo.queue": "GET /rest/api/latest/queue?expand=queuedBuilds",
}

BAMBOO_AGENTS_KB = "https://confluence.atlassian.com/bamboo/agents-and-capabilities-289277114.html"
BAMBOO_QUEUE_KB = "https://confluence.atlassian.com/bamboo/monitoring-the-build-queue-289277226.html"


def bamboo_source(inst: InstanceSnapshot, call: str) -> str:
    """The recorded request of a Bamboo call, or its documented endpoint."""
    found = source(inst, call)
    return _PATHS.get(call, found) if found.startswith("call '") else found
