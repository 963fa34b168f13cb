"""The table of Java versions each product line supports (checks/data/java_support.yaml).

Data, not code: validated when loaded so a typo fails in the tests, not in a customer's report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib.resources import files

import yaml

_VERSION = re.compile(r"^(\d+)\.(\d+)$")


class JavaSupportDataError(ValueError):
    """The Java support table is malformed; the message names the entry."""


@dataclass(frozen=True)
class JavaSupportRow:
    product: str
    first: tuple[int, int]  # the first product major.minor this row applies to
    java: tuple[int, ...]
    confirmed: bool = True

    @property
    def label(self) -> str:
        return f"{self.first[0]}.{self.first[1]}"


@dataclass(frozen=True)
class JavaSupportTable:
    checked: date
    source: str
    rows: dict[str, tuple[JavaSupportRow, ...]]  # product -> rows, oldest first

    def lookup(self, product: str, version: tuple[int, int]) -> JavaSupportRow | None:
        """The row for a product version: the last one starting at or before it."""
        found = None
        for row in self.rows.get(product, ()):
            if row.first <= version:
                found = row
        return found


def java_major(version: str | None) -> int | None:
    """ "17.0.10" -> 17, "1.8.0_392" -> 8, "21" -> 21."""
    if not version:
        return None
    match = re.match(r"^(\d+)(?:\.(\d+))?", version)
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def _row(product: str, entry: object, index: int) -> JavaSupportRow:
    where = f"java_support.yaml: {product}[{index}]"
    if not isinstance(entry, dict) or set(entry) - {"from", "java", "confirmed"}:
        raise JavaSupportDataError(f"{where}: expected {{from, java, confirmed}}")
    match = _VERSION.match(str(entry.get("from", "")))
    java = entry.get("java")
    if not match or not isinstance(java, list) or not all(isinstance(j, int) for j in java) or not java:
        raise JavaSupportDataError(f"{where}: 'from' must be \"major.minor\" and 'java' a list of numbers")
    return JavaSupportRow(
        product, (int(match.group(1)), int(match.group(2))), tuple(java), bool(entry.get("confirmed", True))
    )


@cache
def load_java_support() -> JavaSupportTable:
    raw = yaml.safe_load(files("checks").joinpath("data/java_support.yaml").read_text(encoding="utf-8"))
    rows: dict[str, tuple[JavaSupportRow, ...]] = {}
    for product, entries in (raw.get("products") or {}).items():
        parsed = tuple(_row(product, e, i) for i, e in enumerate(entries))
        if [r.first for r in parsed] != sorted(r.first for r in parsed):
            raise JavaSupportDataError(f"java_support.yaml: {product}: rows must be oldest first")
        rows[product] = parsed
    checked = raw.get("checked")
    if not isinstance(checked, date):
        raise JavaSupportDataError("java_support.yaml: 'checked' must be a date")
    return JavaSupportTable(checked=checked, source=str(raw.get("source", "")), rows=rows)
