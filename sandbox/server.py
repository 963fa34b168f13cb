"""The sandbox: simulated Jira and Confluence instances, each on its own loopback port and thread.

Faults that act on the socket live here: DOWN keeps the port bound but not listening (connection
refused, and nobody else can take the port meanwhile), and TLS_UNTRUSTED makes the listener wrap each
new connection in TLS with a self-signed certificate. Serving a connection is handler.py's job.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import ssl
import threading
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import fields, replace
from datetime import UTC, datetime
from types import TracebackType
from typing import Any
from urllib.parse import quote, quote_plus

from collectors.model import Deployment, Product
from sandbox.exchange import RecordedRequest
from sandbox.faults import RateLimiter
from sandbox.handler import Listener, context_path
from sandbox.spec import Fault, InstanceSpec
from sandbox.support_jira import SupportJira
from sandbox.tls import SelfSignedCertificate, self_signed_certificate, server_context

POLL_INTERVAL_S = 0.1  # how fast a listener notices it must stop
REQUEST_LOG_SIZE = 2_000  # recorded requests kept per instance, so a big fleet or a long demo stays small


def _normalised(spec: InstanceSpec) -> InstanceSpec:
    """The sandbox's own copy: enums coerced, faults a fresh set, context path "/x" or ""."""
    if spec.nodes < 1:
        raise ValueError(f"{spec.name}: nodes must be at least 1")
    context = spec.context_path.strip("/")
    return replace(
        spec,
        product=Product(spec.product),
        deployment=Deployment(spec.deployment),
        faults={Fault(f) for f in spec.faults},
        context_path=f"/{context}" if context else "",
    )


class SimulatedInstance:
    """One simulated instance: its spec, port, listener (or reserved socket), log and rate counter."""

    def __init__(self, spec: InstanceSpec, host: str, tls: Callable[[], ssl.SSLContext]) -> None:
        self.spec = spec  # replaced whole by update(), never mutated: handlers read it without a lock
        self.port = 0
        self.limiter = RateLimiter()
        self._host = host
        self._tls = tls  # the sandbox's one TLS context, made on first use
        self._lock = threading.Lock()  # serialises start, update and stop
        self._listener: Listener | None = None
        self._thread: threading.Thread | None = None
        self._reserved: socket.socket | None = None
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        self._log: deque[RecordedRequest] = deque(maxlen=REQUEST_LOG_SIZE)
        self.support: SupportJira | None = None  # set for the support team's own Jira, which takes writes

    def url(self) -> str:
        spec = self.spec
        scheme = "https" if Fault.TLS_UNTRUSTED in spec.faults else "http"
        return f"{scheme}://{self._host}:{self.port}{context_path(spec)}"

    def ssl_context(self) -> ssl.SSLContext | None:
        return self._tls() if Fault.TLS_UNTRUSTED in self.spec.faults else None

    def start(self) -> None:
        with self._lock:
            sock = self._bind(0)
            self.port = sock.getsockname()[1]
            self._open(sock)

    def stop(self) -> None:
        with self._lock:
            self._close()

    def update(self, spec: InstanceSpec) -> None:
        with self._lock:
            old, self.spec = self.spec, spec
            if (Fault.DOWN in old.faults) != (Fault.DOWN in spec.faults):
                self._close()
                self._open(self._bind(self.port))
            elif (Fault.TLS_UNTRUSTED in old.faults) != (Fault.TLS_UNTRUSTED in spec.faults):
                self._drop_connections()  # open keep-alive connections speak the old scheme

    def _bind(self, port: int) -> socket.socket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self._host, port))
        except OSError as exc:
            sock.close()
            raise RuntimeError(f"sandbox instance {self.spec.name}: cannot bind port {port}: {exc}") from exc
        return sock

    def _open(self, sock: socket.socket) -> None:
        if Fault.DOWN in self.spec.faults:
            self._reserved = sock  # bound, never listening: clients get "connection refused"
            return
        self._listener = Listener(self, sock)
        self._thread = threading.Thread(
            target=self._listener.serve_forever,
            kwargs={"poll_interval": POLL_INTERVAL_S},
            name=f"sandbox-{self.spec.name}",
            daemon=True,
        )
        self._thread.start()

    def _close(self) -> None:
        if self._listener is not None:
            self._listener.closed = True
            self._listener.shutdown()
            self._listener.server_close()
            self._listener = None
            if self._thread is not None:
                self._thread.join()
                self._thread = None
        if self._reserved is not None:
            self._reserved.close()
            self._reserved = None
        self._drop_connections()

    def track(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.add(connection)

    def untrack(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.discard(connection)

    def _drop_connections(self) -> None:
        with self._connections_lock:
            open_now = list(self._connections)
        for connection in open_now:
            # socket.socket's own shutdown, also for SSL sockets: wakes the handler thread with EOF.
            with contextlib.suppress(OSError):
                socket.socket.shutdown(connection, socket.SHUT_RDWR)

    def record(self, method: str, path: str, query: str, authorization: str | None) -> None:
        entry = RecordedRequest(
            method=method,
            path=self._mask(path),
            query=self._mask(query),
            time=datetime.now(UTC),
            auth_scheme=authorization.split(" ", 1)[0] if authorization else None,
        )
        self._log.append(entry)  # deque.append is atomic

    def _mask(self, text: str) -> str:
        """Accepted secrets never enter the record, even when a client puts them in a URL."""
        for secret in (self.spec.accepted_token(), self.spec.accepted_password()):
            for form in {secret, quote(secret, safe=""), quote_plus(secret)}:
                text = text.replace(form, "***")
        return text

    def requests(self) -> list[RecordedRequest]:
        return list(self._log)

    def reset_requests(self) -> None:
        self._log.clear()


def _require_loopback(host: str) -> None:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise ValueError(f"sandbox host must be an IPv4 loopback address, not {host!r}") from None
    if address.version != 4 or not address.is_loopback:
        raise ValueError(f"sandbox host must be an IPv4 loopback address such as 127.0.0.1, not {host!r}")


class Sandbox:
    """Simulated instances over real HTTP on loopback. Use as a context manager, or start()/stop().

    ``support_jira`` names the support team's own Jiras (sandbox/support_jira.py): a name among
    ``specs`` must be a Jira Server/DC; any other name gets a Jira Data Center of its own.
    """

    def __init__(
        self, specs: Iterable[InstanceSpec], host: str = "127.0.0.1", *, support_jira: Iterable[str] = ()
    ) -> None:
        _require_loopback(host)
        self._host = host
        self._instances: dict[str, SimulatedInstance] = {}
        for spec in specs:
            if spec.name in self._instances:
                raise ValueError(f"two sandbox instances are named {spec.name!r}")
            self._instances[spec.name] = SimulatedInstance(_normalised(spec), host, self._ssl_context)
        for name in support_jira:
            if name not in self._instances:
                spec = InstanceSpec(name=name, product=Product.JIRA, nodes=1)
                self._instances[name] = SimulatedInstance(_normalised(spec), host, self._ssl_context)
            instance = self._instances[name]
            if instance.spec.product is not Product.JIRA or instance.spec.deployment is Deployment.CLOUD:
                raise ValueError(f"support Jira {name!r} must be a Jira Server or Data Center instance")
            instance.support = SupportJira()
        self._certificate: SelfSignedCertificate | None = None
        self._context: ssl.SSLContext | None = None
        self._tls_lock = threading.Lock()
        self._state = "new"  # new -> started -> stopped

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    def start(self) -> Sandbox:
        if self._state != "new":
            raise RuntimeError(f"the sandbox is {self._state}; a sandbox starts once")
        self._state = "started"
        try:
            for instance in self._instances.values():
                instance.start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop every instance; in parallel, since each listener takes up to POLL_INTERVAL_S to notice."""
        if self._state != "started":
            self._state = "stopped"
            return
        self._state = "stopped"
        instances = list(self._instances.values())
        with ThreadPoolExecutor(max_workers=max(1, min(64, len(instances)))) as pool:
            list(pool.map(SimulatedInstance.stop, instances))

    def names(self) -> list[str]:
        return list(self._instances)

    def url(self, name: str) -> str:
        """Base URL with the context path and no trailing slash, e.g. http://127.0.0.1:41234/confluence."""
        instance = self._instance(name)
        if self._state != "started":
            raise RuntimeError("start the sandbox before asking for URLs")
        return instance.url()

    def spec(self, name: str) -> InstanceSpec:
        """A copy of the instance's current spec; change it with update()."""
        spec = self._instance(name).spec
        return replace(spec, faults=set(spec.faults))

    def update(self, name: str, /, **changes: Any) -> InstanceSpec:
        """Change an instance at runtime (faults, latency, state, ...). Thread-safe.

        Turning DOWN on closes the listener and open connections and keeps the port reserved; turning
        it off listens on the same port again. Changing faults or rate_limit_count restarts the
        rate-limit count.
        """
        instance = self._instance(name)
        unknown = set(changes) - {f.name for f in fields(InstanceSpec)}
        if unknown:
            raise TypeError(f"InstanceSpec has no field {', '.join(sorted(unknown))}")
        if changes.get("name", name) != name:
            raise ValueError("an instance cannot be renamed")
        new = _normalised(replace(instance.spec, **changes))
        if self._state == "started":
            instance.update(new)
        else:
            instance.spec = new
        if {"faults", "rate_limit_count"} & set(changes):
            instance.limiter.reset()
        return self.spec(name)

    def requests(self, name: str) -> list[RecordedRequest]:
        """What reached the instance, oldest first (method, path, query, time, auth scheme; no secrets).

        The last REQUEST_LOG_SIZE requests per instance are kept."""
        return self._instance(name).requests()

    def reset_requests(self, name: str) -> None:
        self._instance(name).reset_requests()

    def support_issues(self, name: str) -> list[dict[str, Any]]:
        """The issues the support Jira ``name`` holds, oldest first (copies, in the REST v2 shape)."""
        support = self._instance(name).support
        if support is None:
            raise KeyError(f"sandbox instance {name!r} is not a support Jira; name it in support_jira=")
        return support.issues()

    def tls_certificate_pem(self) -> bytes:
        """The self-signed certificate TLS_UNTRUSTED instances present, for a test that trusts it."""
        self._ssl_context()
        assert self._certificate is not None
        return self._certificate.cert_pem

    def _ssl_context(self) -> ssl.SSLContext:
        with self._tls_lock:
            if self._context is None:
                self._certificate = self_signed_certificate(self._host)
                self._context = server_context(self._certificate)
            return self._context

    def _instance(self, name: str) -> SimulatedInstance:
        try:
            return self._instances[name]
        except KeyError:
            known = ", ".join(self._instances)
            raise KeyError(f"no sandbox instance named {name!r}; known: {known}") from None
