"""Leadership on SQLite: one process at a time holds the file lock beside the database."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from agent.service.leader import FileLeadership, leadership_for


def test_one_holder_at_a_time_and_the_next_after_release(tmp_path: Path):
    engine = create_engine(f"sqlite:///{tmp_path / 'service.sqlite'}")
    first, second = leadership_for(engine), leadership_for(engine)
    assert isinstance(first, FileLeadership) and first.path == tmp_path / "service.sqlite.service.lock"
    assert first.try_acquire() and first.held and first.still_held()
    assert not second.try_acquire() and not second.held
    first.release()
    assert not first.held
    assert second.try_acquire()
    second.release()


@pytest.mark.server
def test_a_dead_holder_frees_the_lock(tmp_path: Path):
    lock = tmp_path / "db.sqlite.service.lock"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, sys; f = open(sys.argv[1], 'ab'); fcntl.flock(f, fcntl.LOCK_EX);"
            " print('held', flush=True); sys.stdin.read()",
            str(lock),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        leadership = FileLeadership(lock)
        assert not leadership.try_acquire()
        holder.kill()
        holder.wait(10)
        assert leadership.try_acquire()
        leadership.release()
    finally:
        holder.kill()
        holder.wait(10)
