"""A requests session that bounds every answer: wall-clock deadline, size, and where it may come from.

The read timeout alone bounds each wait for data, not the call: a server sending one byte a second, an
endless chunked body or a gzip bomb would otherwise hold the call (and its memory) without end. So the
body is streamed here, chunk by chunk, against a monotonic deadline and a byte cap counted both on the
wire and after decompression; a watchdog shuts the socket at the deadline for a server that drips its
headers, where no per-chunk check can look. Redirects are followed only on the same host (requests'
own rule for keeping the Authorization header): an answer from another host would be attributed to
this instance.

Every limit ends in a ``requests.RequestException`` subclass, so ``fetch`` records it as a failure.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
import urllib3.connectionpool
import urllib3.exceptions

_CHUNK = 64 * 1024
_MAX_SAME_HOST_REDIRECTS = 5
_SLACK_S = 0.05  # a socket timeout this close to the deadline was the deadline's


class AnswerLimitError(requests.RequestException):
    """An answer refused by a limit; the message is the one-line reason."""


class CallDeadlineError(AnswerLimitError):
    pass


class InstanceBudgetError(CallDeadlineError):
    """The call was cut because the instance's budget ran out first."""


class ResponseTooLargeError(AnswerLimitError):
    pass


class CrossHostRedirectError(AnswerLimitError):
    pass


# The connections taken from a pool by this thread's call in progress, for its watchdog to cut.
_in_use = threading.local()


class _Tracked:
    """Pool mixin: note each connection taken for the call in progress on this thread."""

    def _get_conn(self, timeout: float | None = None) -> Any:
        conn = super()._get_conn(timeout)  # type: ignore[misc]
        taken = getattr(_in_use, "conns", None)
        if taken is not None:
            taken.append(conn)
        return conn


class _TrackedHTTPPool(_Tracked, urllib3.connectionpool.HTTPConnectionPool):
    pass


class _TrackedHTTPSPool(_Tracked, urllib3.connectionpool.HTTPSConnectionPool):
    pass


def _cut(conns: list[Any]) -> None:
    """At the deadline: shut the call's sockets, so that a server dripping its headers (which the
    socket timeout never catches, each byte arriving in time) cannot hold the call any longer."""
    for conn in list(conns):
        sock = getattr(conn, "sock", None)
        if sock is not None:
            with contextlib.suppress(OSError):  # already closed
                sock.shutdown(socket.SHUT_RDWR)


class BoundedSession(requests.Session):
    """GETs with ``stream`` forced on, redirects followed by hand, and the body read within limits.

    ``call_deadline_s`` bounds one call from the request to the last byte; ``begin_call`` may shorten it
    to what is left of the instance budget. ``cap_bytes`` bounds the body before and after decompression.
    """

    def __init__(self, call_deadline_s: float, cap_bytes: int) -> None:
        super().__init__()
        for adapter in self.adapters.values():
            if isinstance(adapter, requests.adapters.HTTPAdapter):
                adapter.poolmanager.pool_classes_by_scheme = {
                    "http": _TrackedHTTPPool,
                    "https": _TrackedHTTPSPool,
                }
        self.call_deadline_s = call_deadline_s
        self.cap_bytes = cap_bytes
        self._end: float | None = None
        self._why = ""
        self._late: type[CallDeadlineError] = CallDeadlineError

    def begin_call(self, budget_left_s: float, budget_s: float) -> None:
        """Start the clock of one call: its own deadline, or the instance budget when that ends first."""
        if budget_left_s < self.call_deadline_s:
            self._end, self._why = time.monotonic() + budget_left_s, f"the instance budget of {budget_s:g} s"
            self._late = InstanceBudgetError
        else:
            self._end, self._why = time.monotonic() + self.call_deadline_s, f"{self.call_deadline_s:g} s"
            self._late = CallDeadlineError

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        if self._end is None:
            self.begin_call(self.call_deadline_s, self.call_deadline_s)
        end, late = self._end, self._late(self._why)
        assert end is not None
        self._end = None  # the next call starts its own clock
        kwargs["stream"] = True
        kwargs["allow_redirects"] = False
        first = url if isinstance(url, str) else url.decode()
        conns: list[Any] = []
        _in_use.conns = conns
        watchdog = threading.Timer(max(0.0, end - time.monotonic()), _cut, (conns,))
        watchdog.daemon = True
        watchdog.start()
        try:
            return self._follow(method, first, end, late, *args, **kwargs)
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            # a socket timeout cut down to what was left of the deadline, or the watchdog's cut
            if isinstance(exc, AnswerLimitError) or time.monotonic() < end - _SLACK_S:
                raise
            raise type(late)(f"no complete answer from {_origin(first)} within {late}") from exc
        finally:
            watchdog.cancel()
            _in_use.conns = None

    def _follow(
        self,
        method: str | bytes,
        current: str,
        end: float,
        late: CallDeadlineError,
        *args: Any,
        **kwargs: Any,
    ) -> requests.Response:
        history: list[requests.Response] = []
        for _hop in range(_MAX_SAME_HOST_REDIRECTS + 1):
            kwargs["timeout"] = _within(kwargs.get("timeout"), end, current, late)
            response = super().request(method, current, *args, **kwargs)
            target = self.get_redirect_target(response) if response.is_redirect else None
            if target is None:
                _read_body(response, end, late, self.cap_bytes)
                response.history = history  # "an HTML page after a redirect" tells a login redirect
                return response
            history.append(response)
            following = urljoin(response.url, target)
            response.close()
            if self.should_strip_auth(response.url, following):
                raise CrossHostRedirectError(
                    f"HTTP {response.status_code}: redirect from {_origin(response.url)} to another host, "
                    f"{_origin(following)}; not followed (set the instance's url to the host that answers)"
                )
            current = following
        raise AnswerLimitError(f"more than {_MAX_SAME_HOST_REDIRECTS} redirects from {_origin(current)}")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"


def _within(timeout: Any, end: float, url: str, late: CallDeadlineError) -> tuple[float, float]:
    """(connect, read) timeouts no longer than what is left of the deadline."""
    left = end - time.monotonic()
    if left <= 0:
        raise type(late)(f"no complete answer from {_origin(url)} within {late}")
    connect, read = timeout if isinstance(timeout, tuple) else (timeout, timeout)
    return (min(connect or left, left), min(read or left, left))


def _read_body(response: requests.Response, end: float, late: CallDeadlineError, cap: int) -> None:
    """Read the body into ``response`` (``.content``, ``.text`` then work as usual), or raise.

    ``read1`` returns what one read of the socket gave, so a dripping server meets the deadline check
    after each chunk instead of filling a 64 KiB buffer at its own pace; ``tell`` counts wire bytes.
    """
    where = _origin(response.url)
    try:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > cap:
            raise ResponseTooLargeError(
                f"answer from {where} announced {int(declared):,} bytes, over the cap of {cap:,} bytes"
            )
        raw = response.raw
        chunks: list[bytes] = []
        decoded = 0
        while True:
            if time.monotonic() >= end:
                raise type(late)(
                    f"no complete answer from {where} within {late} ({decoded:,} bytes received)"
                )
            chunk = raw.read1(_CHUNK, decode_content=True)
            if not chunk:
                break
            decoded += len(chunk)
            if raw.tell() > cap:
                raise ResponseTooLargeError(f"answer from {where} over the cap of {cap:,} bytes")
            if decoded > cap:
                raise ResponseTooLargeError(
                    f"answer from {where} over the cap of {cap:,} bytes once decompressed "
                    f"({raw.tell():,} bytes on the wire)"
                )
            chunks.append(chunk)
    except BaseException:
        response.close()  # a refused answer is not drained: the connection is dropped
        raise
    response._content = b"".join(chunks)
    response._content_consumed = True  # type: ignore[attr-defined]
    response.close()
