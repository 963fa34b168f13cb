"""One request and its answer, as the payload builders and the fault layer see them.

Kept apart from the HTTP server so payloads and faults are plain functions of a `Call`: no sockets,
no threads, easy to read next to the endpoint contract.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sandbox.spec import InstanceSpec

JSON = "application/json;charset=UTF-8"
HTML = "text/html;charset=UTF-8"


@dataclass(frozen=True)
class Call:
    spec: InstanceSpec  # the spec as it was when the request arrived
    base_url: str  # scheme://host:port + context path, as payloads report it
    context_path: str  # "" or e.g. "/confluence"
    now: datetime  # real UTC time at arrival; every date in a payload is relative to it
    method: str
    path: str  # relative to the context path, without query and trailing slash
    authorization: str | None = None
    params: Mapping[str, str] = field(default_factory=dict)  # from {placeholders} in the route


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes = b""
    content_type: str = JSON
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """What reached an instance. Never holds the Authorization value, only its scheme."""

    method: str
    path: str  # as sent, context path included
    query: str  # raw query string, accepted secrets masked
    time: datetime
    auth_scheme: str | None  # "Bearer", "Basic", another scheme, or None when no header was sent


def json_response(payload: Any, status: int = 200, headers: Iterable[tuple[str, str]] = ()) -> Response:
    return Response(status, json.dumps(payload).encode(), JSON, tuple(headers))


def not_found() -> Response:
    return json_response({"errorMessages": ["Not found"]}, 404)


Builder = Callable[[Call], Response]


@dataclass(frozen=True)
class Route:
    pattern: re.Pattern[str]
    build: Builder
    anonymous: bool = False  # readable without credentials (serverInfo, server-information, /status)


def route(path: str, build: Builder, *, anonymous: bool = False) -> Route:
    """A route for `path`, where `{name}` matches one path segment and is passed in `Call.params`."""
    regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(path))
    return Route(re.compile(regex), build, anonymous)


def resolve(routes: Sequence[Route], path: str) -> tuple[Route, dict[str, str]] | None:
    for candidate in routes:
        match = candidate.pattern.fullmatch(path)
        if match:
            return candidate, match.groupdict()
    return None
