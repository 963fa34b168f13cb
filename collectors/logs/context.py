"""What every log accumulator is told about the file it reads, and what it reports back per chunk.

Accumulators are fed chunks of whole lines (a chunk ends at a newline or at the end of the file),
keep only aggregates, and merge with accumulators of the same kind that read other chunks or files
in other processes: so they hold plain, picklable data and convert to the report model only when
``summary`` is asked for at the end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import tzinfo

from collectors.logs.kinds import LogKind


@dataclass(frozen=True)
class FileContext:
    path: str  # display path, e.g. "node1.zip!application-logs/atlassian-jira.log"
    node: str
    kind: LogKind
    tz: tzinfo  # for timestamps that carry no offset
    since: float | None = None  # the window, as UTC epoch seconds (None: open)
    until: float | None = None

    def in_window(self, epoch: float) -> bool:
        return (self.since is None or epoch >= self.since) and (self.until is None or epoch < self.until)


@dataclass
class ChunkStats:
    """Line counts and the time span one chunk (or, merged, one file) covered."""

    lines: int = 0
    events: int = 0  # lines that open an event
    unparsed: int = 0  # lines that fit no format of the kind
    first: float | None = None  # epoch seconds of the first and last event seen in the window
    last: float | None = None
    notes: list[str] = field(default_factory=list)

    def saw(self, epoch: float) -> None:
        if self.first is None or epoch < self.first:
            self.first = epoch
        if self.last is None or epoch > self.last:
            self.last = epoch

    def merge(self, other: ChunkStats) -> None:
        self.lines += other.lines
        self.events += other.events
        self.unparsed += other.unparsed
        for epoch in (other.first, other.last):
            if epoch is not None:
                self.saw(epoch)
        self.notes.extend(n for n in other.notes if n not in self.notes)
