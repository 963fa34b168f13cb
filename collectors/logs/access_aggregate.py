"""The aggregates of one product's access logs, how two of them merge, and the AccessSummary they make.

Plain data only (dicts, lists, ints, Histograms), so an accumulator pickles between processes. The series
are kept per node (a chunk comes from one node's file, so this costs nothing per line); the product-wide
series adds them up, its percentiles from the nodes' histograms merged. Memory stays bounded whatever
the input: series buckets widen once the time span would give more than ``choose_bucket``'s points (the
engine's ``bucket_s`` is never finer, as its span covers ours), and the endpoint, user and address tables
and the cells of who got server errors are capped: past twice the cap the least used are dropped back to
the cap, and the summary then says that what it lists may be counted a little low.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from collectors.logs.histogram import Histogram
from collectors.logs.timestamps import bucket_of, choose_bucket, to_datetime
from collectors.redaction import Redactor

if TYPE_CHECKING:
    from collectors.logs.model import AccessMinute, AccessSummary, NodeAccess, Talker, UserErrors

MAX_ENDPOINTS = 1000  # per product; pruned back to this when twice as many
MAX_TALKERS = 10_000  # (address, user) pairs per product
MAX_ERROR_USERS = 50_000  # (bucket, user or address, node) cells of 5xx answers per product
TOP_ENDPOINTS = 15
TOP_TALKERS = 20
MIN_SLOW_COUNT = 5  # an endpoint needs this many requests to rank among the slowest (one-off outliers don't)

_Key = TypeVar("_Key", tuple[str, str], tuple[bytes, bytes], tuple[int, str, str])  # endpoint, talker, cell
_Value = TypeVar("_Value")
# A bucket of a node's series: [requests, 4xx (401 included), 5xx, 401, Histogram of the timed ones]
Bucket = list
ANONYMOUS = frozenset({b"", b"-", b"anonymous"})  # user columns of requests made without logging in

# duration (ms) -> Histogram bucket index, filled as durations are first seen (-1: not yet)
_TABLE = np.full(1 << 16, -1, dtype=np.int32)


def _index(value: int) -> int:
    probe = Histogram()  # Histogram's own arithmetic, so bulk adds land where add() would put them
    probe.add(value)
    (index,) = probe.buckets
    return index


def bucket_indices(durations: np.ndarray) -> np.ndarray:
    """The Histogram bucket of every duration (ms, int64), vectorised: through a table, each distinct
    value computed once by Histogram itself, so bulk adds land where ``Histogram.add`` would put them."""
    if not len(durations):
        return np.zeros(0, dtype=np.int64)
    if int(durations.min()) < 0 or int(durations.max()) >= len(_TABLE):  # beyond 65 s, or garbage: rare
        values, where = np.unique(durations, return_inverse=True)
        return np.array([_index(value) for value in values.tolist()], dtype=np.int64)[where]
    indices = _TABLE[durations]
    if indices.min() < 0:
        for value in np.unique(durations[indices < 0]).tolist():
            _TABLE[value] = _index(value)
        indices = _TABLE[durations]
    return indices.astype(np.int64)


def add_talker(table: dict, key: object, requests: int, total: float, errors: int) -> None:
    rec = table.get(key)
    if rec is None:
        table[key] = [requests, total, errors]
    else:
        rec[0] += requests
        rec[1] += total
        rec[2] += errors


class ProductAccess:
    """One product's access statistics, all nodes and files together."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.res = 60  # width of the stored buckets, seconds
        self.series: dict[str, dict[int, Bucket]] = {}  # node -> bucket start -> Bucket
        self.span: tuple[int, int] | None = None  # the first and last bucket start of any node
        self.endpoints: dict[tuple[str, str], list] = {}  # (method, endpoint) -> [Histogram, 5xx, untimed]
        # (address column, user) as the log wrote them -> [requests, total ms, 5xx]; users and client
        # addresses are added up from these pairs for the summary (decoding each pair once, not per chunk)
        self.talkers: dict[tuple[bytes, bytes], list] = {}
        # (bucket start, user or, for anonymous requests, client address, node) -> 5xx answers
        self.error_users: dict[tuple[int, str, str], int] = {}
        self.nodes: set[str] = set()
        self.notes: list[str] = []
        self.pruned: dict[str, int] = {}  # endpoints, talkers, error_users -> how many the caps dropped

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def node_series(self, node: str) -> dict[int, Bucket]:
        found = self.series.get(node)
        if found is None:
            found = self.series[node] = {}
        return found

    def bucket(self, series: dict[int, Bucket], minute: int) -> Bucket:
        """The bucket of ``series`` (a node's, from ``node_series``) that holds ``minute``."""
        start = minute - minute % self.res
        rec = series.get(start)
        if rec is None:
            rec = series[start] = [0, 0, 0, 0, Histogram()]
            self.span = _widen(self.span, start, start)
        return rec

    def endpoint(self, key: tuple[str, str]) -> list:
        rec = self.endpoints.get(key)
        if rec is None:
            rec = self.endpoints[key] = [Histogram(), 0, 0]
        return rec

    def add_error_users(self, cells: dict[tuple[int, str, str], int]) -> None:
        """Add 5xx answers by (minute, user or address, node)."""
        table = self.error_users
        for (minute, user, node), n in cells.items():
            key = (minute - minute % self.res, user, node)
            table[key] = table.get(key, 0) + n

    def rebucket(self, res: int) -> None:
        """Widen the stored buckets to ``res`` seconds (a multiple of the current width)."""
        if res <= self.res:
            return
        for node, series in self.series.items():
            merged: dict[int, Bucket] = {}
            for start, rec in series.items():
                _merge_bucket(merged, bucket_of(start, res), rec)
            self.series[node] = merged
        rolled: dict[tuple[int, str, str], int] = {}
        for (start, user, node), n in self.error_users.items():
            key = (bucket_of(start, res), user, node)
            rolled[key] = rolled.get(key, 0) + n
        self.error_users = rolled
        if self.span is not None:
            self.span = (bucket_of(self.span[0], res), bucket_of(self.span[1], res))
        self.res = res

    def settle(self) -> None:
        """After new data: widen the buckets if the span grew too long, drop the least used past the caps."""
        if self.span is not None and self.span[1] > self.span[0]:
            self.rebucket(choose_bucket(self.span[0], self.span[1] + self.res))
        self._prune("endpoints", self.endpoints, MAX_ENDPOINTS, _endpoint_count)
        self._prune("talkers", self.talkers, MAX_TALKERS, _talker_count)
        self._prune("error_users", self.error_users, MAX_ERROR_USERS, _cell_count)

    def _prune(
        self, label: str, table: dict[_Key, _Value], cap: int, weight: Callable[[tuple[_Key, _Value]], Any]
    ) -> None:
        """Past twice ``cap`` entries, keep the ``cap`` that weigh most and count the others as dropped."""
        if len(table) > 2 * cap:
            keep = sorted(table.items(), key=weight, reverse=True)[:cap]
            self.pruned[label] = self.pruned.get(label, 0) + len(table) - cap
            table.clear()
            table.update(keep)

    def merge(self, other: ProductAccess) -> None:
        """Add ``other`` (the same product from another process or file) in; ``other`` is used up."""
        res = max(self.res, other.res)
        self.rebucket(res)
        other.rebucket(res)
        for node, theirs in other.series.items():
            mine = self.series.get(node)
            if mine is None:
                self.series[node] = theirs
            else:
                for start, rec in theirs.items():
                    _merge_bucket(mine, start, rec)
        if other.span is not None:
            self.span = _widen(self.span, *other.span)
        for key, (hist, errors, untimed) in other.endpoints.items():
            mine_endpoint = self.endpoints.get(key)
            if mine_endpoint is None:
                self.endpoints[key] = [hist, errors, untimed]
            else:
                mine_endpoint[0].merge(hist)
                mine_endpoint[1] += errors
                mine_endpoint[2] += untimed
        for talker, rec in other.talkers.items():
            add_talker(self.talkers, talker, *rec)
        for cell, n in other.error_users.items():
            self.error_users[cell] = self.error_users.get(cell, 0) + n
        self.nodes |= other.nodes
        for text in other.notes:
            self.note(text)
        for label, dropped in other.pruned.items():
            self.pruned[label] = self.pruned.get(label, 0) + dropped
        self.settle()

    def limits(self) -> list[str]:
        """What the caps dropped, in words: the counts listed may then be a little low."""
        notes = []
        for label, what, cap in (
            ("endpoints", "endpoints", MAX_ENDPOINTS),
            ("talkers", "pairs of user and client address", MAX_TALKERS),
        ):
            if self.pruned.get(label):
                notes.append(
                    f"{self.name} access logs: over {2 * cap} distinct {what}, so the "
                    f"{self.pruned[label]} least used were dropped as they came (the top {cap} are "
                    f"kept; their counts may be a little low)"
                )
        # pruned as they came, and past the cap now (the summary keeps the busiest MAX_ERROR_USERS)
        dropped = self.pruned.get("error_users", 0) + max(0, len(self.error_users) - MAX_ERROR_USERS)
        if dropped:
            notes.append(
                f"{self.name} access logs: over {MAX_ERROR_USERS} cells of who got server errors when and "
                f"where, so the {dropped} smallest were dropped (the busiest are kept; the number of users "
                "who got errors is approximate)"
            )
        return notes

    def summary(self, bucket_s: int, redactor: Redactor | None = None) -> AccessSummary:
        # the report model loads in the main process only: workers need no pydantic
        from collectors.logs.model import AccessSummary, EndpointStats

        notes = list(self.notes)
        width = bucket_s
        if self.res > bucket_s:
            width = self.res
            notes.append(
                f"the series is in buckets of {self.res} s, wider than the {bucket_s} s asked for: "
                "the logs spanned too long a time to keep minutes"
            )
        per_node: dict[str, dict[int, Bucket]] = {}
        for node, stored in sorted(self.series.items()):
            series = stored  # read only
            if width != self.res:
                series = {}
                for start, rec in stored.items():
                    _merge_bucket(series, bucket_of(start, width), rec)
            if series:
                per_node[node] = series
        per_minute, nodes, counted, (p50, p95, p99) = _series(per_node)
        endpoints = [
            EndpointStats(
                method=method,
                endpoint=redactor.url(name) if redactor else name,
                count=hist.count + untimed,
                mean_ms=_ms(hist.mean) or 0.0,
                p95_ms=_ms(hist.percentile(95)),
                max_ms=hist.max,
                errors_5xx=errors,
            )
            for (method, name), (hist, errors, untimed) in self.endpoints.items()
        ]
        timed = [e for e in endpoints if e.p95_ms is not None]
        ranked = [e for e in timed if e.count >= MIN_SLOW_COUNT] or timed
        notes += self.limits()
        return AccessSummary(
            product=self.name,
            nodes=sorted(self.nodes),
            requests=counted[0],
            status_4xx=counted[1],
            status_5xx=counted[2],
            p50_ms=_ms(p50),
            p95_ms=_ms(p95),
            p99_ms=_ms(p99),
            per_minute=per_minute,
            slowest_endpoints=sorted(ranked, key=lambda e: (-(e.p95_ms or 0), -e.count, e.endpoint))[
                :TOP_ENDPOINTS
            ],
            busiest_endpoints=sorted(endpoints, key=lambda e: (-e.count, e.endpoint))[:TOP_ENDPOINTS],
            top_users=_talkers(self.talkers, _user),
            top_clients=_talkers(self.talkers, _client),
            per_node=nodes,
            error_users=_error_users(self.error_users, width),
            notes=notes,
        )


def _series(
    per_node: dict[str, dict[int, Bucket]],
) -> tuple[list[AccessMinute], list[NodeAccess], list[int], list[float | None]]:
    """The product-wide series (every node's buckets added up), each node's series, the totals
    [requests, 4xx, 5xx, 401] and the overall [p50, p95, p99]. The percentiles of every bucket of every
    node, of their sums and of everything come from one table of the nodes' histograms."""
    from collectors.logs.model import NodeAccess

    rows = [(node, start) for node, series in per_node.items() for start in sorted(series)]
    starts = sorted({start for _, start in rows})
    where = {start: i for i, start in enumerate(starts)}
    table = Histogram.table([per_node[node][start][4] for node, start in rows])
    sums = table.grouped(np.array([where[start] for _, start in rows], dtype=np.int64), len(starts))
    counts = [[0, 0, 0, 0] for _ in starts]
    for node, start in rows:
        into, rec = counts[where[start]], per_node[node][start]
        for i in range(4):
            into[i] += rec[i]
    percentiles = iter(table.percentiles(50, 95, 99))  # in the order of ``rows``
    nodes = []
    for node, series in per_node.items():
        ordered = sorted(series)
        mine = [next(percentiles) for _ in ordered]
        nodes.append(
            NodeAccess(node=node, per_minute=_minutes(ordered, [series[s][:4] for s in ordered], mine))
        )
    (overall,) = sums.grouped(np.zeros(len(starts), dtype=np.int64), 1).percentiles(50, 95, 99)
    total = [sum(c[i] for c in counts) for i in range(4)]
    return _minutes(starts, counts, sums.percentiles(50, 95, 99)), nodes, total, overall


def _widen(span: tuple[int, int] | None, first: int, last: int) -> tuple[int, int]:
    return (first, last) if span is None else (min(span[0], first), max(span[1], last))


def _minutes(
    starts: list[int], counts: list[list[int]], percentiles: list[list[float | None]]
) -> list[AccessMinute]:
    """A series: each bucket's start, [requests, 4xx, 5xx, 401] and [p50, p95, p99]."""
    from collectors.logs.model import AccessMinute

    return [
        AccessMinute(
            at=to_datetime(start),
            requests=requests,
            status_4xx=c4,
            status_5xx=c5,
            status_401=c401,
            p50_ms=_ms(p50),
            p95_ms=_ms(p95),
            p99_ms=_ms(p99),
        )
        for start, (requests, c4, c5, c401), (p50, p95, p99) in zip(starts, counts, percentiles, strict=True)
    ]


def _error_users(cells: dict[tuple[int, str, str], int], width: int) -> list[UserErrors]:
    """The cells in buckets of ``width`` seconds, the busiest ``MAX_ERROR_USERS`` of them, in time order."""
    from collectors.logs.model import UserErrors

    rolled: dict[tuple[int, str, str], int] = {}
    for (start, user, node), n in cells.items():
        key = (bucket_of(start, width), user, node)
        rolled[key] = rolled.get(key, 0) + n
    kept = sorted(rolled.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_ERROR_USERS]
    return [
        UserErrors(at=to_datetime(start), user=user, node=node, errors=n)
        for (start, user, node), n in sorted(kept)
    ]


def _merge_bucket(buckets: dict[int, Bucket], start: int, rec: Bucket) -> None:
    mine = buckets.get(start)
    if mine is None:
        hist = Histogram()
        hist.merge(rec[4])
        buckets[start] = [rec[0], rec[1], rec[2], rec[3], hist]
    else:
        mine[0] += rec[0]
        mine[1] += rec[1]
        mine[2] += rec[2]
        mine[3] += rec[3]
        mine[4].merge(rec[4])


def _endpoint_count(item: tuple[tuple[str, str], list]) -> int:
    return item[1][0].count + item[1][2]


def _talker_count(item: tuple[tuple[bytes, bytes], list]) -> int:
    return item[1][0]


def _cell_count(item: tuple[tuple[int, str, str], int]) -> tuple[int, tuple[int, str, str]]:
    return item[1], item[0]


def error_user(key: tuple[bytes, bytes]) -> str:
    """Who got an answer: the user, or for a request made without logging in, the client address."""
    return _client(key) if key[1].lower() in ANONYMOUS else _user(key)


def _user(key: tuple[bytes, bytes]) -> str:
    return key[1].decode("utf-8", "replace")


def _client(key: tuple[bytes, bytes]) -> str:
    """The client of an address column: the first (original) entry of an X-Forwarded-For list."""
    return key[0].split(b",", 1)[0].strip().decode("utf-8", "replace") or "-"


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _talkers(
    pairs: dict[tuple[bytes, bytes], list],
    name: Callable[[tuple[bytes, bytes]], str],
) -> list[Talker]:
    from collectors.logs.model import Talker

    """The users or client addresses of ``pairs``, the heaviest first: by the server time they consumed,
    then by requests."""
    table: dict[str, list] = {}
    for key, rec in pairs.items():
        add_talker(table, name(key), *rec)
    ranked = sorted(table.items(), key=lambda item: (-item[1][1], -item[1][0], item[0]))[:TOP_TALKERS]
    return [
        Talker(name=name, requests=n, total_ms=float(total), errors_5xx=errors)
        for name, (n, total, errors) in ranked
    ]
