"""The per-instance context that collection steps call through.

A ``Step`` fills one InstanceSnapshot field. It may make several calls (fallbacks, one licence call per
Jira application) through ``InstanceSession.get``, which records every call and shares the instance's
deadline. Steps run concurrently, so each thread gets its own client (requests sessions are not
documented as thread-safe) and the shared lists are guarded by a lock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from atlassian.rest_client import AtlassianRestAPI

from collectors.model import CallRecord, CollectionError
from collectors.rest.http import Deadline, Failure, Reply, build_client, fetch
from collectors.target import CollectOptions, InstanceTarget


class InstanceSession:
    def __init__(
        self,
        target: InstanceTarget,
        options: CollectOptions,
        deadline: Deadline,
        client_factory: Callable[[InstanceTarget, CollectOptions], AtlassianRestAPI] = build_client,
    ) -> None:
        self.target = target
        self.options = options
        self.deadline = deadline
        self._client_factory = client_factory
        self._local = threading.local()
        self._lock = threading.Lock()
        self._clients: list[AtlassianRestAPI] = []
        self.records: list[CallRecord] = []
        self.errors: list[CollectionError] = []
        creds = target.credentials
        self.has_credentials = creds.kind != "none" and bool(creds.secret)

    def client(self) -> AtlassianRestAPI:
        client = getattr(self._local, "client", None)
        if client is None:
            client = self._client_factory(self.target, self.options)
            self._local.client = client
            with self._lock:
                self._clients.append(client)
        return client

    def get(self, call: str, path: str, **kwargs: Any) -> Reply:
        """One GET through ``fetch`` (see there for the keyword arguments); the call is recorded."""
        reply = fetch(
            self.client(),
            call,
            path,
            options=self.options,
            deadline=self.deadline,
            has_credentials=self.has_credentials,
            **kwargs,
        )
        if reply.record is not None:
            with self._lock:
                self.records.append(reply.record)
        return reply

    def fail(self, call: str, failure: Failure | None) -> None:
        """Record a failure under the snapshot field-level name ``call``."""
        if failure is None:
            return
        with self._lock:
            self.errors.append(failure.error(call))

    def close(self) -> None:
        with self._lock:
            clients, self._clients = self._clients, []
        for client in clients:
            client.close()


@dataclass(frozen=True)
class Step:
    """Fills ``field`` of the snapshot; failures are filed under ``call`` (e.g. licenses -> "license")."""

    field: str
    call: str
    run: Callable[[InstanceSession], Any]  # returns the field's value, None when it failed


@dataclass(frozen=True)
class Plan:
    """What to collect from one target: ``status`` first, then ``steps`` concurrently."""

    status: Step
    steps: list[Step]
