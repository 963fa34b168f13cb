"""Starting ledger worker processes together and reading what each says it recorded."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


@dataclass
class WorkerResult:
    name: str
    returncode: int
    ok: dict[str, int] = field(default_factory=dict)  # report -> entry id it created
    again: dict[str, int] = field(default_factory=dict)  # report -> existing entry id returned
    refused: list[str] = field(default_factory=list)
    done: bool = False
    stderr: str = ""


def start_worker(url: str, name: str, count: int, *extra: str) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.agent.ledger.worker", url, name, str(count), *extra],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if line.strip() != "ready":
        process.kill()
        raise AssertionError(
            f"worker {name} did not start: {line!r} {process.stderr.read() if process.stderr else ''}"
        )
    return process


def parse(name: str, process: subprocess.Popen[str], stdout: str, stderr: str) -> WorkerResult:
    result = WorkerResult(name=name, returncode=process.returncode, stderr=stderr)
    for line in stdout.splitlines():
        word, *rest = line.split()
        if word == "ok":
            result.ok[rest[1]] = int(rest[0])
        elif word == "again":
            result.again[rest[1]] = int(rest[0])
        elif word == "refused":
            result.refused.append(rest[0])
        elif word == "done":
            result.done = True
    return result


def run_together(url: str, count: int, workers: int = 8, *extra: str) -> list[WorkerResult]:
    """Start every worker, wait until all have opened the ledger, then let them all go at once."""
    processes = {f"w{i}": start_worker(url, f"w{i}", count, *extra) for i in range(workers)}
    for process in processes.values():
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    results = []
    for name, process in processes.items():
        stdout, stderr = process.communicate(timeout=600)
        results.append(parse(name, process, stdout, stderr))
    return results
