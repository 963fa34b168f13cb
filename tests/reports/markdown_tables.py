"""GFM tables of a Markdown report, read the way a renderer reads them: runs of lines that start with a pipe."""

from __future__ import annotations

import re


def cells(line: str) -> list[str]:
    """The cells of one table row, split on unescaped pipes."""
    return [c.strip() for c in re.split(r"(?<!\\)\|", line[1:-1])]


def tables(text: str) -> list[list[str]]:
    """Each table as its lines: a run of consecutive lines that start with a pipe."""
    found: list[list[str]] = []
    current: list[str] = []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            current.append(line)
        elif current:
            found.append(current)
            current = []
    return found


def assert_tables_keep_their_width(text: str) -> list[list[str]]:
    """Every line of every table is a whole row (data cannot end it early or split it) with as many
    cells as the table's header. Returns the tables, so a caller can say how many it expected."""
    found = tables(text)
    for table in found:
        for line in table:
            assert line.endswith("|"), f"a row broken by its data: {line!r}"
        widths = [len(cells(line)) for line in table]
        assert set(widths) == {widths[0]}, "\n".join(table)
    return found
