"""Many regexes over a whole buffer in one pass: Hyperscan when it is installed, Python's re otherwise.

Hyperscan (the Vectorscan build on PyPI) scans a block of bytes for every pattern at once at
gigabytes per second and reports each match's end offset; the caller finds the line around it and
confirms the match with Python's re, so both engines give the same answers and Hyperscan's extra
end offsets (it reports every way a pattern can end) cost only a duplicate to drop. A pattern that
Hyperscan refuses falls back to re on its own, the others keep the fast path. Compiled databases are
kept on disk between runs (hyperscan_cache.py).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from collectors.logs.hyperscan_cache import cached_database

try:  # an optional accelerator: wheels exist for x86_64 Linux only
    import hyperscan

    HAVE_HYPERSCAN = True
except ImportError:  # pragma: no cover - depends on the platform
    HAVE_HYPERSCAN = False


@dataclass(frozen=True)
class Rule:
    id: int
    regex: str
    ignore_case: bool = False


def single_line(regex: str) -> str:
    """Keep a match on one line: negated classes and \\s must not cross a newline in a whole-buffer scan."""
    out: list[str] = []
    i, in_class = 0, False
    while i < len(regex):
        ch = regex[i]
        if ch == "\\" and i + 1 < len(regex):
            pair = regex[i : i + 2]
            if pair == "\\s":
                out.append(" \\t\\r\\f\\v" if in_class else "[ \\t\\r\\f\\v]")
            elif pair in ("\\D", "\\W") and not in_class:  # \S already excludes the newline
                out.append(f"[^\\{pair[1].lower()}\\n]")
            else:
                out.append(pair)
            i += 2
            continue
        if ch == "[" and not in_class:
            in_class = True
            if regex[i + 1 : i + 2] == "^":
                out.append("[^\\n")
                i += 2
                continue
        elif ch == "]" and in_class and out and out[-1] not in ("[", "[^\\n"):
            in_class = False
        out.append(ch)
        i += 1
    return "".join(out)


class Matcher:
    """``scan(buf)`` -> (rule id, end offset) pairs, unordered, possibly several per line."""

    def __init__(self, rules: Sequence[Rule], use_hyperscan: bool = True) -> None:
        self.rules = list(rules)
        self._fallback: list[tuple[int, re.Pattern[bytes]]] = []
        self._db: hyperscan.Database | None = None
        fast: list[Rule] = []
        if use_hyperscan and HAVE_HYPERSCAN:
            # One compile for the whole set; only when Hyperscan refuses it is each rule tried alone.
            try:
                self._db = _database(self.rules)
                fast = list(self.rules)
            except Exception:  # hyperscan.error: a construct it does not support
                fast = [r for r in self.rules if _compiles([r])]
                self._db = _database(fast) if fast else None
        chosen = {r.id for r in fast}
        for rule in self.rules:
            if rule.id not in chosen:
                flags = re.M | (re.I if rule.ignore_case else 0)
                self._fallback.append((rule.id, re.compile(single_line(rule.regex).encode(), flags)))
        self.engine = "hyperscan" if self._db is not None else "re"

    def scan(self, buf: bytes) -> list[tuple[int, int]]:
        hits: list[tuple[int, int]] = []
        if self._db is not None:
            append = hits.append

            def on_match(rule_id: int, _start: int, end: int, _flags: int, _ctx: object) -> None:
                append((rule_id, end))

            self._db.scan(buf, match_event_handler=on_match)
        for rule_id, pattern in self._fallback:
            hits.extend((rule_id, m.end()) for m in pattern.finditer(buf))
        return hits


def _hs_flags(rule: Rule) -> int:
    flags = hyperscan.HS_FLAG_MULTILINE | hyperscan.HS_FLAG_ALLOWEMPTY
    return flags | hyperscan.HS_FLAG_CASELESS if rule.ignore_case else flags


def _database(rules: Sequence[Rule], cache: bool = True) -> hyperscan.Database:
    """The compiled database of ``rules``; with ``cache``, from or into the disk cache (hyperscan_cache)."""
    expressions = [single_line(r.regex).encode() for r in rules]
    ids = [r.id for r in rules]
    flags = [_hs_flags(r) for r in rules]

    def compile_database() -> hyperscan.Database:
        db = hyperscan.Database()
        db.compile(expressions=expressions, ids=ids, elements=len(rules), flags=flags)
        return db

    if not cache:
        return compile_database()
    return cached_database(hyperscan, expressions, ids, flags, compile_database)


def _compiles(rules: Sequence[Rule]) -> bool:
    try:
        _database(rules, cache=False)
    except Exception:  # hyperscan.error: an unsupported construct; re takes that rule
        return False
    return True
