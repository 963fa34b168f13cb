"""Bamboo's own facts: server state, remote agents, build and deployment queues.

A part left at ``None`` was not collected; its CollectionError is filed under the dotted call name
given on the field ("bamboo.agents"), so a check can declare ``requires=("bamboo.agents",)``.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class _Facts(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BambooServer(_Facts):
    """`/rest/api/latest/server`: RUNNING, PAUSING, PAUSED, PREPARING_FOR_RESTART, READY_FOR_RESTART."""

    state: str | None = None
    reindex_in_progress: bool | None = None


class BambooAgent(_Facts):
    """One remote agent (RestBuildAgent)."""

    id: str
    name: str | None = None
    type: str | None = None  # REMOTE, LOCAL, ELASTIC
    online: bool | None = None  # "active" in the payload: the agent is connected
    enabled: bool | None = None
    busy: bool | None = None


class QueuedBuild(_Facts):
    plan_key: str | None = None
    build_result_key: str | None = None
    build_number: int | None = None
    trigger_reason: str | None = None
    queued_at: datetime | None = None  # when the answer carries a queued time (not every version does)


class QueuedDeployment(_Facts):
    deployment_result_id: str | None = None
    environment_id: str | None = None
    version_name: str | None = None
    queued_at: datetime | None = None


class BambooQueue(_Facts):
    size: int  # the queue's own count (may exceed the entries listed on the first page)
    builds: list[QueuedBuild] = Field(default_factory=list)


class BambooFacts(_Facts):
    server: BambooServer | None = None  # call "bamboo.server"
    agents: list[BambooAgent] | None = None  # remote agents; call "bamboo.agents"
    queue: BambooQueue | None = None  # build queue; call "bamboo.queue"
    deployment_queue: list[QueuedDeployment] | None = None  # call "bamboo.deployment_queue"
