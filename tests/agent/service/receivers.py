"""Real receivers on 127.0.0.1 for the notification tests: an HTTP webhook receiver whose answers a
test scripts (status, body, a flood, silence), and an SMTP server (aiosmtpd) with STARTTLS and AUTH."""

from __future__ import annotations

import json
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from sandbox.tls import SelfSignedCertificate, self_signed_certificate, server_context

SMTP_USER = "alerts@example.com"
SMTP_PASSWORD = "smtp-secret-1"


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b"ok"
    content_type: str = "text/plain"
    flood_bytes: int = 0  # > 0: a body this big, streamed
    hang: bool = False  # never answer (until the receiver stops)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class WebhookReceiver:
    """Answers with ``replies`` in turn (the last one repeats); records every request."""

    replies: list[Reply] = field(default_factory=lambda: [Reply()])
    received: list[Received] = field(default_factory=list)
    url: str = ""
    stopping: threading.Event = field(default_factory=threading.Event)

    def next_reply(self) -> Reply:
        return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]


@contextmanager
def webhook_receiver(*replies: Reply) -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver(list(replies) or [Reply()])
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            with lock:
                receiver.received.append(Received(self.path, dict(self.headers.items()), body))
                reply = receiver.next_reply()
            if reply.hang:
                receiver.stopping.wait(60)
                self.close_connection = True
                return
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            size = reply.flood_bytes or len(reply.body)
            self.send_header("Content-Length", str(size))
            self.end_headers()
            if not reply.flood_bytes:
                self.wfile.write(reply.body)
                return
            chunk = b"x" * 65536
            try:
                for _ in range(size // len(chunk)):
                    self.wfile.write(chunk)
            except OSError:
                pass  # the client stopped reading, as it should
            self.close_connection = True

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    try:
        yield receiver
    finally:
        receiver.stopping.set()
        server.shutdown()
        server.server_close()


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"


@dataclass
class SmtpServer:
    host: str
    port: int
    inbox: _Inbox
    certificate: SelfSignedCertificate

    def client_context(self) -> ssl.SSLContext:
        """A client context that trusts this server's self-signed certificate."""
        return ssl.create_default_context(cadata=self.certificate.cert_pem.decode())

    @property
    def messages(self) -> list[EmailMessage]:
        return self.inbox.messages


def _authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login.decode() == SMTP_USER
        and auth_data.password.decode() == SMTP_PASSWORD
    )
    return AuthResult(success=ok, handled=False)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp_server() -> Iterator[SmtpServer]:
    """STARTTLS required, AUTH (PLAIN/LOGIN) required with SMTP_USER and SMTP_PASSWORD."""
    certificate = self_signed_certificate("127.0.0.1")
    inbox = _Inbox()
    port = _free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        tls_context=server_context(certificate),
        require_starttls=True,
        auth_required=True,
        authenticator=_authenticator,
        ready_timeout=10,
    )
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, inbox, certificate)
    finally:
        controller.stop()


def alert_payload(event: str = "firing", **changes: object) -> dict[str, object]:
    """A notification as the alerts part queues it (agent/service's payload shape)."""
    payload: dict[str, object] = {
        "state": "resolved" if event == "resolved" else "firing",
        "event": event,
        "fingerprint": "f" * 40,
        "customer": "acme",
        "check": "host.disk.free",
        "target": "jira-node-1",
        "category": "capacity",
        "severity": "critical",
        "title": "Disk <b>almost</b> full",
        "message": "/var/atlassian has 2% free & falling\nsecond line <script>alert(1)</script>",
        "first_seen": "2026-06-15T10:00:00+00:00",
        "last_seen": "2026-06-15T10:10:00+00:00",
        "fired_at": "2026-06-15T10:10:00+00:00",
        "resolved_at": "2026-06-15T12:00:00+00:00" if event == "resolved" else None,
        "report": "https://reports.example.com/acme/2026-06-15.html",
        "sequence": {"firing": 1, "reminder": 2, "resolved": 3}.get(event, 1),
        "source": "atlas-health 1.0",
    }
    payload.update(changes)
    return payload
