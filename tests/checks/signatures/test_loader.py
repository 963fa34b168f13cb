"""Reading signature files: every problem on one line naming the file and line, the entry and the field;
ids unique; a custom entry replaces a built-in only when it says so."""

from __future__ import annotations

import pytest

from checks.signatures import SignatureError, load_builtin, merge_signatures, parse_signature_text

ENTRY = """\
  - id: acme.db.slow_query
    title: Slow query reported by the ORM
    products: [jira]
    files: [application]
    severity: warning
    cause: database
    pattern: 'Slow query: [0-9]+ ms'
    explanation: A query took longer than the ORM's threshold.
    recommendation: Find the query in the database's slow log.
    kb: https://example.com/kb/slow-query
    match: '2024-05-01 10:00:00,000+0000 http-nio-8080-exec-1 WARN admin 1x2x3 abc 10.0.0.1 /browse/X-1 [c.a.jira.ofbiz] Slow query: 5200 ms'
    near_miss: '2024-05-01 10:00:00,000+0000 http-nio-8080-exec-1 DEBUG admin 1x2x3 abc 10.0.0.1 /browse/X-1 [c.a.jira.ofbiz] Query took 12 ms'
"""


def doc(*entries: str) -> str:
    return "signatures:\n" + "".join(entries)


def variant(**changes: str | None) -> str:
    """ENTRY with keys replaced (value) or removed (None)."""
    lines = []
    for line in ENTRY.splitlines(keepends=True):
        key = line.strip().removeprefix("- ").split(":", 1)[0]
        if key in changes:
            if changes[key] is None:
                if line.lstrip().startswith("- "):  # keep the list item open
                    lines.append("  - \n")
                continue
            prefix = "  - " if line.lstrip().startswith("- ") else "    "
            lines.append(f"{prefix}{key}: {changes[key]}\n")
        else:
            lines.append(line)
    return "".join(lines)


def problems(text: str, source: str = "acme.yaml") -> list[str]:
    with pytest.raises(SignatureError) as raised:
        parse_signature_text(text, source)
    rendered = [p.render() for p in raised.value.problems]
    assert all("\n" not in line for line in rendered)
    assert str(raised.value) == "\n".join(rendered)
    return rendered


def test_a_valid_file():
    parsed = parse_signature_text(doc(ENTRY), "acme.yaml")
    [sig] = parsed.signatures
    assert sig.id == "acme.db.slow_query" and [str(p) for p in sig.products] == ["jira"]
    assert parsed.lines == {"acme.db.slow_query": 2}


def test_invalid_yaml_names_the_line():
    [line] = problems("signatures:\n  - id: x\n    title: [unclosed\n")
    # libyaml and the pure-Python parser word it differently; both name the line and the missing ']'.
    assert line.startswith("acme.yaml:4: invalid YAML: ") and "expected ',' or ']'" in line


def test_the_file_must_hold_a_signatures_list():
    assert problems("- id: x\n") == [
        "acme.yaml:1: a signature file is a mapping with one key, 'signatures', holding a list of entries"
    ]
    assert problems("signatures: {}\n") == ["acme.yaml:1: signatures: must be a list of entries"]
    [line] = problems("signature:\n  - id: x\n")
    assert line.startswith("acme.yaml:1: unknown top-level key 'signature';")
    # any other file named by mistake is not quoted: it may be a password file
    assert problems("root:x:0:0:root:/root:/bin/bash: x\n") == [
        "acme.yaml:1: a signature file is a mapping with one key, 'signatures', holding a list of entries"
    ]
    assert problems("") == [
        "acme.yaml: a signature file is a mapping with one key, 'signatures', holding a list of entries"
    ]
    assert problems(doc("  - just a string\n")) == [
        "acme.yaml:2: signatures[0]: an entry must be a mapping of keys"
    ]


def test_unknown_key_with_a_suggestion():
    text = doc(ENTRY.replace("    kb:", "    near_mis: x\n    kb:"))
    assert problems(text) == [
        "acme.yaml:11: signatures[0] (acme.db.slow_query).near_mis: unknown key 'near_mis'; did you mean 'near_miss'?"
    ]


def test_missing_match():
    assert problems(doc(variant(match=None))) == [
        "acme.yaml:2: signatures[0] (acme.db.slow_query).match: missing required key 'match'"
    ]


def test_regex_outside_the_subset():
    [line] = problems(doc(variant(pattern="'Slow query: (?=[0-9])[0-9]+ ms'")))
    assert line.startswith("acme.yaml:8: signatures[0] (acme.db.slow_query).pattern: (?=... (look-ahead)")


def test_invalid_regex():
    [line] = problems(doc(variant(pattern="'Slow query: [0-9+ ms'")))
    assert (
        line
        == "acme.yaml:8: signatures[0] (acme.db.slow_query).pattern: unterminated class: a [ without its ] (at position 12)"
    )


def test_match_and_near_miss_are_checked():
    assert problems(doc(variant(match="'Slow query took 5 s'"))) == [
        "acme.yaml:12: signatures[0] (acme.db.slow_query).match: the pattern does not match this line"
    ]
    assert problems(doc(variant(near_miss="'DEBUG Slow query: 12 ms'"))) == [
        "acme.yaml:13: signatures[0] (acme.db.slow_query).near_miss: the pattern matches this line; a near-miss must not match"
    ]


def test_field_values_are_validated():
    found = problems(
        doc(variant(severity="major", cause="databse", id="AcmeSlow", files="[app]", kb="example.com"))
    )
    assert found == [
        "acme.yaml:2: signatures[0] (AcmeSlow).id: 'AcmeSlow' must be dotted lower case with at least two parts, e.g. jvm.heap.oom",
        "acme.yaml:5: signatures[0] (AcmeSlow).files[0]: Input should be 'application', 'security', 'catalina', 'access' or 'gc'",
        "acme.yaml:6: signatures[0] (AcmeSlow).severity: Input should be 'info', 'warning' or 'critical'",
        "acme.yaml:7: signatures[0] (AcmeSlow).cause: unknown cause 'databse'; use one of: memory, gc, database, threads, http, "
        "authentication, directory, index, os, plugins, startup, cluster, product, license, mail, integration, restart",
        "acme.yaml:11: signatures[0] (AcmeSlow).kb: 'example.com' is not an http(s) URL",
    ]


def test_duplicate_ids_and_keys_in_one_file():
    second = ENTRY.replace("Slow query reported", "Also slow")
    assert problems(doc(ENTRY, second)) == [
        "acme.yaml:14: signatures[1] (acme.db.slow_query).id: id 'acme.db.slow_query' is already used by the entry at line 2"
    ]
    twice = ENTRY.replace("    cause: database\n", "    cause: database\n    cause: os\n")
    [line] = problems(doc(twice))
    assert line == "acme.yaml:8: signatures[0] (acme.db.slow_query).cause: the key is given twice"


def test_every_problem_of_a_file_is_reported():
    found = problems(
        doc(
            variant(match=None),
            ENTRY.replace("acme.db.slow_query", "acme.db.other").replace(
                "severity: warning", "severity: loud"
            ),
        )
    )
    assert len(found) == 2 and "match" in found[0] and "severity" in found[1]


def test_custom_entries_are_added_after_the_built_ins():
    builtin = load_builtin()
    merged = merge_signatures(builtin, [parse_signature_text(doc(ENTRY), "acme.yaml")])
    assert [s.id for s in merged] == [s.id for s in builtin] + ["acme.db.slow_query"]


def test_a_custom_entry_may_not_silently_replace_a_built_in():
    shadow = doc(variant(id="jvm.heap.oom"))
    with pytest.raises(SignatureError) as raised:
        merge_signatures(load_builtin(), [parse_signature_text(shadow, "acme.yaml")])
    assert [p.render() for p in raised.value.problems] == [
        "acme.yaml:2: signatures (jvm.heap.oom).id: 'jvm.heap.oom' is a built-in signature: choose another id, "
        "or add 'replaces: true' to replace it"
    ]


def test_replaces_true_replaces_the_built_in_in_place():
    builtin = load_builtin()
    replacing = doc(variant(id="jvm.heap.oom", title="'Heap full (our wording)'") + "    replaces: true\n")
    merged = merge_signatures(builtin, [parse_signature_text(replacing, "acme.yaml")])
    assert [s.id for s in merged] == [s.id for s in builtin]
    assert next(s for s in merged if s.id == "jvm.heap.oom").title == "Heap full (our wording)"


def test_replaces_true_must_name_a_built_in():
    stray = doc(ENTRY + "    replaces: true\n")
    with pytest.raises(SignatureError) as raised:
        merge_signatures(load_builtin(), [parse_signature_text(stray, "acme.yaml")])
    [line] = [p.render() for p in raised.value.problems]
    assert "replaces: true, but there is no built-in signature 'acme.db.slow_query'" in line


def test_ids_are_unique_across_custom_files():
    first = parse_signature_text(doc(ENTRY), "a.yaml")
    second = parse_signature_text(doc(ENTRY), "b.yaml")
    with pytest.raises(SignatureError) as raised:
        merge_signatures(load_builtin(), [first, second])
    assert [p.render() for p in raised.value.problems] == [
        "b.yaml:2: signatures (acme.db.slow_query).id: id 'acme.db.slow_query' is also defined in a.yaml: ids must be unique"
    ]


def test_built_ins_are_parsed_once_and_handed_out_as_fresh_lists():
    first, second = load_builtin(), load_builtin()
    assert first == second and first is not second
    first.clear()
    assert load_builtin()
