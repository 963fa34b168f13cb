"""Ids for keys made of short byte fields of a chunk, found column-wise with NumPy instead of one Python
dict lookup per line (for access lines' clients: an address and a user name).

Each field of up to ``WIDTH`` bytes is packed into two 64-bit words, zero-padded: exact, since the
lines read here hold no NUL byte. A row's words are mixed into one 64-bit value that is searched in a
sorted table, and the row's words are then compared with the words stored for the id found, so a match
is exact whatever the mix: two keys that mix alike only cost the second its fast path. Rows with a longer
field, or that the table does not know, are for the caller to resolve and ``add``.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

WIDTH = 16  # bytes per field: an IPv4 address, most user names
_WORDS = WIDTH // 8
# row L: 0xFF for the first L bytes of a field, 0 after
_KEEP = ((np.arange(WIDTH)[None, :] < np.arange(WIDTH + 1)[:, None]) * 0xFF).astype(np.uint8)
_MIX = np.array(
    [
        0x9E3779B97F4A7C15,
        0xC2B2AE3D27D4EB4F,
        0x165667B19E3779F9,
        0xD6E8FEB86659FD93,
        0xFF51AFD7ED558CCD,
        0xC4CEB9FE1A85EC53,
    ],
    dtype=np.uint64,
)


class PackedTable:
    """Exact ids of rows of ``fields`` short byte fields."""

    def __init__(self, fields: int) -> None:
        self.fields = fields
        self._words = np.zeros((0, fields * _WORDS), dtype=np.uint64)  # by id
        self._mixes = np.zeros(0, dtype=np.uint64)  # sorted
        self._ids = np.zeros(0, dtype=np.int64)  # the id of each of _mixes

    def clear(self) -> None:
        PackedTable.__init__(self, self.fields)

    def pack(
        self,
        buf: np.ndarray,
        spans: list[tuple[np.ndarray, np.ndarray]],
    ) -> tuple[np.ndarray, np.ndarray]:
        """(words, fits) of every row: its fields packed, and whether all of them fit in ``WIDTH`` bytes
        (``buf`` is the chunk; a row that does not fit gets meaningless words)."""
        rows_n = len(spans[0][0])
        last = len(buf) - WIDTH  # a field starting after this would read past the chunk
        if last < 0:
            return np.zeros((rows_n, self.fields * _WORDS), dtype=np.uint64), np.zeros(rows_n, dtype=bool)
        parts, fits = [], np.ones(rows_n, dtype=bool)
        for begin, end in spans:
            length = end - begin
            fits &= (length <= WIDTH) & (begin <= last)
            rows = sliding_window_view(buf, WIDTH)[np.minimum(begin, last)]
            rows &= _KEEP[np.clip(length, 0, WIDTH)]
            parts.append(rows.view(np.uint64))
        return np.concatenate(parts, axis=1), fits

    def lookup(self, words: np.ndarray) -> np.ndarray:
        """The id of each row of packed ``words``, or -1 where the table does not hold it."""
        ids = np.full(len(words), -1, dtype=np.int64)
        if not len(self._mixes) or not len(words):
            return ids
        mixed = _mix(words)
        at = np.minimum(np.searchsorted(self._mixes, mixed), len(self._mixes) - 1)
        found = self._ids[at]
        exact = (self._mixes[at] == mixed) & (self._words[found] == words).all(axis=1)
        ids[exact] = found[exact]
        return ids

    def add(self, words: np.ndarray, ids: np.ndarray) -> None:
        """Remember that the rows of ``words`` have ``ids`` (each row once)."""
        if not len(ids):
            return
        size = int(ids.max()) + 1
        if size > len(self._words):
            grown = np.zeros((max(size, 2 * len(self._words)), self._words.shape[1]), dtype=np.uint64)
            grown[: len(self._words)] = self._words
            self._words = grown
        self._words[ids] = words
        mixes = np.concatenate([self._mixes, _mix(words)])
        order = np.argsort(mixes, kind="stable")
        self._mixes = mixes[order]
        self._ids = np.concatenate([self._ids, ids])[order]


def _mix(words: np.ndarray) -> np.ndarray:
    """One 64-bit value per row (a multiply-xorshift hash of its words; equal rows, equal values)."""
    h = np.zeros(len(words), dtype=np.uint64)
    for i in range(words.shape[1]):
        h ^= words[:, i] * _MIX[i % len(_MIX)]
        h ^= h >> np.uint64(29)
    h *= _MIX[-1]
    h ^= h >> np.uint64(32)
    return h
