"""Adding one chunk's requests to a product's aggregates, column-wise: the series, the endpoints and the
talkers are counted with ``np.unique`` and ``np.bincount``, and Python touches each minute, endpoint,
talker and histogram bucket the chunk holds once, not each request. A chunk is one node's: its series
go to that node's buckets, and who got server errors is counted by (minute, talker) of the 5xx rows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from collectors.logs.access_aggregate import ProductAccess, add_talker, bucket_indices, error_user
from collectors.logs.histogram import Histogram

UNTIMED = -1  # the duration of a request whose line had none (Bitbucket writes "-")
MAX_STAGED_ERRORS = 50_000  # (minute, talker, node) cells of 5xx held before they are flushed and capped
# Status classes: two bits, so that ``class & 1`` is any 4xx and ``class == 2`` any 5xx.
OTHER, CLIENT_ERROR, SERVER_ERROR, UNAUTHORISED = 0, 1, 2, 3  # UNAUTHORISED: a 401, a 4xx too


@dataclass
class Requests:
    """One chunk's requests inside the window; ids are those of the chunk's KeyTables."""

    minute: np.ndarray  # int64: UTC epoch of the start of its minute
    status_class: np.ndarray  # OTHER, CLIENT_ERROR (4xx but 401), SERVER_ERROR (5xx) or UNAUTHORISED (401)
    duration: np.ndarray  # int64 ms, or UNTIMED
    endpoint: np.ndarray  # int64 endpoint ids
    talker: np.ndarray  # int64 talker ids

    def __len__(self) -> int:
        return len(self.minute)


def fold(product: ProductAccess, stage: ProductStage, requests: Requests, node: str) -> None:
    """Add ``requests`` (of ``node``) to ``product``: the series at once, the endpoints, talkers and who
    got server errors to ``stage`` until it is flushed."""
    if not len(requests):
        return
    timed = requests.duration != UNTIMED
    durations = requests.duration[timed]
    buckets = bucket_indices(durations)
    status = requests.status_class
    errors = status == SERVER_ERROR

    starts, minute = np.unique(requests.minute, return_inverse=True)
    series = product.node_series(node)
    recs = [product.bucket(series, start) for start in starts.tolist()]
    counts = (
        np.bincount(minute, minlength=len(recs)),
        np.bincount(minute[(status & 1) == 1], minlength=len(recs)),
        np.bincount(minute[errors], minlength=len(recs)),
        np.bincount(minute[status == UNAUTHORISED], minlength=len(recs)),
    )
    for rec, n, c4, c5, c401 in zip(recs, *(c.tolist() for c in counts), strict=True):
        rec[0] += n
        rec[1] += c4
        rec[2] += c5
        rec[3] += c401
    hists = [rec[4] for rec in recs]
    cells, n, total, top = _tally(minute[timed], durations, buckets, len(recs))
    for hist, count, ms, most in zip(hists, n.tolist(), total.tolist(), top.tolist(), strict=True):
        if count:
            hist.count += count
            hist.total += ms
            if most > hist.max:
                hist.max = most
    _add_buckets(hists, cells)
    stage.add(requests, timed, durations, buckets, errors, node)
    product.settle()


class ProductStage:
    """What a product's chunks added per endpoint id and per talker id, as arrays that grow with the ids:
    a chunk adds in a few ``np.add.at``s, and Python touches each endpoint and talker once per flush
    instead of once per chunk. The ids are a KeyTables' (flush before it drops them)."""

    def __init__(self) -> None:
        self.talkers = np.zeros((3, 0), dtype=np.int64)  # requests, total ms, 5xx
        self.endpoints = np.zeros((5, 0), dtype=np.int64)  # timed, total ms, max ms, 5xx, untimed
        self.cells = np.zeros((0, 0), dtype=np.int64)  # endpoint id x histogram bucket -> requests
        self.errors: dict[tuple[int, int, str], int] = {}  # (minute, talker id, node) -> 5xx answers

    def add(
        self,
        requests: Requests,
        timed: np.ndarray,
        durations: np.ndarray,
        buckets: np.ndarray,
        errors: np.ndarray,
        node: str,
    ) -> None:
        talker, endpoint = requests.talker, requests.endpoint
        self.talkers = _fit(self.talkers, 1, int(talker.max()) + 1)
        np.add.at(self.talkers[0], talker, 1)
        np.add.at(self.talkers[1], talker[timed], durations)
        np.add.at(self.talkers[2], talker[errors], 1)
        self.endpoints = _fit(self.endpoints, 1, int(endpoint.max()) + 1)
        timed_endpoint = endpoint[timed]
        np.add.at(self.endpoints[0], timed_endpoint, 1)
        np.add.at(self.endpoints[1], timed_endpoint, durations)
        np.maximum.at(self.endpoints[2], timed_endpoint, durations)
        np.add.at(self.endpoints[3], endpoint[errors], 1)
        np.add.at(self.endpoints[4], endpoint[~timed], 1)
        if len(buckets):
            self.cells = _fit(_fit(self.cells, 0, self.endpoints.shape[1]), 1, int(buckets.max()) + 1)
            np.add.at(self.cells, (timed_endpoint, buckets), 1)
        if errors.any():  # rare: a few rows of a chunk, or a storm's share of it
            pairs, counts = np.unique(
                np.stack((requests.minute[errors], talker[errors]), axis=1), axis=0, return_counts=True
            )
            table = self.errors
            for (minute, who), n in zip(pairs.tolist(), counts.tolist(), strict=True):
                key = (minute, who, node)
                table[key] = table.get(key, 0) + n

    @property
    def errors_full(self) -> bool:
        """Whether the cells of who got server errors should go to the product now (where they are capped)."""
        return len(self.errors) > MAX_STAGED_ERRORS

    def flush(
        self, product: ProductAccess, endpoints: list[tuple[str, str]], talkers: list[tuple[bytes, bytes]]
    ) -> None:
        """Add everything to ``product`` (``endpoints`` and ``talkers`` name the ids); start from zero."""
        touched = np.flatnonzero(self.talkers[0])
        table = product.talkers
        for i, n, ms, errors in zip(
            touched.tolist(), *(row[touched].tolist() for row in self.talkers), strict=True
        ):
            add_talker(table, talkers[i], n, ms, errors)
        touched = np.flatnonzero(self.endpoints[0] + self.endpoints[4] + self.endpoints[3])
        recs = [product.endpoint(endpoints[i]) for i in touched.tolist()]
        for rec, n, ms, most, errors, untimed in zip(
            recs, *(row[touched].tolist() for row in self.endpoints), strict=True
        ):
            hist = rec[0]
            if n:
                hist.count += n
                hist.total += ms
                if most > hist.max:
                    hist.max = most
            rec[1] += errors
            rec[2] += untimed
        if len(self.cells):
            _add_buckets([rec[0] for rec in recs], self.cells[touched])
        if self.errors:
            cells: dict[tuple[int, str, str], int] = {}
            for (minute, who, node), n in self.errors.items():
                key = (minute, error_user(talkers[who]), node)
                cells[key] = cells.get(key, 0) + n
            product.add_error_users(cells)
            self.errors = {}
        self.talkers[:] = 0
        self.endpoints[:] = 0
        self.cells[:] = 0
        product.settle()


def _fit(counts: np.ndarray, axis: int, size: int) -> np.ndarray:
    """``counts``, grown (doubling, zero-filled) so that ``axis`` has at least ``size`` entries."""
    if counts.shape[axis] >= size:
        return counts
    shape = list(counts.shape)
    shape[axis] = max(size, 2 * shape[axis])
    grown = np.zeros(shape, dtype=counts.dtype)
    grown[tuple(slice(0, n) for n in counts.shape)] = counts
    return grown


def _tally(
    group: np.ndarray,
    values: np.ndarray,
    buckets: np.ndarray,
    groups: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per group: requests per histogram bucket (groups x buckets), requests, total and max."""
    width = int(buckets.max()) + 1 if len(buckets) else 0
    cells = np.zeros((groups, width), dtype=np.int64)
    np.add.at(cells, (group, buckets), 1)
    total = np.zeros(groups, dtype=np.int64)
    np.add.at(total, group, values)
    top = np.zeros(groups, dtype=np.int64)
    np.maximum.at(top, group, values)
    return cells, np.bincount(group, minlength=groups), total, top


def _add_buckets(hists: list[Histogram], cells: np.ndarray) -> None:
    """Add row i of ``cells`` (requests per bucket index) to ``hists[i].buckets``."""
    rows, cols = np.nonzero(cells)
    counts = cells[rows, cols].tolist()
    cols_list = cols.tolist()
    bounds = np.searchsorted(rows, np.arange(len(hists) + 1)).tolist()
    for hist, begin, end in zip(hists, bounds, bounds[1:], strict=False):
        if begin == end:
            continue
        found = hist.buckets
        if not found:  # a new minute or endpoint, the common case: the dict is built in C
            hist.buckets = dict(zip(cols_list[begin:end], counts[begin:end], strict=True))
            continue
        for col, count in zip(cols_list[begin:end], counts[begin:end], strict=True):
            found[col] = found.get(col, 0) + count
