"""What an instance answers before, or instead of, its real payload.

DOWN and TLS_UNTRUSTED act on the socket (server.py). Everything else is decided here, in the endpoint
contract's order of precedence: delay, rate limit, HTML login page, 500, malformed JSON,
authentication, read-only (405), unknown path (404). /status and other paths outside /rest only get
the delay, the 405 and the 404: load balancers read /status without credentials, and the faults
model what sits in front of, or inside, the REST layer.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import threading
from collections.abc import Sequence
from dataclasses import replace

from collectors.model import Product
from sandbox import cloud_rate_limits
from sandbox.exchange import HTML, Call, Response, Route, json_response, not_found, resolve
from sandbox.spec import Fault, InstanceSpec

# The REST layer the faults act on: Atlassian's /rest, Fisheye/Crucible's /rest-service*, Bitbucket
# Cloud's /2.0. Load-balancer probes inside it (Bamboo's status) are treated like /status.
REST_PREFIXES = ("/rest/", "/rest-service", "/2.0/")
PROBES = frozenset({"/rest/api/latest/status"})
RATE_LIMIT = 100  # what X-RateLimit-Limit announces; only the 429s themselves matter
_MALFORMED_FALLBACK = b'{"errorMessages": ["Not fo'


def delay_s(spec: InstanceSpec) -> float:
    """How long every answer waits (the caller sleeps in its own per-connection thread)."""
    return (spec.latency_ms + (spec.slow_ms if Fault.SLOW in spec.faults else 0)) / 1000


class RateLimiter:
    """Counts one instance's /rest calls so the first `rate_limit_count` of them get a 429."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen = 0

    def limited(self, limit: int) -> bool:
        if limit < 0:
            return True
        with self._lock:
            self._seen += 1
            return self._seen <= limit

    def reset(self) -> None:
        with self._lock:
            self._seen = 0


def answer(call: Call, routes: Sequence[Route], limiter: RateLimiter) -> Response:
    found = resolve(routes, call.path)
    if not call.path.startswith(REST_PREFIXES) or call.path in PROBES:
        return plain(call, found)
    spec = call.spec
    faults = spec.faults
    if Fault.RATE_LIMITED in faults and limiter.limited(spec.rate_limit_count):
        return rate_limited(spec)
    if Fault.CLOUD_RATE_LIMITED in faults and limiter.limited(spec.rate_limit_count):
        return cloud_rate_limits.too_many_requests(call)
    if Fault.HTML_LOGIN in faults:
        return login_page(spec)
    if Fault.SERVER_ERROR in faults:
        return tomcat_error()
    if Fault.MALFORMED_JSON in faults:
        return malformed(call, found)
    if Fault.UNAUTHORIZED in faults or not _authenticated(call, found):
        return unauthorized(spec)
    return cloud_rate_limits.stamp(call, plain(call, found))


def plain(call: Call, found: tuple[Route, dict[str, str]] | None) -> Response:
    """The answer once faults and authentication are through: 405, 404 or the payload."""
    if call.method != "GET":
        return json_response({"errorMessages": ["Method Not Allowed"]}, 405, [("Allow", "GET")])
    if found is None:
        return not_found()
    matched, params = found
    return matched.build(replace(call, params=params))


def _authenticated(call: Call, found: tuple[Route, dict[str, str]] | None) -> bool:
    if call.authorization is None:
        return found is not None and found[0].anonymous
    return credentials_valid(call.spec, call.authorization)


def credentials_valid(spec: InstanceSpec, authorization: str) -> bool:
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "bearer":  # Crowd has no personal access tokens: its admin API takes a password
        return spec.product is not Product.CROWD and _same(value.strip(), spec.accepted_token())
    if scheme.lower() != "basic":
        return False
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return False
    user, colon, password = decoded.partition(":")
    # Evaluate both comparisons so timing does not tell which half was wrong.
    return bool(colon) & _same(user, spec.username) & _same(password, spec.accepted_password())


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def rate_limited(spec: InstanceSpec) -> Response:
    headers = [
        ("Retry-After", str(spec.retry_after_s)),
        ("X-RateLimit-Limit", str(RATE_LIMIT)),
        ("X-RateLimit-Remaining", "0"),
    ]
    return json_response({"message": "Rate limit exceeded"}, 429, headers)


def unauthorized(spec: InstanceSpec) -> Response:
    message = "You are not authenticated. Authentication required to perform this operation."
    realm = _product_title(spec)
    return json_response({"errorMessages": [message]}, 401, [("WWW-Authenticate", f'Basic realm="{realm}"')])


def malformed(call: Call, found: tuple[Route, dict[str, str]] | None) -> Response:
    """200 JSON cut mid-way: the real payload's first half, so it looks like a dropped stream."""
    body = _MALFORMED_FALLBACK
    if found is not None:
        matched, params = found
        whole = matched.build(replace(call, params=params)).body
        body = whole[: max(1, len(whole) // 2)]
    return Response(200, body)


def _product_title(spec: InstanceSpec) -> str:
    return spec.product.label


def login_page(spec: InstanceSpec) -> Response:
    title = _product_title(spec)
    action = "dologin.action" if spec.product is Product.CONFLUENCE else "login.jsp"
    page = f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Log in - {title}</title></head>
<body id="login-page">
<h1>Log in to {title}</h1>
<form id="login-form" method="post" action="{action}">
  <label for="os_username">Username</label><input type="text" id="os_username" name="os_username">
  <label for="os_password">Password</label><input type="password" id="os_password" name="os_password">
  <input type="submit" id="login" value="Log In">
</form>
</body>
</html>
"""
    return Response(200, page.encode(), HTML)


def tomcat_error() -> Response:
    page = """<!doctype html><html lang="en">
<head><title>HTTP Status 500 - Internal Server Error</title></head>
<body><h1>HTTP Status 500 - Internal Server Error</h1><hr class="line" />
<p><b>Type</b> Exception Report</p>
<p><b>Message</b> Request processing failed</p>
<p><b>Description</b> The server encountered an unexpected condition that prevented it from fulfilling the
request.</p><hr class="line" /><h3>Apache Tomcat/9.0.82</h3></body></html>
"""
    return Response(500, page.encode(), HTML)
