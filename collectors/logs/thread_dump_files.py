"""Thread-dump files read among the logs: each kept whole (up to a limit) and redacted, for the thread-dump
analysis (checks/thread_dumps) to parse and analyse once every file is read.

A dump is not a stream of events: its threads, frames and deadlock sections only make sense together,
so the file's text is kept rather than aggregated. The limit bounds memory: a busy JVM writes a few MB
per dump, a series of them tens of MB; past the limit the file is listed as truncated and what was read
is analysed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from collectors.logs.context import ChunkStats, FileContext
from collectors.logs.zip_guard import ArchiveLimit
from collectors.redaction import redact_text

DUMP_FILE_LIMIT = 64 * 1024 * 1024
# Stack frames and lock lines name code and addresses, never secrets, and are most of a dump: only the
# other lines (thread names, headers, whatever else the file holds) go through redaction, which reads
# about 2 MB a second.
_CODE_LINE = re.compile(
    r"^(?:\s+(?:at |- (?:locked|waiting|parking|eliminated) |[\w$.]+/?[\w$./]*\()|\s*0x[0-9a-f]+,)"
)


class DumpTooLarge(ArchiveLimit):
    """A thread-dump file larger than the limit: reading stops, the part read is analysed (the reader
    reports it like any other limit that cut a file short)."""

    def __init__(self, message: str, unread: int) -> None:
        super().__init__(message)
        self.unread = unread  # bytes of the last chunk past the limit: read from the file, not kept


@dataclass(frozen=True)
class DumpFileText:
    path: str  # display path, as in the analysis' file list
    node: str
    text: str  # redacted
    truncated: bool = False


@dataclass
class _Reading:
    node: str
    parts: list[bytes] = field(default_factory=list)
    size: int = 0


class ThreadDumpAccumulator:
    def __init__(self, limit: int = DUMP_FILE_LIMIT) -> None:
        self.limit = limit
        self.files: list[DumpFileText] = []
        self._reading: dict[str, _Reading] = {}

    def feed(self, chunk: bytes, ctx: FileContext) -> ChunkStats:
        reading = self._reading.setdefault(ctx.path, _Reading(ctx.node))
        room = self.limit - reading.size
        reading.parts.append(chunk[:room])
        reading.size += min(len(chunk), room)
        stats = ChunkStats(lines=chunk[:room].count(b"\n"))
        if len(chunk) > room:
            self._keep(ctx.path, truncated=True)
            limit = f"{self.limit // (1024 * 1024)} MiB"
            raise DumpTooLarge(f"a thread-dump file larger than {limit}", len(chunk) - room)
        return stats

    def end_file(self, ctx: FileContext) -> ChunkStats:
        self._keep(ctx.path, truncated=False)
        return ChunkStats()

    def _keep(self, path: str, truncated: bool) -> None:
        reading = self._reading.pop(path, None)
        if reading is None:  # already kept: the limit stopped it
            return
        text = redacted(b"".join(reading.parts).decode("utf-8", "replace"))
        self.files.append(DumpFileText(path, reading.node, text, truncated))

    def merge(self, other: ThreadDumpAccumulator) -> None:
        self.files.extend(other.files)

    def texts(self) -> list[DumpFileText]:
        return sorted(self.files, key=lambda f: (f.node, f.path))


def redacted(text: str) -> str:
    """The dump with its non-code lines redacted together, in one pass."""
    lines = text.split("\n")
    others = [i for i, line in enumerate(lines) if not _CODE_LINE.match(line)]
    masked = redact_text("\n".join(lines[i] for i in others)).split("\n")
    if len(masked) != len(others):  # a rule spanning lines (a private key) took some away: redact it all
        return redact_text(text)
    for i, line in zip(others, masked, strict=True):
        lines[i] = line
    return "\n".join(lines)
