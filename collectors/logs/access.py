"""Access-log statistics per product: traffic, errors and latency over time, the slowest and busiest
endpoints, and the users and client addresses that asked for the most (the aggregates and the summary
they make are in access_aggregate.py, the line layouts in access_lines.py).

Speed: a chunk of a Tomcat log is read column-wise (access_columns.py): NumPy finds every line's fields
and reads timestamps, statuses and durations for the whole chunk at once. Endpoint and talker ids come
from access_keys.py: clients are packed and found in NumPy (packed_keys.py), and Python only cuts out
each line's request bytes for one dict lookup, which costs no decoding and no templating when the same
bytes came before. The chunk's requests then fold into the aggregates with ``np.unique``,
``np.bincount`` and ``np.add.at`` (access_fold.py). Lines that are not well formed in the
file's layout (a user name with spaces, an X-Forwarded-For list, a quote in a URL, a cut line, garbage)
go to the format's full parser (access_lines.py), whose regex reads what can be read; the rest are
counted as unparsed. Bitbucket's pipe-delimited lines always take that parser (it splits, no regex per
line). Bamboo's, Crowd's and any other product's Tomcat or Jetty access logs take access_tomcat.py's.
When most of a Tomcat file's first lines fit no layout, a note on the file says so with one of them:
the kind was guessed wrong, or the valve's pattern was changed.

Time unit: Tomcat up to 9 writes ``%D`` in milliseconds (what Atlassian documents), Tomcat 10 in
microseconds. The first 5000 lines of every Tomcat file decide (they wait for one another, so that the
decision does not depend on how the file was cut into chunks): when almost none of their requests (under
0.2 %) took under 10 units, which no millisecond log of a live server shows (static resources and 304s
take a few ms), and the median of the static resources among them (or of all, with too few) is over
1000, the file is read as microseconds, converted to ms (rounded), and a note says so. The same lines
choose the file's layout. Bitbucket writes ``durationMs``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import tzinfo
from statistics import median
from typing import TYPE_CHECKING

import numpy as np

from collectors.logs.access_aggregate import ProductAccess
from collectors.logs.access_columns import read_columns
from collectors.logs.access_fold import (
    CLIENT_ERROR,
    OTHER,
    SERVER_ERROR,
    UNAUTHORISED,
    UNTIMED,
    ProductStage,
    Requests,
    fold,
)
from collectors.logs.access_keys import KeyTables
from collectors.logs.access_lines import BITBUCKET, CLF, CONFLUENCE, JIRA, Layout, LineFormat
from collectors.logs.access_tomcat import TOMCAT
from collectors.logs.context import ChunkStats, FileContext
from collectors.logs.kinds import LogKind
from collectors.logs.timestamps import MinuteClock
from collectors.redaction import Redactor

if TYPE_CHECKING:
    from collectors.logs.model import AccessSummary

FORMATS: dict[LogKind, LineFormat] = {
    LogKind.JIRA_ACCESS: JIRA,
    LogKind.CONFLUENCE_ACCESS: CONFLUENCE,
    LogKind.BITBUCKET_ACCESS: BITBUCKET,
    LogKind.BAMBOO_ACCESS: TOMCAT,
    LogKind.CROWD_ACCESS: TOMCAT,
    LogKind.TOMCAT_ACCESS: TOMCAT,
}
SAMPLE_LINES = 5000  # a Tomcat file's first lines, read once there are this many, decide its layout and unit

# status text -> its class (access_fold: OTHER, CLIENT_ERROR, SERVER_ERROR or UNAUTHORISED)
_STATUS: dict[bytes, int] = {
    b"%d" % s: SERVER_ERROR if s >= 500 else UNAUTHORISED if s == 401 else CLIENT_ERROR if s >= 400 else OTHER
    for s in range(100, 600)
}
_STATIC = re.compile(
    rb"/s/\S*/_/|/download/(?:resources|batch|contextbatch|superbatch)/"
    rb"|\.(?:js|css|png|gif|svg|jpe?g|ico|woff2?)(?:\s|$)"
)


@dataclass
class _File:
    pending: list[bytes] | None  # a Tomcat file's first lines, until there are enough to decide on
    divisor: int = 1  # 1: durations are ms; 1000: µs
    layout: Layout | None = None  # None: every line takes the format's parser


class AccessAccumulator:
    """Statistics of Jira's and Confluence's Tomcat access logs and of Bitbucket's access log, per
    product; the engine's accumulator shape (feed, end_file, merge, summaries)."""

    def __init__(self) -> None:
        self.products: dict[str, ProductAccess] = {}
        self._keys = KeyTables()
        self._stages: dict[str, ProductStage] = {}  # product -> counts by endpoint and talker id
        self._files: dict[tuple[str, str], _File] = {}
        self._clocks: dict[tzinfo, MinuteClock] = {}

    # Only the aggregates travel between processes: the key tables refill.
    def __getstate__(self) -> dict:
        self._flush()
        return {"products": self.products}

    def __setstate__(self, state: dict) -> None:
        AccessAccumulator.__init__(self)  # the key tables start empty, as in a new accumulator
        self.products = state["products"]

    def feed(self, chunk: bytes, ctx: FileContext) -> ChunkStats:
        stats = ChunkStats()
        fmt = FORMATS.get(ctx.kind)
        if fmt is None:
            stats.lines = stats.unparsed = len(_lines(chunk))
            stats.notes.append(f"{ctx.path}: {ctx.kind} is not an access log; its lines were not read")
            return stats
        file = self._files.get((ctx.node, ctx.path))
        if file is None:
            file = self._files[(ctx.node, ctx.path)] = _File(pending=[] if fmt.tomcat else None)
        if file.pending is not None:  # a Tomcat file's first lines wait to decide its layout and unit
            file.pending += _lines(chunk)
            if len(file.pending) < SAMPLE_LINES:
                return stats
            lines, file.pending = file.pending, None
            chunk = b"\n".join(lines)
            _decide(file, fmt, lines[:SAMPLE_LINES], ctx, self._product(ctx), stats)
        self._read(chunk, fmt, file, ctx, stats)
        return stats

    def end_file(self, ctx: FileContext) -> ChunkStats:
        """Read the lines of a file too short to have decided its layout and time unit (access lines are
        single-line events: nothing else waits); forget the file."""
        stats = ChunkStats()
        file = self._files.pop((ctx.node, ctx.path), None)
        fmt = FORMATS.get(ctx.kind)
        if file is not None and file.pending and fmt is not None:
            _decide(file, fmt, file.pending, ctx, self._product(ctx), stats)
            self._read(b"\n".join(file.pending), fmt, file, ctx, stats)
        return stats

    def _product(self, ctx: FileContext) -> ProductAccess:
        name = ctx.kind.product or ctx.kind.value
        product = self.products.get(name)
        if product is None:
            product = self.products[name] = ProductAccess(name)
        return product

    def _read(self, chunk: bytes, fmt: LineFormat, file: _File, ctx: FileContext, stats: ChunkStats) -> None:
        product = self._product(ctx)
        product.nodes.add(ctx.node)
        clock = self._clocks.get(ctx.tz)
        if clock is None:
            clock = self._clocks[ctx.tz] = MinuteClock(ctx.tz)
        batch = _Batch(self._keys, fmt, ctx, clock, file.divisor)
        if file.layout is not None:
            lines, odd = batch.columns(chunk, file.layout)
        else:
            odd = _lines(chunk)
            lines = len(odd)
        for line in odd:
            batch.add(fmt.parse(line))
        requests = batch.requests()
        stage = self._stages.get(product.name)
        if stage is None:
            stage = self._stages[product.name] = ProductStage()
        fold(product, stage, requests, ctx.node)
        if self._keys.endpoints_full or self._keys.talkers_full or stage.errors_full:
            self._flush()
        self._keys.trim()
        stats.lines += lines
        stats.unparsed += batch.unparsed
        stats.events += len(requests)
        if len(requests):
            stats.saw(batch.first)
            stats.saw(batch.last)

    def _flush(self) -> None:
        """Move the counts kept by endpoint and talker id into the products' tables."""
        for name, stage in self._stages.items():
            stage.flush(self.products[name], self._keys.endpoints, self._keys.talkers)

    def merge(self, other: AccessAccumulator) -> None:
        self._flush()
        other._flush()
        for name, theirs in other.products.items():
            mine = self.products.get(name)
            if mine is None:
                self.products[name] = theirs
            else:
                mine.merge(theirs)

    def limits(self) -> list[str]:
        """The caps that made counts approximate (the engine lists them in LogAnalysis.limits_hit)."""
        self._flush()
        return [note for name in sorted(self.products) for note in self.products[name].limits()]

    def summaries(self, bucket_s: int, redactor: Redactor | None = None) -> list[AccessSummary]:
        """One AccessSummary per product, its series in buckets of ``bucket_s`` seconds (or wider when the
        stored buckets had to be: a note says so). ``redactor`` masks endpoint names further (their query
        strings are gone already, and the default redaction rules ran when they were first seen)."""
        self._flush()
        return [self.products[name].summary(bucket_s, redactor) for name in sorted(self.products)]


def _lines(chunk: bytes) -> list[bytes]:
    lines = chunk.split(b"\n")
    if not lines[-1]:
        lines.pop()
    return lines


class _Batch:
    """One chunk's requests inside the window, as they are read: the well-formed lines of a Tomcat
    layout column-wise (access_columns.py), any other line through the format's parser."""

    def __init__(
        self, keys: KeyTables, fmt: LineFormat, ctx: FileContext, clock: MinuteClock, divisor: int
    ) -> None:
        self.keys, self.fmt, self.ctx, self.clock, self.divisor = keys, fmt, ctx, clock, divisor
        self.unparsed = 0
        self.first, self.last = float("inf"), float("-inf")
        self.read: list[Requests] = []
        # the parsed lines' columns, and their timestamps by text: (epoch, minute) or None outside the window
        self.minutes: list[int] = []
        self.statuses: list[int] = []
        self.durations: list[int] = []
        self.endpoints: list[int] = []
        self.talkers: list[int] = []
        self.times: dict[bytes, tuple[int, int] | None] = {}

    def columns(self, chunk: bytes, layout: Layout) -> tuple[int, list[bytes]]:
        """Read the well-formed lines of ``chunk``; return the number of lines and the others."""
        cols = read_columns(chunk, layout)
        lines = len(cols.starts)
        odd = [
            chunk[a:b]
            for a, b in zip(cols.starts[~cols.good].tolist(), cols.ends[~cols.good].tolist(), strict=True)
        ]
        epoch = cols.minute + cols.second
        keep = cols.good
        if self.ctx.since is not None:
            keep = keep & (epoch >= self.ctx.since)
        if self.ctx.until is not None:
            keep = keep & (epoch < self.ctx.until)
        if not keep.any():
            return lines, odd
        kept = epoch[keep]
        self.first, self.last = min(self.first, int(kept.min())), max(self.last, int(kept.max()))
        duration = cols.duration[keep]
        if self.divisor != 1:
            duration = (duration + self.divisor // 2) // self.divisor
        spans = [
            chunk[a:b]
            for a, b in zip(cols.request[0][keep].tolist(), cols.request[1][keep].tolist(), strict=True)
        ]
        endpoints = self.keys.span_endpoints(spans)
        talkers = self.keys.client_talkers(
            chunk,
            cols.buf,
            (cols.client[0][keep], cols.client[1][keep]),
            (cols.user[0][keep], cols.user[1][keep]),
        )
        self.read.append(Requests(cols.minute[keep], cols.status_class[keep], duration, endpoints, talkers))
        return lines, odd

    def add(self, fields: tuple | None) -> None:
        """One line as the format's parser read it (None: unparsed; (): read, but not a request)."""
        if not fields:
            if fields is None:
                self.unparsed += 1
            return
        text, request, status, duration, address, user = fields
        if text in self.times:
            entry = self.times[text]
        else:
            try:
                entry = self.times[text] = self.time_entry(text)
            except (ValueError, OverflowError):
                self.unparsed += 1
                return
        if entry is None:
            return  # outside the window
        epoch, minute = entry
        self.first, self.last = min(self.first, epoch), max(self.last, epoch)
        self.minutes.append(minute)
        self.statuses.append(_STATUS.get(status, 0))
        if duration is None:
            self.durations.append(UNTIMED)
        else:
            self.durations.append(
                duration if self.divisor == 1 else (duration + self.divisor // 2) // self.divisor
            )
        self.endpoints.append(self.keys.request_endpoint(self.fmt, request))
        self.talkers.append(self.keys.talker((address, user)))

    def time_entry(self, text: bytes) -> tuple[int, int] | None:
        """``(epoch, its minute)`` of a timestamp text, None outside the window; ValueError when malformed."""
        if self.fmt.clock == CLF:  # 01/May/2024:10:00:00 +0000
            if len(text) != 26 or text[17:18] != b":" or text[20:21] != b" ":
                raise ValueError(text)
            minute, second = self.clock.clf_minute(text[:17], text[21:26]), int(text[18:20])
        else:  # 2024-05-01 10:00:00, in the file's zone
            if len(text) != 19 or text[16:17] != b":":
                raise ValueError(text)
            minute, second = self.clock.iso_minute(text[:16]), int(text[17:19])
        if not 0 <= second <= 60:
            raise ValueError(text)
        epoch = minute + second
        return (epoch, minute) if self.ctx.in_window(epoch) else None

    def requests(self) -> Requests:
        """Everything read, as one set of columns."""
        if self.minutes:
            self.read.append(
                Requests(
                    np.array(self.minutes, dtype=np.int64),
                    np.array(self.statuses, dtype=np.int8),
                    np.array(self.durations, dtype=np.int64),
                    np.array(self.endpoints, dtype=np.int64),
                    np.array(self.talkers, dtype=np.int64),
                )
            )
        if len(self.read) == 1:
            return self.read[0]
        parts = self.read or [Requests(*(np.zeros(0, dtype=np.int64) for _ in range(5)))]
        return Requests(
            *(
                np.concatenate([getattr(r, name) for r in parts])
                for name in ("minute", "status_class", "duration", "endpoint", "talker")
            )
        )


def _decide(
    file: _File,
    fmt: LineFormat,
    sample: list[bytes],
    ctx: FileContext,
    product: ProductAccess,
    stats: ChunkStats,
) -> None:
    """A Tomcat file's layout (the one most of its first lines fit) and time unit (see the module)."""
    fits = [(sum(1 for line in sample[:200] if layout.fits(line)), layout) for layout in fmt.layouts]
    if fits:
        best, chosen = max(fits, key=lambda item: item[0])
        file.layout = chosen if best else None
    every: list[int] = []
    static: list[int] = []
    odd: list[bytes] = []
    for line in sample:
        fields = fmt.parse(line)
        if fields is None and line.strip():
            odd.append(line)
        if fields and fields[3] is not None:
            every.append(fields[3])
            request = fields[1]  # Tomcat formats only: the request line
            if isinstance(request, bytes) and _STATIC.search(request):
                static.append(fields[3])
    if odd and 2 * len(odd) > len(sample):
        stats.notes.append(_odd_note(ctx, fmt, len(odd), len(sample), odd[0]))
    if len(every) < 50:
        return
    tiny = sum(1 for d in every if d < 10) / len(every)
    typical = median(static if len(static) >= 20 else every)
    if tiny >= 0.002 or typical <= 1000:
        return
    text = (
        f"{ctx.node} {ctx.path}: durations read as microseconds (Tomcat 10 %D) and converted to ms: "
        f"{tiny:.1%} of {len(every)} sampled requests under 10, median {typical:.0f}"
        f"{' for static resources' if len(static) >= 20 else ''}"
    )
    product.note(text)
    stats.notes.append(text)
    file.divisor = 1000


def _odd_note(ctx: FileContext, fmt: LineFormat, odd: int, sampled: int, line: bytes) -> str:
    """What a file whose first lines mostly fit no layout looked like: said, not silently dropped."""
    sample = Redactor().text(line[:300].decode("utf-8", "replace"))
    return (
        f"{ctx.node} {ctx.path}: {odd} of the first {sampled} lines fit no {fmt.name} access-log layout "
        f"(read as {ctx.kind.value}); first such line: {sample}"
    )
