"""One bounded HTTP exchange for the webhook and Jira senders: a time limit, a size limit on the
answer, no redirects followed, and errors turned into one-line DeliveryErrors."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3

from agent.service.channels.base import DeliveryError

MAX_ANSWER_BYTES = 1 << 20  # enough for a Jira search or transition list; a flood is cut off here
EXCERPT_CHARS = 200
PERMANENT_STATUSES = frozenset({400, 401, 403, 404, 405, 410, 413})


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes

    def json(self, what: str) -> Any:
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError):
            raise DeliveryError(f"{what}: the answer is not JSON: {excerpt(self.body)}") from None


def excerpt(body: bytes) -> str:
    text = " ".join(body[: EXCERPT_CHARS * 4].decode("utf-8", "replace").split())
    return text[:EXCERPT_CHARS] + ("…" if len(text) > EXCERPT_CHARS else "") if text else "(empty body)"


def exchange(
    session: requests.Session,
    method: str,
    url: str,
    *,
    what: str,
    timeout: float,
    json_body: object = None,
    headers: Mapping[str, str] | None = None,
) -> Answer:
    """Send one request; a 2xx answer's body (at most MAX_ANSWER_BYTES), else a DeliveryError."""
    try:
        response = session.request(
            method,
            url,
            json=json_body,
            headers=dict(headers or {}),
            timeout=(timeout, timeout),
            allow_redirects=False,
            stream=True,
        )
    except requests.Timeout:
        raise DeliveryError(f"{what}: no answer within {timeout:g}s") from None
    except requests.exceptions.SSLError as exc:
        raise DeliveryError(f"{what}: TLS failed: {_reason(exc, url)}") from None
    except requests.RequestException as exc:
        raise DeliveryError(f"{what}: cannot connect: {_reason(exc, url)}") from None
    try:
        body = response.raw.read(MAX_ANSWER_BYTES, decode_content=True) or b""
    except (requests.RequestException, urllib3.exceptions.HTTPError, OSError, ValueError) as exc:
        raise DeliveryError(f"{what}: the answer broke off: {_reason(exc, url)}") from None
    finally:
        response.close()
    status = response.status_code
    if 300 <= status < 400:
        location = response.headers.get("Location", "?")
        raise DeliveryError(f"{what}: HTTP {status} redirect to {location[:200]} (not followed; fix the URL)")
    if not 200 <= status < 300:
        raise DeliveryError(f"{what}: HTTP {status}: {excerpt(body)}", permanent=status in PERMANENT_STATUSES)
    return Answer(status, body)


def _reason(exc: BaseException, url: str) -> str:
    """The innermost error (requests nests urllib3's), without the URL's path: a Slack or Teams
    webhook's path is its secret, and this text is logged and stored."""
    inner: BaseException = exc
    while inner.__context__ is not None and inner.__context__ is not inner:
        inner = inner.__context__
    text = " ".join(str(inner or exc).split())
    target = urlsplit(url)
    for secret in (target.path, target.query):
        if len(secret) > 1:
            text = text.replace(secret, "/…")
    return text[:300] or type(exc).__name__
