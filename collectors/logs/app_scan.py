"""The fast path for application logs and catalina.out: signatures, levels, exceptions, restarts.

Python cannot look at every line of gigabytes of logs at grep's speed, so it does not: one matcher
pass over each chunk (Hyperscan, see matcher.py) finds the signature lines, the WARN/ERROR/FATAL
event lines and the exception lines, which are a small share of all lines; Python only looks at
those. Events per minute come from the logs being in time order: NumPy finds every line that may
open an event in one pass, a binary search finds where each minute ends, and the event lines in
between are counted from the NumPy offsets. A chunk whose times
go backwards is counted line by line instead.

Levels, signature hits and exceptions are kept per node (a chunk comes from one file of one node, so
this costs a dict lookup per chunk or per hit, not per line); the all-node figures are their sums.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np

from collectors.logs.context import ChunkStats, FileContext
from collectors.logs.event_lines import (
    ISO_EVENT,
    any_epoch,
    any_event_start,
    iso_epoch,
    iso_event_start,
    iso_offset,
    line_at,
)
from collectors.logs.kinds import LogKind
from collectors.logs.matcher import Matcher, Rule
from collectors.logs.patterns import ScanPattern
from collectors.logs.timestamps import MinuteClock
from collectors.redaction import Redactor

SAMPLES = 3  # sample events kept per signature
RESTARTS_CAP = 500
SAMPLE_CHARS = 600

# Rule ids past the signatures: level lines and exception lines.
# The level is the first word of its kind before the first "[": Jira writes the thread before it,
# the other products the thread in brackets after it, so a message that merely says "ERROR" after
# the logger's "[...]" does not count.
_LEVEL_PREFIX = r"^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d[,.]\d{3}[^\n\[]{0,160}[ \t]"
_LEVEL_RULES = (_LEVEL_PREFIX + r"WARN[ \t]", _LEVEL_PREFIX + r"ERROR[ \t]", _LEVEL_PREFIX + r"FATAL[ \t]")
# Lines that may start a stack trace: led by the literal type-name ending, which Hyperscan finds
# fast; _EXCEPTION_TYPE then confirms that the type name opens the line.
_EXCEPTION_RULE = r"\.[A-Za-z0-9_$]*(Exception|Error|Throwable)(:|[ \t\r]|$)"
_DATED_LINE = re.compile(rb"^(?:\d|[A-Z][a-z]{2} \d)", re.M)
_JUL_LINE = re.compile(rb"^[A-Z][a-z]{2} \d\d?, \d{4} \d", re.M)  # java.util.logging: May 1, 2024 10:00:00 AM
_EXCEPTION_TYPE = re.compile(
    rb"^(Caused by: |Exception in thread \"[^\"\n]*\" )?"
    rb"([A-Za-z_$][\w$]*(?:\.[\w$]+)+(?:Exception|Error|Throwable))"
)


@dataclass
class NodeTally:
    """One node's share of a signature or exception: its count, first and last time, and minutes."""

    count: int = 0
    first: float | None = None
    last: float | None = None
    per_minute: dict[int, int] = field(default_factory=dict)

    def merge(self, other: NodeTally) -> None:
        self.count += other.count
        for epoch in (other.first, other.last):
            if epoch is not None:
                self.first = epoch if self.first is None else min(self.first, epoch)
                self.last = epoch if self.last is None else max(self.last, epoch)
        for minute, n in other.per_minute.items():
            self.per_minute[minute] = self.per_minute.get(minute, 0) + n


@dataclass
class HitTally:
    """A signature's (or an exception's) hits: counted per node, the all-node figures derived from them."""

    files: set[str] = field(default_factory=set)
    samples: list[tuple[float | None, str, str, str]] = field(default_factory=list)  # at, node, file, text
    by_node: dict[str, NodeTally] = field(default_factory=dict)

    def add(self, epoch: float | None, ctx: FileContext, sample: str | None) -> None:
        node = self.by_node.get(ctx.node)
        if node is None:
            node = self.by_node[ctx.node] = NodeTally()
        node.count += 1
        self.files.add(ctx.path)
        if epoch is not None:
            if node.first is None or epoch < node.first:
                node.first = epoch
            if node.last is None or epoch > node.last:
                node.last = epoch
            minute = int(epoch // 60) * 60
            node.per_minute[minute] = node.per_minute.get(minute, 0) + 1
        if sample is not None and len(self.samples) < SAMPLES:
            self.samples.append((epoch, ctx.node, ctx.path, sample))

    def merge(self, other: HitTally) -> None:
        for name, theirs in other.by_node.items():
            mine = self.by_node.get(name)
            if mine is None:
                self.by_node[name] = theirs
            else:
                mine.merge(theirs)
        self.files |= other.files
        self.samples = sorted(self.samples + other.samples, key=lambda s: (s[0] is None, s[0] or 0))[:SAMPLES]

    def wants_sample(self) -> bool:
        return len(self.samples) < SAMPLES

    @property
    def count(self) -> int:
        return sum(n.count for n in self.by_node.values())

    @property
    def first(self) -> float | None:
        return min((n.first for n in self.by_node.values() if n.first is not None), default=None)

    @property
    def last(self) -> float | None:
        return max((n.last for n in self.by_node.values() if n.last is not None), default=None)

    @property
    def nodes(self) -> set[str]:
        return set(self.by_node)

    @property
    def per_minute(self) -> dict[int, int]:
        """Every node's minutes added up."""
        total: dict[int, int] = {}
        for node in self.by_node.values():
            for minute, n in node.per_minute.items():
                total[minute] = total.get(minute, 0) + n
        return total


@dataclass
class ExceptionTally(HitTally):
    thrown_as: dict[str, int] = field(default_factory=dict)

    def merge(self, other: HitTally) -> None:
        super().merge(other)
        if isinstance(other, ExceptionTally):
            for name, n in other.thrown_as.items():
                self.thrown_as[name] = self.thrown_as.get(name, 0) + n


_Tally = TypeVar("_Tally", bound=HitTally)


class AppAccumulator:
    """Signatures, levels per minute, exceptions and restarts of application logs and catalina.out,
    each kept per node (the all-node figures are their sums)."""

    def __init__(self) -> None:
        # node -> minute -> [total, warn, error, fatal]
        self.node_levels: dict[str, dict[int, list[int]]] = {}
        self.hits: dict[str, HitTally] = {}
        self.exceptions: dict[str, ExceptionTally] = {}
        self.restarts: list[tuple[float | None, str, str, str]] = []  # at, node, signature, text
        self.engine = "re"

    @property
    def levels(self) -> dict[int, list[int]]:
        """Every node's levels per minute, added up."""
        total: dict[int, list[int]] = {}
        for minutes in self.node_levels.values():
            _add_levels(total, minutes)
        return total

    # Fed by ChunkScanner.scan: the compiled matchers live there, so that this pickles small.
    def end_file(self, ctx: FileContext) -> ChunkStats:
        return ChunkStats()

    def merge(self, other: AppAccumulator) -> None:
        for node, minutes in other.node_levels.items():
            _add_levels(self.node_levels.setdefault(node, {}), minutes)
        _merge_tallies(self.hits, other.hits)
        _merge_tallies(self.exceptions, other.exceptions)
        self.restarts = sorted(self.restarts + other.restarts, key=lambda r: (r[0] is None, r[0] or 0))[
            :RESTARTS_CAP
        ]
        if other.engine == "hyperscan":
            self.engine = "hyperscan"


def _add_levels(into: dict[int, list[int]], minutes: dict[int, list[int]]) -> None:
    for minute, row in minutes.items():
        mine = into.get(minute)
        if mine is None:
            into[minute] = list(row)
        else:
            for i, n in enumerate(row):
                mine[i] += n


def _merge_tallies(table: dict[str, _Tally], theirs: dict[str, _Tally]) -> None:
    for key, tally in theirs.items():
        if key in table:
            table[key].merge(tally)
        else:
            table[key] = tally


class ChunkScanner:
    """Compiled matchers for one set of signatures, reused for every chunk a worker scans."""

    def __init__(
        self, patterns: Sequence[ScanPattern], tz_clock: MinuteClock, use_hyperscan: bool = True
    ) -> None:
        self.patterns = list(patterns)
        self.clock = tz_clock
        self.use_hyperscan = use_hyperscan
        self.redactor = Redactor()
        self._matchers: dict[tuple[str, str | None], _Compiled] = {}

    def prepare(self, kind: LogKind) -> None:
        """Compile the matcher for a kind now (before worker processes are forked from this one)."""
        self._matcher_for(kind)

    def _matcher_for(self, kind: LogKind) -> _Compiled:
        key = (kind.family, kind.product)
        found = self._matchers.get(key)
        if found is None:
            chosen = [p for p in self.patterns if p.applies_to(kind.family, kind.product)]
            rules = [Rule(i, p.regex, p.ignore_case) for i, p in enumerate(chosen)]
            rules += [Rule(len(chosen) + i, rule) for i, rule in enumerate(_LEVEL_RULES)]
            rules.append(Rule(len(chosen) + len(_LEVEL_RULES), _EXCEPTION_RULE))
            verifiers = [
                _Verifier(
                    re.compile(p.regex.encode(), re.I if p.ignore_case else 0),
                    _bytes_re(p.caused_by, p.ignore_case),
                    _bytes_re(p.unless_caused_by, p.ignore_case),
                )
                for p in chosen
            ]
            found = (Matcher(rules, self.use_hyperscan), chosen, verifiers)
            self._matchers[key] = found
        return found

    def scan(self, buf: bytes, ctx: FileContext, acc: AppAccumulator) -> ChunkStats:
        catalina = ctx.kind == LogKind.CATALINA
        if catalina:
            stats = ChunkStats(lines=buf.count(b"\n") + (0 if buf.endswith(b"\n") or not buf else 1))
            ranges: list[tuple[int, int | None]] = []
            levels: dict[int, list[int]] = {}  # catalina.out's events are not counted by level
        else:
            newlines, events = _line_starts(buf)
            stats = ChunkStats(lines=len(newlines) + (0 if buf.endswith(b"\n") or not buf else 1))
            levels = acc.node_levels.setdefault(ctx.node, {})
            ranges = _count_minutes(buf, events, ctx, self.clock, levels, stats)
        matcher, chosen, verifiers = self._matcher_for(ctx.kind)
        acc.engine = matcher.engine if acc.engine != "hyperscan" else "hyperscan"
        levels_from = len(chosen)
        exception_id = levels_from + len(_LEVEL_RULES)
        level_ends: list[list[int]] = [[] for _ in _LEVEL_RULES]
        others: list[tuple[int, int]] = []
        for rule_id, end in matcher.scan(buf):
            if levels_from <= rule_id < exception_id:
                level_ends[rule_id - levels_from].append(end)
            else:
                others.append((end, rule_id))
        if ranges:
            _count_levels(ranges, level_ends, levels)
        seen: set[tuple[int, int]] = set()
        counted: set[tuple[str, int]] = set()  # (signature, event opener): an event counts once
        exception_lines: list[int] = []
        for end, rule_id in sorted(others):
            start = buf.rfind(b"\n", 0, end) + 1
            if (rule_id, start) in seen:
                continue
            seen.add((rule_id, start))
            if rule_id == exception_id:
                exception_lines.append(start)
            else:
                self._signature(buf, start, chosen[rule_id], verifiers[rule_id], ctx, acc, catalina, counted)
        if exception_lines:
            self._exceptions(buf, exception_lines, ctx, acc, catalina)
        if catalina:
            self._catalina_span(buf, ctx, stats)
        return stats

    def _event_of(self, buf: bytes, start: int, catalina: bool) -> tuple[int | None, float | None]:
        opener = any_event_start(buf, start, self.clock) if catalina else iso_event_start(buf, start)
        if opener is None:
            return None, None
        line = line_at(buf, opener, 200)
        return opener, (any_epoch(line, self.clock) if catalina else iso_epoch(line, self.clock))

    def _signature(
        self,
        buf: bytes,
        start: int,
        pattern: ScanPattern,
        verifier: _Verifier,
        ctx: FileContext,
        acc: AppAccumulator,
        catalina: bool,
        counted: set[tuple[str, int]],
    ) -> None:
        line = line_at(buf, start)
        if not verifier.line.search(line):
            return
        opener, epoch = self._event_of(buf, start, catalina)
        event = (pattern.id, start if opener is None else opener)
        if event in counted:
            return  # the same words on a continuation line ("Caused by: ...") of an event already counted
        if verifier.caused_by is not None or verifier.unless is not None:
            text = _event_text(buf, start if opener is None else opener, start, catalina)
            if verifier.caused_by is not None and not verifier.caused_by.search(text):
                return
            if verifier.unless is not None and verifier.unless.search(text):
                return
        counted.add(event)
        if epoch is not None and not ctx.in_window(epoch):
            return
        if epoch is None and (ctx.since is not None or ctx.until is not None):
            return  # an event whose time is unknown cannot be placed inside the window
        tally = acc.hits.setdefault(pattern.id, HitTally())
        sample = None
        if tally.wants_sample() or pattern.restart:
            sample = self._sample(buf, opener, start, line)
        tally.add(epoch, ctx, sample if tally.wants_sample() else None)
        if pattern.restart and len(acc.restarts) < RESTARTS_CAP:
            acc.restarts.append((epoch, ctx.node, pattern.id, sample or ""))

    def _sample(self, buf: bytes, opener: int | None, start: int, line: bytes) -> str:
        text = (
            line if opener is None or opener == start else line_at(buf, opener, SAMPLE_CHARS) + b"\n" + line
        )
        return self.redactor.text(text[: SAMPLE_CHARS * 2].decode("utf-8", "replace"))

    def _exceptions(
        self, buf: bytes, starts: list[int], ctx: FileContext, acc: AppAccumulator, catalina: bool
    ) -> None:
        # Group the exception lines by the event that holds them: the first is what was thrown, the
        # last "Caused by:" the root cause. Lines of one stack trace follow each other with no event
        # line between them, so the opener is looked up once per trace.
        groups: list[tuple[int | None, float | None, list[tuple[str, bytes]]]] = []
        previous = -1
        for start in starts:
            line = line_at(buf, start, 400)
            match = _EXCEPTION_TYPE.match(line)
            if match is None:
                continue
            name = match.group(2).decode("ascii", "replace")
            same_event = groups and not catalina and buf.find(b"\n20", previous, start) < 0
            previous = start
            if same_event:
                groups[-1][2].append((name, line))
                continue
            opener, epoch = self._event_of(buf, start, catalina)
            if groups and opener is not None and groups[-1][0] == opener:
                groups[-1][2].append((name, line))
            else:
                groups.append((opener, epoch, [(name, line)]))
        windowed = ctx.since is not None or ctx.until is not None
        for _opener, epoch, lines in groups:
            if (epoch is None and windowed) or (epoch is not None and not ctx.in_window(epoch)):
                continue
            thrown, (root, root_line) = lines[0][0], lines[-1]
            tally = acc.exceptions.get(root)
            if tally is None:
                tally = acc.exceptions[root] = ExceptionTally()
            sample = None
            if tally.wants_sample():
                sample = self.redactor.text(root_line[:SAMPLE_CHARS].decode("utf-8", "replace"))
            tally.add(epoch, ctx, sample)
            tally.thrown_as[thrown] = tally.thrown_as.get(thrown, 0) + 1

    def _catalina_span(self, buf: bytes, ctx: FileContext, stats: ChunkStats) -> None:
        """catalina.out's events are the lines that open with a date (Tomcat's or an application's).

        Without a window they are counted in C and the span comes from the first and last dated
        lines; with one, each dated line is read (catalina.out is small next to the application logs).
        """
        if ctx.since is None and ctx.until is None:
            stats.events += sum(buf.count(b"\n" + digit) for digit in (b"0", b"1", b"2", b"3"))
            stats.events += 1 if buf[:1].isdigit() else 0
            stats.events += sum(1 for _ in _JUL_LINE.finditer(buf))  # Tomcat before 8.5's two-line events
            for start in (0, buf.rfind(b"\n", 0, max(0, len(buf) - 1)) + 1):
                opener = any_event_start(buf, start, self.clock)
                if opener is not None:
                    epoch = any_epoch(line_at(buf, opener, 200), self.clock)
                    if epoch is not None:
                        stats.saw(epoch)
            return
        for match in _DATED_LINE.finditer(buf):
            epoch = any_epoch(line_at(buf, match.start(), 200), self.clock)
            if epoch is not None and ctx.in_window(epoch):
                stats.events += 1
                stats.saw(epoch)


@dataclass(frozen=True)
class _Verifier:
    """A signature's regexes in Python's re: its line, and the causes its event must or must not hold."""

    line: re.Pattern[bytes]
    caused_by: re.Pattern[bytes] | None = None
    unless: re.Pattern[bytes] | None = None


_Compiled = tuple[Matcher, list[ScanPattern], list[_Verifier]]
EVENT_CHARS = 256 * 1024  # how much of an event a cause is looked for in: a stack trace's causes fit


def _bytes_re(pattern: str | None, ignore_case: bool) -> re.Pattern[bytes] | None:
    if pattern is None:
        return None
    return re.compile(pattern.encode(), re.M | (re.I if ignore_case else 0))


def _event_text(buf: bytes, opener: int, start: int, catalina: bool) -> bytes:
    """The event that opens at ``opener`` and holds the line at ``start``: up to the next event line."""
    after = buf.find(b"\n", start)
    if after < 0:
        return buf[opener : opener + EVENT_CHARS]
    if catalina:
        nxt = _DATED_LINE.search(buf, after + 1)
        end = len(buf) if nxt is None else nxt.start()
    else:
        end = _next_event(buf, after + 1)
    return buf[opener : min(end, opener + EVENT_CHARS)]


def _count_levels(
    ranges: list[tuple[int, int | None]], level_ends: list[list[int]], levels: dict[int, list[int]]
) -> None:
    """Give each WARN/ERROR/FATAL line to the minute range holding it (ranges: start offset, minute)."""
    starts = [start for start, _ in ranges]
    for index, ends in enumerate(level_ends, start=1):
        for end in ends:
            at = bisect_right(starts, end) - 1
            minute = ranges[at][1] if at >= 0 else None
            if minute is not None:
                levels[minute][index] += 1


def _line_starts(buf: bytes) -> tuple[np.ndarray, np.ndarray]:
    """Offsets of every newline, and of every line that may open an event (it starts with "20"):
    found with NumPy in one pass over the chunk, twice as fast as counting with bytes.count."""
    data = np.frombuffer(buf, np.uint8)
    newlines = np.flatnonzero(data == 10)
    after = newlines[newlines < len(data) - 2] + 1
    starts = after[(data[after] == 50) & (data[after + 1] == 48)]
    if data[:2].tobytes() == b"20":
        starts = np.concatenate(([0], starts))
    return newlines, starts


def _count_minutes(
    buf: bytes,
    events: np.ndarray,
    ctx: FileContext,
    clock: MinuteClock,
    levels: dict[int, list[int]],
    stats: ChunkStats,
) -> list[tuple[int, int | None]]:
    """Events per minute: binary search for where each minute's lines end, count the event lines
    (``events``: offsets of lines that may open one) in between.

    Returns each range's start offset and minute (None when outside the window or unreadable).
    """
    first = ISO_EVENT.search(buf)
    while first is not None and first.start() > 0 and buf[first.start() - 1 : first.start()] != b"\n":
        first = ISO_EVENT.search(buf, first.start() + 1)
    if first is None:
        return []
    ranges = _minute_ranges(buf, first.start(), events)
    if ranges is None:  # times go backwards in this chunk: count line by line
        ranges = _minute_ranges_by_line(buf, first.start())
    placed: list[tuple[int, int | None]] = []
    for start, end, count in ranges:
        line = buf[start : start + 28]
        try:
            minute = clock.iso_minute(line[:16].replace(b"T", b" "), iso_offset(line))
        except ValueError:
            stats.unparsed += count
            placed.append((start, None))
            continue
        if (ctx.since is not None and minute + 60 <= ctx.since) or (
            ctx.until is not None and minute >= ctx.until
        ):
            placed.append((start, None))
            continue
        placed.append((start, minute))
        stats.events += count
        row = levels.setdefault(minute, [0, 0, 0, 0])
        row[0] += count
        first_epoch = iso_epoch(line, clock)
        if first_epoch is not None:
            stats.saw(first_epoch)
        last_start = buf.rfind(b"\n20", start, end)
        last_epoch = iso_epoch(buf[last_start + 1 : last_start + 29], clock) if last_start >= 0 else None
        if last_epoch is not None:
            stats.saw(last_epoch)
    return placed


def _next_event(buf: bytes, pos: int) -> int:
    """The start of the first event line at or after ``pos`` (``len(buf)`` when there is none)."""
    while True:
        found = buf.find(b"\n20", pos - 1 if pos > 0 else 0)
        if found < 0:
            return len(buf)
        if ISO_EVENT.match(buf, found + 1):
            return found + 1
        pos = found + 2


def _minute_ranges(buf: bytes, start: int, events: np.ndarray) -> list[tuple[int, int, int]] | None:
    """(start, end, events) per run of one minute, or None when the chunk is far from time order.

    Threads stamp their events before they queue for the log, so a line of 10:00:59.998 may follow
    one of 10:01:00.001: such small steps back only blur a minute's edge. A chunk that steps back
    often (files concatenated out of order) is counted line by line instead.
    """
    ranges: list[tuple[int, int, int]] = []
    n = len(buf)
    previous: bytes | None = None
    backwards = 0
    while start < n:
        key = buf[start : start + 16]
        if previous is not None and key < previous:
            backwards += 1
            if backwards > 8 and backwards * 4 > len(ranges):
                return None
        low, step = start, 4096
        high = n
        probe = start + step
        while probe < n:  # gallop until the minute changes, then bisect
            event = _next_event(buf, probe)
            if event >= n or buf[event : event + 16] != key:
                high = event
                break
            low, step = event, step * 2
            probe = low + step
        while high - low > 2048:
            mid = (low + high) // 2
            event = _next_event(buf, mid)
            if event < high and buf[event : event + 16] == key:
                low = event
            else:
                high = mid if event >= high else event
        end = _next_event(buf, low + 1)
        while end < high and buf[end : end + 16] == key:
            end = _next_event(buf, end + 1)
        count = int(np.searchsorted(events, end) - np.searchsorted(events, start))
        ranges.append((start, end, count))
        previous = key
        start = end
    return ranges


def _minute_ranges_by_line(buf: bytes, start: int) -> list[tuple[int, int, int]]:
    """The slow, exact count for chunks out of time order: one range per run of equal minutes."""
    ranges: list[tuple[int, int, int]] = []
    current: bytes | None = None
    run_start, count = start, 0
    pos = start
    n = len(buf)
    while pos < n:
        key = buf[pos : pos + 16]
        if key != current:
            if current is not None:
                ranges.append((run_start, pos, count))
            current, run_start, count = key, pos, 0
        count += 1
        pos = _next_event(buf, pos + 1)
    if current is not None:
        ranges.append((run_start, n, count))
    return ranges
