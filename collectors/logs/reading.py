"""What happened to a file while it was read, beyond its lines: it shrank, grew or vanished under the
reader (live logs rotate), or held lines too long to keep. Each task records it in a ReadReport; the
reports of a file's tasks are merged and told once, in the file's entry of the report.

A file that shrank or vanished lost what the analysis would have read: a problem (``truncated``, or
``unreadable`` when nothing of it was read), which the ``logs.files`` check turns into a warning. A file
that grew is read up to the size it had when the run listed it, as a copy taken then would have been:
a note, not a problem, since every live log grows.
"""

from __future__ import annotations

from dataclasses import dataclass

from collectors.logs.kinds import FileProblem
from collectors.logs.long_lines import LINE_LIMIT, LineCuts
from collectors.logs.tally import FileTally


@dataclass
class ReadReport(LineCuts):
    planned: int = 0  # bytes the file had when the run listed it: nothing past them is read
    stopped_at: int | None = None  # the first offset where a read found the file ending before that
    shrank_to: int | None = None  # the file's size then
    grew_to: int | None = None  # its size after the last byte planned was read, when larger
    vanished: bool = False  # a task found the file gone from its path, or another file there

    def ended_early(self, offset: int, size_now: int) -> None:
        self.stopped_at = offset if self.stopped_at is None else min(self.stopped_at, offset)
        self.shrank_to = size_now if self.shrank_to is None else min(self.shrank_to, size_now)

    def merge(self, other: ReadReport) -> None:
        self.cut_lines += other.cut_lines
        self.planned = max(self.planned, other.planned)
        if other.stopped_at is not None:
            self.ended_early(other.stopped_at, other.shrank_to or 0)
        if other.grew_to is not None:
            self.grew_to = max(self.grew_to or 0, other.grew_to)
        self.vanished = self.vanished or other.vanished

    def tell(self, tally: FileTally) -> None:
        """Notes and the problem of ``tally`` (the file's merged tally) for what happened."""
        if self.cut_lines:
            limit = size(LINE_LIMIT)
            if self.cut_lines == 1:
                note = f"1 line longer than {limit} was cut to its first {limit}"
            else:
                note = f"{self.cut_lines:,} lines longer than {limit} were cut to their first {limit}"
            tally.stats.notes.append(note)
        if self.grew_to is not None:
            tally.stats.notes.append(
                f"grew while being read, to {size(self.grew_to)}; read up to the {size(self.planned)} "
                "it had when the run began"
            )
        if tally.problem is not None:  # unreadable or damaged: that says more
            return
        if self.stopped_at is not None:
            tally.problem = FileProblem.TRUNCATED
            tally.detail = (
                f"shrank from {size(self.planned)} to {size(self.shrank_to or 0)} while being read "
                f"(rotated with copytruncate?); the first {size(self.stopped_at)} were analysed"
            )
        elif self.vanished:
            gone = "vanished while being read (deleted, or moved away by log rotation)"
            if tally.size_bytes == 0:
                tally.problem, tally.detail = FileProblem.UNREADABLE, f"{gone}; nothing of it was analysed"
            else:
                tally.problem = FileProblem.TRUNCATED
                tally.detail = f"{gone}; {size(tally.size_bytes)} of its {size(self.planned)} were analysed"


def size(n: int) -> str:
    """1.5 MiB, 812 MiB, 0 bytes: the sizes a user reads in the report."""
    if n < 1024:
        return f"{n} bytes"
    if n < 1024 * 1024:
        return f"{n / 1024:.0f} KiB"
    mib = n / 1024 / 1024
    return f"{mib:.0f} MiB" if mib == int(mib) or mib >= 100 else f"{mib:.1f} MiB"
