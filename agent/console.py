"""The agent's consoles, created on first use, so that importing the CLI does not load rich
(CONTRIBUTING.md, "Lazy imports")."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console


@functools.cache
def stderr() -> Console:
    """Progress and messages; stdout stays for the requested output."""
    from rich.console import Console

    return Console(stderr=True, soft_wrap=True, highlight=False)


def stdout() -> Console:
    """A fresh console on stdout, for tables and summaries."""
    from rich.console import Console

    return Console()


def escape(text: str) -> str:
    """``text`` with rich markup escaped, so names and paths print as they are."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)
