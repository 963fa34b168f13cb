"""The end-of-life table of feature releases (checks/data/end_of_life.yaml), loaded and validated.

Data, not code: when Atlassian publishes a release or an end-of-support date, the YAML changes and
its ``checked`` date moves; nothing here does. Loading validates every entry, so a typo fails at
start-up (and in the tests), not in a customer's report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib.resources import files
from typing import Any

import yaml

_FEATURE_VERSION = re.compile(r"^(\d+)\.(\d+)$")


class EndOfLifeDataError(ValueError):
    """The end-of-life table is malformed; the message names the entry."""


@dataclass(frozen=True)
class FeatureRelease:
    product: str  # "jira", "confluence": a collectors.model.Product value
    version: str  # "9.12"
    released: date
    eol: date
    lts: bool = False
    derived: bool = False  # the end-of-life date follows from the policy, not from an Atlassian source
    note: str | None = None

    @property
    def numbers(self) -> tuple[int, int]:
        major, minor = self.version.split(".")
        return int(major), int(minor)

    @property
    def label(self) -> str:
        return f"{self.version} (LTS)" if self.lts else self.version


@dataclass(frozen=True)
class EndOfLifeTable:
    checked: date
    policy: str
    policy_url: str | None
    support_years: int
    releases: dict[str, tuple[FeatureRelease, ...]]  # product -> releases, oldest first

    def products(self) -> tuple[str, ...]:
        return tuple(self.releases)

    def lookup(self, product: str, major: int, minor: int) -> FeatureRelease | None:
        return next((r for r in self.releases.get(product, ()) if r.numbers == (major, minor)), None)

    def newer(self, release: FeatureRelease) -> tuple[FeatureRelease, ...]:
        return tuple(r for r in self.releases.get(release.product, ()) if r.numbers > release.numbers)


def _date(value: Any, where: str) -> date:
    if isinstance(value, date):
        return value
    raise EndOfLifeDataError(f"{where}: expected a date (YYYY-MM-DD), got {value!r}")


def parse_table(data: Any, origin: str = "end_of_life.yaml") -> EndOfLifeTable:
    if not isinstance(data, dict):
        raise EndOfLifeDataError(f"{origin}: expected a mapping at the top level")
    checked = _date(data.get("checked"), f"{origin}: checked")
    products = data.get("products")
    if not isinstance(products, dict) or not products:
        raise EndOfLifeDataError(f"{origin}: 'products' must map product names to their releases")
    releases: dict[str, tuple[FeatureRelease, ...]] = {}
    for product, entries in products.items():
        if not isinstance(entries, dict):
            raise EndOfLifeDataError(f"{origin}: products.{product} must map versions to entries")
        parsed = []
        for version, entry in entries.items():
            where = f"{origin}: products.{product}.{version}"
            if not isinstance(version, str) or not _FEATURE_VERSION.match(version):
                raise EndOfLifeDataError(
                    f"{where}: version keys must be quoted 'major.minor' strings (unquoted 9.10 reads as 9.1)"
                )
            if not isinstance(entry, dict):
                raise EndOfLifeDataError(f"{where}: expected a mapping")
            unknown = set(entry) - {"released", "eol", "lts", "derived", "note"}
            if unknown:
                raise EndOfLifeDataError(f"{where}: unknown keys {', '.join(sorted(unknown))}")
            release = FeatureRelease(
                product=str(product),
                version=version,
                released=_date(entry.get("released"), f"{where}.released"),
                eol=_date(entry.get("eol"), f"{where}.eol"),
                lts=bool(entry.get("lts", False)),
                derived=bool(entry.get("derived", False)),
                note=entry.get("note"),
            )
            if release.eol <= release.released:
                raise EndOfLifeDataError(
                    f"{where}: eol {release.eol} is not after released {release.released}"
                )
            parsed.append(release)
        releases[str(product)] = tuple(sorted(parsed, key=lambda r: r.numbers))
    return EndOfLifeTable(
        checked=checked,
        policy=str(data.get("policy", "")),
        policy_url=data.get("policy_url"),
        support_years=int(data.get("support_years", 2)),
        releases=releases,
    )


@cache
def load_end_of_life() -> EndOfLifeTable:
    """The packaged table (read once per process; it is data shipped with the code)."""
    text = files("checks").joinpath("data", "end_of_life.yaml").read_text(encoding="utf-8")
    return parse_table(yaml.safe_load(text))
