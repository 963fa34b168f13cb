"""The aggregates of one product's access logs, how two of them merge, and the AccessSummary they make.

Plain data only (dicts, lists, ints, Histograms), so an accumulator pickles between processes. Memory
stays bounded whatever the input: series buckets widen once the time span would give more than
``choose_bucket``'s points (the engine's ``bucket_s`` is never finer, as its span covers ours), and the
endpoint, user and address tables are capped: past twice the cap the least used are dropped back to the
cap, and the summary then says that what it lists may be counted a little low.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import numpy as np

from collectors.logs.histogram import Histogram
from collectors.logs.timestamps import bucket_of, choose_bucket, to_datetime
from collectors.redaction import Redactor

if TYPE_CHECKING:
    from collectors.logs.model import AccessSummary, Talker

MAX_ENDPOINTS = 1000  # per product; pruned back to this when twice as many
MAX_TALKERS = 10_000  # (address, user) pairs per product
TOP_ENDPOINTS = 15
TOP_TALKERS = 20
MIN_SLOW_COUNT = 5  # an endpoint needs this many requests to rank among the slowest (one-off outliers don't)

_Key = TypeVar("_Key", tuple[str, str], tuple[bytes, bytes])  # an endpoint, or a talker

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
        self.buckets: dict[int, list] = {}  # start -> [requests, 4xx, 5xx, Histogram of the timed ones]
        self.endpoints: dict[tuple[str, str], list] = {}  # (method, endpoint) -> [Histogram, 5xx, untimed]
        # (address column, user) as the log wrote them -> [requests, total ms, 5xx]; users and client
        # addresses are added up from these pairs for the summary (decoding each pair once, not per chunk)
        self.talkers: dict[tuple[bytes, bytes], list] = {}
        self.nodes: set[str] = set()
        self.notes: list[str] = []
        self.pruned: dict[str, int] = {}  # endpoints, talkers -> how many were dropped at the cap

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def bucket(self, minute: int) -> list:
        start = minute - minute % self.res
        rec = self.buckets.get(start)
        if rec is None:
            rec = self.buckets[start] = [0, 0, 0, Histogram()]
        return rec

    def endpoint(self, key: tuple[str, str]) -> list:
        rec = self.endpoints.get(key)
        if rec is None:
            rec = self.endpoints[key] = [Histogram(), 0, 0]
        return rec

    def rebucket(self, res: int) -> None:
        """Widen the stored buckets to ``res`` seconds (a multiple of the current width)."""
        if res <= self.res:
            return
        merged: dict[int, list] = {}
        for start, rec in self.buckets.items():
            _merge_bucket(merged, bucket_of(start, res), rec)
        self.buckets, self.res = merged, res

    def settle(self) -> None:
        """After new data: widen the buckets if the span grew too long, drop the least used past the caps."""
        if len(self.buckets) > 1:
            self.rebucket(choose_bucket(min(self.buckets), max(self.buckets) + self.res))
        self._prune("endpoints", self.endpoints, MAX_ENDPOINTS, _endpoint_count)
        self._prune("talkers", self.talkers, MAX_TALKERS, _talker_count)

    def _prune(
        self, label: str, table: dict[_Key, list], cap: int, weight: Callable[[tuple[_Key, list]], int]
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
        for start, rec in other.buckets.items():
            _merge_bucket(self.buckets, start, rec)
        for key, (hist, errors, untimed) in other.endpoints.items():
            mine = self.endpoints.get(key)
            if mine is None:
                self.endpoints[key] = [hist, errors, untimed]
            else:
                mine[0].merge(hist)
                mine[1] += errors
                mine[2] += untimed
        for talker, rec in other.talkers.items():
            add_talker(self.talkers, talker, *rec)
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
        return notes

    def summary(self, bucket_s: int, redactor: Redactor | None = None) -> AccessSummary:
        # the report model loads in the main process only: workers need no pydantic
        from collectors.logs.model import AccessMinute, AccessSummary, EndpointStats

        notes = list(self.notes)
        width = bucket_s
        if self.res > bucket_s:
            width = self.res
            notes.append(
                f"the series is in buckets of {self.res} s, wider than the {bucket_s} s asked for: "
                "the logs spanned too long a time to keep minutes"
            )
        series: dict[int, list] = self.buckets  # read only
        if width != self.res:
            series = {}
            for start, rec in self.buckets.items():
                _merge_bucket(series, bucket_of(start, width), rec)
        overall = Histogram.merged(rec[3] for rec in series.values())
        per_minute = []
        for start in sorted(series):
            requests, c4, c5, hist = series[start]
            p50, p95, p99 = hist.percentiles(50, 95, 99)
            per_minute.append(
                AccessMinute(
                    at=to_datetime(start),
                    requests=requests,
                    status_4xx=c4,
                    status_5xx=c5,
                    p50_ms=_ms(p50),
                    p95_ms=_ms(p95),
                    p99_ms=_ms(p99),
                )
            )
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
        p50, p95, p99 = overall.percentiles(50, 95, 99)
        return AccessSummary(
            product=self.name,
            nodes=sorted(self.nodes),
            requests=sum(rec[0] for rec in series.values()),
            status_4xx=sum(rec[1] for rec in series.values()),
            status_5xx=sum(rec[2] for rec in series.values()),
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
            notes=notes,
        )


def _merge_bucket(buckets: dict[int, list], start: int, rec: list) -> None:
    mine = buckets.get(start)
    if mine is None:
        hist = Histogram()
        hist.merge(rec[3])
        buckets[start] = [rec[0], rec[1], rec[2], hist]
    else:
        mine[0] += rec[0]
        mine[1] += rec[1]
        mine[2] += rec[2]
        mine[3].merge(rec[3])


def _endpoint_count(item: tuple[tuple[str, str], list]) -> int:
    return item[1][0].count + item[1][2]


def _talker_count(item: tuple[tuple[bytes, bytes], list]) -> int:
    return item[1][0]


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
