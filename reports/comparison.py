"""Comparing a health-check report with the customer's previous one.

The previous report is read back from its JSON, which may come from anywhere (a file a user names, a
folder others can write to): only the few fields the comparison needs are read, each validated and
bounded, and anything wrong is a ``PreviousReportError`` with one line saying what and how to fix it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from checks.finding import Severity
from reports.comparison_model import Change, ComparedFinding, ReportComparison
from reports.model import HealthCheckReport, ReportFinding

MAX_PREVIOUS_BYTES = 64 * 1024 * 1024  # a fleet's report with a week of logs stays far below this
MAX_PREVIOUS_FINDINGS = 100_000
MAX_ID_CHARS = 200  # fingerprints, report ids, check ids
MAX_NAME_CHARS = 1_000  # customer and target names
MAX_TITLE_CHARS = 500  # longer titles are cut, not refused: a title is text for people


class PreviousReportError(ValueError):
    """The previous report cannot be used; the message is one line naming the file and the fix."""


# --- reading the previous report ------------------------------------------------------------------


class _Read(BaseModel):
    # strict: a number is not a string, a string is not a date; extra fields are not even looked at
    model_config = ConfigDict(extra="ignore", strict=True, frozen=True)


class _PreviousFinding(_Read):
    fingerprint: str = Field(min_length=1, max_length=MAX_ID_CHARS)
    severity: Severity
    check: str = Field(min_length=1, max_length=MAX_ID_CHARS)
    target: str = Field(max_length=MAX_NAME_CHARS)
    title: str


class _PreviousReport(_Read):
    schema_version: Literal[1]
    report_id: str = Field(min_length=1, max_length=MAX_ID_CHARS)
    generated_at: AwareDatetime
    customer: str = Field(min_length=1, max_length=MAX_NAME_CHARS)
    findings: list[_PreviousFinding] = Field(max_length=MAX_PREVIOUS_FINDINGS)


@dataclass(frozen=True)
class PreviousFinding:
    fingerprint: str
    severity: Severity
    check: str
    target: str
    title: str


@dataclass(frozen=True)
class PreviousReport:
    """What the comparison needs of a previous health-check report."""

    source: str  # where it was read, for messages
    report_id: str
    generated_at: datetime
    customer: str
    findings: tuple[PreviousFinding, ...]


def _cut(text: str, limit: int = MAX_TITLE_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _first_problem(exc: ValidationError) -> str:
    error = exc.errors(include_url=False, include_input=False)[0]
    where = ".".join(str(part) for part in error["loc"]) or "the document"
    return f"{where}: {error['msg']}"


def parse_previous(data: bytes, source: str) -> PreviousReport:
    """The previous report in ``data`` (the JSON atlas-health wrote); raises PreviousReportError."""
    if len(data) > MAX_PREVIOUS_BYTES:
        raise PreviousReportError(
            f"{source}: larger than {MAX_PREVIOUS_BYTES // (1024 * 1024)} MiB, not a health-check report "
            "atlas-health wrote: name the .json report of the previous health check"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise PreviousReportError(
            f"{source}: not UTF-8 text: name the .json report of the previous health check"
        ) from None
    try:
        parsed = _PreviousReport.model_validate_json(text)
    except ValidationError as exc:
        if exc.errors()[0]["type"] == "json_invalid":
            raise PreviousReportError(
                f"{source}: not JSON ({exc.errors()[0]['msg']}): name the .json report of the previous "
                "health check, whole"
            ) from None
        raise PreviousReportError(
            f"{source}: not an atlas-health health-check report ({_first_problem(exc)}): name the .json "
            "report a health check wrote"
        ) from None
    return PreviousReport(
        source=source,
        report_id=parsed.report_id,
        generated_at=parsed.generated_at,
        customer=parsed.customer,
        findings=tuple(
            PreviousFinding(f.fingerprint, f.severity, f.check, f.target, _cut(f.title))
            for f in parsed.findings
        ),
    )


# --- comparing ------------------------------------------------------------------------------------


def _order(item: ComparedFinding) -> tuple[int, str, str, str]:
    severity = item.severity if item.severity not in (None, Severity.OK) else item.previous_severity
    rank = severity.rank if severity is not None else 0
    return (-rank, item.target, item.check, item.fingerprint)


def _change(now: Severity, before: Severity) -> Change:
    if now.rank > before.rank:
        return "worse"
    if now.rank < before.rank:
        return "better"
    return "same"


def _problems_now(findings: Iterable[ReportFinding]) -> dict[str, ReportFinding]:
    found: dict[str, ReportFinding] = {}
    for f in findings:  # worst first: a fingerprint given twice keeps its worst
        if f.severity is not Severity.OK:
            found.setdefault(f.fingerprint, f)
    return found


def _problems_before(findings: Iterable[PreviousFinding]) -> dict[str, PreviousFinding]:
    found: dict[str, PreviousFinding] = {}
    for f in findings:
        if f.severity is not Severity.OK:
            kept = found.get(f.fingerprint)
            if kept is None or f.severity.rank > kept.severity.rank:
                found[f.fingerprint] = f
    return found


def compare(report: HealthCheckReport, previous: PreviousReport) -> ReportComparison:
    """New, resolved and unchanged findings of ``report`` against ``previous`` (not-ok findings only)."""
    now = _problems_now(report.findings)
    before = _problems_before(previous.findings)
    ok_now = {f.fingerprint for f in report.findings if f.severity is Severity.OK}
    new: list[ComparedFinding] = []
    unchanged: list[ComparedFinding] = []
    resolved: list[ComparedFinding] = []
    for fp, f in now.items():
        old = before.get(fp)
        unchanged_or_new = ComparedFinding(
            fingerprint=fp,
            check=f.check,
            target=f.target,
            title=f.title,
            severity=f.severity,
            previous_severity=None if old is None else old.severity,
            change=None if old is None else _change(f.severity, old.severity),
        )
        (new if old is None else unchanged).append(unchanged_or_new)
    for fp, old in before.items():
        if fp not in now:
            resolved.append(
                ComparedFinding(
                    fingerprint=fp,
                    check=old.check,
                    target=old.target,
                    title=old.title,
                    severity=Severity.OK if fp in ok_now else None,
                    previous_severity=old.severity,
                    change=None,
                )
            )
    return ReportComparison(
        previous_report_id=previous.report_id,
        previous_generated_at=previous.generated_at.astimezone(report.generated_at.tzinfo),
        new=sorted(new, key=_order),
        resolved=sorted(resolved, key=_order),
        unchanged=sorted(unchanged, key=_order),
    )


def with_comparison(report: HealthCheckReport, previous: PreviousReport) -> HealthCheckReport:
    """``report`` carrying its comparison with ``previous``; raises PreviousReportError when
    ``previous`` is another customer's report or not an earlier one."""
    if previous.customer != report.customer:
        raise PreviousReportError(
            f"{previous.source}: a report of customer {_cut(previous.customer, 80)!r}, not of "
            f"{report.customer!r}: name a report of the same customer"
        )
    if previous.generated_at >= report.generated_at:
        raise PreviousReportError(
            f"{previous.source}: written {previous.generated_at.isoformat()}, not before this report "
            f"({report.generated_at.isoformat()}): name an earlier report"
        )
    return report.model_copy(update={"comparison": compare(report, previous)})
