"""/healthz and /metrics over HTTP: a Starlette app on uvicorn, in a thread of the service.

Bounded: GET only, no request body accepted, small headers, few connections at once."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from agent.service.health import Health
from agent.service.metrics import CONTENT_TYPE

log = logging.getLogger(__name__)

MAX_CONNECTIONS = 32
MAX_HEADER_BYTES = 16 * 1024


def build_app(health: Callable[[], Health], metrics: Callable[[], bytes]) -> ASGIApp:
    async def healthz(_request: Request) -> Response:
        judged = health()
        return JSONResponse(
            judged.body(), status_code=judged.http_status, headers={"Cache-Control": "no-store"}
        )

    async def metrics_page(_request: Request) -> Response:
        return Response(metrics(), media_type=CONTENT_TYPE)

    app = Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route("/metrics", metrics_page, methods=["GET"]),
        ]
    )
    return _NoBodies(app)


class _NoBodies:
    """Refuses any request that announces a body: these endpoints take none."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = dict(scope.get("headers") or [])
            length = headers.get(b"content-length", b"0").strip()
            if b"transfer-encoding" in headers or length not in (b"", b"0"):
                await PlainTextResponse("request bodies are not accepted\n", status_code=413)(
                    scope, receive, send
                )
                return
        await self.app(scope, receive, send)


class HttpServer:
    """uvicorn serving ``app`` on ``host:port`` in a daemon thread; ``stop()`` ends it."""

    def __init__(self, app: ASGIApp, host: str, port: int) -> None:
        config = uvicorn.Config(
            app,
            host=host,
            port=port,
            log_config=None,
            access_log=False,
            lifespan="off",
            limit_concurrency=MAX_CONNECTIONS,
            timeout_keep_alive=5,
            h11_max_incomplete_event_size=MAX_HEADER_BYTES,
            server_header=False,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="http", daemon=True)
        self.address = f"{host}:{port}"

    def start(self, timeout: float = 10.0) -> None:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive():
                raise OSError(f"cannot serve on {self.address} (see the log above)")
            if time.monotonic() > deadline:
                raise OSError(f"serving on {self.address} did not start within {timeout:.0f}s")
            time.sleep(0.05)
        log.info("serving /healthz and /metrics on http://%s", self.address)

    def stop(self, timeout: float = 5.0) -> None:
        self._server.should_exit = True
        self._thread.join(timeout)


def can_bind(host: str, port: int) -> str | None:
    """Why ``host:port`` cannot be listened on (None: it can)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        return f"{host} does not resolve: {exc.strerror or exc}"
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as exc:
            return f"cannot listen on {host}:{port}: {exc.strerror or exc}"
    return None
