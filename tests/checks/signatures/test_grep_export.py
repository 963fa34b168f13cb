"""The POSIX ERE export: its text, and real grep -E agreeing with Python's re on tricky patterns."""

from __future__ import annotations

import pytest

from checks.signatures import export_grep, load_builtin, to_ere
from checks.signatures.pattern_subset import PatternError
from tests.checks.signatures.engines import GREP, grep_matches, re_matches


@pytest.mark.parametrize(
    ("pattern", "ere"),
    [
        (r"\d+ ms", "[0-9]+ ms"),
        (r"\D\w\W\s\S", "[^0-9][[:alnum:]_][^[:alnum:]_][[:space:]][^[:space:]]"),
        (r"(?:a|b)c", "(a|b)c"),
        (r"java\.lang\.Error", r"java\.lang\.Error"),
        (r"x\-y\/z\:\'\"\<", "x-y/z:'\"<"),  # Python escapes of plain punctuation are written bare
        (r"\{\}\[\]\(\)\*\+\?\|\^\$\\", r"\{\}\[\]\(\)\*\+\?\|\^\$\\"),
        (r"a{2,}b{1,3}c?", "a{2,}b{1,3}c?"),
        (r"^ +x$", "^ +x$"),
        (r"\tat ", "\tat "),
        # Classes: shorthands inside brackets, ranges, the characters POSIX brackets treat specially.
        (r"[\d.,]+", "[,.0-9]+"),
        (r"[\w-]", "[[:alnum:]_-]"),
        (r"[^\s\]]", "[^][:space:]]"),
        (r"[a-z\d]", "[a-z0-9]"),
        (r"[]^-]", "[]^-]"),
        (r"[\^]", r"\^"),
        (r"[\^-]", "[-^]"),
        (r"[.]", r"\."),
        (r"[\\]", r"\\"),
        (r"[\S]", "[^[:space:]]"),
        (r"[x\S]", "(x|[^[:space:]])"),
        (r"[\D]", "[^0-9]"),
        (r"[abcdefg]", "[a-g]"),
    ],
)
def test_ere_text(pattern, ere):
    assert to_ere(pattern) == ere


@pytest.mark.parametrize(
    ("pattern", "ere"),
    [
        ("Jira", "[Jj][Ii][Rr][Aa]"),
        ("a1-", "[Aa]1-"),
        (r"[a-c]x", "[A-Ca-c][Xx]"),
        (r"[^k]", "[^Kk]"),
        (r"\w\d", "[[:alnum:]_][0-9]"),
    ],
)
def test_ignore_case_spells_letters_as_classes(pattern, ere):
    assert to_ere(pattern, ignore_case=True) == ere


def test_export_is_one_pattern_per_line_in_order():
    signatures = load_builtin()
    lines = export_grep(signatures)
    assert len(lines) == len(signatures)
    assert all(line and "\n" not in line and "\r" not in line for line in lines)
    assert (
        lines[[s.id for s in signatures].index("startup.jira.locked")]
        == r"Startup check failed\. (JIRA|Jira) will be locked"
    )


def test_patterns_outside_the_subset_are_not_exported():
    with pytest.raises(PatternError):
        to_ere(r"(?=x)y")


CASES = [
    # (pattern, ignore_case, lines): grep -E over the export must agree with Python's re on every line.
    (r"[\d.,]+ secs\]", False, ["6.66 secs]", "6,66 secs]", "x secs]", ".secs]"]),
    (r"[^\s\]]+\]", False, ["abc]", " ]", "]]", "a b]"]),
    (r"[x\S]y", False, ["xy", " y", "ay", "\ty"]),
    (r"[]^-]z", False, ["]z", "^z", "-z", "az"]),
    (r"[\^-]", False, ["^", "-", "a"]),
    (r"a\\b", False, ["a\\b", "ab", "a/b"]),
    (r"\W\w\D\d\S\s", False, [" a.1x ", "-_x9x\t", "aa11x ", " a 1x "]),
    (r"\{[0-9]+\}", False, ["{12}", "{}", "12"]),
    (r"(Error|Exception): .*timed out", False, ["Exception: read timed out", "Error timed out"]),
    (r"^ +Jira starting", False, ["    Jira starting...", "x   Jira starting"]),
    (r"user '[^']+' failed", False, ["user 'bob' failed", "user '' failed", "user bob failed"]),
    (
        r"plugins are required by jira",
        True,
        ["plugins are required by JIRA", "PLUGINS ARE REQUIRED BY JIRA", "plugins are needed by JIRA"],
    ),
    (r"[a-c]q[^k]", True, ["AQx", "bqK", "cQk", "dqx"]),
    (r"a{2,3}b", False, ["aab", "ab", "aaaab"]),
    (r"\tat com\.", False, ["\tat com.x", " at com.x", "\tat comx"]),
]


@pytest.mark.skipif(GREP is None, reason="grep is not on PATH")
@pytest.mark.parametrize(("pattern", "ignore_case", "lines"), CASES, ids=[c[0] for c in CASES])
def test_grep_agrees_with_python(pattern, ignore_case, lines, tmp_path):
    results = {line: re_matches(pattern, line, ignore_case) for line in lines}
    assert True in results.values() and False in results.values(), "a case must both match and miss"
    for line, expected in results.items():
        assert grep_matches(pattern, line, tmp_path, ignore_case) is expected, (pattern, line)
