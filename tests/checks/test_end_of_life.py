"""The end-of-life table: it loads, it is consistent, and the loader rejects malformed entries."""

from __future__ import annotations

from datetime import date

import pytest
import yaml

from checks.end_of_life import EndOfLifeDataError, load_end_of_life, parse_table
from collectors.model import Product


def test_packaged_table_loads_with_both_products():
    table = load_end_of_life()
    assert table.checked == date(2026, 11, 26)
    covered = {Product.JIRA.value, Product.CONFLUENCE.value, Product.BITBUCKET.value, Product.CROWD.value}
    assert covered <= set(table.products())
    assert table.lookup("jira", 9, 12).lts
    assert table.lookup("jira", 9, 10).version == "9.10"  # not read as 9.1
    assert table.lookup("confluence", 8, 5).eol == date(2025, 8, 20)


def test_covers_the_requested_ranges():
    table = load_end_of_life()
    jira = {r.version for r in table.releases["jira"]}
    confluence = {r.version for r in table.releases["confluence"]}
    assert {"8.20", "9.4", "9.12", "10.3", "11.0"} <= jira
    assert {"7.19", "8.5", "9.2", "10.0"} <= confluence


@pytest.mark.parametrize("product", ["jira", "confluence"])
def test_entries_follow_the_policy(product):
    table = load_end_of_life()
    releases = table.releases[product]
    assert [r.numbers for r in releases] == sorted(r.numbers for r in releases)
    for release in releases:
        years = (release.eol - release.released).days / 365.25
        assert 1.9 < years < 2.5, release  # 2 years, give or take an announced extension
        if release.derived:
            expected = release.released.replace(year=release.released.year + 2).toordinal() - 1
            assert release.eol.toordinal() == expected, (
                f"{release.version}: derived eol must be released + 2y - 1d"
            )
            assert release.note, f"{release.version}: a derived entry says what is unconfirmed"


def test_lts_releases_are_known():
    table = load_end_of_life()
    assert [r.version for r in table.releases["jira"] if r.lts] == ["8.20", "9.4", "9.12", "10.3"]
    assert [r.version for r in table.releases["confluence"] if r.lts] == ["7.19", "8.5", "9.2"]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        pytest.param(
            "products: {jira: {'9.1': {released: 2022-07-21, eol: 2024-07-20}}}", "checked", id="no-checked"
        ),
        pytest.param(
            "checked: 2026-11-26\nproducts: {jira: {9.10: {released: 2023-07-11, eol: 2025-07-10}}}",
            "quoted",
            id="unquoted-version",
        ),
        pytest.param(
            "checked: 2026-11-26\nproducts: {jira: {'9.3': {released: 2024-09-27, eol: 2022-09-28}}}",
            "not after",
            id="eol-before-release",
        ),
        pytest.param(
            "checked: 2026-11-26\nproducts: {jira: {'9.3': {released: 2022-09-28, eol: soon}}}",
            "expected a date",
            id="not-a-date",
        ),
        pytest.param(
            "checked: 2026-11-26\nproducts: {jira: {'9.3': {released: 2022-09-28, eol: 2024-09-27, "
            "lst: true}}}",
            "unknown keys lst",
            id="typo-key",
        ),
        pytest.param("checked: 2026-11-26\nproducts: {}", "products", id="no-products"),
    ],
)
def test_malformed_tables_are_rejected_with_the_entry(text, words):
    with pytest.raises(EndOfLifeDataError, match=words):
        parse_table(yaml.safe_load(text))
