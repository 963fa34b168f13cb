"""atlas-health's public API for check authors: everything a plugin check needs, under one name.

    from atlas_health import Category, CheckMeta, InstanceCheck, InstanceContext, Severity

A check derives from ``InstanceCheck`` (once per product instance, ``ctx.instance``), ``HostCheck``
(once per host, ``ctx.host``) or ``LogsCheck`` (once per customer's log analysis, ``ctx.logs``),
declares a ``CheckMeta`` and yields ``Finding``s from ``run(ctx)``, built with ``ctx.finding`` and
``ctx.ok``. ``atlas_health.testing`` has the snapshot factories and the harness to test it.
"""

from __future__ import annotations

from checks.base import Check, HostCheck, InstanceCheck, LogsCheck, SkipCheck, collected
from checks.context import CheckContext, HostContext, InstanceContext, LogsContext
from checks.finding import Category, Evidence, Finding, Severity
from checks.metadata import CheckMeta, Threshold
from checks.registry import ENTRY_POINT_GROUP

__all__ = [
    "ENTRY_POINT_GROUP",
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
    "Threshold",
    "collected",
]
