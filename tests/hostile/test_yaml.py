"""Hostile YAML as the configuration: a billion laughs, a recursive alias, deep nesting, a 10 MB
scalar, binary and non-UTF-8 bytes. Each is refused in one line naming the file (and the line, where
there is one), with exit code 3: never a memory blow-up, a crash in the parser or "internal error"."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.agent.config.test_yaml_limits import billion_laughs
from tests.hostile.limits import assert_clean_failure, atlas

pytestmark = [pytest.mark.server]  # subprocesses

QUICK = 20.0
HEAD = "customers:\n  - name: acme\n    instances: []\n"


def _scalar_10_mb() -> bytes:
    return (HEAD + "notes: " + "x" * 10_000_000 + "\n").encode()


CASES = [
    pytest.param(
        (HEAD + billion_laughs()).encode(),
        ":8: (top level): the aliases expand to more than 100,000 values (at *l3)",
        id="billion-laughs",
    ),
    pytest.param(
        (HEAD + "loop: &loop\n  again: *loop\n").encode(),
        ":5: (top level): the alias *loop refers to the anchor &loop it is inside (a recursive alias)",
        id="recursive-alias",
    ),
    pytest.param(
        (HEAD + "deep: " + "[" * 50_000 + "]" * 50_000 + "\n").encode(),
        ":4: (top level): the YAML nests more than 64 levels deep",
        id="deep-flow-nesting",
    ),
    pytest.param(
        _scalar_10_mb(),
        ": (top level): the file is 9.5 MiB; a configuration file is at most 4 MiB",
        id="10-mb-scalar",
    ),
    pytest.param(bytes(range(256)) * 64, ": (top level): the file is not UTF-8 text", id="binary"),
    pytest.param(
        HEAD.encode() + b"note: a\x00b\n", ":4: (top level): invalid YAML: ", id="nul-byte-in-utf-8"
    ),
]


@pytest.mark.parametrize(("content", "expected"), CASES)
def test_hostile_yaml_is_refused_in_one_line(tmp_path: Path, content: bytes, expected: str) -> None:
    config = tmp_path / "config.yaml"
    config.write_bytes(content)
    result = atlas(
        ["config", "validate", str(config)], cwd=tmp_path, timeout=QUICK, env={"ATLAS_HEALTH_DEBUG": "1"}
    )
    err = assert_clean_failure(result, code=3)
    first, last = err.strip().splitlines()
    assert first.startswith(f"{config}{expected}"), err
    assert last == f"error: {config}: 1 configuration error(s)"


def test_a_configuration_sharing_defaults_through_aliases_is_accepted(tmp_path: Path) -> None:
    """Modest use of anchors and aliases, as configurations use them for shared settings, still works:
    200 customers whose instances merge the first one's settings."""
    first = "      - &jira {name: c0-jira, product: jira, deployment: server, url: https://c0.example.com,\n"
    first += "          auth: {type: none}, thresholds: {instance.api.latency: {warning_ms: 1500}}}\n"
    other = "      - <<: *jira\n        name: c{i}-jira\n        url: https://c{i}.example.com\n"
    config = tmp_path / "config.yaml"
    config.write_text(
        "customers:\n  - name: c0\n    instances:\n"
        + first
        + "".join(f"  - name: c{i}\n    instances:\n" + other.format(i=i) for i in range(1, 200))
    )
    result = atlas(["config", "validate", str(config)], cwd=tmp_path, timeout=QUICK)
    assert result.returncode == 0, result.stderr
