"""Bitbucket's rows of the end-of-life table: the range covered, the LTS releases, the policy's shape."""

from __future__ import annotations

from datetime import date, timedelta

from checks.end_of_life import load_end_of_life


def test_covers_7_0_to_10_5_with_its_lts_releases():
    releases = load_end_of_life().releases["bitbucket"]
    versions = [r.version for r in releases]
    assert versions[0] == "7.0" and versions[-1] == "10.5"
    assert {"7.21", "8.9", "8.19", "9.4", "10.2"} <= {r.version for r in releases if r.lts}
    assert [r.numbers for r in releases] == sorted(r.numbers for r in releases)


def test_dates_follow_the_policy():
    for release in load_end_of_life().releases["bitbucket"]:
        years = (release.eol - release.released).days / 365.25
        # 2 years; 9.6 ended early (1.8 years) and LTS 7.6 was extended (2.6 years), both as published
        assert 1.8 < years < 2.6, release
        if release.derived:
            expected = release.released.replace(year=release.released.year + 2) - timedelta(days=1)
            assert release.eol == expected, (
                f"{release.version}: a derived end of life is released + 2 y - 1 d"
            )
            assert release.note


def test_known_dates():
    table = load_end_of_life()
    assert table.lookup("bitbucket", 9, 4).eol == date(2026, 12, 3)
    assert table.lookup("bitbucket", 8, 19).eol == date(2026, 3, 12)
    assert table.lookup("bitbucket", 10, 5).derived
    assert not table.lookup(
        "bitbucket", 10, 4
    ).derived  # its end of life is published; its release date derived
