"""Hostile YAML as the configuration: a billion laughs, a recursive alias, deep nesting, a 10 MB
scalar, binary bytes. Each is refused in one line naming the file (and the line, where there is one),
with exit code 3: never a memory blow-up, a crash in the parser or "internal error". The finer cases
(block nesting, control characters, aliases a configuration may use) are unit tests in
tests/agent/config/test_yaml_limits.py, where they cost no process start."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.agent.config.test_yaml_limits import billion_laughs
from tests.hostile.limits import assert_clean_failure, atlas

pytestmark = [pytest.mark.server]  # subprocesses

QUICK = 20.0
HEAD = "customers:\n  - name: acme\n    instances: []\n"


SCALAR_10_MB = (HEAD + "notes: " + "x" * 10_000_000 + "\n").encode()


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
        SCALAR_10_MB,
        f": (top level): the file is {len(SCALAR_10_MB):,} bytes; a configuration file is at most 4 MiB",
        id="10-mb-scalar",
    ),
    pytest.param(bytes(range(256)) * 64, ": (top level): the file is not UTF-8 text", id="binary"),
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
