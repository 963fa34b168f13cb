"""Pure analysis: checks turn a Snapshot into Findings.

Plugin authors import the check API from ``atlas_health``; the names here are the same objects. They
are loaded on first use (PEP 562), so that importing a light part of the package (the signature
knowledge base, for reading logs) does not build every check model first.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "Check": "checks.base",
    "HostCheck": "checks.base",
    "InstanceCheck": "checks.base",
    "LogsCheck": "checks.base",
    "SkipCheck": "checks.base",
    "collected": "checks.base",
    "CheckContext": "checks.context",
    "HostContext": "checks.context",
    "InstanceContext": "checks.context",
    "LogsContext": "checks.context",
    "Category": "checks.finding",
    "Evidence": "checks.finding",
    "Finding": "checks.finding",
    "Severity": "checks.finding",
    "CheckMeta": "checks.metadata",
}

__all__ = [
    "Category",
    "Check",
    "CheckContext",
    "CheckMeta",
    "Evidence",
    "Finding",
    "HostCheck",
    "HostContext",
    "InstanceCheck",
    "InstanceContext",
    "LogsCheck",
    "LogsContext",
    "Severity",
    "SkipCheck",
    "collected",
]

if TYPE_CHECKING:
    from checks.base import Check, HostCheck, InstanceCheck, LogsCheck, SkipCheck, collected
    from checks.context import CheckContext, HostContext, InstanceContext, LogsContext
    from checks.finding import Category, Evidence, Finding, Severity
    from checks.metadata import CheckMeta


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'checks' has no attribute {name!r}")
    return getattr(import_module(module), name)
