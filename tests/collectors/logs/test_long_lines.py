"""Lines longer than the limit are cut to it and counted, wherever the blocks that carry them are cut."""

from __future__ import annotations

import random

import pytest

from collectors.logs.long_lines import LineCuts, limit_lines


def _expected(data: bytes, limit: int) -> tuple[bytes, int]:
    lines = data.split(b"\n")
    cut = sum(1 for line in lines if len(line) > limit)
    kept = b"\n".join(line[:limit] for line in lines)
    if data and not data.endswith(b"\n") and len(lines[-1]) > limit:
        kept += b"\n"  # a cut last line is ended
    return kept, cut


@pytest.mark.parametrize("seed", range(40))
def test_long_lines_are_cut_and_counted_across_any_blocks(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(50):
        limit = rng.choice((1, 2, 5, 16, 64))
        sizes = (0, 1, limit - 1, limit, limit + 1, 2 * limit, 5 * limit, rng.randint(0, 3 * limit))
        data = b"\n".join(b"x" * rng.choice(sizes) for _ in range(rng.randint(0, 30)))
        data += b"\n" if rng.random() < 0.5 else b""
        edges = sorted(rng.sample(range(len(data) + 1), min(len(data) + 1, rng.randint(0, 8))))
        blocks = [data[a:b] for a, b in zip([0, *edges], [*edges, len(data)], strict=True)]
        cuts = LineCuts()
        kept, cut = _expected(data, limit)
        assert b"".join(limit_lines(blocks, cuts, limit)) == kept
        assert cuts.cut_lines == cut


def test_blocks_without_a_long_line_pass_through_unchanged() -> None:
    blocks = [b"a" * 99 + b"\n" + b"b" * 50, b"c" * 49 + b"\n" * 3, b"d" * 100]
    passed = list(limit_lines(blocks, LineCuts(), 100))
    assert all(p is b for p, b in zip(passed, blocks, strict=True))


def test_an_endless_line_is_kept_to_its_first_bytes() -> None:
    cuts = LineCuts()
    blocks = (b"a" * 1000 for _ in range(10_000))  # 10 MB, no newline
    assert b"".join(limit_lines(blocks, cuts, 4096)) == b"a" * 4096 + b"\n"
    assert cuts.cut_lines == 1
