"""Crowd's rows of the end-of-life table: the range covered, its LTS release, the policy's shape."""

from __future__ import annotations

from datetime import date

from checks.end_of_life import load_end_of_life


def test_covers_4_0_to_7_2():
    releases = load_end_of_life().releases["crowd"]
    assert (releases[0].version, releases[-1].version) == ("4.0", "7.2")
    assert [r.version for r in releases if r.lts] == ["7.2"]
    assert not any(r.derived for r in releases)


def test_dates_follow_the_policy():
    for release in load_end_of_life().releases["crowd"]:
        years = (release.eol - release.released).days / 365.25
        assert 1.95 < years < 2.05, release


def test_known_dates():
    table = load_end_of_life()
    assert table.lookup("crowd", 6, 1).eol == date(2026, 9, 27)
    assert table.lookup("crowd", 7, 2).eol == date(2028, 5, 17)
