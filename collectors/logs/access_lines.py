"""Reading one access-log line of each format into the few fields the statistics need.

Every parser returns ``(time, request, status, duration, address, user)`` as raw bytes (the duration an
int, or None when the line has none), ``INCOMING`` for a line that is well formed but is not a request
(Bitbucket writes every request twice, ``i@`` when it comes in and ``o@`` when it completes: only the
``o@`` line has the status and the duration), or None for a line that fits no layout. ``time`` is the
timestamp text, in the format's own layout (``CLF`` or ``ISO``, see ``LineFormat.clock``); ``request``
is an opaque, hashable key that ``LineFormat.endpoint`` turns into ``(method, path)``: it is the cache
key of the endpoint, so it holds no query string (query strings would make every key distinct).

The fast path is ``bytes.split`` on the layout's fixed separators; a regular expression runs only when
the split finds the wrong shape (a quote inside a URL, an X-Forwarded-For list with spaces, a user name
with spaces, a missing protocol). Lines longer than ``MAX_FALLBACK`` never reach a regex.

Layouts (reference atlassian.md 5.4 and 5.7):

- Jira, Tomcat: ``%a %{jira.request.id}r %{jira.request.username}r %t "%m %U%q %H" %s %b %D "%{Referer}i"
  "%{User-Agent}i" "%{jira.request.assession.id}r"``
- Confluence, default: ``%t %{X-AUSERNAME}o %I %h %r %s %Dms %b %{Referer}i %{User-Agent}i``; since 7.11
  ``%{X-Forwarded-For}i`` follows ``%t``; the Helm charts' ``%h %{X-AUSERNAME}o %t "%r" %s %b %D %U %I
  "%{User-Agent}i"``.
- Bitbucket: ``ip | protocol | i@/o@id | user | time | "request" | "referer" "agent" | status | bytesRead |
  bytesWritten | labels | durationMs | session |``; Stash before 3.x wrote no status and bytes columns.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypedDict

from collectors.logs.endpoints import template_parts, template_path

# What a line's request is keyed by: the request line (HTTP formats), or Bitbucket's request and labels.
RequestKey = bytes | tuple[bytes, bytes]
Fields = tuple[bytes, RequestKey, bytes, int | None, bytes, bytes]
Parsed = Fields | tuple[()] | None
INCOMING: tuple[()] = ()
MAX_FALLBACK = 8192

CLF = "clf"  # 01/May/2024:10:00:00 +0000 (26 bytes)
ISO = "iso"  # 2024-05-01 10:00:00 (19 bytes, the zone is the file's)

_METHODS = frozenset(
    {
        b"GET",
        b"POST",
        b"PUT",
        b"DELETE",
        b"HEAD",
        b"OPTIONS",
        b"PATCH",
        b"TRACE",
        b"CONNECT",
        b"PROPFIND",
        b"MKCOL",
        b"COPY",
        b"MOVE",
        b"LOCK",
        b"UNLOCK",
        b"PROPPATCH",
    }
)
_CLF_TIME = rb"\d\d/[A-Za-z]{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}"

# ip [request-id] user [time] "request" status bytes duration ...: Jira, and Confluence's Helm layout
_TOMCAT_QUOTED = re.compile(
    rb"(?P<a>\S+) (?:\S+ )?(?P<u>.*?) \[(?P<t>" + _CLF_TIME + rb")\] \"(?P<r>.*?)\" (?P<s>\d{3}|-) (?:\d+|-) "
    rb"(?P<d>\d+) "  # more fields follow in every layout: a line ending here was cut
)
# [time] [x-forwarded-for...] user thread host METHOD url [protocol] status Nms ...
_CONFLUENCE = re.compile(
    rb"\[(?P<t>" + _CLF_TIME + rb")\] (?:(?P<x>.+?) )?(?P<u>\S+) \S+ (?P<a>\S+) "
    rb"(?P<r>[A-Z]+ \S+|-)(?: HTTP/[\d.]+)? (?P<s>\d{3}) (?P<d>\d+)ms "
)
_BITBUCKET = re.compile(
    rb"(?P<a>[^|]+?) \| (?P<p>[^|]+?) \| (?P<io>[io])@?\S+ \| (?P<u>[^|]+?) \| "
    rb"(?P<t>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)[,.]\d+ \| (?P<r>.*?) \| (?P<ref>.*?) \| "
    rb"(?:(?P<s>\d{3}|-) \| [^|]* \| [^|]* \| )?(?P<l>[^|]*?) \| (?P<d>\d+|-) \| [^|]*?\|"
)


def _query_cut(request: bytes) -> bytes:
    return request.split(b"?", 1)[0]


def jira(line: bytes) -> Fields | None:
    # ip request-id user [01/May/2024:10:00:00 +0000] "request" status bytes duration ...
    return _quoted_request(line, 2)


def _quoted_request(line: bytes, head_fields: int) -> Fields | None:
    """Tomcat layouts with the request in quotes: ``head_fields`` space-separated fields before the
    user (the address, and Jira's request id), then ``user [time zone] "request" status bytes duration``."""
    try:
        head, request, tail = line.split(b'"', 2)
        parts = head.split(b" ", head_fields)
        address, rest = parts[0], parts[-1]  # rest: user [01/May/2024:10:00:00 +0000]_
        _, status, _, duration, _ = tail.split(b" ", 4)
        if len(parts) == head_fields + 1 and rest[-30:-28] == b" [" and rest[-2:] == b"] ":
            return rest[-28:-2], request.split(b"?", 1)[0], status, int(duration), address, rest[:-30]
    except ValueError:
        pass
    return _tomcat_quoted(line)


def _tomcat_quoted(line: bytes) -> Fields | None:
    if len(line) > MAX_FALLBACK:
        return None
    m = _TOMCAT_QUOTED.match(line)
    if m is None:
        return None
    return m["t"], _query_cut(m["r"]), m["s"], int(m["d"]), m["a"], m["u"]


def confluence(line: bytes) -> Fields | None:
    if line[:1] != b"[":  # the Helm layout: ip user [time] "request" status bytes duration ...
        return _quoted_request(line, 1)
    try:
        f = line.split(b" ", 11)
        if f[5] in _METHODS:  # [time zone] user thread host METHOD url protocol status Nms
            user, address, method, url, status, duration = f[2], f[4], f[5], f[6], f[8], f[9]
        elif f[6] in _METHODS:  # [time zone] forwarded-for user thread host METHOD url protocol status Nms
            user, method, url, status, duration = f[3], f[6], f[7], f[9], f[10]
            address = f[2] if f[2] != b"-" else f[5]
        else:
            return _confluence_odd(line)
        if duration[-2:] == b"ms" and len(status) == 3:
            request = method + b" " + url.split(b"?", 1)[0]
            return line[1:27], request, status, int(duration[:-2]), address, user
    except (ValueError, IndexError):
        pass
    return _confluence_odd(line)


def _confluence_odd(line: bytes) -> Fields | None:
    if len(line) > MAX_FALLBACK:
        return None
    m = _CONFLUENCE.match(line)
    if m is None:
        return None
    forwarded = m["x"]
    address = forwarded if forwarded and forwarded != b"-" else m["a"]
    return m["t"], _query_cut(m["r"]), m["s"], int(m["d"]), address, m["u"]


def bitbucket(line: bytes) -> Parsed:
    f = line.split(b" | ")
    try:
        if len(f) == 13:
            direction = f[2][:1]
            if direction == b"i":
                return INCOMING
            if direction == b"o" and len(f[4]) >= 19:
                duration = f[11]
                return (
                    f[4][:19],
                    (f[5].split(b"?", 1)[0], f[10]),
                    f[7],
                    None if duration == b"-" else int(duration),
                    f[0],
                    f[3],
                )
    except ValueError:
        pass
    return _bitbucket_odd(line)


def _bitbucket_odd(line: bytes) -> Parsed:
    if len(line) > MAX_FALLBACK:
        return None
    m = _BITBUCKET.match(line)
    if m is None:
        return None
    if m["io"] == b"i":
        return INCOMING
    duration = m["d"]
    return (
        m["t"],
        (_query_cut(m["r"]), m["l"]),
        m["s"] or b"-",
        None if duration == b"-" else int(duration),
        m["a"],
        m["u"],
    )


# Ids, issue keys and hashes as whole segments, replaced before an endpoint cache miss is templated, so
# that /browse/ABC-1 and /browse/XYZ-22 share one cache entry. Each replacement is what
# endpoints.template_path makes of that segment, and a segment in braces stays as it is there, so the
# endpoint named is the same; numbers need 3+ digits, so /rest/api/2/ (a version, kept) is left alone.
# One regex that starts at a literal "/": a lookbehind would be tried at every byte (5x slower).
_ID_SEGMENT = re.compile(
    rb"/(?:(?P<id>[0-9]{3,})|(?P<key>[A-Z][A-Z0-9_]{0,49}-[0-9]+)|(?P<hash>[0-9a-fA-F]{7,}))(?=[/ ;]|$)"
)


def _placeholder(m: re.Match[bytes]) -> bytes:
    if m["id"]:
        return b"/{id}"
    if m["key"]:
        return b"/{key}"
    return b"/{hash}" if any(48 <= c <= 57 for c in m["hash"]) else m[0]  # hex needs a digit: not "defaced"


def _shape_path(raw: bytes) -> bytes:
    return _ID_SEGMENT.sub(_placeholder, raw)


_ZERO_DIGITS = bytes.maketrans(b"123456789", b"000000000")
_HAS_DIGIT = re.compile(rb"[0-9]")


def digit_shape(path: bytes) -> bytes:
    """``path`` with every digit 0. Templating decides by where digits are, never by their values, so
    two paths of one digit shape get the same endpoint name when their ``kept_digit_segments`` agree."""
    return path.translate(_ZERO_DIGITS)


def kept_digit_segments(path: bytes) -> tuple[int, ...]:
    """The indices of the ``/``-separated segments of ``path`` (no query) that have digits and that
    templating copies into the endpoint's name (versions such as ``2`` or ``1.0``, names such as
    ``oauth2``): endpoints.template_parts. The same for every path of the same digit shape."""
    segments = path.split(b"/")
    _, kept = template_parts(path.decode("utf-8", "replace"))
    return tuple(i for i in kept if i < len(segments) and _HAS_DIGIT.search(segments[i]))


def _request_line(request: RequestKey) -> bytes:
    """The key of an HTTP format's request: its request line."""
    if isinstance(request, tuple):
        raise TypeError(f"an HTTP format was given a labelled request key: {request!r}")
    return request


def _labelled_request(request: RequestKey) -> tuple[bytes, bytes]:
    """The key of a Bitbucket request: the request and its labels."""
    if isinstance(request, bytes):
        raise TypeError(f"Bitbucket's format was given an unlabelled request key: {request!r}")
    return request


def http_cut(request: RequestKey) -> RequestKey:
    """The request key without its query string."""
    return _request_line(request).split(b"?", 1)[0]


def http_shape(request: RequestKey) -> RequestKey:
    """``b"GET /browse/ABC-1 HTTP/1.1"`` -> ``b"GET /browse/{key} HTTP/1.1"``: the same endpoint."""
    return _shape_path(_request_line(request))


def bitbucket_cut(request: RequestKey) -> RequestKey:
    raw, labels = _labelled_request(request)
    return raw.split(b"?", 1)[0], labels


def bitbucket_shape(request: RequestKey) -> RequestKey:
    raw, labels = _labelled_request(request)
    return _shape_path(raw), labels


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


def http_endpoint(request: RequestKey) -> tuple[str, str]:
    """``b"GET /browse/ABC-1 HTTP/1.1"`` -> ``("GET", "/browse/{key}")``."""
    parts = _text(_request_line(request)).split(" ")
    if len(parts) < 2:
        return "-", template_path(parts[0]) if parts[0] else "-"
    return parts[0][:16], template_path(parts[1])


# Bitbucket's labels name the git operation of a hosting request; the first match names the endpoint.
GIT_OPERATIONS = ("shallow clone", "clone", "fetch", "push", "refs", "archive", "ls-remote")


def bitbucket_endpoint(request: RequestKey) -> tuple[str, str]:
    """``(b'"POST /scm/p/r.git/git-upload-pack HTTP/1.1"', b"clone, cache:hit")`` -> ``("POST", "git clone
    (cache:hit)")``; a request without a git label is templated as a path; ssh commands keep their verb."""
    raw, labels = _labelled_request(request)
    text = _text(raw).strip('"')
    names = [label.strip() for label in _text(labels).split(",")]
    method = "SSH" if text.startswith(("SSH ", "git-")) else text.split(" ", 1)[0][:16]
    for operation in GIT_OPERATIONS:
        if operation in names:
            cache = next((n for n in names if n.startswith("cache:")), None)
            return method, f"git {operation}" + (f" ({cache})" if cache else "")
    if method == "SSH":  # SSH - git-upload-pack '/PROJ/repo.git'
        command = next((word for word in text.split(" ") if word.startswith("git-")), "ssh")
        return method, command
    parts = text.split(" ")
    return method, template_path(parts[1]) if len(parts) > 1 else "-"


@dataclass(frozen=True)
class Layout:
    """Where a Tomcat layout's fields fall in ``line.split(b" ", splits)``, for the column-wise reader
    (access_columns.py): no regex. A line whose fields are not well formed where they should be (a user
    name with spaces, an X-Forwarded-For list) goes to the format's ``parse`` instead. The path follows
    the method, the zone follows the time, and the duration is the last field read."""

    name: str
    splits: int
    address: int
    user: int
    time: int  # b"[01/May/2024:10:00:00"
    zone: int  # b"+0000]"
    method: int  # b'"GET' or b"GET"
    path: int  # with the query string
    status: int
    duration: int  # b"91", or b"91ms" with ``suffix``
    forwarded: int = -1  # X-Forwarded-For: the client, unless "-"
    suffix: bytes = b""

    def __post_init__(self) -> None:
        read = (
            self.address,
            self.user,
            self.time,
            self.zone,
            self.method,
            self.path,
            self.status,
            self.forwarded,
        )
        if (
            self.path != self.method + 1
            or self.zone != self.time + 1
            or not (max(read) < self.duration < self.splits)
        ):
            raise ValueError(
                f"layout {self.name}: the column reader needs the path after the method, the "
                "zone after the time, and the duration last, before the last split"
            )

    def fits(self, line: bytes) -> bool:
        """Whether ``line`` has this layout's shape (for choosing a file's layout from its first lines)."""
        f = line.split(b" ", self.splits)
        if len(f) <= max(self.duration, self.path):
            return False
        duration = f[self.duration]
        if self.suffix:
            if not duration.endswith(self.suffix):
                return False
            duration = duration[: -len(self.suffix)]
        return (
            duration.isdigit()
            and len(f[self.status]) == 3
            and f[self.status].isdigit()
            and f[self.time][:1] == b"["
            and f[self.zone][-1:] == b"]"
            and f[self.method].lstrip(b'"') in _METHODS
        )


# ip request-id user [time zone] "METHOD url PROTOCOL" status bytes duration ...
JIRA_LAYOUT = Layout("jira", 11, address=0, user=2, time=3, zone=4, method=5, path=6, status=8, duration=10)
# [time zone] user thread host METHOD url PROTOCOL status Nms ...
CONFLUENCE_LAYOUT = Layout(
    "confluence", 10, address=4, user=2, time=0, zone=1, method=5, path=6, status=8, duration=9, suffix=b"ms"
)
# [time zone] forwarded-for user thread host METHOD url PROTOCOL status Nms ...
CONFLUENCE_711_LAYOUT = Layout(
    "confluence-7.11",
    11,
    address=5,
    user=3,
    time=0,
    zone=1,
    method=6,
    path=7,
    status=9,
    duration=10,
    forwarded=2,
    suffix=b"ms",
)
# ip user [time zone] "METHOD url PROTOCOL" status bytes duration ...
CONFLUENCE_HELM_LAYOUT = Layout(
    "confluence-helm", 10, address=0, user=1, time=2, zone=3, method=4, path=5, status=7, duration=9
)


@dataclass(frozen=True)
class LineFormat:
    name: str
    parse: Callable[[bytes], Parsed]
    endpoint: Callable[[RequestKey], tuple[str, str]]
    cut: Callable[[RequestKey], RequestKey]  # a request key without its query string
    shape: Callable[[RequestKey], RequestKey]  # a cut request key with its ids replaced: the same endpoint
    clock: str  # CLF or ISO
    tomcat: bool  # %D: milliseconds up to Tomcat 9, microseconds from Tomcat 10 (see access.py)
    layouts: tuple[Layout, ...] = ()  # for the fast path; a file uses the one most of its first lines fit
    http: bool = False  # request keys are b"METHOD /path[ PROTOCOL]": access.py caches them by method, path


class _KeyHandling(TypedDict):
    endpoint: Callable[[RequestKey], tuple[str, str]]
    cut: Callable[[RequestKey], RequestKey]
    shape: Callable[[RequestKey], RequestKey]
    http: bool


_HTTP: _KeyHandling = {"endpoint": http_endpoint, "cut": http_cut, "shape": http_shape, "http": True}
JIRA = LineFormat("jira", jira, **_HTTP, clock=CLF, tomcat=True, layouts=(JIRA_LAYOUT,))
CONFLUENCE = LineFormat(
    "confluence",
    confluence,
    **_HTTP,
    clock=CLF,
    tomcat=True,
    layouts=(CONFLUENCE_LAYOUT, CONFLUENCE_711_LAYOUT, CONFLUENCE_HELM_LAYOUT),
)
BITBUCKET = LineFormat(
    "bitbucket",
    bitbucket,
    endpoint=bitbucket_endpoint,
    cut=bitbucket_cut,
    shape=bitbucket_shape,
    clock=ISO,
    tomcat=False,
)
