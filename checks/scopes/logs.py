"""The logs scope: checks that run once per customer's log analysis (``LogsContext``).

Thresholds are the configured per-check values; there is no per-target override, as logs are not
tied to one instance.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from checks.context import LOGS_SUBJECT, LogsContext
from checks.metadata import CheckMeta, Threshold
from checks.scopes.base import Scope, lookup, words
from collectors.logs.model import LogAnalysis
from collectors.model import Snapshot
from collectors.products import Product

# What to give `atlas-health analyze` so that a logs check has its data, by LogAnalysis field.
_MISSING = {
    "gc": "no GC log was analysed: give the GC logs to analyze (atlassian-jira-gc-*.log, gc*.log; "
    "written with -Xlog:gc* or -Xloggc)",
    "access": "no access log was analysed: give the access logs to analyze (access_log.*, "
    "conf_access_log.*.log, atlassian-bitbucket-access.log)",
    "security": "no security log was analysed: give atlassian-jira-security.log to analyze",
}


def analysis_products(analysis: LogAnalysis) -> set[str]:
    """The products whose log files were read (GC logs and unknown files name none)."""
    return {f.kind.product for f in analysis.files if f.kind.product is not None}


class LogsScope(Scope[LogAnalysis, LogsContext]):
    name = "logs"
    fields = frozenset(LogAnalysis.model_fields)

    def subjects(self, snapshot: Snapshot) -> Iterable[LogAnalysis]:
        return snapshot.logs

    def applies(self, meta: CheckMeta, subject: LogAnalysis) -> bool:
        """A logs check applies when it is product-neutral or a file of one of its products was read."""
        if set(meta.products) == set(Product):
            return True
        return bool(analysis_products(subject) & {p.value for p in meta.products})

    def skip_reason(self, subject: LogAnalysis, requires: Iterable[str]) -> str | None:
        missing = [f for f in requires if lookup(subject, f) is None]
        if not missing:
            return None
        first = missing[0].split(".", 1)[0]
        return _MISSING.get(first, f"no {words(first)} in the log analysis")

    def label(self, subject: LogAnalysis) -> tuple[str, str]:
        return subject.customer, LOGS_SUBJECT

    def override_key(self, subject: LogAnalysis) -> str | None:
        return None

    def context(
        self, meta: CheckMeta, subject: LogAnalysis, thresholds: Mapping[str, Threshold]
    ) -> LogsContext:
        return LogsContext(meta=meta, logs=subject, thresholds=thresholds)


LOGS_SCOPE = LogsScope()
