"""One REST call: the client, timing, 429 handling and failure classification.

Every call goes through ``fetch``, which never raises for anything the server or the network does: it
returns a ``Reply`` holding the CallRecord and either the (parsed) value or a classified ``Failure``.
The atlassian-python-api client is used in ``advanced_mode`` so that we see the raw response (status
code, Content-Type) instead of the library's guesses (it returns HTML pages as ``str``).
"""

from __future__ import annotations

import json
import logging
import math
import re
import socket
import ssl
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests
import urllib3.exceptions
from atlassian import Confluence, Jira
from atlassian.rest_client import AtlassianRestAPI

from collectors.model import CallRecord, CollectionError, Deployment, ErrorKind, Product
from collectors.redaction import redact_text, redact_url
from collectors.rest.bounded import (
    AnswerLimitError,
    BoundedSession,
    CallDeadlineError,
    CrossHostRedirectError,
    InstanceBudgetError,
    ResponseTooLargeError,
)
from collectors.rest.parsing import ShapeError
from collectors.target import CollectOptions, InstanceTarget

TRANSPORT_KINDS = frozenset(
    {ErrorKind.CONNECTION_REFUSED, ErrorKind.DNS, ErrorKind.TLS, ErrorKind.TIMEOUT, ErrorKind.CONNECTION}
)

_MAX_DETAIL = 160
_LOGIN_PAGE = re.compile(
    r"log\s?in|sign\s?in|os_username|j_username|login\.jsp|saml|<input[^>]+type=[\"']?password", re.I
)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)


class _DropBodies(logging.Filter):
    """atlassian-python-api logs full response bodies and cURL lines at DEBUG; neither may leave."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = str(record.msg)
        return not (message.startswith("HTTP: Response text") or message.startswith("curl "))


_rest_logger = logging.getLogger("atlassian.rest_client")
if not any(isinstance(f, _DropBodies) for f in _rest_logger.filters):
    _rest_logger.addFilter(_DropBodies())

log = logging.getLogger(__name__)


# --- client -----------------------------------------------------------------------------------------


def build_client(target: InstanceTarget, options: CollectOptions) -> AtlassianRestAPI:
    """A client for one target; one per thread, since requests sessions are not guaranteed thread-safe."""
    cloud = target.deployment is Deployment.CLOUD
    session = BoundedSession(options.call_deadline_s, options.response_cap_bytes)
    session.verify = target.verify_tls  # the library takes verify from a session it is given
    kwargs: dict[str, Any] = {
        "session": session,
        "verify_ssl": target.verify_tls,
        # we retry 429s ourselves, within the budgets; the library's own retry sleeps up to 30 min
        "retry_with_header": False,
        "backoff_and_retry": False,
    }
    creds = target.credentials
    if creds.kind == "token" and creds.secret:
        kwargs["token"] = creds.secret  # Server/DC personal access token -> Bearer
    elif creds.kind == "basic" and creds.username and creds.secret:
        kwargs["username"], kwargs["password"] = creds.username, creds.secret  # Cloud: e-mail + API token
    client: AtlassianRestAPI
    if target.product is Product.JIRA:
        client = Jira(target.url, cloud=cloud, **kwargs)
    elif target.product is Product.CONFLUENCE:
        # Confluence(...) is a dispatching wrapper; attributes set on it would not reach the real
        # client, so keep the implementation.
        client = getattr(Confluence(target.url, cloud=cloud, **kwargs), "_impl")  # noqa: B009
    else:
        client = AtlassianRestAPI(target.url, cloud=cloud, **kwargs)
    client.timeout = options.timeout_s  # type: ignore[assignment]  # the constructor int()-casts it
    client.session.headers["User-Agent"] = options.user_agent
    return client


def call_url(client: AtlassianRestAPI, path: str, params: dict[str, Any] | None = None) -> str:
    url = client.url_joiner(client.url, path)
    return f"{url}?{urlencode(params)}" if params else url


# --- budget -----------------------------------------------------------------------------------------


class Deadline:
    """The wall-clock budget of one instance."""

    def __init__(self, budget_s: float) -> None:
        self.budget_s = budget_s
        self._end = time.monotonic() + budget_s

    def remaining(self) -> float:
        return self._end - time.monotonic()

    def start_call(self, client: AtlassianRestAPI) -> None:
        """Bound the call about to be made by what is left of this budget (clients built here)."""
        session = getattr(client, "session", None)
        if isinstance(session, BoundedSession):
            session.begin_call(self.remaining(), self.budget_s)

    def expired(self) -> bool:
        return self.remaining() <= 0


# --- results ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Failure:
    kind: ErrorKind
    message: str  # one line; redacted with the rest of the snapshot
    url: str | None
    status_code: int | None = None
    at: datetime | None = None

    def error(self, call: str) -> CollectionError:
        return CollectionError(
            call=call,
            kind=self.kind,
            message=self.message,
            url=self.url,
            status_code=self.status_code,
            at=self.at,
        )


@dataclass(frozen=True)
class Reply:
    record: CallRecord | None  # None when the call was never started (budget)
    value: Any = None
    failure: Failure | None = None

    @property
    def ok(self) -> bool:
        return self.failure is None

    @property
    def kind(self) -> ErrorKind | None:
        return self.failure.kind if self.failure else None


# --- the call ---------------------------------------------------------------------------------------


def fetch(
    client: AtlassianRestAPI,
    call: str,
    path: str,
    *,
    options: CollectOptions,
    deadline: Deadline,
    has_credentials: bool,
    params: dict[str, Any] | None = None,
    parse: Callable[[Any], Any] | None = None,
    cluster_call: bool = False,
    answer_on_error: Callable[[Any], bool] | None = None,
    on_response: Callable[[requests.Response], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Reply:
    """GET ``path``; retry 429s after Retry-After within the caps; classify whatever goes wrong.

    ``answer_on_error``: says whether a non-2xx JSON body is still the answer (``/status`` says
    MAINTENANCE with a 503 and ERROR with a 500). ``cluster_call``: a 405 (or a "clustered
    installation" refusal) means NOT_CLUSTERED rather than a client error. ``on_response``: sees the
    final response (not the 429s) before it is interpreted, for what the body lacks (Bitbucket names the
    authenticated user only in its X-AUSERNAME header).
    """
    url = call_url(client, path, params)
    shown = redact_url(url)  # what the log lines show: no credentials in user info or query
    if deadline.expired():
        message = f"not started: the instance budget of {deadline.budget_s:g} s was used up"
        log.info("%s: GET %s skipped: %s", call, shown, message)
        return Reply(None, failure=Failure(ErrorKind.BUDGET_EXCEEDED, message, url, at=datetime.now(UTC)))

    started_at = datetime.now(UTC)
    t0 = time.monotonic()
    attempts, waited = 0, 0.0
    status: int | None = None
    value: Any = None
    failure: tuple[ErrorKind, str] | None = None
    while True:
        attempts += 1
        sent = time.monotonic()
        try:
            deadline.start_call(client)
            response = client.get(path, params=params, advanced_mode=True)
        except Exception as exc:  # requests, urllib3, ssl, socket: whatever the transport raises is data
            failure = classify_exception(exc, url, options.timeout_s)
            log.debug(
                "%s: GET %s -> no response after %.0f ms", call, shown, (time.monotonic() - sent) * 1000
            )
            break
        status = response.status_code
        log.debug(
            "%s: GET %s -> %s in %.0f ms, %d bytes",
            call,
            shown,
            status,
            (time.monotonic() - sent) * 1000,
            len(response.content or b""),
        )
        if status != 429:
            if on_response is not None:
                on_response(response)
            value, failure = interpret(
                response,
                path,
                has_credentials=has_credentials,
                cluster_call=cluster_call,
                answer_on_error=answer_on_error,
            )
            break
        delay, give_up = _retry_decision(response, attempts - 1, options, deadline)
        if give_up:
            failure = (ErrorKind.RATE_LIMITED, give_up)
            break
        log.info(
            "%s: GET %s rate limited (HTTP 429); retry %d in %g s (Retry-After)", call, shown, attempts, delay
        )
        sleep(delay)
        waited += delay

    if failure is None and parse is not None:
        try:
            value = parse(value)
        except (ShapeError, ValueError, TypeError, KeyError, AttributeError) as exc:
            failure = (ErrorKind.UNEXPECTED_SHAPE, f"unexpected answer: {one_line(str(exc))}")

    record = CallRecord(
        call=call,
        url=url,
        started_at=started_at,
        elapsed_ms=round((time.monotonic() - t0) * 1000, 1),
        status_code=status,
        ok=failure is None,
        attempts=attempts,
        retry_after_waited_s=round(waited, 3),
        error=failure[0] if failure else None,
    )
    if failure is None:
        return Reply(record, value=value)
    log.info("%s: GET %s failed (%s): %s", call, shown, failure[0].value, redact_text(failure[1]))
    return Reply(record, failure=Failure(failure[0], failure[1], url, status, started_at))


# --- 429 --------------------------------------------------------------------------------------------


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds to wait: delta-seconds or an HTTP date. None when absent or garbage."""
    if not value:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


def _retry_decision(
    response: requests.Response, retries_done: int, options: CollectOptions, deadline: Deadline
) -> tuple[float, str | None]:
    """(seconds to wait, None) to retry, or (0, why not) to give up with RATE_LIMITED."""
    raw = response.headers.get("Retry-After")
    delay = parse_retry_after(raw)
    head = f"HTTP 429: rate limited (Retry-After: {one_line(raw, 40) if raw else 'absent'})"
    if delay is None:
        return 0.0, f"{head}; no usable Retry-After to wait for"
    if delay > options.retry_after_cap_s:
        return 0.0, f"{head}; {delay:g} s exceeds the {options.retry_after_cap_s:g} s cap"
    if retries_done >= options.max_retries:
        return 0.0, f"{head}; still limited after {retries_done} retries"
    if delay >= deadline.remaining():
        return 0.0, f"{head}; waiting {delay:g} s would exceed the instance budget"
    return delay, None


# --- response classification ------------------------------------------------------------------------


def interpret(
    response: requests.Response,
    path: str,
    *,
    has_credentials: bool,
    cluster_call: bool = False,
    answer_on_error: Callable[[Any], bool] | None = None,
) -> tuple[Any, tuple[ErrorKind, str] | None]:
    """(decoded JSON, None) or (None, (kind, message)) for a response other than 429."""
    status = response.status_code
    body = response.text or ""
    if 200 <= status < 300:
        return decode_json(response, body)
    if answer_on_error is not None:
        value, problem = decode_json(response, body)
        if problem is None and answer_on_error(value):
            return value, None
    detail = server_detail(response, body)
    suffix = f": {detail}" if detail else ""
    if cluster_call and (status == 405 or (status in (401, 403) and "cluster" in detail.lower())):
        return None, (ErrorKind.NOT_CLUSTERED, f"HTTP {status}: the instance is not clustered{suffix}")
    if status == 401:
        if has_credentials:
            return None, (ErrorKind.UNAUTHORIZED, "HTTP 401: credentials were rejected")
        return None, (ErrorKind.UNAUTHORIZED, "HTTP 401: authentication required, no credentials configured")
    if status == 403:
        return None, (ErrorKind.FORBIDDEN, f"HTTP 403: permission denied (admin rights needed?){suffix}")
    if status == 404:
        return None, (ErrorKind.NOT_FOUND, f"HTTP 404: {path.rstrip('/')} not found")
    if status >= 500:
        return None, (ErrorKind.SERVER_ERROR, f"HTTP {status}: server error{suffix}")
    if 300 <= status < 400:
        location = response.headers.get("Location", "?")
        return None, (ErrorKind.CLIENT_ERROR, f"HTTP {status}: unexpected redirect to {location}")
    return None, (ErrorKind.CLIENT_ERROR, f"HTTP {status}: {response.reason or 'client error'}{suffix}")


def decode_json(response: requests.Response, body: str) -> tuple[Any, tuple[ErrorKind, str] | None]:
    content_type = response.headers.get("Content-Type", "").lower()
    stripped = body.lstrip()
    if "html" in content_type or stripped.startswith("<"):
        return None, (ErrorKind.HTML_INSTEAD_OF_JSON, _html_message(response, body))
    if not stripped:
        return None, (ErrorKind.MALFORMED_JSON, f"HTTP {response.status_code}: an empty body instead of JSON")
    try:
        return json.loads(body), None
    except ValueError as exc:
        where = f" at character {exc.pos} of {len(body)}" if isinstance(exc, json.JSONDecodeError) else ""
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
        return None, (ErrorKind.MALFORMED_JSON, f"malformed JSON{where}: {one_line(reason)}")


def _html_message(response: requests.Response, body: str) -> str:
    title = _TITLE.search(body)
    title_text = one_line(title.group(1)) if title else ""
    what = f"an HTML page {title_text!r}" if title_text else "an HTML page"
    redirected = " after a redirect" if response.history else ""
    login = "; it looks like a login page (session, SSO or credentials)" if _LOGIN_PAGE.search(body) else ""
    return f"HTTP {response.status_code}: {what}{redirected} instead of JSON{login}"


def server_detail(response: requests.Response, body: str) -> str:
    """The server's own one-line explanation, from Atlassian JSON errors or an HTML title."""
    text = ""
    try:
        data = json.loads(body) if body.lstrip()[:1] in ("{", "[") else None
    except ValueError:
        data = None
    if isinstance(data, dict):
        parts: list[str] = []
        messages = data.get("errorMessages")
        if isinstance(messages, list):
            parts += [str(m) for m in messages if m]
        errors = data.get("errors")
        if isinstance(errors, dict):
            parts += [f"{k}: {v}" for k, v in errors.items()]
        for key in ("message", "detail", "reason"):
            if isinstance(data.get(key), str):
                parts.append(data[key])
        text = "; ".join(parts)
    elif "<" in body:
        title = _TITLE.search(body)
        text = title.group(1) if title else ""
    return one_line(text)


def one_line(text: str, limit: int = _MAX_DETAIL) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- exception classification -----------------------------------------------------------------------


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception, its causes, contexts and wrapped reasons (requests -> urllib3 -> socket/ssl)."""
    seen: set[int] = set()
    stack: list[BaseException] = [exc]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        linked = [current.__cause__, current.__context__, getattr(current, "reason", None), *current.args]
        stack.extend(e for e in linked if isinstance(e, BaseException))


def _endpoint(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    host = parts.hostname or "?"
    port: int | str
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        port = "?"
    return host, f"{host}:{port}"


_LIMIT_KINDS = {
    CallDeadlineError: ErrorKind.TIMEOUT,
    InstanceBudgetError: ErrorKind.BUDGET_EXCEEDED,
    ResponseTooLargeError: ErrorKind.RESPONSE_TOO_LARGE,
    CrossHostRedirectError: ErrorKind.CROSS_HOST_REDIRECT,
}
_CONNECT_TIMEOUTS = (requests.exceptions.ConnectTimeout, urllib3.exceptions.ConnectTimeoutError)
_TIMEOUTS = (requests.exceptions.Timeout, urllib3.exceptions.TimeoutError, TimeoutError)


def classify_exception(exc: BaseException, url: str, timeout_s: float) -> tuple[ErrorKind, str]:
    host, endpoint = _endpoint(url)
    chain = list(_chain(exc))
    limited = next((e for e in chain if isinstance(e, AnswerLimitError)), None)
    if limited is not None:
        return _LIMIT_KINDS.get(type(limited), ErrorKind.CONNECTION), one_line(str(limited))
    if any(isinstance(e, socket.gaierror | urllib3.exceptions.NameResolutionError) for e in chain):
        return ErrorKind.DNS, f"host name {host!r} could not be resolved (DNS)"
    tls = [e for e in chain if isinstance(e, ssl.SSLError | requests.exceptions.SSLError)]
    if tls:
        return ErrorKind.TLS, f"TLS handshake with {endpoint} failed: {_tls_reason(tls)}"
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return ErrorKind.CONNECTION_REFUSED, f"connection refused by {endpoint}"
    # urllib3's NewConnectionError (refused, unreachable) subclasses ConnectTimeoutError: not a timeout
    timeouts = [e for e in chain if not isinstance(e, urllib3.exceptions.NewConnectionError)]
    if any(isinstance(e, _CONNECT_TIMEOUTS) for e in timeouts):
        return ErrorKind.TIMEOUT, f"could not connect to {endpoint} within {timeout_s:g} s"
    if any(isinstance(e, _TIMEOUTS) for e in timeouts):
        return ErrorKind.TIMEOUT, f"no answer from {endpoint} within {timeout_s:g} s"
    # the innermost OS-level error says most ("Connection reset by peer"); wrappers repeat the URL
    root = next((e for e in chain if type(e).__module__ == "builtins"), chain[-1])
    reason = one_line(f"{type(root).__name__}: {root}" if str(root) else type(root).__name__)
    return ErrorKind.CONNECTION, f"connection to {endpoint} failed: {reason}"


def _tls_reason(errors: Sequence[BaseException]) -> str:
    for error in errors:
        if isinstance(error, ssl.SSLCertVerificationError) and error.verify_message:
            return f"certificate verify failed: {error.verify_message}"
    for error in errors:
        if isinstance(error, ssl.SSLError) and error.reason:
            return str(error.reason).replace("_", " ").lower()
    return one_line(re.sub(r"\s*\(_ssl\.c:\d+\)", "", str(errors[-1])))
