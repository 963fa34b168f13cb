"""The --thread-dumps / --interval options of check and collect: bad combinations are usage errors."""

from __future__ import annotations

import subprocess
import sys


def atlas(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "agent.cli", *args], capture_output=True, text=True, timeout=60
    )


def test_interval_without_thread_dumps_is_refused_before_anything_is_read(tmp_path):
    result = atlas("check", "--config", str(tmp_path / "missing.yaml"), "--interval", "5")
    assert result.returncode == 3
    assert (
        result.stderr.strip() == "error: --interval needs --thread-dumps N: it is the time between the dumps"
    )


def test_thread_dump_count_and_interval_are_bounded(tmp_path):
    result = atlas(
        "collect", "--config", str(tmp_path / "c.yaml"), "-o", str(tmp_path / "b"), "--thread-dumps", "0"
    )
    assert result.returncode == 3
    assert "--thread-dumps" in result.stderr and "0 is not in the range 1<=x<=20" in result.stderr
