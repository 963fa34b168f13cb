"""What the runner needs for logs-scoped checks: which apply to an analysis, why one is skipped, its time.

A logs check runs once per LogAnalysis (one per customer). Its findings' targets start with "logs":
"logs" for the analysis as a whole, "logs/node1" for one node (``ctx.finding(node=...)``), so a
report can put them in a section of their own next to the instances and hosts. Thresholds are the
configured per-check values; there is no per-instance override, as logs are not tied to one instance.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from checks.metadata import CheckMeta, Threshold
from collectors.logs.model import LogAnalysis
from collectors.model import Product

LOGS_SUBJECT = "logs"
# The time of an analysis that saw no timed event and had no window: fixed, never the wall clock,
# so analysing the same logs twice gives the same findings.
NO_TIME = datetime(1970, 1, 1, tzinfo=UTC)

# What to give `atlas-health analyze` so that a logs check has its data, by LogAnalysis field.
_MISSING = {
    "gc": "no GC log was analysed: give the GC logs to analyze (atlassian-jira-gc-*.log, gc*.log; "
    "written with -Xlog:gc* or -Xloggc)",
    "access": "no access log was analysed: give the access logs to analyze (access_log.*, "
    "conf_access_log.*.log, atlassian-bitbucket-access.log)",
    "security": "no security log was analysed: give atlassian-jira-security.log to analyze",
}


def logs_now(analysis: LogAnalysis) -> datetime:
    """The analysis' own "now": the last event seen, else the window's end, else its start."""
    for moment in (analysis.last_at, analysis.until, analysis.first_at, analysis.since):
        if moment is not None:
            return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return NO_TIME


def analysis_products(analysis: LogAnalysis) -> set[str]:
    """The products whose log files were read (GC logs and unknown files name none)."""
    return {f.kind.product for f in analysis.files if f.kind.product is not None}


def logs_applies(meta: CheckMeta, analysis: LogAnalysis) -> bool:
    """A logs check applies when it is product-neutral or a file of one of its products was read."""
    if meta.scope != "logs":
        return False
    if set(meta.products) == set(Product):
        return True
    return bool(analysis_products(analysis) & {p.value for p in meta.products})


def _lookup(analysis: LogAnalysis, path: str) -> object | None:
    value: object | None = analysis
    for part in path.split("."):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value


def logs_skip_reason(analysis: LogAnalysis, fields: Iterable[str]) -> str | None:
    """Why the log data a check needs is missing, or None when it is all there."""
    missing = [f for f in fields if _lookup(analysis, f) is None]
    if not missing:
        return None
    first = missing[0].split(".", 1)[0]
    return _MISSING.get(first, f"no {first.replace('_', ' ')} in the log analysis")


def logs_thresholds(check_id: str, defaults: Mapping[str, Mapping[str, Threshold]]) -> dict[str, Threshold]:
    """The configured thresholds of a logs check (global per check: logs belong to no one instance)."""
    return dict(defaults.get(check_id, {}))
