"""jira.index.consistency: does Jira's issue index hold the same issues as its database?"""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import InstanceCheck, collected
from checks.context import InstanceContext
from checks.finding import Category, Evidence, Finding, Severity
from checks.instance._calls import moment, source
from checks.metadata import CheckMeta
from collectors.model import IndexSummary
from collectors.products import Product

INDEX_ANALYZER_KB = (
    "https://support.atlassian.com/jira/kb/how-to-use-jiras-index-analyzer-to-fix-index-inconsistencies"
)
INDEX_TROUBLESHOOTING_KB = "https://support.atlassian.com/jira/kb/indexing-inconsistency-troubleshooting"


def difference_percent(in_database: int, in_index: int) -> float:
    """How far the index count is from the database count, as a percentage of the database count."""
    if in_database <= 0:
        return 0.0 if in_index == 0 else 100.0
    return abs(in_database - in_index) / in_database * 100


class JiraIndexConsistency(InstanceCheck):
    meta = CheckMeta(
        id="jira.index.consistency",
        title="Jira index consistency",
        description=(
            "Compares the issue count in Jira's database with the count in the issue index of the node "
            "that answered (/rest/api/2/index/summary). A missing or stale index makes searches, boards "
            "and filters wrong. ATST's own index check tolerates 10 %."
        ),
        category=Category.INTEGRITY,
        default_severity=Severity.CRITICAL,
        products=(Product.JIRA,),
        requires=("index",),
        thresholds={"warning_percent": 1, "critical_percent": 10},
        references=(INDEX_ANALYZER_KB, INDEX_TROUBLESHOOTING_KB),
    )

    def run(self, ctx: InstanceContext) -> Iterator[Finding]:
        inst = ctx.instance
        index = collected(inst.index, "index")
        src = source(inst, "index")
        node = f" on node {index.node_id}" if index.node_id else ""
        evidence = _evidence(index, src)

        if index.index_readable is False:
            yield ctx.finding(
                Severity.CRITICAL,
                "Jira issue index is not readable",
                f"The issue index{node} cannot be read: searches, boards and filters fail or return nothing.",
                evidence=evidence,
                recommendation=(
                    "Check the index directory (disk full, permissions, NFS) in atlassian-jira.log. On Data "
                    "Center, restore the node's index from a fresh index snapshot or copy it from a healthy "
                    "node; otherwise run a full reindex."
                ),
            )
            return
        in_db, in_index = index.count_in_database, index.count_in_index
        if in_db is None or in_index is None:
            yield ctx.finding(
                Severity.UNKNOWN,
                "Jira index counts not reported",
                f"The index summary{node} did not report both issue counts (database {in_db}, index "
                f"{in_index}), so consistency cannot be judged.",
                evidence=evidence,
                recommendation="Check the index summary answer, or ask the index analyzer.",
            )
            return
        percent = difference_percent(in_db, in_index)
        diff = in_db - in_index
        evidence.append(
            Evidence(label="difference percent", value=round(percent, 3), source=src, time=index.report_time)
        )
        if diff > 0:
            shape = f"{diff:,} issues in the database are missing from the index"
        elif diff < 0:
            shape = f"the index holds {-diff:,} issues more than the database (deleted issues still found)"
        else:
            shape = "the counts match"
        counts = f"database {in_db:,} issues, index {in_index:,}{node}"
        critical = ctx.threshold("critical_percent")
        warning = ctx.threshold("warning_percent")
        if percent >= critical:
            severity: Severity | None = Severity.CRITICAL
            limit = critical
        elif percent >= warning:
            severity, limit = Severity.WARNING, warning
        else:
            severity, limit = None, warning
        if severity is None:
            yield ctx.ok(
                "Jira index is consistent",
                f"The issue index matches the database ({counts}; {shape}, {percent:.2f} %, "
                f"warning from {limit} %).",
                evidence=evidence,
            )
            return
        yield ctx.finding(
            severity,
            "Jira index is inconsistent with the database",
            f"{shape[0].upper()}{shape[1:]}: {counts}, a {percent:.1f} % difference ({severity.value} from "
            f"{limit} %). Searches, boards and filters show wrong results.",
            evidence=evidence,
            recommendation=(
                "Run the index analyzer (/rest/indexanalyzer/1/state, Jira 8.4+) on each node to find the "
                "issues, and heal them (/rest/indexanalyzer/1/heal) or run a background reindex "
                "(Administration > System > Indexing); a full reindex only if that fails."
            ),
        )


def _evidence(index: IndexSummary, src: str) -> list[Evidence]:
    at = index.report_time
    lag = None
    if index.last_updated_in_database is not None and index.last_updated_in_index is not None:
        lag = round((index.last_updated_in_database - index.last_updated_in_index).total_seconds(), 1)
    return [
        Evidence(label="node", value=index.node_id, source=src, time=at),
        Evidence(label="index readable", value=index.index_readable, source=src, time=at),
        Evidence(label="issues in database", value=index.count_in_database, source=src, time=at),
        Evidence(label="issues in index", value=index.count_in_index, source=src, time=at),
        Evidence(label="issues in archive", value=index.count_in_archive, source=src, time=at),
        Evidence(
            label="last update in database",
            value=moment(index.last_updated_in_database) if index.last_updated_in_database else None,
            source=src,
            time=at,
        ),
        Evidence(
            label="last update in index",
            value=moment(index.last_updated_in_index) if index.last_updated_in_index else None,
            source=src,
            time=at,
        ),
        Evidence(label="index behind database (s)", value=lag, source=src, time=at),
    ]
