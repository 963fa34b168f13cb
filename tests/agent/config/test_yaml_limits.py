"""The YAML limits: nesting depth, recursive aliases and alias expansion, refused while the node graph
is composed (before anything is built), each with its line; modest use of aliases still loads."""

from __future__ import annotations

import pytest

from agent.config.yaml_lines import MAX_ALIASED_VALUES, MAX_DEPTH, YamlError, load_yaml


def billion_laughs(levels: int = 9) -> str:
    lines = ["l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, levels):
        refs = ", ".join([f"*l{level - 1}"] * 10)
        lines.append(f"l{level}: &l{level} [{refs}]")
    return "\n".join(lines) + "\n"


def refused(text: str) -> YamlError:
    with pytest.raises(YamlError) as caught:
        load_yaml(text)
    return caught.value


def test_a_billion_laughs_is_refused_at_the_alias_that_crosses_the_limit() -> None:
    error = refused(billion_laughs())
    assert str(error) == (
        f"the aliases expand to more than {MAX_ALIASED_VALUES:,} values (at *l3); use fewer or smaller aliases"
    )
    assert error.line == 5  # l4's line: its aliases of l3 cross the limit


@pytest.mark.parametrize(
    ("text", "line"),
    [("a: &a [1, *a]\n", 1), ("a: &a\n  b:\n    c: *a\n", 3), ("- &x {k: [*x]}\n", 1)],
    ids=["sequence", "mapping", "inline"],
)
def test_a_recursive_alias_is_refused(text: str, line: int) -> None:
    error = refused(text)
    assert "a recursive alias" in str(error) and error.line == line


def test_deep_flow_nesting_is_refused_not_a_crash() -> None:
    error = refused("x: " + "[" * 100_000 + "]" * 100_000 + "\n")
    assert str(error) == f"the YAML nests more than {MAX_DEPTH} levels deep; flatten it" and error.line == 1


def test_deep_block_nesting_is_refused_with_the_line() -> None:
    text = "".join("  " * i + f"k{i}:\n" for i in range(MAX_DEPTH + 5))
    assert refused(text).line == MAX_DEPTH


def test_nesting_up_to_the_limit_loads() -> None:
    depth = MAX_DEPTH - 2  # the document's mapping is the first level, the innermost scalar the last
    loaded = load_yaml("x: " + "[" * depth + "1" + "]" * depth + "\n")
    assert loaded.data["x"] is not None


def test_an_alias_that_nests_beyond_the_limit_is_refused() -> None:
    text = "a: &a " + "[" * 60 + "1" + "]" * 60 + "\nb: [[[[[[*a]]]]]]\n"
    error = refused(text)
    assert "*a nests the YAML more than" in str(error) and error.line == 2


def test_shared_defaults_for_many_customers_still_load() -> None:
    text = "defaults: &defaults {timeout_seconds: 5, retries: 2, verify_tls: true}\ncustomers:\n" + "".join(
        f"  - <<: *defaults\n    name: c{i}\n" for i in range(500)
    )
    loaded = load_yaml(text)
    assert loaded.data["customers"][499] == {
        "name": "c499",
        "timeout_seconds": 5,
        "retries": 2,
        "verify_tls": True,
    }
    assert loaded.lines[("customers", 499, "name")] == 4 + 2 * 499


def test_a_control_character_is_one_line_with_its_line() -> None:
    error = refused("a: 1\nb: x\x00y\n")
    assert str(error) == "invalid YAML: the character #x0000 is not allowed in YAML text" and error.line == 2
