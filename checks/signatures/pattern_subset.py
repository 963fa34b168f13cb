"""The regex subset every engine reads the same way: Python's re, Hyperscan and POSIX ``grep -E``.

A signature's pattern is matched by Hyperscan (or Python's re) in the log scanner and exported for
``grep -E -f`` as the speed baseline, so it may use only what all three agree on (see
collectors/logs/patterns.py): literals, ``.``, bracket classes, ``\\d \\w \\s`` and their negations,
groups (capturing or ``(?:``), alternation, greedy quantifiers (``* + ? {m} {m,} {m,n}``), ``^`` and
``$``, and ``\\t``. Not in the subset, each refused with a message saying what to write instead:
look-around, back-references, named groups, lazy and possessive quantifiers, atomic groups, inline
flags (use the signature's ``ignore_case``), word boundaries, ``\\A \\Z``, other escapes, non-ASCII
characters and empty alternatives. Classes follow ASCII rules (``\\w`` is ``[0-9A-Za-z_]``), as
Python's re.ASCII, Hyperscan without UTF-8 mode and grep in the C locale do.

``parse`` turns a pattern into tokens (grep_export.py writes them out as ERE); ``check_pattern``
parses, compiles with Python's re and refuses a pattern that matches an empty line (it would match
every line).
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from functools import lru_cache

SHORTHANDS = frozenset("dwsDWS")
_PRINTABLE = frozenset(chr(c) for c in range(0x20, 0x7F))
_INTERVAL = re.compile(r"\{(\d*)(,?)(\d*)\}")
_GROUP_PREFIXES = (  # (?X...: what it is, in the order they must be tested
    ("(?:", None),
    ("(?<=", "look-behind"),
    ("(?<!", "look-behind"),
    ("(?=", "look-ahead"),
    ("(?!", "look-ahead"),
    ("(?P<", "named groups"),
    ("(?<", "named groups"),
    ("(?P=", "named back-references"),
    ("(?>", "atomic groups"),
    ("(?#", "comments"),
    ("(?(", "conditional groups"),
)
_ESCAPE_HINTS = {
    "b": "word boundaries (\\b) are not in the subset: match the neighbouring character, e.g. ( |^)word",
    "B": "\\B is not in the subset: match the neighbouring character instead",
    "A": "\\A is not in the subset: use ^",
    "Z": "\\Z is not in the subset: use $",
    "z": "\\z is not in the subset: use $",
    "G": "\\G is not in the subset",
    "n": "\\n never occurs: a pattern is matched against one line at a time",
    "r": "\\r is not in the subset: a pattern is matched against one line at a time",
    "f": "\\f is not in the subset",
    "v": "\\v is not in the subset",
    "a": "\\a is not in the subset",
    "x": "\\x escapes are not in the subset: write the (ASCII) character itself",
    "u": "\\u escapes are not in the subset: patterns are ASCII; use . for other characters",
    "U": "\\U escapes are not in the subset: patterns are ASCII; use . for other characters",
    "N": "\\N escapes are not in the subset: patterns are ASCII; use . for other characters",
    "p": "\\p classes are not in the subset: use a bracket class",
    "P": "\\P classes are not in the subset: use a bracket class",
}


class PatternError(ValueError):
    """A pattern outside the subset, or not a valid regex; the message is one line."""


@dataclass(frozen=True)
class BracketClass:
    """``[...]``: literal ASCII characters (ranges expanded), positive shorthands (d, w, s) and at
    most one negated shorthand (D, W or S) in a non-negated class."""

    negated: bool
    chars: frozenset[str] = frozenset()
    shorthands: tuple[str, ...] = ()
    negated_shorthand: str | None = None


@dataclass(frozen=True)
class Token:
    # lit (text: one character), any, bol, eol, short (text: d D w W s S), class (cls), open, close,
    # alt, quant (text: * + ? {m} {m,} {m,n})
    kind: str
    text: str = ""
    cls: BracketClass | None = field(default=None, compare=False)


_ATOMS = frozenset({"lit", "any", "short", "class", "close"})


def _fail(message: str, pos: int) -> PatternError:
    return PatternError(f"{message} (at position {pos})")


def _char(pattern: str, i: int) -> str:
    ch = pattern[i]
    if ch in _PRINTABLE:
        return ch
    if ch == "\t":
        raise _fail("a raw tab: write \\t", i)
    if ord(ch) > 0x7F:
        raise _fail(f"non-ASCII character {ch!r}: patterns are ASCII; use . for other characters", i)
    raise _fail(f"control character {ch!r} is not in the subset", i)


def _escape(pattern: str, i: int, in_class: bool) -> tuple[str, str]:
    """The escape at pattern[i] == '\\': ("short", letter) or ("lit", char)."""
    if i + 1 >= len(pattern):
        raise _fail("trailing backslash", i)
    ch = pattern[i + 1]
    if ch in SHORTHANDS:
        return "short", ch
    if ch == "t":
        return "lit", "\t"
    if ch.isdigit():
        if ch == "0":
            raise _fail("octal escapes are not in the subset: write the character itself", i)
        raise _fail(f"back-references (\\{ch}) are not in the subset", i)
    if in_class and ch == "b":
        raise _fail("\\b inside a class (backspace) is not in the subset", i)
    if ch in _ESCAPE_HINTS:
        raise _fail(_ESCAPE_HINTS[ch], i)
    if ch.isalpha():
        raise _fail(f"unknown escape \\{ch}", i)
    return "lit", _char(pattern, i + 1)


def _class_member(pattern: str, i: int) -> tuple[str, str, int]:
    """One class member at i: ("lit"|"short", value, next index)."""
    ch = pattern[i]
    if ch == "\\":
        kind, value = _escape(pattern, i, in_class=True)
        return kind, value, i + 2
    if ch == "[":
        raise _fail("an unescaped [ inside a class: write \\[", i)
    return "lit", _char(pattern, i), i + 1


def _parse_class(pattern: str, start: int) -> tuple[BracketClass, int]:
    i = start + 1
    negated = pattern.startswith("^", i)
    if negated:
        i += 1
    chars: set[str] = set()
    shorthands: list[str] = []
    negated_shorthands: list[str] = []
    first = True
    while True:
        if i >= len(pattern):
            raise _fail("unterminated class: a [ without its ]", start)
        if pattern[i] == "]" and not first:
            i += 1
            break
        first = False
        kind, value, nxt = _class_member(pattern, i)
        if kind == "short":
            (shorthands if value.islower() else negated_shorthands).append(value)
            i = nxt
            continue
        if pattern.startswith("-", nxt) and nxt + 1 < len(pattern) and pattern[nxt + 1] != "]":
            end_kind, end, after = _class_member(pattern, nxt + 1)
            if end_kind == "short":
                raise _fail(f"a range cannot end in \\{end}", nxt + 1)
            if ord(end) < ord(value):
                raise _fail(f"range {value}-{end} runs backwards", i)
            chars.update(chr(c) for c in range(ord(value), ord(end) + 1))
            i = after
            continue
        chars.add(value)
        i = nxt
    if len(negated_shorthands) > 1:
        raise _fail("at most one of \\D, \\W, \\S in a class", start)
    if negated_shorthands and negated:
        raise _fail("a negated class cannot hold \\D, \\W or \\S: write the class out", start)
    bracket = BracketClass(
        negated=negated,
        chars=frozenset(chars),
        shorthands=tuple(dict.fromkeys(shorthands)),
        negated_shorthand=negated_shorthands[0] if negated_shorthands else None,
    )
    return bracket, i


def _parse_group(pattern: str, i: int) -> int:
    """Index after the opening of the group at pattern[i] == '(' (plain or non-capturing)."""
    if not pattern.startswith("(?", i):
        return i + 1
    for prefix, what in _GROUP_PREFIXES:
        if pattern.startswith(prefix, i):
            if what is None:
                return i + len(prefix)
            raise _fail(f"{prefix}... ({what}) is not in the subset", i)
    if i + 2 < len(pattern) and (pattern[i + 2].isalpha() or pattern[i + 2] == "-"):
        raise _fail("inline flags (?...) are not in the subset: set ignore_case: true instead", i)
    raise _fail("unknown group (?", i)


def _parse_quantifier(pattern: str, i: int) -> tuple[str, int]:
    ch = pattern[i]
    if ch in "*+?":
        text, nxt = ch, i + 1
    else:
        m = _INTERVAL.match(pattern, i)
        if m is None or (not m.group(1) and not m.group(3)):
            raise _fail("a literal { must be escaped as \\{", i)
        low, _comma, high = m.groups()
        if not low:
            raise _fail(f"{{,{high}}} is not in the subset: write {{0,{high}}}", i)
        if high and int(high) < int(low):
            raise _fail(f"{{{low},{high}}} counts backwards", i)
        text, nxt = m.group(0), m.end()
    if pattern.startswith("?", nxt):
        raise _fail(f"lazy quantifiers ({text}?) are not in the subset: use the greedy {text}", i)
    if pattern.startswith("+", nxt):
        raise _fail(f"possessive quantifiers ({text}+) are not in the subset: use the greedy {text}", i)
    return text, nxt


def parse(pattern: str) -> list[Token]:
    """The pattern as tokens; PatternError names the first construct outside the subset."""
    if not pattern:
        raise PatternError("the pattern is empty")
    tokens: list[Token] = []
    depth = 0
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            kind, value = _escape(pattern, i, in_class=False)
            tokens.append(Token(kind, value))
            i += 2
        elif ch == "[":
            bracket, i = _parse_class(pattern, i)
            tokens.append(Token("class", cls=bracket))
        elif ch == "(":
            i = _parse_group(pattern, i)
            depth += 1
            tokens.append(Token("open"))
        elif ch == ")":
            if depth == 0:
                raise _fail("a ) without its (", i)
            if tokens[-1].kind in ("open", "alt"):
                raise _fail("an empty group or alternative", i)
            depth -= 1
            tokens.append(Token("close"))
            i += 1
        elif ch == "|":
            if not tokens or tokens[-1].kind in ("open", "alt"):
                raise _fail("an empty alternative", i)
            tokens.append(Token("alt"))
            i += 1
        elif ch in "*+?{":
            if not tokens or tokens[-1].kind not in _ATOMS:
                what = "another quantifier" if tokens and tokens[-1].kind == "quant" else "nothing"
                raise _fail(f"a quantifier {ch} after {what}", i)
            text, i = _parse_quantifier(pattern, i)
            tokens.append(Token("quant", text))
        elif ch == ".":
            tokens.append(Token("any"))
            i += 1
        elif ch == "^":
            tokens.append(Token("bol"))
            i += 1
        elif ch == "$":
            tokens.append(Token("eol"))
            i += 1
        else:
            tokens.append(Token("lit", _char(pattern, i)))
            i += 1
    if depth:
        raise PatternError("a ( without its )")
    if tokens[-1].kind == "alt":
        raise PatternError("an empty alternative at the end")
    return tokens


def flags(ignore_case: bool) -> int:
    return re.ASCII | (re.IGNORECASE if ignore_case else 0)


@lru_cache(maxsize=1024)
def compile_pattern(pattern: str, ignore_case: bool = False) -> re.Pattern[str]:
    """The pattern compiled with Python's re, as the knowledge base reads it (ASCII classes)."""
    return re.compile(pattern, flags(ignore_case))


def check_pattern(pattern: str, ignore_case: bool = False) -> None:
    """Raise PatternError (one line) unless the pattern is in the subset, compiles and cannot match
    an empty line."""
    parse(pattern)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            compiled = compile_pattern(pattern, ignore_case)
        except re.error as exc:
            raise PatternError(f"not a valid regular expression: {exc}") from None
        except (FutureWarning, DeprecationWarning) as exc:
            raise PatternError(f"Python's re warns about it: {exc}") from None
    if compiled.search(""):
        raise PatternError("it matches an empty line, so it would match every line")
