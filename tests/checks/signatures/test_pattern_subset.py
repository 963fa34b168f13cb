"""The pattern subset: what is refused, with which message, and what is accepted."""

from __future__ import annotations

import pytest

from checks.signatures.pattern_subset import PatternError, check_pattern, parse


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("(?=heap)Java", "look-ahead"),
        ("(?!Meta)space", "look-ahead"),
        ("(?<=Error: )Java", "look-behind"),
        ("(?<!x)Java", "look-behind"),
        ("(a)\\1", "back-references (\\1)"),
        ("(?P<kind>heap)", "named groups"),
        ("(?<kind>heap)", "named groups"),
        ("(?P=kind)", "named back-references"),
        ("Java.*?space", "lazy quantifiers (*?)"),
        ("a+?", "lazy quantifiers (+?)"),
        ("a??", "lazy quantifiers (??)"),
        ("a{2,5}?", "lazy quantifiers ({2,5}?)"),
        ("a*+", "possessive quantifiers (*+)"),
        ("a{2}+", "possessive quantifiers ({2}+)"),
        ("(?>heap)", "atomic groups"),
        ("(?i)heap", "inline flags"),
        ("(?s:a.b)", "inline flags"),
        ("(?#note)heap", "comments"),
        ("(?(1)a|b)", "conditional groups"),
        ("\\bheap\\b", "word boundaries"),
        ("\\Aheap", "use ^"),
        ("heap\\Z", "use $"),
        ("heap\\n", "one line at a time"),
        ("\\x41", "write the (ASCII) character itself"),
        ("\\u00e9", "patterns are ASCII"),
        ("\\p{L}", "bracket class"),
        ("\\q", "unknown escape \\q"),
        ("[\\b]", "backspace"),
        ("café", "non-ASCII character"),
        ("a\tb", "write \\t"),
        ("a{,3}", "write {0,3}"),
        ("a{5,2}", "counts backwards"),
        ("a{", "a literal { must be escaped"),
        ("{2}a", "after nothing"),
        ("a**", "after another quantifier"),
        ("^*a", "after nothing"),
        ("a|", "empty alternative"),
        ("(|a)", "empty alternative"),
        ("a||b", "empty alternative"),
        ("()a", "empty group"),
        ("(a", "a ( without its )"),
        ("a)", "a ) without its ("),
        ("[abc", "unterminated class"),
        ("[a[b]", "unescaped [ inside a class"),
        ("[z-a]", "runs backwards"),
        ("[a-\\d]", "a range cannot end in \\d"),
        ("[^\\S]", "negated class cannot hold"),
        ("[\\S\\D]", "at most one of"),
        ("a*", "matches an empty line"),
        ("(heap)?", "matches an empty line"),
        ("", "the pattern is empty"),
        ("trailing\\", "trailing backslash"),
        ("\\0", "octal"),
    ],
)
def test_refused_with_a_message_that_says_why(pattern, message):
    with pytest.raises(PatternError) as raised:
        check_pattern(pattern)
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize(
    "pattern",
    [
        r"java\.lang\.OutOfMemoryError: Java heap space",
        r"^ +(JIRA|Jira) starting\.\.\.",
        r"(?:Full GC|Pause Full) \(System\.gc\(\)\)",
        r"Thread \"[^\"]+\" \(id=[0-9]+\)",
        r"[]a-]x",
        r"[^]]+\]",
        r"\d{2,}\s\w+\S\W\D",
        r"[\d\w\s.]+!",
        r"[a\S]z",
        r"a{3}b{2,}c{1,4}",
        r"\tat com\.",
        r"x\-y\/z\:",
        r"literal }",
        r"\\",
    ],
)
def test_accepted(pattern):
    check_pattern(pattern)


def test_tokens_of_a_class_with_shorthands_and_ranges():
    [token] = parse(r"[^a-c\d_]")
    assert token.kind == "class" and token.cls is not None
    assert token.cls.negated and token.cls.chars == frozenset("abc_") and token.cls.shorthands == ("d",)


def test_python_re_warnings_are_refused():
    with pytest.raises(PatternError, match="Python's re warns"):
        check_pattern("[a&&b]")


def test_the_error_names_the_position():
    with pytest.raises(PatternError, match=r"at position 5"):
        check_pattern("Java.*?space")
