"""Endpoint names for access-log statistics: a request path with its ids templated away.

``/browse/ABC-123?focusedCommentId=1`` and ``/browse/XYZ-9`` are the same endpoint, ``/browse/{key}``:
statistics per endpoint only mean something once the ids, keys, hashes, titles and build numbers that
make every URL unique are gone. The query string (and matrix parameters such as ``;jsessionid=``) is
dropped first, since that is where secrets travel in URLs; segments that look like opaque tokens become
``{token}``. Rules, by the segment names that introduce them (anywhere in the path, so a context path
such as ``/jira`` or ``/wiki`` in front changes nothing):

- static resources: ``/s/<build...>/_/download/batch/<key>/<file>`` ->
  ``/s/{build}/_/download/batch/{resource}``; ``/download/resources|batch|contextbatch|superbatch/...``
  -> ``/download/<kind>/{resource}``;
- attachments: ``/download/attachments/1/a.png``, ``/secure/attachment/1/a.png`` -> ``.../{id}/{file}``;
- Confluence: ``/display/SPACE/Title`` -> ``/display/{space}/{title}``, ``/spaces/SPACE/pages/1/Title`` ->
  ``/spaces/{space}/pages/{id}/{title}``, ``/rest/api/space/KEY`` -> ``/rest/api/space/{space}``,
  ``/x/AbC1`` -> ``/x/{tinylink}``;
- Bitbucket: ``/projects/P/repos/R/...`` -> ``/projects/{project}/repos/{repo}/...`` (file paths after
  ``browse``/``raw``/``diff``/``files`` become ``{path}``), ``/users/u`` -> ``/users/{user}``,
  ``/scm/p/r.git/...`` -> ``/scm/{project}/{repo}.git/...``, ``~user`` -> ``{user}``;
- REST: ``/rest/<api>/<version>/`` stay as they are (``/rest/api/2/``, ``/rest/api/1.0/``);
- any segment: issue keys -> ``{key}``, numbers -> ``{id}`` (``{id}.png`` with an extension), UUIDs ->
  ``{uuid}``, hex of 7+ digits with a digit (commits, content hashes) -> ``{hash}``, e-mail addresses ->
  ``{user}``, long random-looking tokens -> ``{token}``.

Results are cached (bounded, least recently used): the same raw paths repeat all day.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

MAX_SEGMENTS = 12  # deeper paths end in "/{...}": they would only add distinct names
MAX_LENGTH = 200

_ISSUE_KEY = re.compile(r"[A-Z][A-Z0-9_]{0,49}-[0-9]+")
_NUMBER = re.compile(r"[0-9]+(?:\.[A-Za-z][A-Za-z0-9]{0,7})?")  # 12, 12.png; not 1.0 (a version)
_VERSION = re.compile(r"[0-9]{1,2}(?:\.[0-9]+)*|latest")  # 2, 1.0, latest; 123 is an id
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_HEX = re.compile(r"(?=[a-fA-F]*[0-9])[0-9a-fA-F]{7,}")
_TOKEN = re.compile(r"(?=[^0-9]*[0-9])(?=[^A-Za-z]*[A-Za-z])[A-Za-z0-9_=+.%-]{24,}")
_EMAIL = re.compile(r"[^@/]+(?:@|%40)[^@/]+\.[A-Za-z]{2,}")

_PLACEHOLDER = re.compile(r"\{[a-z.]+\}")
_STATIC_KINDS = frozenset({"resources", "batch", "contextbatch", "superbatch"})
_FILE_KINDS = frozenset({"attachments", "thumbnails", "attachment", "thumbnail", "temp"})
_REPO_PATHS = frozenset({"browse", "raw", "diff", "files", "last-modified", "blame", "annotate"})
_PAGES = (".action", ".jspa", ".jsp", ".do", ".html", ".json")  # /users/viewuserprofile.action is a page


def _named(seg: str | None) -> bool:
    """Whether ``seg`` can be the name after /display/, /spaces/, /projects/ or /users/."""
    return bool(seg and not seg.endswith(_PAGES))


def _segment(seg: str) -> str:
    """One segment's template, by its shape alone."""
    if not seg or seg[0] == "{":
        return seg
    if seg[0] == "~":
        return "{user}"
    if _NUMBER.fullmatch(seg):
        dot = seg.find(".")
        return "{id}" if dot < 0 else "{id}" + seg[dot:]
    if _ISSUE_KEY.fullmatch(seg):
        return "{key}"
    if _UUID.fullmatch(seg):
        return "{uuid}"
    if _HEX.fullmatch(seg):
        return "{hash}"
    if "@" in seg or "%40" in seg:
        return "{user}" if _EMAIL.fullmatch(seg) else seg
    if len(seg) >= 24 and _TOKEN.fullmatch(seg):
        return "{token}"
    return seg


def _static(segs: list[str], i: int, segment: Callable[[int], str]) -> list[str]:
    """``s/<build...>/_/<kind>/<sub>/...`` from segs[i] == "s" on, or [] when it is not one."""
    try:
        under = segs.index("_", i + 1)
    except ValueError:
        return []
    rest = len(segs) - under - 1
    if rest > 2 and segs[under + 1] == "download":
        return ["s", "{build}", "_", "download", segment(under + 2), "{resource}"]
    return ["s", "{build}", "_", *([segment(under + 1)] if rest > 1 else []), "{resource}"]


def _template(segs: list[str], kept: list[int]) -> list[str]:
    """The endpoint's segments; ``kept`` gets the indices of the segments copied into them."""

    def segment(k: int) -> str:
        out = _segment(segs[k])
        if not _PLACEHOLDER.fullmatch(out):
            kept.append(k)
        return out

    out: list[str] = []
    i, n = 0, len(segs)
    while i < n:
        seg = segs[i]
        nxt = segs[i + 1] if i + 1 < n else None
        if seg == "rest" and i + 2 < n and _VERSION.fullmatch(segs[i + 2]):  # /rest/api/2/: 2 stays
            out += [seg, segment(i + 1), segs[i + 2]]
            kept.append(i + 2)
            i += 3
            continue
        if seg == "s" and nxt is not None:
            static = _static(segs, i, segment)
            if static:
                return out + static
        if seg == "download" and nxt in _STATIC_KINDS:
            return [*out, seg, nxt, "{resource}"]
        if seg in ("download", "secure") and nxt in _FILE_KINDS:
            tail = [segment(i + 2)] if i + 2 < n else []
            return [*out, seg, nxt, *tail, *(["{file}"] if i + 3 < n else [])]
        if seg == "display" and _named(nxt):
            return [*out, seg, "{space}", *(["{title}"] if i + 2 < n and segs[i + 2] else [])]
        if seg == "spaces" and _named(nxt):
            out += [seg, "{space}"]
            i += 2
            if i + 1 < n and segs[i] == "pages":
                out += ["pages", segment(i + 1)]
                return out + (["{title}"] if i + 2 < n and segs[i + 2] else [])
            continue
        if seg == "space" and _named(nxt) and segs[i - 1] == "api":  # Confluence /rest/api/space/KEY
            out += [seg, "{space}"]
            i += 2
            continue
        if seg == "x" and nxt and i + 2 == n:  # Confluence tiny links
            return [*out, seg, "{tinylink}"]
        if seg in ("projects", "users") and _named(nxt):
            out += [seg, "{project}" if seg == "projects" else "{user}"]
            i += 2
            if i + 1 < n and segs[i] == "repos":
                out += ["repos", "{repo}"]
                i += 2
                if i < n and segs[i] in _REPO_PATHS:
                    return [*out, segs[i], *(["{path}"] if i + 1 < n and segs[i + 1] else [])]
            continue
        if seg == "scm" and nxt and i + 2 < n:
            repo = "{repo}.git" if segs[i + 2].endswith(".git") else "{repo}"
            out += [seg, "{project}", repo]
            i += 3
            continue
        out.append(segment(i))
        i += 1
    return out


def template_parts(path: str) -> tuple[str, tuple[int, ...]]:
    """The endpoint of a request path, and the indices of its ``/``-separated segments that were copied
    into it, whole or in part (anything else became a placeholder or was dropped). Every rule decides by
    the words in a path and by where its digits are, never by a digit's value: so two paths alike but
    for their digits have the same endpoint when they agree on the copied segments (access.py caches
    endpoints so)."""
    path = path.split("?", 1)[0].split("#", 1)[0]
    if not path.startswith("/"):  # "*" (OPTIONS *), "-" (a request Tomcat could not read), ssh commands
        return path[:MAX_LENGTH], tuple(range(path.count("/") + 1))
    segs = [seg.split(";", 1)[0] for seg in path.split("/")]
    if len(segs) > MAX_SEGMENTS + 1:
        segs = [*segs[: MAX_SEGMENTS + 1], "{...}"]
    kept: list[int] = []
    name = "/".join(_template(segs, kept))
    return (name if len(name) <= MAX_LENGTH else name[: MAX_LENGTH - 6] + "/{...}"), tuple(kept)


@lru_cache(maxsize=16384)
def template_path(path: str) -> str:
    """The endpoint of a request path: query and matrix parameters dropped, ids templated."""
    return template_parts(path)[0]
