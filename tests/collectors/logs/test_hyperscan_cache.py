"""Compiled Hyperscan databases kept on disk: read back instead of compiled, compiled again when the
file is damaged, and never a failure when the cache folder cannot be written."""

from __future__ import annotations

import pytest

from collectors.logs import hyperscan_cache
from collectors.logs.matcher import Matcher, Rule, hyperscan

pytestmark = pytest.mark.skipif(hyperscan is None, reason="Hyperscan has wheels for x86_64 Linux only")

RULES = [Rule(1, r"OutOfMemoryError"), Rule(2, r"Hikari\w*Pool.*timed out", ignore_case=True)]
TEXT = b"x\njava.lang.OutOfMemoryError: Java heap space\nhikaripool-1 - Connection timed out\n"


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    return tmp_path / "atlas-health" / "hyperscan"


def hits(matcher: Matcher) -> list[tuple[int, int]]:
    return sorted(set(matcher.scan(TEXT)))


EXPECTED = hits(Matcher(RULES, use_hyperscan=False))  # Python's re: the reference


def test_a_compiled_database_is_read_back_instead_of_compiled(cache, monkeypatch):
    first = hits(Matcher(RULES))
    assert first == EXPECTED and len(first) == 2
    assert len(list(cache.glob("*.db"))) == 1

    def no_compiling(*_args, **_kwargs):
        raise AssertionError("compiled although cached")

    monkeypatch.setattr(hyperscan, "Database", no_compiling)
    assert hits(Matcher(RULES)) == first


def test_other_patterns_get_their_own_database(cache):
    Matcher(RULES)
    Matcher(RULES[:1])
    Matcher([Rule(1, r"OutOfMemoryError", ignore_case=True)])
    assert len(list(cache.glob("*.db"))) == 3


def test_a_damaged_file_is_compiled_again_and_replaced(cache):
    expected = hits(Matcher(RULES))
    (path,) = cache.glob("*.db")
    path.write_bytes(b"not a database" * 50)
    assert hits(Matcher(RULES)) == expected
    assert path.read_bytes() != b"not a database" * 50


def test_a_cache_folder_that_cannot_be_written_only_means_compiling(cache):
    # A file where the folder should be: unwritable for root too (permission bits are not).
    cache.parent.mkdir(parents=True)
    cache.write_bytes(b"")
    assert hits(Matcher(RULES)) == EXPECTED
    assert cache.is_file()


def test_only_the_most_recently_used_are_kept(cache, monkeypatch):
    monkeypatch.setattr(hyperscan_cache, "KEEP", 2)
    for n in range(4):
        Matcher([Rule(1, f"pattern{n}")])
    assert len(list(cache.glob("*.db"))) == 2
    assert not list(cache.glob(".*.tmp"))
