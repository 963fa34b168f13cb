"""Log analysis end to end: find the files, recognise them, scan them on every core, merge, summarise.

Work is split into tasks (a whole file, or a byte range of a large plain file) that worker processes
run independently; each returns small mergeable accumulators, never lines, so memory stays flat
whatever the input size. Small inputs are scanned in this process: starting workers costs more.
"""

from __future__ import annotations

import gc
import logging
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from multiprocessing import get_all_start_methods, get_context
from pathlib import Path
from typing import TYPE_CHECKING, Any

from collectors.logs.app_scan import AppAccumulator, ChunkScanner
from collectors.logs.chunks import Boundary, file_chunks, next_iso_event, next_line, read_chunks, split_ranges
from collectors.logs.context import FileContext
from collectors.logs.duplicates import Copy, Duplicates
from collectors.logs.kinds import FileProblem, LogKind
from collectors.logs.open_zips import close_all
from collectors.logs.patterns import ScanPattern
from collectors.logs.reading import ReadReport
from collectors.logs.sniff import looks_binary, sniff
from collectors.logs.sources import LogSource, SalvagingReader, discover
from collectors.logs.tally import FileTally, TaskResult
from collectors.logs.timestamps import MinuteClock
from collectors.logs.zip_guard import DAMAGED, ArchiveLimit
from collectors.redaction import Redactor

if TYPE_CHECKING:
    from collectors.logs.model import LogAnalysis

log = logging.getLogger(__name__)  # per file and per task, never per line: this is the hot path

HEAD_BYTES = 64 * 1024
RANGE_BYTES = 64 * 1024 * 1024  # plain files larger than this are read by several workers at once
IN_PROCESS_BYTES = 48 * 1024 * 1024  # below this, starting worker processes costs more than it saves
# Security logs stay whole: one login attempt may write two lines that must be read together.
SPLITTABLE = frozenset({"application", "access"})
# An access range starts cold (its first lines decide the layout, its caches of request names and
# clients are empty) and is read slower per byte: fewer, larger ranges.
RANGE_SCALE = {"access": 4}


@dataclass(frozen=True)
class Task:
    source: LogSource
    kind: LogKind
    start: int = 0
    end: int | None = None
    place: tuple[int, int] | None = None  # device and inode of a plain file when the run listed it


@dataclass(frozen=True)
class Window:
    since: float | None = None
    until: float | None = None


# Per-process state: the compiled scanner is built once per worker, not once per task.
_STATE: dict[str, Any] = {}


def _init_worker(patterns: Sequence[ScanPattern] | None, tz: tzinfo, use_hyperscan: bool) -> None:
    """This process's state; without patterns, the scanner is built by the first application task."""
    _STATE["scanner"] = None if patterns is None else ChunkScanner(patterns, MinuteClock(tz), use_hyperscan)
    _STATE["tz"] = tz
    _STATE["use_hyperscan"] = use_hyperscan


class _Patterns:
    """The signature patterns, given or loaded when first needed: worker processes can start reading
    access and GC logs while this process is still loading the knowledge base."""

    def __init__(self, source: Sequence[ScanPattern] | Callable[[], Sequence[ScanPattern]]) -> None:
        self._source = source
        self._loaded: list[ScanPattern] | None = None if callable(source) else list(source)

    def get(self) -> list[ScanPattern]:
        if self._loaded is None:
            source = self._source
            self._loaded = list(source() if callable(source) else source)
        return self._loaded


def _new_accumulator(family: str) -> Any:
    if family == "application" or family == "catalina":
        return AppAccumulator()
    if family == "access":
        from collectors.logs.access import AccessAccumulator

        return AccessAccumulator()
    if family == "gc":
        from collectors.logs.gc import GcAccumulator

        return GcAccumulator()
    if family == "security":
        from collectors.logs.security import SecurityAccumulator

        return SecurityAccumulator()
    if family == "thread-dump":
        from collectors.logs.thread_dump_files import ThreadDumpAccumulator

        return ThreadDumpAccumulator()
    raise ValueError(f"no accumulator for {family!r} logs")


def _scanner(patterns: Sequence[ScanPattern] | None) -> ChunkScanner:
    """This process's scanner, built on first use from the patterns that came with the task."""
    scanner = _STATE["scanner"]
    if scanner is None:
        if patterns is None:
            raise ValueError("an application log task needs the signature patterns")
        clock = MinuteClock(_STATE["tz"])
        scanner = _STATE["scanner"] = ChunkScanner(patterns, clock, _STATE["use_hyperscan"])
    return scanner


def run_task(
    task: Task, window: Window, patterns: Sequence[ScanPattern] | None = None
) -> tuple[TaskResult, ReadReport]:
    """Scan one task in this process (a worker, or the main process for small inputs); ``patterns``
    come with an application task when this process has no scanner yet. The ReadReport says what
    happened to the file while it was read (see reading.py)."""
    started = time.perf_counter()
    family = "application" if task.kind.family == "catalina" else task.kind.family
    scanner = _scanner(patterns) if family == "application" else None
    ctx = FileContext(
        task.source.display, task.source.node, task.kind, _STATE["tz"], window.since, window.until
    )
    acc = _new_accumulator(family)
    tally = FileTally(task.source.display, task.source.node, task.kind)
    boundary = next_iso_event if task.kind.family == "application" else next_line
    report = ReadReport(planned=task.source.size)
    try:
        for chunk in _chunks(task, boundary, report):
            tally.size_bytes += len(chunk)
            stats = acc.feed(chunk, ctx) if scanner is None else scanner.scan(chunk, ctx, acc)
            tally.stats.merge(stats)
        tally.stats.merge(acc.end_file(ctx))
    except DAMAGED as exc:
        tally.stats.merge(acc.end_file(ctx))
        tally.problem = FileProblem.TRUNCATED
        tally.detail = (
            f"the file ends early or is damaged ({type(exc).__name__}: {exc}); "
            f"the first {_mib(tally.size_bytes)} were analysed"
        )
        if isinstance(exc, ArchiveLimit):  # not damaged: a limit stopped the reading
            tally.size_bytes -= getattr(exc, "unread", 0)  # a thread dump's last chunk, past its limit
            tally.detail = f"{exc}; the first {_mib(tally.size_bytes)} were analysed"
    except OSError as exc:
        tally.problem = FileProblem.UNREADABLE
        tally.detail = f"could not be read ({exc.strerror or exc}); check its permissions"
    if tally.problem is not None:
        log.info("%s: %s: %s", tally.path, tally.problem.value, tally.detail)
    log.debug(
        "read %s (%s%s): %d bytes in %.0f ms",
        tally.path,
        task.kind.value,
        f", bytes {task.start}-{task.end}" if task.end is not None else "",
        tally.size_bytes,
        (time.perf_counter() - started) * 1000,
    )
    return TaskResult({tally.path: tally}, {family: acc}), report


def _chunks(task: Task, boundary: Boundary, report: ReadReport) -> Iterator[bytes]:
    if task.source.seekable:
        yield from _file_chunks(task, boundary, report)
        return
    with SalvagingReader(task.source.open()) as stream:
        yield from read_chunks(stream, boundary, report)


def _file_chunks(task: Task, boundary: Boundary, report: ReadReport) -> Iterator[bytes]:
    """A plain file's range, read up to the size it had when listed; a file deleted or replaced since
    (rotated by renaming) is reported vanished rather than read."""
    try:
        fd = os.open(task.source.path, os.O_RDONLY)
    except FileNotFoundError:
        report.vanished = True
        return
    try:
        info = os.fstat(fd)
        if task.place is not None and (info.st_dev, info.st_ino) != task.place:
            report.vanished = True
            return
        yield from file_chunks(fd, boundary, report, task.start, task.end)
        if task.end is None or task.end >= report.planned:  # this task read up to the planned end
            now = os.fstat(fd).st_size
            if now > report.planned and report.stopped_at is None:
                report.grew_to = now
    finally:
        os.close(fd)


def _mib(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MiB" if n >= 1024 * 1024 else f"{n} bytes"


def _probe(source: LogSource) -> tuple[LogKind, bytes, FileTally | None]:
    """The file's kind and first block, or a tally saying why it will not be analysed."""

    def skipped(problem: FileProblem, detail: str, size: int = 0) -> tuple[LogKind, bytes, FileTally]:
        return (
            LogKind.UNKNOWN,
            b"",
            FileTally(source.display, source.node, LogKind.UNKNOWN, size, problem=problem, detail=detail),
        )

    unreadable = "could not be read ({}); check its permissions"
    if source.unreadable is not None:
        return skipped(FileProblem.UNREADABLE, unreadable.format(source.unreadable))
    if source.refused is not None:  # not a file, or an archive member past a limit (zip_guard.py)
        return skipped(FileProblem.UNREADABLE, source.refused)
    try:
        with SalvagingReader(source.open()) as stream:  # a cut gzip smaller than a block still has a head
            head = stream.read(HEAD_BYTES)
    except DAMAGED as exc:
        return skipped(FileProblem.TRUNCATED, f"damaged before its first block could be read ({exc})")
    except FileNotFoundError:
        return skipped(
            FileProblem.UNREADABLE,
            "vanished before it could be read (deleted, or moved away by log rotation)",
        )
    except OSError as exc:
        return skipped(FileProblem.UNREADABLE, unreadable.format(exc.strerror or exc))
    if looks_binary(head):
        detail = "not text (NUL or control bytes in its first block); skipped"
        return skipped(FileProblem.BINARY, detail, len(head))
    kind = sniff(source.name, head)
    if kind == LogKind.UNKNOWN:
        detail = (
            f"no known Atlassian, Tomcat or GC log format in its first lines; skipped; {_first_line(head)}"
        )
        return skipped(FileProblem.UNRECOGNISED, detail, len(head))
    return kind, head, None


def _first_line(head: bytes) -> str:
    """The file's first non-blank line as a sample (redacted, cut), so a reader can tell its format."""
    line = next((raw for raw in head.splitlines() if raw.strip()), b"")
    if not line:
        return "it holds only blank lines"
    text = Redactor().text(line[:200].decode("utf-8", "replace"))
    return f"its first line: {text}{'...' if len(line) > 200 else ''}"


def _copy(source: LogSource, kind: LogKind, copy: Copy) -> FileTally:
    """The tally of a file given twice: nothing read, a note saying which file was read instead."""
    tally = FileTally(source.display, source.node, kind, duplicate_of=copy.earlier.display)
    tally.stats.notes.append(copy.note())
    return tally


def plan(sources: Sequence[LogSource], range_bytes: int = RANGE_BYTES) -> tuple[list[Task], list[FileTally]]:
    """The tasks that read ``sources``, and the tallies of the files that will not be read: damaged,
    not logs, or given twice (see duplicates.py)."""
    tasks: list[Task] = []
    skipped: list[FileTally] = []
    copies = Duplicates()
    kinds: dict[LogSource, LogKind] = {}
    for source in sources:
        copy = copies.same_place(source)
        if copy is not None:
            skipped.append(_copy(source, kinds.get(copy.earlier, LogKind.UNKNOWN), copy))
            continue
        kind, head, problem = _probe(source)
        kinds[source] = kind
        if problem is not None:
            skipped.append(problem)
            continue
        copy = copies.same_content(source, head)
        if copy is not None:
            skipped.append(_copy(source, kind, copy))
            continue
        limit = range_bytes * RANGE_SCALE.get(kind.family, 1)
        place = _place(source)
        if source.seekable and kind.family in SPLITTABLE and source.size > limit:
            tasks += [Task(source, kind, a, b, place) for a, b in split_ranges(source.size, limit)]
        else:
            tasks.append(Task(source, kind, place=place))
    tasks.sort(key=lambda t: -_cost(t))  # the longest first, so that the workers finish together
    return tasks, skipped


def _place(source: LogSource) -> tuple[int, int] | None:
    """A plain file's device and inode, by which a task tells it from a file put in its place later."""
    if not source.seekable:
        return None
    try:
        info = os.stat(source.path)
    except OSError:
        return None  # gone already: the task finds it vanished
    return info.st_dev, info.st_ino


# CPU per byte, relative to an application log (measured with benchmarks/logscan.py's mix): access
# lines are cut and looked up per line, GC events and login attempts are read one by one in Python.
_COST = {"access": 4.0, "gc": 6.0, "security": 16.0}


def _cost(task: Task) -> float:
    size = (task.end or task.source.size) - task.start
    return size * _COST.get(task.kind.family, 1.0) * (3.0 if task.source.gzipped else 1.0)


def _ready_patterns(
    patterns: _Patterns,
    tasks: list[Task],
    tz: tzinfo,
    use_hyperscan: bool,
) -> list[ScanPattern]:
    """The patterns, with their Hyperscan databases compiled once here and kept in the disk cache, so
    that each worker only reads them back."""
    loaded = patterns.get()
    scanner = ChunkScanner(loaded, MinuteClock(tz), use_hyperscan)
    for kind in {t.kind for t in tasks if t.kind.family in ("application", "catalina")}:
        scanner.prepare(kind)
    return loaded


def _epoch(at: datetime | None) -> float | None:
    if at is None:
        return None
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).timestamp()


def analyze_logs(
    paths: Sequence[Path],
    patterns: Sequence[ScanPattern] | Callable[[], Sequence[ScanPattern]],
    *,
    customer: str,
    tz: tzinfo = UTC,
    since: datetime | None = None,
    until: datetime | None = None,
    workers: int | None = None,
    use_hyperscan: bool = True,
    range_bytes: int = RANGE_BYTES,
    on_progress: Callable[[int, int], None] | None = None,
) -> LogAnalysis:
    """Analyse every log under ``paths`` for one customer. ``patterns`` may be a function that loads
    them: it is called once, when the first application log is about to be read.

    Raises SourceError for a path that cannot be read at all; a file that is damaged, binary or not
    a log is listed with its problem instead.
    """
    started = time.perf_counter()
    sources = discover(list(paths))
    tasks, skipped = plan(sources, range_bytes)
    window = Window(_epoch(since), _epoch(until))
    total = sum((t.end or t.source.size) - t.start for t in tasks)
    workers = max(1, workers or os.cpu_count() or 1)
    for tally in skipped:
        why = tally.problem.value if tally.problem else "duplicate"
        log.info("%s: skipped (%s): %s", tally.path, why, tally.detail or "; ".join(tally.stats.notes))
    if log.isEnabledFor(logging.DEBUG):
        kinds = Counter(t.kind.value for t in tasks if t.start == 0)
        log.debug(
            "%s: %d log file(s) found, %d to read (%s) in %d task(s), %s",
            customer,
            len(sources),
            len(sources) - len(skipped),
            ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items())) or "none",
            len(tasks),
            _mib(total),
        )
    merged = TaskResult()
    reports: dict[str, ReadReport] = {}
    done = 0
    known = _Patterns(patterns)
    try:
        for (result, report), task in _run(tasks, window, known, tz, use_hyperscan, workers, total):
            merged.merge(result)
            if task.source.display in reports:
                reports[task.source.display].merge(report)
            else:
                reports[task.source.display] = report
            done += (task.end or task.source.size) - task.start
            if on_progress is not None:
                on_progress(done, total)
    finally:
        close_all()  # the zips this process kept open for their next member
    for path, report in reports.items():
        tally = merged.files[path]
        had = tally.problem
        report.tell(tally)
        if had is None and tally.problem is not None:  # it shrank or vanished while being read
            log.info("%s: %s: %s", path, tally.problem.value, tally.detail)
    for tally in skipped:
        if tally.path in merged.files:  # the same path given twice: one entry, with the note
            merged.files[tally.path].stats.notes.extend(tally.stats.notes)
        else:
            merged.files[tally.path] = tally
    from collectors.logs.summaries import build_analysis  # the report model: pydantic loads only now

    elapsed = time.perf_counter() - started
    log.info(
        "%s: %d log file(s) read, %s in %.1f s (%.0f MB/s)",
        customer,
        len(sources) - len(skipped),
        _mib(total),
        elapsed,
        total / 1e6 / elapsed if elapsed > 0 else 0.0,
    )
    return build_analysis(
        customer=customer,
        files=list(merged.files.values()),
        accumulators=merged.accumulators,
        patterns=known.get(),
        since=since,
        until=until,
        elapsed_s=elapsed,
    )


def _run(
    tasks: list[Task],
    window: Window,
    patterns: _Patterns,
    tz: tzinfo,
    use_hyperscan: bool,
    workers: int,
    total: int,
) -> Iterator[tuple[tuple[TaskResult, ReadReport], Task]]:
    if workers == 1 or total < IN_PROCESS_BYTES or len(tasks) < 2:
        log.debug("reading in this process")
        _init_worker(patterns.get(), tz, use_hyperscan)
        for task in tasks:
            yield run_task(task, window), task
        return
    forking = "fork" in get_all_start_methods()
    context = get_context("fork" if forking else "spawn")
    log.debug("reading in %d worker process(es), %s", workers, "forked" if forking else "spawned")
    if forking:
        # Workers fork from this process at once and read the access and GC logs (they come first)
        # while this process loads the patterns; the application tasks bring the patterns along.
        _init_worker(None, tz, use_hyperscan)
        # The readers' modules load once, here, rather than in every worker (this process needs them
        # too, to merge the results).
        for family in {"application" if t.kind.family == "catalina" else t.kind.family for t in tasks}:
            _new_accumulator(family)
        # Objects that exist now move out of the collector's reach: a worker's garbage collections
        # would otherwise touch every inherited object and copy each page it sits on.
        gc.freeze()
        pool = ProcessPoolExecutor(workers, mp_context=context)
    else:
        init = (patterns.get(), tz, use_hyperscan)
        pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=init)
    ready: list[ScanPattern] | None = None
    with pool:
        pending: dict[Future[tuple[TaskResult, ReadReport]], Task] = {}
        queue = list(reversed(tasks))
        while queue or pending:
            while queue and len(pending) < workers * 2:  # bounded: results never pile up in memory
                task = queue.pop()
                extra: tuple[list[ScanPattern], ...] = ()
                if forking and task.kind.family in ("application", "catalina"):
                    if ready is None:
                        ready = _ready_patterns(patterns, tasks, tz, use_hyperscan)
                    extra = (ready,)
                pending[pool.submit(run_task, task, window, *extra)] = task
            if forking and gc.get_freeze_count():
                # The workers exist (a fork pool starts them all at the first submit): unfrozen, this
                # process (a long-lived service, say) collects its garbage again.
                gc.unfreeze()
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                yield future.result(), pending.pop(future)
