"""Write knowledge-base patterns as POSIX extended regexes for ``grep -E -f`` (the speed baseline).

The pattern subset (pattern_subset.py) maps one to one onto ERE: ``\\d`` becomes ``[0-9]``, ``\\w``
``[[:alnum:]_]``, ``\\s`` ``[[:space:]]`` and their negations the negated classes, also inside
bracket classes; ``(?:`` becomes ``(``; punctuation escaped for Python is written bare unless ERE
gives it a meaning. ``grep -f`` applies one set of flags to every line, so a case-insensitive pattern
spells its letters as classes (``[Ee][Rr]...``). Lines are matched one at a time, so a class never
needs the newline. grep is expected to run in the C locale (``LC_ALL=C``), where ``[:alnum:]`` is ASCII
as it is for Python's re.ASCII and Hyperscan.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from checks.signatures.pattern_subset import BracketClass, Token, parse

if TYPE_CHECKING:
    from checks.signatures.model import Signature

_ERE_SPECIAL = frozenset(".[]()*+?{}|^$\\")
_NAMED = {"d": "0-9", "w": "[:alnum:]_", "s": "[:space:]"}
_SHORT = {
    "d": "[0-9]",
    "D": "[^0-9]",
    "w": "[[:alnum:]_]",
    "W": "[^[:alnum:]_]",
    "s": "[[:space:]]",
    "S": "[^[:space:]]",
}
_RUNS = ("0123456789", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _literal(ch: str, ignore_case: bool) -> str:
    if ignore_case and ch.isalpha():
        return f"[{ch.upper()}{ch.lower()}]"
    return f"\\{ch}" if ch in _ERE_SPECIAL else ch


def _members(chars: set[str]) -> list[str]:
    """Characters as bracket members: runs of three or more digits or letters as ranges."""
    out: list[str] = []
    rest = set(chars)
    for run in _RUNS:
        i = 0
        while i < len(run):
            j = i
            while j < len(run) and run[j] in rest:
                j += 1
            if j - i >= 3:
                out.append(f"{run[i]}-{run[j - 1]}")
                rest.difference_update(run[i:j])
            i = max(j, i + 1)
    out.extend(sorted(rest))
    return sorted(out)


def _bracket_body(chars: set[str], shorthands: Iterable[str], negated: bool) -> str:
    """The inside of a POSIX bracket: ']' first, '-' last, '^' never first unless it negates."""
    special = {c for c in chars if c in "]^-"}
    members = _members(chars - special) + [_NAMED[s] for s in shorthands]
    body = ("]" if "]" in special else "") + "".join(members)
    if "^" in special:
        body += "^"
    if "-" in special:
        body += "-"
    if not negated and body.startswith("^"):
        if "-" in special:  # "^-" -> "-^": a leading '-' is literal too
            body = "-" + body[:-1]
        else:
            return ""  # only '^': the caller writes \^
    return body


def _bracket(cls: BracketClass, ignore_case: bool) -> str:
    chars = set(cls.chars)
    if ignore_case:
        chars |= {c.swapcase() for c in chars if c.isalpha()}
    chars.discard("\n")
    if cls.negated_shorthand is not None:
        outside = _SHORT[cls.negated_shorthand]  # [^...]: the characters the shorthand excludes
        if not chars and not cls.shorthands:
            return outside
        return f"({_bracket(BracketClass(False, frozenset(chars), cls.shorthands), False)}|{outside})"
    if not cls.negated and not cls.shorthands and len(chars) == 1:
        return _literal(next(iter(chars)), False)
    body = _bracket_body(chars, cls.shorthands, cls.negated)
    if not body:
        return "\\^"
    return f"[^{body}]" if cls.negated else f"[{body}]"


def _token(token: Token, ignore_case: bool) -> str:
    kind = token.kind
    if kind == "lit":
        return _literal(token.text, ignore_case)
    if kind == "short":
        return _SHORT[token.text]
    if kind == "class" and token.cls is not None:  # the parser gives every class token its class
        return _bracket(token.cls, ignore_case)
    return {"any": ".", "bol": "^", "eol": "$", "open": "(", "close": ")", "alt": "|"}.get(kind, token.text)


def to_ere(pattern: str, ignore_case: bool = False) -> str:
    """One pattern as a POSIX ERE with the same matches (PatternError if outside the subset)."""
    return "".join(_token(token, ignore_case) for token in parse(pattern))


def export_grep(signatures: Iterable[Signature]) -> list[str]:
    """One ERE per signature, in order: the lines of a ``grep -E -f`` pattern file."""
    return [to_ere(sig.pattern, sig.ignore_case) for sig in signatures]
