"""Serving one connection: TLS when the instance wants it, then each request routed to its answer.

Every connection has its own thread (ThreadingHTTPServer), so an answer that sleeps (latency,
Fault.SLOW) never holds up another. The answer itself is faults.answer over the product's route table.
"""

from __future__ import annotations

import socket
import ssl
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from collectors.model import Deployment, Product
from sandbox import (
    bamboo_payloads,
    bitbucket_cloud_payloads,
    bitbucket_payloads,
    confluence_payloads,
    crowd_payloads,
    fecru_payloads,
    jira_payloads,
)
from sandbox.common_payloads import STATUS_ROUTES
from sandbox.exchange import Call, Response, Route
from sandbox.faults import answer, delay_s, plain
from sandbox.spec import Fault, InstanceSpec

if TYPE_CHECKING:
    from sandbox.server import SimulatedInstance

REQUEST_QUEUE_SIZE = 4096  # listen backlog: the default 5 drops connections under a fleet benchmark
IDLE_TIMEOUT_S = 60.0  # an idle keep-alive connection is closed after this
HANDSHAKE_TIMEOUT_S = 10.0
MAX_BODY_BYTES = 1 << 20  # bodies are read (only the support Jira uses them); bigger ones close


def context_path(spec: InstanceSpec) -> str:
    """The spec's context path; Confluence Cloud lives under /wiki when none is given."""
    if spec.context_path:
        return spec.context_path
    if spec.product is Product.CONFLUENCE and spec.deployment is Deployment.CLOUD:
        return "/wiki"
    return ""


def routes_for(spec: InstanceSpec) -> Sequence[Route]:
    cloud = spec.deployment is Deployment.CLOUD
    if spec.product is Product.JIRA:
        return jira_payloads.CLOUD_ROUTES if cloud else jira_payloads.SERVER_ROUTES
    if spec.product is Product.CONFLUENCE:
        return confluence_payloads.CLOUD_ROUTES if cloud else confluence_payloads.SERVER_ROUTES
    if spec.product is Product.BITBUCKET and not cloud:
        return bitbucket_payloads.SERVER_ROUTES
    if spec.product is Product.CROWD:
        return crowd_payloads.SERVER_ROUTES
    if spec.product is Product.BAMBOO:
        return bamboo_payloads.ROUTES
    if spec.product is Product.FECRU:
        return fecru_payloads.ROUTES
    if spec.product is Product.BITBUCKET and cloud:
        return bitbucket_cloud_payloads.ROUTES
    return STATUS_ROUTES  # other products are not simulated beyond /status


class Listener(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = REQUEST_QUEUE_SIZE

    def __init__(self, instance: SimulatedInstance, sock: socket.socket) -> None:
        super().__init__(sock.getsockname(), Handler, bind_and_activate=False)
        self.socket.close()  # replaced by the already bound socket: the port never changes hands
        self.socket = sock
        self.server_address = sock.getsockname()
        self.instance = instance
        self.closed = False
        self.server_activate()

    def finish_request(self, request: Any, client_address: Any) -> None:
        # The TLS handshake runs here, in the connection's own thread, not in the accept loop.
        context = self.instance.ssl_context()
        if context is None:
            super().finish_request(request, client_address)
            return
        request.settimeout(HANDSHAKE_TIMEOUT_S)
        try:
            wrapped = context.wrap_socket(request, server_side=True)
        except OSError:  # the client refused the self-signed certificate, or went away
            return
        try:
            super().finish_request(wrapped, client_address)
        finally:
            wrapped.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], OSError):
            return  # clients hanging up, connections closed by update(): expected, not worth a trace
        super().handle_error(request, client_address)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive; every answer carries a Content-Length
    server_version = "atlas-health-sandbox"
    timeout = IDLE_TIMEOUT_S
    server: Listener

    def setup(self) -> None:
        super().setup()
        self.server.instance.track(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.instance.untrack(self.connection)

    def version_string(self) -> str:
        return self.server_version  # no Python version in the Server header

    def log_message(self, format: str, *args: Any) -> None:
        pass  # no per-request line on stderr; requests() is the record

    def __getattr__(self, name: str) -> Any:
        # Every method (GET, POST, DELETE, ...) comes here, so anything not GET gets the contract's 405.
        if name.startswith("do_"):
            return self._answer
        raise AttributeError(name)

    def _answer(self) -> None:
        body = self._read_body()
        instance = self.server.instance
        spec = instance.spec
        tls = isinstance(self.connection, ssl.SSLSocket)
        if self.server.closed or Fault.DOWN in spec.faults or (Fault.TLS_UNTRUSTED in spec.faults) != tls:
            self.close_connection = True  # the instance went down or changed scheme since this connection
            return
        target = urlsplit(self.path)
        authorization = self.headers.get("Authorization")
        instance.record(self.command, target.path, target.query, authorization)
        time.sleep(delay_s(spec))
        context = context_path(spec)
        relative = target.path
        if context:
            inside = relative == context or relative.startswith(context + "/")
            relative = relative[len(context) :] if inside else ""
        call = Call(
            spec=spec,
            base_url=instance.url(),
            context_path=context,
            now=datetime.now(UTC),
            method=self.command,
            path=relative.rstrip("/") or "/",
            authorization=authorization,
        )
        support = instance.support.answer(call, target.query, body) if instance.support and relative else None
        if support is not None:
            self._send(support)  # the support team's Jira takes its writes (sandbox/support_jira.py)
        elif relative:
            self._send(answer(call, routes_for(spec), instance.limiter))
        else:
            self._send(plain(call, None))  # outside the application's context path

    def _read_body(self) -> bytes:
        """The request body (only the support Jira reads it); b"" when absent, chunked or too big."""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            self.close_connection = True  # not worth parsing: answer, then hang up
            return b""
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = MAX_BODY_BYTES + 1
        if length > MAX_BODY_BYTES:
            self.close_connection = True
        elif length > 0:
            return self.rfile.read(length)
        return b""

    def _send(self, response: Response) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)
