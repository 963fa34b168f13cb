"""Running `atlas-health` against a hostile input the way a user would, in a subprocess with a time
limit and a memory cap, so that a hang or an unbounded read fails the test instead of the machine."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MEMORY_CAP_BYTES = 1536 * 2**20  # address space: well above a normal run, far below a runaway read
TIME_LIMIT_SECONDS = 60.0


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP_BYTES, MEMORY_CAP_BYTES))


def atlas(
    args: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = TIME_LIMIT_SECONDS,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """`atlas-health ARGS` under the time limit and memory cap; raises ``subprocess.TimeoutExpired``
    when it hangs (the test fails naming the command)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ATLAS_HEALTH_")}
    environment.update({"PYTHONPATH": str(ROOT), "COLUMNS": "200", **(env or {})})
    return subprocess.run(
        [sys.executable, "-m", "agent.cli", *args],
        capture_output=True,
        text=True,
        errors="replace",
        env=environment,
        cwd=cwd or ROOT,
        timeout=timeout,
        input=stdin,
        preexec_fn=_cap_memory,
    )


def assert_clean_failure(result: subprocess.CompletedProcess[str], *, code: int = 3) -> str:
    """A refused input: the documented exit code, no traceback, no "internal error", one line
    naming the problem on stderr. Returns that stderr."""
    assert "Traceback" not in result.stderr, result.stderr
    assert "internal error" not in result.stderr, result.stderr
    assert result.returncode == code, (result.returncode, result.stderr)
    return result.stderr
