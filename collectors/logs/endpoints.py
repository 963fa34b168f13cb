"""Endpoint names for access-log statistics: a request path with its ids templated away.

``/browse/ABC-123?focusedCommentId=1`` and ``/browse/XYZ-9`` are the same endpoint, ``/browse/{key}``:
statistics per endpoint only mean something once the ids, keys, hashes, titles and build numbers that
make every URL unique are gone. The query string (and matrix parameters such as ``;jsessionid=``) is
dropped first, since that is where secrets travel in URLs. Then the segments are read left to right:

- where a segment is the word that introduces one of the ``RULES`` (``rest``, ``s``, ``download``,
  ``display``, ``projects``, ``scm``...), the first of its rules that matches names the segments from
  there on (anywhere in the path, so a context path such as ``/jira`` or ``/wiki`` in front changes
  nothing): ``/spaces/SPACE/pages/1/Title`` -> ``/spaces/{space}/pages/{id}/{title}``;
- any other segment is named by its shape alone: issue keys -> ``{key}``, numbers -> ``{id}`` (``{id}.png``
  with an extension), UUIDs -> ``{uuid}``, hex of 7+ digits with a digit (commits, content hashes) ->
  ``{hash}``, ``~user`` and e-mail addresses -> ``{user}``, long random-looking tokens -> ``{token}``;
  anything else stays as it is.

Results are cached (bounded, least recently used): the same raw paths repeat all day.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from collectors.products import Product

MAX_SEGMENTS = 12  # deeper paths end in "/{...}": they would only add distinct names
MAX_LENGTH = 200

_ISSUE_KEY = re.compile(r"[A-Z][A-Z0-9_]{0,49}-[0-9]+")
_NUMBER = re.compile(r"[0-9]+(?:\.[A-Za-z][A-Za-z0-9]{0,7})?")  # 12, 12.png; not 1.0 (a version)
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_HEX = re.compile(r"(?=[a-fA-F]*[0-9])[0-9a-fA-F]{7,}")
_TOKEN = re.compile(r"(?=[^0-9]*[0-9])(?=[^A-Za-z]*[A-Za-z])[A-Za-z0-9_=+.%-]{24,}")
_EMAIL = re.compile(r"[^@/]+(?:@|%40)[^@/]+\.[A-Za-z]{2,}")
_PLACEHOLDER = re.compile(r"\{[a-z.]+\}")


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


# -- the rules ----------------------------------------------------------------------------------------

# What a segment a rule matched becomes in the name: one of these, or a placeholder such as "{space}".
COPY = "<copy>"  # itself
SHAPE = "<shape>"  # its template by shape alone (_segment)
DROP = ""  # nothing: a placeholder at the end stands for it

# What a segment must look like; any segment at all, even an empty one, is _ANY.
_ANY = re.compile(r".*", re.DOTALL)
_FILLED = re.compile(r".+", re.DOTALL)
_NAME = re.compile(r"(?!.*\.(?:action|jspa|jsp|do|html|json)\Z).+", re.DOTALL)  # not a page: viewspace.action
_VERSION = re.compile(r"[0-9]{1,2}(?:\.[0-9]+)*|latest")  # 2, 1.0, latest; 123 is an id
_GIT_REPO = re.compile(r".*\.git", re.DOTALL)


@dataclass(frozen=True)
class Slot:
    """One segment of a rule: what it must be (one of some words, or a regex it matches in full) and what
    it becomes. An optional slot is passed over when its segment is missing or does not match; a slot
    with ``skip`` first passes over the segments up to the first that matches, which all become that
    one placeholder."""

    accepts: frozenset[str] | re.Pattern[str]
    becomes: str
    optional: bool = False
    skip: str | None = None
    matches: Callable[[str], object] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        test = self.accepts.__contains__ if isinstance(self.accepts, frozenset) else self.accepts.fullmatch
        object.__setattr__(self, "matches", test)  # one lookup per segment tried, no branch


def word(*words: str) -> Slot:
    """A segment that is one of ``words``, copied."""
    return Slot(frozenset(words), COPY)


def named(placeholder: str) -> Slot:
    """A name (a space, a project, a user; not a page such as ``viewspace.action``) -> ``placeholder``."""
    return Slot(_NAME, placeholder)


def filled(placeholder: str) -> Slot:
    """A segment that is not empty -> ``placeholder``."""
    return Slot(_FILLED, placeholder)


def anything(becomes: str) -> Slot:
    """A segment, whatever it is, even empty -> ``becomes``."""
    return Slot(_ANY, becomes)


def then(becomes: str, accepts: re.Pattern[str] = _FILLED) -> Slot:
    """The segment that follows, if there is one and it matches (by default: is not empty) -> ``becomes``."""
    return Slot(accepts, becomes, optional=True)


@dataclass(frozen=True)
class Rule:
    """Consecutive segments, from a word on, and what they become: the first rule that matches where a
    segment is its first slot's word names those segments. ``products`` says whose URLs it was written
    for; a rule applies to every product's paths, as the products share many of them."""

    products: tuple[str, ...]
    slots: tuple[Slot, ...]
    end: str | None = None  # None: naming goes on after the slots; else the name ends with this
    after: str | None = None  # the segment before the first slot must be this word
    last: bool = False  # the slots must reach the end of the path

    def match(self, segs: list[str], i: int) -> tuple[list[tuple[int, str]], int] | None:
        """(what segment becomes what, where naming goes on) when the rule matches at ``segs[i]``."""
        if self.after is not None and (i == 0 or segs[i - 1] != self.after):
            return None
        taken: list[tuple[int, str]] = []
        for slot in self.slots:
            if slot.skip is not None:
                found = _first_match(segs, i, slot)
                if found is None:
                    return None
                taken.append((i, slot.skip))
                i = found
            if i < len(segs) and slot.matches(segs[i]):
                taken.append((i, slot.becomes))
                i += 1
            elif not slot.optional:
                return None
        return None if self.last and i != len(segs) else (taken, i)


def _first_match(segs: list[str], i: int, slot: Slot) -> int | None:
    """Where the first segment from ``segs[i]`` on that ``slot`` accepts is, if any."""
    return next((k for k in range(i, len(segs)) if slot.matches(segs[k])), None)


_JIRA, _CONFLUENCE, _BITBUCKET = (Product.JIRA,), (Product.CONFLUENCE,), (Product.BITBUCKET,)
_ALL = tuple(Product)
_STATIC_KINDS = ("resources", "batch", "contextbatch", "superbatch")
_FILE_KINDS = ("attachments", "thumbnails", "attachment", "thumbnail", "temp")
_REPO_PATHS = ("browse", "raw", "diff", "files", "last-modified", "blame", "annotate")


def repository(owner: str, placeholder: str) -> tuple[Slot, ...]:
    """``projects/P/repos/R`` or ``users/u/repos/R``."""
    return word(owner), named(placeholder), word("repos"), anything("{repo}")


_BUILD = Slot(frozenset({"_"}), COPY, skip="{build}")  # /s/<build, any number of segments>/_/

# The rules, in the order they are tried: where a segment is a rule's first word, the first rule that
# matches from there names those segments; a segment that starts no matching rule is named by its shape.
RULES: tuple[Rule, ...] = (
    # REST: /rest/<api>/<version>/ keeps its version (/rest/api/2/, /rest/agile/1.0/, /rest/api/latest/)
    Rule(_ALL, (word("rest"), anything(SHAPE), Slot(_VERSION, COPY))),
    # static resources: /s/<build...>/_/download/batch/<key>/<file> -> /s/{build}/_/download/batch/{resource}
    Rule(_ALL, (word("s"), _BUILD, word("download"), anything(SHAPE), anything(DROP)), end="{resource}"),
    Rule(_ALL, (word("s"), _BUILD, anything(SHAPE), anything(DROP)), end="{resource}"),
    Rule(_ALL, (word("s"), _BUILD), end="{resource}"),
    Rule(_ALL, (word("download"), word(*_STATIC_KINDS)), end="{resource}"),
    # attachments: /secure/attachment/1/a.png, /download/attachments/1/a.png -> .../{id}/{file}
    Rule(
        _JIRA + _CONFLUENCE,
        (word("download", "secure"), word(*_FILE_KINDS), then(SHAPE, _ANY), then("{file}", _ANY)),
        end="",
    ),
    # Confluence: /display/SPACE/Title, /spaces/SPACE/pages/1/Title, /rest/api/space/KEY, /x/AbC1
    Rule(_CONFLUENCE, (word("display"), named("{space}"), then("{title}")), end=""),
    Rule(
        _CONFLUENCE,
        (word("spaces"), named("{space}"), word("pages"), anything(SHAPE), then("{title}")),
        end="",
    ),
    Rule(_CONFLUENCE, (word("spaces"), named("{space}"))),
    Rule(_CONFLUENCE, (word("space"), named("{space}")), after="api"),
    Rule(_CONFLUENCE, (word("x"), filled("{tinylink}")), last=True),
    # Bitbucket: /projects/P/repos/R/browse/<file path>, /users/u/repos/R, /scm/p/r.git/info/refs;
    # Jira: /projects/P/issues
    Rule(_BITBUCKET, (*repository("projects", "{project}"), word(*_REPO_PATHS), then("{path}")), end=""),
    Rule(_BITBUCKET, repository("projects", "{project}")),
    Rule(_JIRA + _BITBUCKET, (word("projects"), named("{project}"))),
    Rule(_BITBUCKET, (*repository("users", "{user}"), word(*_REPO_PATHS), then("{path}")), end=""),
    Rule(_BITBUCKET, repository("users", "{user}")),
    Rule(_BITBUCKET, (word("users"), named("{user}"))),
    Rule(_BITBUCKET, (word("scm"), filled("{project}"), Slot(_GIT_REPO, "{repo}.git"))),
    Rule(_BITBUCKET, (word("scm"), filled("{project}"), anything("{repo}"))),
)


def _by_word(rules: tuple[Rule, ...]) -> dict[str, tuple[Rule, ...]]:
    """The rules that a segment may introduce, in table order: a path is only tried against those."""
    index: dict[str, tuple[Rule, ...]] = {}
    for rule in rules:
        first = rule.slots[0].accepts
        assert isinstance(first, frozenset), "a rule starts with a word"
        for w in first:
            index[w] = (*index.get(w, ()), rule)
    return index


_RULES_BY_WORD = _by_word(RULES)


# -- naming a path ------------------------------------------------------------------------------------


def _template(segs: list[str], kept: list[int]) -> list[str]:
    """The endpoint's segments; ``kept`` gets the indices of the segments copied into them."""
    out: list[str] = []
    i = 0
    while i < len(segs):
        found = _first_rule(segs, i) if segs[i] in _RULES_BY_WORD else None
        if found is None:
            out.append(_become(segs, i, SHAPE, kept))
            i += 1
            continue
        rule, taken, i = found
        out += [_become(segs, k, becomes, kept) for k, becomes in taken if becomes != DROP]
        if rule.end is not None:
            return out + ([rule.end] if rule.end else [])
    return out


def _first_rule(segs: list[str], i: int) -> tuple[Rule, list[tuple[int, str]], int] | None:
    """The first rule that matches at ``segs[i]``, what it makes of which segments, where it stops."""
    for rule in _RULES_BY_WORD[segs[i]]:
        found = rule.match(segs, i)
        if found is not None:
            return rule, *found
    return None


def _become(segs: list[str], k: int, becomes: str, kept: list[int]) -> str:
    """What ``segs[k]`` becomes; ``k`` goes to ``kept`` when the segment is copied, whole or in part."""
    if becomes == COPY:
        kept.append(k)
        return segs[k]
    if becomes != SHAPE:
        return becomes
    out, copied = _shaped(segs[k])
    if copied:
        kept.append(k)
    return out


@lru_cache(maxsize=4096)
def _shaped(seg: str) -> tuple[str, bool]:
    """(the segment's template by shape, whether that copies any of it): most segments are words that
    recur in every other path."""
    out = _segment(seg)
    return out, not _PLACEHOLDER.fullmatch(out)


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
