"""Running `atlas-health` against a hostile input the way a user would, in a subprocess with a time
limit and a memory cap, so that a hang or an unbounded read fails the test instead of the machine.

Every run must end without a traceback and without "internal error", the message kept for defects
in our code, whatever its exit code. Each run also gets its own empty home, temporary and working folders, and fails when it leaves a
file in any of them, or a half-written staging folder beside an output folder it was given: a
refused input must leave nothing behind but what the user asked for.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MEMORY_CAP_BYTES = 1536 * 2**20  # address space: well above a normal run, far below a runaway read
TIME_LIMIT_SECONDS = 60.0
OUTPUT_OPTIONS = ("-o", "--output")
# The compiled log patterns are a cache, not output; sharing the user's keeps each run fast.
CACHE = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP_BYTES, MEMORY_CAP_BYTES))


def _left_in(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if not p.is_dir())


def _outputs(args: Sequence[str]) -> list[Path]:
    named = [args[i + 1] for i, a in enumerate(args[:-1]) if a in OUTPUT_OPTIONS]
    named += [a.split("=", 1)[1] for a in args if a.startswith("--output=")]
    return [Path(a) for a in named]


def _half_written(output: Path) -> list[str]:
    """Staging files and folders named after ``output`` (".NAME.*") left beside it."""
    parent = output.absolute().parent
    if not parent.is_dir():
        return []
    return sorted(str(p) for p in parent.iterdir() if p.name.startswith(f".{output.name}."))


def atlas(
    args: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = TIME_LIMIT_SECONDS,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """`atlas-health ARGS` under the time limit and memory cap; raises ``subprocess.TimeoutExpired``
    when it hangs (the test fails naming the command). Without ``cwd`` it runs in an empty folder
    that must stay empty."""
    with tempfile.TemporaryDirectory(prefix="atlas-hostile-") as scratch:
        home, temporary, work = (Path(scratch) / name for name in ("home", "tmp", "work"))
        for folder in (home, temporary, work):
            folder.mkdir()
        environment = {k: v for k, v in os.environ.items() if not k.startswith(("ATLAS_HEALTH_", "XDG_"))}
        environment.update(
            {
                "PYTHONPATH": str(ROOT),
                "COLUMNS": "200",
                "HOME": str(home),
                "TMPDIR": str(temporary),
                "XDG_CACHE_HOME": CACHE,
                **(env or {}),
            }
        )
        result = subprocess.run(
            [sys.executable, "-m", "agent.cli", *args],
            capture_output=True,
            text=True,
            errors="replace",
            env=environment,
            cwd=cwd or work,
            timeout=timeout,
            input=stdin,
            preexec_fn=_cap_memory,
        )
        stray = {name: _left_in(folder) for name, folder in (("home", home), ("tmp", temporary))}
        if cwd is None:
            stray["working folder"] = _left_in(work)
        stray["beside the output"] = [p for output in _outputs(args) for p in _half_written(output)]
        left = {name: files for name, files in stray.items() if files}
        command = f"`atlas-health {' '.join(args)[:200]}`"
        assert not left, f"{command} left files behind: {left}\n{result.stderr}"
        # Whatever the outcome, hostile input never reaches the catch-all kept for our own defects.
        for defect in ("internal error", "Traceback"):
            assert defect not in result.stderr, f"{command} printed {defect!r}:\n{result.stderr}"
        return result


def assert_clean_failure(result: subprocess.CompletedProcess[str], *, code: int = 3) -> str:
    """A refused input: the documented exit code, no traceback, no "internal error", one line
    naming the problem on stderr. Returns that stderr."""
    assert "Traceback" not in result.stderr, result.stderr
    assert "internal error" not in result.stderr, result.stderr
    assert result.returncode == code, (result.returncode, result.stderr)
    return result.stderr
