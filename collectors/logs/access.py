"""Access-log statistics per product: traffic, errors and latency over time, the slowest and busiest
endpoints, and the users and client addresses that asked for the most (the aggregates and the summary
they make are in access_aggregate.py, the line layouts in access_lines.py).

Speed: access logs are read line by line in Python, so the loop does as little as it can. A Tomcat line
is cut once, ``line.split(b" ", n)``, and its fields are found at the positions of the file's layout; the
raw bytes of its timestamp, duration, path and user-and-address are looked up in dicts that remember
what the same bytes meant before, so a line that repeats earlier lines costs no decoding, no date
arithmetic, no ``int()`` and no templating; and its duration is appended to three staging lists (its
minute, its endpoint, its user-and-address). At the end of each chunk the staging lists are folded into
the aggregates with ``len``, ``sum``, ``max`` and ``Counter``, which run in C. Lines that do not fit the
layout (a user name with spaces, an X-Forwarded-For list, a quote in a URL, a cut line, garbage) go to
the format's full parser (access_lines.py), whose regex reads what can be read; the rest are counted as
unparsed. Bitbucket's pipe-delimited lines always take that parser (it splits, no regex per line).

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
from functools import lru_cache
from statistics import median

from collectors.logs.access_aggregate import ProductAccess, add_all, add_talker
from collectors.logs.access_lines import (
    BITBUCKET,
    CLF,
    CONFLUENCE,
    JIRA,
    Layout,
    LineFormat,
    digit_shape,
    http_endpoint,
    kept_digit_segments,
)
from collectors.logs.context import ChunkStats, FileContext
from collectors.logs.model import AccessSummary, LogKind
from collectors.logs.timestamps import MinuteClock
from collectors.redaction import Redactor, redact_url

FORMATS: dict[LogKind, LineFormat] = {
    LogKind.JIRA_ACCESS: JIRA,
    LogKind.CONFLUENCE_ACCESS: CONFLUENCE,
    LogKind.BITBUCKET_ACCESS: BITBUCKET,
}
SAMPLE_LINES = 5000  # a Tomcat file's first lines, read once there are this many, decide its layout and unit
_CACHE_LIMIT = 100_000  # a raw-bytes cache past this many keys is dropped, and refilled as lines come

# status text -> 0 (any other), 1 (4xx) or 2 (5xx): the index into a minute's status counts
_STATUS: dict[bytes, int] = {b"%d" % s: 2 if s >= 500 else 1 if s >= 400 else 0 for s in range(100, 600)}
_STATIC = re.compile(
    rb"/s/\S*/_/|/download/(?:resources|batch|contextbatch|superbatch)/"
    rb"|\.(?:js|css|png|gif|svg|jpe?g|ico|woff2?)(?:\s|$)"
)


@lru_cache(maxsize=8192)
def _endpoint_name(path: str) -> str:
    return redact_url(path)  # templating dropped the query; the default rules catch what is left


@dataclass
class _File:
    pending: list[bytes] | None  # a Tomcat file's first lines, until there are enough to decide on
    divisor: int = 1  # 1: durations are ms; 1000: µs
    layout: Layout | None = None  # None: every line takes the format's parser


class _Stage:
    """What one chunk's lines added, before it is folded into its product, and the caches that find a
    line's staging lists from its raw bytes. The caches outlive chunks (that is what makes them pay);
    the staging lists are emptied in place after each fold. Nothing here is pickled."""

    def __init__(self) -> None:
        # minute start -> (durations, [requests without a duration, 4xx, 5xx])
        self.minutes: dict[int, tuple[list[int], list[int]]] = {}
        self.endpoints: dict[tuple[str, str], list[int]] = {}
        self.talkers: dict[tuple[bytes, bytes], list[int]] = {}  # (address, user) -> durations
        self.errors: list[tuple[tuple[str, str], tuple[bytes, bytes]]] = []  # 5xx: endpoint, talker
        self.untimed: list[tuple[tuple[str, str], tuple[bytes, bytes], int]] = []  # no duration; 1 if 5xx
        # the caches, by what decides their values (the zone and window of the file, the layout)
        self.times: dict[tuple, dict] = {}  # time text -> (epoch, minute's durations.append | None, counts)
        self.fast_minutes: dict[tuple[bytes, bytes], tuple] = {}  # (b"[01/May/2024:10:00", zone) -> :00's
        self.requests: dict[str, dict] = {}  # format -> {request key: (endpoint durations.append, endpoint)}
        self.paths: dict[str, dict] = {}  # layout -> {method bytes: {raw path: the same}}
        self.shapes: dict[str, dict] = {}  # format -> {request with ids replaced: the same} (Bitbucket)
        # method -> {digit shape of the path: (kept digit segments, {their values: the same})}
        self.http: dict[bytes, dict[bytes, tuple]] = {}
        self.durations: dict[tuple[str, int], dict[bytes, int]] = {}  # (layout, divisor) -> {b"91": 91}
        self.who: dict[tuple[bytes, bytes], object] = {}  # (address, user) -> talker durations.append
        self.clocks: dict[tzinfo, MinuteClock] = {}

    def trim(self) -> None:
        """Drop caches (and emptied staging lists) that grew past their limits; called after a fold."""
        if len(self.minutes) > 20_000 or _size(self.times) + len(self.fast_minutes) > _CACHE_LIMIT:
            self.minutes.clear()
            self.times.clear()
            self.fast_minutes.clear()
        endpoint_keys = sum(len(found[1]) for known in self.http.values() for found in known.values())
        endpoint_keys += _size(self.requests) + _size(self.shapes) + sum(map(_size, self.paths.values()))
        if len(self.endpoints) > 4000 or endpoint_keys > _CACHE_LIMIT:
            self.endpoints.clear()
            self.requests.clear()
            self.paths.clear()
            self.shapes.clear()
            self.http.clear()
        if len(self.talkers) > 20_000:
            self.talkers.clear()
            self.who.clear()
        if _size(self.durations) > _CACHE_LIMIT:
            self.durations.clear()


def _size(caches: dict) -> int:
    return sum(len(cache) for cache in caches.values())


class AccessAccumulator:
    """Statistics of Jira's and Confluence's Tomcat access logs and of Bitbucket's access log, per
    product; the engine's accumulator shape (feed, end_file, merge, summaries)."""

    def __init__(self) -> None:
        self.products: dict[str, ProductAccess] = {}
        self._stage = _Stage()
        self._files: dict[str, _File] = {}

    # Only the aggregates travel between processes: the stage is empty between chunks, the caches refill.
    def __getstate__(self) -> dict:
        return {"products": self.products}

    def __setstate__(self, state: dict) -> None:
        self.__init__()  # type: ignore[misc]
        self.products = state["products"]

    def feed(self, chunk: bytes, ctx: FileContext) -> ChunkStats:
        stats = ChunkStats()
        lines = chunk.split(b"\n")
        if not lines[-1]:
            lines.pop()
        fmt = FORMATS.get(ctx.kind)
        if fmt is None:
            stats.lines = stats.unparsed = len(lines)
            stats.notes.append(f"{ctx.path}: {ctx.kind} is not an access log; its lines were not read")
            return stats
        file = self._files.get((ctx.node, ctx.path))
        if file is None:
            file = self._files[(ctx.node, ctx.path)] = _File(pending=[] if fmt.tomcat else None)
        if file.pending is not None:  # a Tomcat file's first lines wait to decide its layout and unit
            file.pending += lines
            if len(file.pending) < SAMPLE_LINES:
                return stats
            lines, file.pending = file.pending, None
            chunk = b"\n".join(lines)
            _decide(file, fmt, lines[:SAMPLE_LINES], ctx, self._product(ctx), stats)
        self._read(chunk, lines, fmt, file, ctx, stats)
        return stats

    def end_file(self, ctx: FileContext) -> ChunkStats:
        """Read the lines of a file too short to have decided its layout and time unit (access lines are
        single-line events: nothing else waits); forget the file."""
        stats = ChunkStats()
        file = self._files.pop((ctx.node, ctx.path), None)
        fmt = FORMATS.get(ctx.kind)
        if file is not None and file.pending and fmt is not None:
            _decide(file, fmt, file.pending, ctx, self._product(ctx), stats)
            self._read(b"\n".join(file.pending), file.pending, fmt, file, ctx, stats)
        return stats

    def _product(self, ctx: FileContext) -> ProductAccess:
        name = ctx.kind.product or ctx.kind.value
        product = self.products.get(name)
        if product is None:
            product = self.products[name] = ProductAccess(name)
        return product

    def _read(self, chunk: bytes, lines: list[bytes], fmt: LineFormat, file: _File, ctx: FileContext,
              stats: ChunkStats) -> None:
        product = self._product(ctx)
        product.nodes.add(ctx.node)
        run = _Run(self._stage, fmt, ctx, file.divisor)
        odd = run.fast(chunk, lines, file.layout) if file.layout else lines
        for line in odd:
            run.add(fmt.parse(line))
        stats.lines += len(lines)
        stats.unparsed += run.unparsed
        events = _fold(self._stage, product)
        stats.events += events
        if events:
            stats.saw(run.first)
            stats.saw(run.last)

    def merge(self, other: AccessAccumulator) -> None:
        for name, theirs in other.products.items():
            mine = self.products.get(name)
            if mine is None:
                self.products[name] = theirs
            else:
                mine.merge(theirs)

    def limits(self) -> list[str]:
        """The caps that made counts approximate (the engine lists them in LogAnalysis.limits_hit)."""
        return [note for name in sorted(self.products) for note in self.products[name].limits()]

    def summaries(self, bucket_s: int, redactor: Redactor | None = None) -> list[AccessSummary]:
        """One AccessSummary per product, its series in buckets of ``bucket_s`` seconds (or wider when the
        stored buckets had to be: a note says so). ``redactor`` masks endpoint names further (their query
        strings are gone already, and the default redaction rules ran when they were first seen)."""
        return [self.products[name].summary(bucket_s, redactor) for name in sorted(self.products)]


class _Run:
    """One chunk's reading: the loops, and the slow paths they take once per distinct key."""

    def __init__(self, stage: _Stage, fmt: LineFormat, ctx: FileContext, divisor: int) -> None:
        self.stage, self.fmt, self.ctx, self.divisor = stage, fmt, ctx, divisor
        self.unparsed = 0
        self.first, self.last = float("inf"), float("-inf")
        window = (ctx.tz, ctx.since, ctx.until)
        self.times = stage.times.setdefault((fmt.clock, *window), {})
        self.window = window
        self.requests = stage.requests.setdefault(fmt.name, {})

    def fast(self, chunk: bytes, lines: list[bytes], layout: Layout) -> list[bytes]:
        """Read the lines that fit ``layout``; return the others.

        The timestamp cache lives for one chunk, so that the chunk's first and last events are the
        extremes of its entries rather than two comparisons per line; and when one count over the
        chunk shows that every line has the same zone, the loop does not compare zones (it must when a
        file crosses a daylight-saving change: the same local second comes twice, an hour apart)."""
        stage = self.stage
        n, i_address, i_user, i_time, i_zone = (
            layout.splits, layout.address, layout.user, layout.time, layout.zone)
        i_method, i_path, i_status, i_duration, i_forwarded = (
            layout.method, layout.path, layout.status, layout.duration, layout.forwarded)
        times: dict[bytes, tuple] = {}
        head = lines[0].split(b" ", n) if lines else []
        zone = head[i_zone] if len(head) > i_zone else b""
        mixed = not zone.endswith(b"]") or chunk.count(b" " + zone + b" ") != len(lines)
        by_method = stage.paths.setdefault(layout.name, {})
        durations = stage.durations.setdefault((layout.name, self.divisor), {})
        # bound methods in locals: the loop runs per line, every lookup it skips counts
        times_get, methods_get, durations_get = times.get, by_method.get, durations.get
        who_get = stage.who.get
        errors, status_class = stage.errors, _STATUS
        odd: list[bytes] = []
        keep_odd = odd.append
        for line in lines:
            f = line.split(b" ", n)
            try:
                sc = status_class[f[i_status]]
                raw = f[i_duration]
            except (KeyError, IndexError):
                keep_odd(line)
                continue
            duration = durations_get(raw)
            if duration is None:
                duration = self.new_duration(raw, layout, durations)
                if duration is None:
                    keep_odd(line)
                    continue
            entry = times_get(f[i_time])
            if entry is None or (mixed and entry[3] != f[i_zone]):
                entry = self.fast_time(f[i_time], f[i_zone], times)
                if entry is None:
                    keep_odd(line)
                    continue
            add_minute, counts = entry[1], entry[2]
            if add_minute is None:
                continue  # outside the window
            add_minute(duration)
            paths = methods_get(f[i_method])
            if paths is None:
                paths = self.method_paths(f[i_method], by_method)
            endpoint = paths.get(f[i_path])
            if endpoint is None:
                endpoint = paths[f[i_path]] = self.http_endpoint(f[i_method], f[i_path])
            endpoint[0](duration)
            if i_forwarded < 0 or f[i_forwarded] == b"-":
                who = (f[i_address], f[i_user])
            else:
                who = (f[i_forwarded], f[i_user])
            add_who = who_get(who)
            if add_who is None:
                add_who = self.talker(who)
            add_who(duration)
            if sc:  # 4xx or 5xx
                counts[sc] += 1
                if sc == 2:
                    errors.append((endpoint[1], who))
        seen = [entry[0] for entry in times.values() if entry[1] is not None]
        if seen:
            self.first, self.last = min(self.first, *seen), max(self.last, *seen)
        return odd

    def add(self, fields: tuple | None) -> None:
        """One line as the format's parser read it (None: unparsed; (): read, but not a request)."""
        if not fields:
            if fields is None:
                self.unparsed += 1
            return
        text, request, status, duration, address, user = fields
        entry = self.times.get(text)
        if entry is None:
            try:
                entry = self.times[text] = self.time_entry(text)
            except (ValueError, OverflowError):
                self.unparsed += 1
                return
        epoch, add_minute, counts = entry
        if add_minute is None:
            return
        self.first = min(self.first, epoch)
        self.last = max(self.last, epoch)
        sc = _STATUS.get(status, 0)
        if sc:
            counts[sc] += 1
        endpoint = self.requests.get(request)
        if endpoint is None:
            if self.fmt.http:  # b"GET /path HTTP/1.1", b"GET /path", b"-"
                method, _, rest = request.partition(b" ")
                endpoint = self.http_endpoint(method, rest.split(b" ", 1)[0])
            else:
                endpoint = self.endpoint(request)
            self.requests[request] = endpoint
        who = (address, user)
        if duration is None:
            counts[0] += 1
            self.stage.untimed.append((endpoint[1], who, sc >> 1))
            return
        if self.divisor != 1:
            duration = (duration + self.divisor // 2) // self.divisor
        add_minute(duration)
        endpoint[0](duration)
        add_who = self.stage.who.get(who)
        if add_who is None:
            add_who = self.talker(who)
        add_who(duration)
        if sc == 2:
            self.stage.errors.append((endpoint[1], who))

    # -- slow paths: once per distinct timestamp, duration, request, talker
    def time_entry(self, text: bytes) -> tuple:
        """``(epoch, the minute's durations.append or None outside the window, its status counts)``."""
        minute, second = self.minute_of(text)
        epoch = minute + second
        if not self.ctx.in_window(epoch):
            return epoch, None, None
        return (epoch, *self.staged(minute))

    def minute_of(self, text: bytes) -> tuple[int, int]:
        """Epoch seconds of the minute, and the second, of a timestamp text; ValueError when malformed."""
        clock = self.stage.clocks.get(self.ctx.tz)
        if clock is None:
            clock = self.stage.clocks[self.ctx.tz] = MinuteClock(self.ctx.tz)
        if self.fmt.clock == CLF:  # 01/May/2024:10:00:00 +0000
            if len(text) != 26 or text[17:18] != b":" or text[20:21] != b" ":
                raise ValueError(text)
            minute, second = clock.clf_minute(text[:17], text[21:26]), int(text[18:20])
        else:  # 2024-05-01 10:00:00, in the file's zone
            if len(text) != 19 or text[16:17] != b":":
                raise ValueError(text)
            minute, second = clock.iso_minute(text[:16]), int(text[17:19])
        if not 0 <= second <= 60:
            raise ValueError(text)
        return minute, second

    def staged(self, minute: int) -> tuple:
        """The minute's staging: ``(durations.append, [untimed, 4xx, 5xx] counts)``."""
        staged = self.stage.minutes.get(minute)
        if staged is None:
            staged = self.stage.minutes[minute] = ([], [0, 0, 0])
        return staged[0].append, staged[1]

    def fast_time(self, stamp: bytes, zone: bytes, times: dict) -> tuple | None:
        """The entry of ``b"[01/May/2024:10:00:00"`` in ``b"+0000]"``, or None when either is malformed:
        the minute from its own cache, plus the seconds."""
        minute_key = (stamp[:-3], zone)
        minute = self.stage.fast_minutes.get(minute_key)
        if minute is None:
            if stamp[:1] != b"[" or zone[-1:] != b"]" or stamp[-3:-2] != b":":
                return None
            try:
                start, _ = self.minute_of(stamp[1:-3] + b":00 " + zone[:-1])
            except (ValueError, OverflowError):
                return None
            minute = self.stage.fast_minutes[minute_key] = (start, *self.staged(start))
        second = stamp[-2:]
        if not second.isdigit() or second > b"60":
            return None
        epoch = minute[0] + int(second)
        inside = self.ctx.in_window(epoch)
        entry = (epoch, minute[1], minute[2], zone) if inside else (epoch, None, None, zone)
        replaced = times.get(stamp)  # the same local second in the other zone (a daylight-saving change)
        if replaced is not None and replaced[1] is not None:
            self.first, self.last = min(self.first, replaced[0]), max(self.last, replaced[0])
        times[stamp] = entry
        return entry

    def new_duration(self, raw: bytes, layout: Layout, durations: dict[bytes, int]) -> int | None:
        digits = raw[:-len(layout.suffix)] if layout.suffix and raw.endswith(layout.suffix) else raw
        if not digits.isdigit() or len(digits) > 12:
            return None
        value = int(digits)
        if self.divisor != 1:
            value = (value + self.divisor // 2) // self.divisor
        durations[raw] = value
        return value

    def method_paths(self, method: bytes, by_method: dict) -> dict:
        if len(by_method) > 64:  # garbage in the method column: start over rather than grow
            by_method.clear()
        paths = by_method[method] = {}
        return paths

    def http_endpoint(self, method: bytes, path: bytes) -> tuple:
        """The entry of an HTTP request by its method (``b'"GET'`` from the fast path is fine) and path
        (a query is fine): found by the path's digit shape and the digits templating would keep
        (access_lines.kept_digit_segments), else templated. Exact: templating looks at where digits are,
        never at their values, except in the segments it keeps, which are part of the key."""
        known = self.stage.http.get(method)
        if known is None:
            if len(self.stage.http) > 64:  # garbage in the method column: start over rather than grow
                self.stage.http.clear()
            known = self.stage.http[method] = {}
        cut = path.split(b"?", 1)[0] or b"-"
        shape = digit_shape(cut)
        found = known.get(shape)
        if found is None:
            found = known[shape] = (kept_digit_segments(cut), {})
        positions, variants = found
        if positions:
            segments = cut.split(b"/")
            variant = tuple(segments[i] for i in positions)
        else:
            variant = ()
        entry = variants.get(variant)
        if entry is None:
            entry = variants[variant] = self.new_endpoint(*http_endpoint(method.lstrip(b'"') + b" " + cut))
        return entry

    def endpoint(self, request: object) -> tuple:
        """The entry of a request key of another format (Bitbucket's request and labels): found by the
        request without its query, else by its shape (ids replaced), else templated."""
        fmt = self.fmt
        cut = fmt.cut(request)
        shapes = self.stage.shapes.setdefault(fmt.name, {})
        entry = shapes.get(cut)
        if entry is None:
            shape = fmt.shape(cut)
            entry = shapes.get(shape)
            if entry is None:
                entry = shapes[shape] = self.new_endpoint(*fmt.endpoint(shape))
            shapes[cut] = entry
        return entry

    def new_endpoint(self, method: str, path: str) -> tuple:
        """``(the endpoint's durations.append, (method, endpoint name))``; the name redacted."""
        key = (method, _endpoint_name(path))
        staged = self.stage.endpoints.get(key)
        if staged is None:
            staged = self.stage.endpoints[key] = []
        return staged.append, key

    def talker(self, who: tuple[bytes, bytes]) -> object:
        staged = self.stage.talkers.get(who)
        if staged is None:
            staged = self.stage.talkers[who] = []
        add = self.stage.who[who] = staged.append
        return add


def _decide(file: _File, fmt: LineFormat, sample: list[bytes], ctx: FileContext, product: ProductAccess,
            stats: ChunkStats) -> None:
    """A Tomcat file's layout (the one most of its first lines fit) and time unit (see the module)."""
    fits = [(sum(1 for line in sample[:200] if layout.fits(line)), layout) for layout in fmt.layouts]
    if fits:
        best, chosen = max(fits, key=lambda item: item[0])
        file.layout = chosen if best else None
    every: list[int] = []
    static: list[int] = []
    for line in sample:
        fields = fmt.parse(line)
        if fields and fields[3] is not None:
            every.append(fields[3])
            if _STATIC.search(fields[1]):  # type: ignore[arg-type]
                static.append(fields[3])
    if len(every) < 50:
        return
    tiny = sum(1 for d in every if d < 10) / len(every)
    typical = median(static if len(static) >= 20 else every)
    if tiny >= 0.002 or typical <= 1000:
        return
    text = (f"{ctx.node} {ctx.path}: durations read as microseconds (Tomcat 10 %D) and converted to ms: "
            f"{tiny:.1%} of {len(every)} sampled requests under 10, median {typical:.0f}"
            f"{' for static resources' if len(static) >= 20 else ''}")
    product.note(text)
    stats.notes.append(text)
    file.divisor = 1000


def _fold(stage: _Stage, product: ProductAccess) -> int:
    """Move the staged chunk into ``product``; return the number of requests it held."""
    requests = 0
    for minute, (durations, counts) in stage.minutes.items():
        n = len(durations) + counts[0]
        if not n:
            continue
        requests += n
        rec = product.bucket(minute)
        rec[0] += n
        rec[1] += counts[1]
        rec[2] += counts[2]
        counts[0] = counts[1] = counts[2] = 0
        if durations:
            add_all(rec[3], durations)
            durations.clear()
    for key, durations in stage.endpoints.items():
        if durations:
            add_all(product.endpoint(key)[0], durations)
            durations.clear()
    talkers = product.talkers
    for who, durations in stage.talkers.items():
        if durations:
            rec = talkers.get(who)
            if rec is None:
                talkers[who] = [len(durations), sum(durations), 0]
            else:
                rec[0] += len(durations)
                rec[1] += sum(durations)
            durations.clear()
    for key, who in stage.errors:
        product.endpoint(key)[1] += 1
        add_talker(talkers, who, 0, 0, 1)
    for key, who, error in stage.untimed:
        rec = product.endpoint(key)
        rec[1] += error
        rec[2] += 1
        add_talker(talkers, who, 1, 0, error)
    stage.errors.clear()
    stage.untimed.clear()
    stage.trim()
    product.settle()
    return requests
