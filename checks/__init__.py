"""Pure analysis: checks turn a Snapshot into Findings. Public API for check authors.

The names are loaded on first use (PEP 562; CONTRIBUTING.md, "Lazy imports").
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "Check": "checks.base",
    "CheckContext": "checks.base",
    "Category": "checks.finding",
    "Evidence": "checks.finding",
    "Finding": "checks.finding",
    "Severity": "checks.finding",
    "CheckMeta": "checks.metadata",
    "SkipCheck": "checks.runner",
}

__all__ = ["Category", "Check", "CheckContext", "CheckMeta", "Evidence", "Finding", "Severity", "SkipCheck"]

if TYPE_CHECKING:
    from checks.base import Check, CheckContext
    from checks.finding import Category, Evidence, Finding, Severity
    from checks.metadata import CheckMeta
    from checks.runner import SkipCheck


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'checks' has no attribute {name!r}")
    return getattr(import_module(module), name)
