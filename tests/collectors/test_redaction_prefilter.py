"""The redaction prefilter: one search that says whether any rule could match, without changing results."""

from __future__ import annotations

import random
import re

from collectors.redaction import _SECRET_NAME, DEFAULT_RULES, Redactor
from collectors.redaction_prefilter import union_of

# Texts that each rule masks, and texts none of them touches.
SECRET_TEXTS = [
    "https://bob:pw@jira.example.com/",
    "https://x/?os_password=abc",
    "Authorization: Bearer abc.def",
    "curl -H 'Authorization: Basic dXNlcjpwYXNz'",
    "Bearer abcdefgh123",
    "Basic dXNlcjpwYXNzd29yZA==",
    "<password>pw</password>",
    '<property name="hibernate.connection.password">pw</property>',
    "jdbc:oracle:thin:scott/tiger@db:1521:ORCL",
    '-Djavax.net.ssl.keyStorePassword="a b"',
    "db.password = pw",
    '{"token": "abc"}',
    "keystorePass=changeit",
    "eyJhbGciOi.eyJzdWIiOi.sig",
    "AAAB" + "x" * 60,
    "Q" * 170,
]
PLAIN_TEXTS = [
    "RUNNING",
    "http://127.0.0.1:38811/rest/api/2/serverInfo",
    "svc-health",
    "Basic authentication",
    "com.atlassian.jira.plugins.jira-software-plugin",
    "The index is consistent",
    "9.12.2",
    "Password policy",
]


def test_the_union_matches_exactly_where_a_rule_does() -> None:
    union = union_of([pattern for pattern, _ in DEFAULT_RULES])
    assert union is not None
    for text in SECRET_TEXTS + PLAIN_TEXTS:
        expected = any(pattern.search(text) for pattern, _ in DEFAULT_RULES)
        assert (union.search(text) is not None) == expected, text
    assert all(union.search(text) for text in SECRET_TEXTS)


def test_group_names_and_flags_survive_the_union() -> None:
    same_names = [re.compile(r"(?P<v>a)(?P=v)"), re.compile(r"(?P<v>B)x", re.I)]
    union = union_of(same_names)
    assert union is not None
    assert union.search("aa") and union.search("bX") and not union.search("ab")
    assert union_of([re.compile(r"(a)\1")]) is None  # numbered backreferences: not combined
    assert union_of([re.compile(r"a", re.ASCII)]) is None  # a flag without a scoped inline form
    assert union_of([]) is None


def test_redaction_is_the_same_with_and_without_the_prefilter() -> None:
    fast = Redactor(["s3cret-token"])
    slow = Redactor(["s3cret-token"])
    slow._any_rule = None
    assert fast._any_rule is not None
    for text in SECRET_TEXTS + PLAIN_TEXTS + ["x s3cret-token y", "user=bob password=hunter2 ok"]:
        assert fast.text(text) == slow.text(text), text


def test_the_key_value_rule_matches_as_it_did_before_its_lookbehind() -> None:
    # The rule as it was: a secret name could start at any letter (slow on long words).
    before = re.compile(
        rf"(?P<key>[\"']?(?:{_SECRET_NAME}|keystorePass|truststorePass)[\"']?)(?P<sep>\s*[=:]\s*)"
        r"(?P<val>\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|[^\s,;&\"'<>}\]]+"
        r"(?:[ \t]+(?![\w.-]+\s*[=:]|-)[^\s,;&\"'<>}\]]+)*)",
        re.I,
    )
    now = next(p for p, _ in DEFAULT_RULES if "keystorePass" in p.pattern and "-D" not in p.pattern)
    pieces = [
        "password",
        "token",
        "secret",
        "pwd",
        "keystorePass",
        "truststorePass",
        "api_key",
        "private-key",
        "db.password",
        "x",
        "a.b",
        "-",
        "=",
        ":",
        " ",
        '"',
        "'",
        "\\",
        "val",
        "&",
        ",",
        "passwd",
        "PASS",
        "1",
    ]
    rng = random.Random(7)
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 9)))
        assert [(m.span(), m.groupdict()) for m in now.finditer(text)] == [
            (m.span(), m.groupdict()) for m in before.finditer(text)
        ], text
