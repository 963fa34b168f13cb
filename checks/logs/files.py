"""logs.files: log files that could not be read whole, and recognised files with many odd lines.

A truncated or unreadable file is a warning per file: the analysis misses part of what happened. Binary
and unrecognised files are info, one finding per kind of problem: usually not logs at all (a heap
dump, a plugin's own format). A recognised file with more than ``unparsed_pct`` % of its lines (and
at least ``unparsed_min_lines``) in no known format is info: a changed log pattern, or the wrong kind.
A file whose lines are mostly (over ``mostly_pct`` %) in no known format is named whatever its size:
a small file read wrong is not a file read whole.
"""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import LogsCheck, SkipCheck
from checks.context import LogsContext
from checks.finding import Category, Evidence, Finding, Severity
from checks.host._facts import size
from checks.logs._common import between, listing, plural
from checks.metadata import CheckMeta
from collectors.logs.model import FileProblem, LogFileSummary, LogKind

_WARNINGS = (FileProblem.TRUNCATED, FileProblem.UNREADABLE)
_WORDS = {
    FileProblem.BINARY: "binary, not text",
    FileProblem.TRUNCATED: "truncated",
    FileProblem.UNREADABLE: "unreadable",
    FileProblem.UNRECOGNISED: "in no known log format",
}


def still_read(f: LogFileSummary) -> str:
    """What was read of a file despite its problem."""
    if f.lines == 0:
        return "nothing could be analysed"
    return f"{f.lines:,} lines ({size(f.size_bytes)}) were still read, {between(f.first_at, f.last_at)}"


def _evidence(f: LogFileSummary) -> Evidence:
    detail = f.problem_detail or _WORDS.get(f.problem, "") if f.problem else f"{f.unparsed_lines:,} unparsed"
    return Evidence(label=f.path, value=detail, source=f"{f.node}: {f.kind.value}", time=f.last_at)


class LogsFiles(LogsCheck):
    meta = CheckMeta(
        id="logs.files",
        title="Log files that were not read whole",
        description=(
            "Log files that were binary, truncated, unreadable or in no known format, and recognised files "
            "with many lines in no known format: what the log analysis could not see."
        ),
        category=Category.INTEGRITY,
        default_severity=Severity.WARNING,
        thresholds={"unparsed_pct": 5, "unparsed_min_lines": 100, "mostly_pct": 50},
    )

    def run(self, ctx: LogsContext) -> Iterator[Finding]:
        logs = ctx.logs
        if not logs.files:
            raise SkipCheck("no log file was given")
        problems = [f for f in logs.files if f.problem is not None]
        damaged = [(f, f.problem) for f in problems if f.problem is not None and f.problem in _WARNINGS]
        for f, problem in sorted(damaged, key=lambda d: d[0].path):
            yield self._damaged(ctx, f, _WORDS[problem])
        for problem in (FileProblem.BINARY, FileProblem.UNRECOGNISED):
            group = sorted((f for f in problems if f.problem is problem), key=lambda f: f.path)
            if group:
                yield self._skipped(ctx, problem, group)
        noisy = [f for f in logs.files if f.problem is None and self._noisy(ctx, f)]
        if noisy:
            yield self._noisy_finding(ctx, noisy)
        if not problems and not noisy:
            lines = sum(f.lines for f in logs.files)
            yield ctx.ok(
                "Every log file was read",
                f"All {plural(len(logs.files), 'file')} ({lines:,} lines, {size(logs.bytes_read)}) were "
                "recognised and read whole.",
                key="files",
            )

    def _damaged(self, ctx: LogsContext, f: LogFileSummary, what: str) -> Finding:
        detail = f" ({f.problem_detail})" if f.problem_detail else ""
        return ctx.finding(
            Severity.WARNING,
            f"Log file {what}: {f.path}",
            f"{f.path} on {f.node} was {what}{detail}: {still_read(f)}. Whatever the missing "
            "part held is not in this analysis.",
            evidence=[_evidence(f)],
            recommendation=(
                "Copy the file again (a support zip cut short by its size limit or a transfer that stopped, "
                "a gzip still being written) and run the analysis again, or accept that its time is not "
                "covered."
            ),
            node=f.node,
            key=f.path,
        )

    def _skipped(self, ctx: LogsContext, problem: FileProblem, files: list[LogFileSummary]) -> Finding:
        names = listing([f.path for f in files], 5)
        were = "was" if len(files) == 1 else "were"
        return ctx.finding(
            Severity.INFO,
            f"{plural(len(files), 'file')} {were} not analysed ({problem.value})",
            f"{plural(len(files), 'file')} {were} {_WORDS[problem]} and not analysed: {names}.",
            evidence=[_evidence(f) for f in files],
            recommendation=(
                "Usually these are not logs (heap dumps, archives, an app's own format) and can be ignored. "
                "If one is a product log, report its first lines so its format can be recognised."
            ),
            key=problem.value,
        )

    def _noisy(self, ctx: LogsContext, f: LogFileSummary) -> bool:
        if f.kind is LogKind.UNKNOWN or f.lines == 0:
            return False
        share = 100 * f.unparsed_lines / f.lines
        enough = f.unparsed_lines >= ctx.threshold("unparsed_min_lines") or share > ctx.threshold(
            "mostly_pct"
        )
        return enough and share > ctx.threshold("unparsed_pct")

    def _noisy_finding(self, ctx: LogsContext, files: list[LogFileSummary]) -> Finding:
        files = sorted(files, key=lambda f: (-f.unparsed_lines, f.path))
        named = ", ".join(
            f"{f.path} ({f.unparsed_lines:,} of {f.lines:,} lines, {100 * f.unparsed_lines / f.lines:.0f} %)"
            for f in files[:3]
        )
        more = f" and {len(files) - 3} more" if len(files) > 3 else ""
        return ctx.finding(
            Severity.INFO,
            f"Many lines in no known format in {plural(len(files), 'file')}",
            f"Over {ctx.threshold('unparsed_pct'):g} % of the lines of "
            f"{plural(len(files), 'recognised file')} fit no known format: {named}{more}. Those lines were "
            "counted but not analysed.",
            evidence=[
                Evidence(
                    label=f.path,
                    value=f"{f.unparsed_lines:,} of {f.lines:,} lines unparsed"
                    + "".join(f"; {note}" for note in f.notes[:1]),  # the reader's sample line
                    source=f"{f.node}: {f.kind.value}",
                    time=f.last_at,
                )
                for f in files
            ],
            recommendation=(
                "A customised log pattern (log4j or server.xml AccessLogValve) or output of another program "
                "in the same file: compare a few lines with the product's default format."
            ),
            key="unparsed",
        )
