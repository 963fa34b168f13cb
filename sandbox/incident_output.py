"""Writing one node's log files in time order while the scenario is generated minute by minute.

Lines are made a little out of order (an access line is written when its request ends, an exception
when the request fails), so each file keeps the lines not yet written in a small buffer and writes,
in time order, those older than the minute being generated: nothing generated later can come before
them. The buffers hold a few minutes of lines at most, whatever the size of the scenario.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO


class Stream:
    """One log file, opened on its first line."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.pending: list[tuple[float, int, str]] = []
        self.handle: TextIO | None = None
        self.seq = 0

    def add(self, at: float, text: str) -> None:
        self.pending.append((at, self.seq, text))
        self.seq += 1

    def flush(self, before: float | None = None) -> None:
        if not self.pending:
            return
        self.pending.sort()
        cut = len(self.pending)
        if before is not None:
            cut = next((i for i, item in enumerate(self.pending) if item[0] >= before), cut)
        if cut == 0:
            return
        if self.handle is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.handle = self.path.open("w", encoding="utf-8", newline="\n")
        self.handle.write("".join(item[2] for item in self.pending[:cut]))
        del self.pending[:cut]

    def close(self) -> None:
        self.flush()
        if self.handle is not None:
            self.handle.close()
            self.handle = None


class NodeFiles:
    """A Jira node's logs as an install lays them out: ``log/`` in the local home for the application
    and security logs, ``logs/`` in the installation for Tomcat's access log, catalina.out and GC logs."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.app = Stream(root / "log" / "atlassian-jira.log")
        self.security = Stream(root / "log" / "atlassian-jira-security.log")
        self.catalina = Stream(root / "logs" / "catalina.out")
        self.access: dict[str, Stream] = {}
        self.gc: list[Stream] = []

    def access_for(self, at: float) -> Stream:
        """The access log of the day a line is written (Tomcat's valve rotates at midnight)."""
        day = f"{datetime.fromtimestamp(at, UTC):%Y-%m-%d}"
        if day not in self.access:
            self.access[day] = Stream(self.root / "logs" / f"access_log.{day}")
        return self.access[day]

    def new_gc(self, jvm_start: float) -> Stream:
        """The GC log of a JVM run, named by the JVM's start time as ``-Xlog:...:file=...-%t.log`` does."""
        name = f"atlassian-jira-gc-{datetime.fromtimestamp(jvm_start, UTC):%Y-%m-%d_%H-%M-%S}.log"
        stream = Stream(self.root / "logs" / name)
        self.gc.append(stream)
        return stream

    def streams(self) -> list[Stream]:
        return [self.app, self.security, self.catalina, *self.access.values(), *self.gc]

    def flush(self, before: float) -> None:
        for stream in self.streams():
            stream.flush(before)

    def close(self) -> None:
        for stream in self.streams():
            stream.close()
