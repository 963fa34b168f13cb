"""Numbering the endpoints and clients of access lines, so that a chunk's requests fold in as arrays.

An endpoint is ``(method, name)``, the name templated and redacted (``/browse/{key}``); a talker is
``(address column, user)`` as the log wrote them. Both get small integer ids, found from the raw bytes
of a line through caches that remember what the same bytes meant before: a request that repeats costs
one dict lookup, no decoding and no templating. The ids belong to one accumulator, whose counts kept by
id are flushed before ``trim`` drops the tables. The names of requests are also remembered across the
accumulators of a process (``_NAMES``), since a worker reads many byte ranges of similar logs.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from itertools import repeat

import numpy as np

from collectors.logs.access_lines import (
    LineFormat,
    RequestKey,
    digit_shape,
    http_endpoint,
    kept_digit_segments,
)
from collectors.logs.packed_keys import PackedTable
from collectors.redaction import redact_url

_CACHE_LIMIT = 100_000  # raw-bytes keys past this many are dropped, and refilled as lines come
_MAX_ENDPOINTS = 4000  # distinct endpoint names (templated: a few hundred in a real log)
_MAX_TALKERS = 20_000
_MAX_METHODS = 64  # garbage in the method column: start over rather than grow


@lru_cache(maxsize=8192)
def _endpoint_name(path: str) -> str:
    return redact_url(path)  # templating dropped the query; the default rules catch what is left


class RequestNames:
    """``(method, endpoint name)`` of an HTTP request's method and path, remembered by the raw request
    and by the path's digit shape; bounded, shared by the accumulators of a process."""

    def __init__(self) -> None:
        # request with its digits zeroed -> (method, name), for requests whose name does not depend on
        # their digits' values (most: /browse/{key}, /rest/api/content/{id}); a few lookups per miss
        self.by_shape: dict[bytes, tuple[str, str]] = {}
        self.requests: dict[bytes, tuple[str, str]] = {}  # the others, by the request itself
        # method -> {digit shape of the path: (kept digit segments, {their values: (method, name)})}
        self.shapes: dict[bytes, dict[bytes, tuple]] = {}
        self.size = 0

    def of_request(self, request: bytes) -> tuple[str, str]:
        """The name of ``b'"GET /path'``: a method, one space, a path (without its query)."""
        shaped = digit_shape(request)
        found = self.by_shape.get(shaped)
        if found is None:
            found = self.requests.get(request)
        if found is None:
            method, _, path = request.partition(b" ")
            found, by_digits = self.of(method, path)
            # A method with digits (garbage) must not share a shape with another method.
            table = self.requests if by_digits or digit_shape(method) != method else self.by_shape
            if len(table) > _CACHE_LIMIT:
                table.clear()
            table[request if table is self.requests else shaped] = found
        return found

    def of(self, method: bytes, path: bytes) -> tuple[tuple[str, str], bool]:
        """The name of a request by its method (``b'"GET'`` is fine) and path (a query is fine), and
        whether it depends on the values of some of the path's digits: found by the path's digit shape
        and the digits templating would keep (access_lines.kept_digit_segments), else templated. Exact:
        templating looks at where digits are, never at their values, except in the segments it keeps,
        which are part of the key."""
        known = self.shapes.get(method)
        if known is None:
            if len(self.shapes) > _MAX_METHODS or self.size > _CACHE_LIMIT:
                self.shapes.clear()
                self.size = 0
            known = self.shapes[method] = {}
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
        name = variants.get(variant)
        if name is None:
            method_text, path_text = http_endpoint(method.lstrip(b'"') + b" " + cut)
            name = variants[variant] = (method_text, _endpoint_name(path_text))
            self.size += 1
        return name, bool(positions)


_NAMES = RequestNames()


class KeyTables:
    """Endpoint and talker ids, and the caches that find them from raw bytes. Nothing here is pickled."""

    def __init__(self) -> None:
        self.endpoints: list[tuple[str, str]] = []  # id -> (method, endpoint name)
        self.talkers: list[tuple[bytes, bytes]] = []  # id -> (address, user)
        self._endpoint_ids: dict[tuple[str, str], int] = {}
        self._talker_ids: dict[tuple[bytes, bytes], int] = {}
        self._spans: dict[bytes, int] = {}  # b'"GET /path?query' -> endpoint id
        self._clients: dict[bytes, int] = {}  # b"address user" -> talker id
        self._packed = PackedTable(2)  # (address, user) up to 16 bytes each, packed -> talker id
        self._requests: dict[str, dict[RequestKey, int]] = {}  # format -> {parsed request key: endpoint id}
        self._shapes: dict[str, dict[RequestKey, int]] = {}  # format -> {cut or shaped key: endpoint id}

    def trim(self) -> None:
        """Drop the tables that grew past their limits (between chunks: ids are not kept across)."""
        if self.endpoints_full:
            self.endpoints, self._endpoint_ids = [], {}
            self._spans, self._requests, self._shapes = {}, {}, {}
        if self.talkers_full:
            self.talkers, self._talker_ids, self._clients = [], {}, {}
            self._packed.clear()

    @property
    def endpoints_full(self) -> bool:
        """Whether ``trim`` will drop the endpoint ids (counts kept by id must be flushed first)."""
        raw_keys = len(self._spans) + sum(
            len(cache) for caches in (self._requests, self._shapes) for cache in caches.values()
        )
        return len(self.endpoints) > _MAX_ENDPOINTS or raw_keys > _CACHE_LIMIT

    @property
    def talkers_full(self) -> bool:
        """Whether ``trim`` will drop the talker ids (counts kept by id must be flushed first)."""
        return len(self.talkers) > _MAX_TALKERS or len(self._clients) > _CACHE_LIMIT

    # -- a chunk's columns at once
    def span_endpoints(self, spans: list[bytes]) -> np.ndarray:
        """Endpoint ids of ``b'"GET /path?query'`` spans (the method and path columns of a layout)."""
        return _ids(self._spans, spans, lambda span: self._endpoint(_NAMES.of_request(span)))

    def client_talkers(
        self,
        chunk: bytes,
        buf: np.ndarray,
        client: tuple[np.ndarray, np.ndarray],
        user: tuple[np.ndarray, np.ndarray],
    ) -> np.ndarray:
        """Talker ids of rows given by the spans of their client and user columns in ``chunk`` (``buf``
        is its bytes as an array; neither column holds a space). Rows whose columns fit the packed table
        are found column-wise; the others, and keys the table cannot tell apart, by a dict per row."""
        words, fits = self._packed.pack(buf, [client, user])
        ids = np.full(len(fits), -1, dtype=np.int64)
        ids[fits] = self._packed.lookup(words[fits])
        new = np.flatnonzero(fits & (ids < 0))
        if len(new):
            _, first = np.unique(words[new], axis=0, return_index=True)
            rows = new[first].tolist()
            found = [
                self.talker((chunk[client[0][r] : client[1][r]], chunk[user[0][r] : user[1][r]]))
                for r in rows
            ]
            self._packed.add(words[rows], np.array(found, dtype=np.int64))
            ids[new] = self._packed.lookup(words[new])
        rest = np.flatnonzero(ids < 0)
        if len(rest):  # b"address user": the client column with the space that ends it, then the user
            keys = [
                chunk[a:b] + chunk[c:d]
                for a, b, c, d in zip(
                    client[0][rest].tolist(),
                    (client[1][rest] + 1).tolist(),
                    user[0][rest].tolist(),
                    user[1][rest].tolist(),
                    strict=True,
                )
            ]
            ids[rest] = self._client_keys(keys)
        return ids

    def _client_keys(self, keys: list[bytes]) -> np.ndarray:
        """Talker ids of ``b"address user"`` keys."""

        def new(key: bytes) -> int:
            address, _, user = key.partition(b" ")
            return self.talker((address, user))

        return _ids(self._clients, keys, new)

    # -- one line at a time (the formats' parsers)
    def request_endpoint(self, fmt: LineFormat, request: RequestKey) -> int:
        """The endpoint id of a request key as ``fmt.parse`` returned it."""
        known = self._requests.setdefault(fmt.name, {})
        found = known.get(request)
        if found is None:
            if fmt.http and isinstance(request, bytes):  # b"GET /path HTTP/1.1", b"GET /path", b"-"
                method, _, rest = request.partition(b" ")
                found = self._endpoint(_NAMES.of(method, rest.split(b" ", 1)[0])[0])
            else:
                found = self._shaped_endpoint(fmt, request)
            known[request] = found
        return found

    def talker(self, who: tuple[bytes, bytes]) -> int:
        return _number(self._talker_ids, self.talkers, who)

    # -- the slow paths: once per distinct request
    def _shaped_endpoint(self, fmt: LineFormat, request: RequestKey) -> int:
        """The endpoint of a request key of another format (Bitbucket's request and labels): found by
        the request without its query, else by its shape (ids replaced), else templated."""
        cut = fmt.cut(request)
        shapes = self._shapes.setdefault(fmt.name, {})
        found = shapes.get(cut)
        if found is None:
            shape = fmt.shape(cut)
            found = shapes.get(shape)
            if found is None:
                method, path = fmt.endpoint(shape)
                found = shapes[shape] = self._endpoint((method, _endpoint_name(path)))
            shapes[cut] = found
        return found

    def _endpoint(self, key: tuple[str, str]) -> int:
        return _number(self._endpoint_ids, self.endpoints, key)


def _ids(known: dict[bytes, int], keys: list[bytes], new: Callable[[bytes], int]) -> np.ndarray:
    """The id of each of ``keys``: the known ones in one C-speed ``map(dict.get)``, each other one from
    ``new`` (once, however often it repeats) and remembered."""
    ids = np.fromiter(map(known.get, keys, repeat(-1)), dtype=np.int64, count=len(keys))
    for i in np.flatnonzero(ids < 0).tolist():
        key = keys[i]
        found = known.get(key)
        if found is None:
            found = known[key] = new(key)
        ids[i] = found
    return ids


def _number(ids: dict, keys: list, key: object) -> int:
    """The id of ``key``: its index in ``keys``, where it is appended when new."""
    found = ids.get(key)
    if found is None:
        found = ids[key] = len(keys)
        keys.append(key)
    return found
