"""What one task reports back: per-file counts and the accumulators it filled, both mergeable."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from collectors.logs.context import ChunkStats
from collectors.logs.kinds import FileProblem, LogKind


@dataclass
class FileTally:
    path: str
    node: str
    kind: LogKind
    size_bytes: int = 0
    stats: ChunkStats = field(default_factory=ChunkStats)
    problem: FileProblem | None = None
    detail: str | None = None
    duplicate_of: str | None = None  # not read: the file read in its place (the same file given twice)

    def merge(self, other: FileTally) -> None:
        self.size_bytes += other.size_bytes
        self.stats.merge(other.stats)
        if other.problem is not None and self.problem is None:
            self.problem, self.detail = other.problem, other.detail


@dataclass
class TaskResult:
    files: dict[str, FileTally] = field(default_factory=dict)
    accumulators: dict[str, Any] = field(default_factory=dict)  # family -> accumulator

    def merge(self, other: TaskResult) -> None:
        for path, tally in other.files.items():
            if path in self.files:
                self.files[path].merge(tally)
            else:
                self.files[path] = tally
        for family, acc in other.accumulators.items():
            if family in self.accumulators:
                self.accumulators[family].merge(acc)
            else:
                self.accumulators[family] = acc
