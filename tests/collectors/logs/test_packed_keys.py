"""The packed key table against a plain dict: the same keys get the same ids and different keys
different ones, whatever their mix values (collisions are forced), and long fields are left alone."""

from __future__ import annotations

import random

import numpy as np
import pytest

from collectors.logs import packed_keys
from collectors.logs.access_keys import KeyTables
from collectors.logs.packed_keys import WIDTH, PackedTable


def chunk_of(rows: list[tuple[bytes, bytes]]) -> tuple[bytes, list[tuple[np.ndarray, np.ndarray]]]:
    """Rows as lines ``address user [rest]`` and the spans of their two fields."""
    out, spans = bytearray(), ([], [], [], [])
    for address, user in rows:
        spans[0].append(len(out))
        spans[1].append(len(out) + len(address))
        spans[2].append(len(out) + len(address) + 1)
        spans[3].append(len(out) + len(address) + 1 + len(user))
        out += address + b" " + user + b" [01/May/2024:10:00:00 +0000] more\n"
    a, b, c, d = (np.array(x, dtype=np.int64) for x in spans)
    return bytes(out), [(a, b), (c, d)]


def random_rows(rng: random.Random, n: int) -> list[tuple[bytes, bytes]]:
    addresses = [f"10.0.{rng.randrange(256)}.{rng.randrange(256)}".encode() for _ in range(40)]
    users = [bytes(rng.choice(b"abcxyz-._0123") for _ in range(rng.randint(1, WIDTH + 4))) for _ in range(30)]
    users += [b"-", b"a" * WIDTH, b"a" * (WIDTH - 1)]
    return [
        (rng.choice([*addresses, b"2001:db8::1", b"x" * (WIDTH + 1)]), rng.choice(users)) for _ in range(n)
    ]


@pytest.mark.parametrize("collide", [False, True])
def test_talker_ids_are_exact_across_chunks(collide, monkeypatch):
    """Through the access key tables, which resolve what the packed table cannot with a dict per row."""
    if collide:  # every key mixes to the same value: only the stored words tell them apart
        monkeypatch.setattr(packed_keys, "_mix", lambda words: np.zeros(len(words), dtype=np.uint64))
    rng = random.Random(4)
    keys = KeyTables()
    ids_of: dict[tuple[bytes, bytes], int] = {}
    for _ in range(5):
        rows = random_rows(rng, 400)
        chunk, (client, user) = chunk_of(rows)
        ids = keys.client_talkers(chunk, np.frombuffer(chunk, dtype=np.uint8), client, user)
        for row, found in zip(rows, ids.tolist(), strict=True):
            assert keys.talkers[found] == row
            assert ids_of.setdefault(row, found) == found  # the same id in every chunk
    assert len(set(ids_of.values())) == len(ids_of)


def test_the_table_finds_what_it_was_given_and_only_that():
    rng = random.Random(5)
    rows = list(dict.fromkeys(random_rows(rng, 300)))
    chunk, spans = chunk_of(rows)
    table = PackedTable(2)
    words, fits = table.pack(np.frombuffer(chunk, dtype=np.uint8), spans)
    assert fits.tolist() == [len(a) <= WIDTH and len(u) <= WIDTH for a, u in rows]
    fit = np.flatnonzero(fits)
    half = fit[: len(fit) // 2]
    table.add(words[half], half)
    found = table.lookup(words[fit])
    assert found.tolist() == [i if i in set(half.tolist()) else -1 for i in fit.tolist()]


def test_a_field_near_the_end_of_the_chunk_does_not_fit():
    chunk = b"10.0.0.1 bob"  # the user's 16-byte window would run past the chunk
    spans = [(np.array([0]), np.array([8])), (np.array([9]), np.array([12]))]
    _, fits = PackedTable(2).pack(np.frombuffer(chunk, dtype=np.uint8), spans)
    assert fits.tolist() == [False]
    _, fits = PackedTable(2).pack(np.frombuffer(b"a b", dtype=np.uint8), [(np.array([0]), np.array([1]))] * 2)
    assert fits.tolist() == [False]


def test_clear_forgets_every_key():
    table = PackedTable(2)
    chunk, spans = chunk_of([(b"10.0.0.1", b"alice")])
    words, _ = table.pack(np.frombuffer(chunk, dtype=np.uint8), spans)
    table.add(words, np.array([7]))
    assert table.lookup(words).tolist() == [7]
    table.clear()
    assert table.lookup(words).tolist() == [-1]
