"""The comparison part of a health-check report: what changed since the customer's previous report.

Part of the report's documented schema (reports/health-check-report.schema.json). Findings are matched
by their fingerprint; only findings that are not ok count, so a finding that turned ok is resolved.
"""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from checks.finding import Severity

Change = Literal["worse", "better", "same"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_serialization_defaults_required=True)


class ComparedFinding(_Model):
    """A finding of this report, of the previous one, or of both."""

    fingerprint: str = Field(description="The finding's stable id, the key the two reports are matched by.")
    check: str = Field(description="Dotted check id.")
    target: str = Field(description="The instance, node or host it is about.")
    title: str = Field(description="Its title in this report, or in the previous one when resolved.")
    severity: Severity | None = Field(
        description="Its severity now; null when resolved (absent now), ok when resolved by turning ok."
    )
    previous_severity: Severity | None = Field(description="Its severity in the previous report; null: new.")
    change: Change | None = Field(
        description="For a finding in both reports: worse, better or same severity; null otherwise."
    )


class ReportComparison(_Model):
    """This report against the customer's previous one (not-ok findings only)."""

    previous_report_id: str = Field(description="The report_id of the previous report.")
    previous_generated_at: AwareDatetime = Field(description="When the previous report was written.")
    new: list[ComparedFinding] = Field(description="Findings now that the previous report did not have.")
    resolved: list[ComparedFinding] = Field(
        description="Findings of the previous report that are gone or ok now."
    )
    unchanged: list[ComparedFinding] = Field(
        description="Findings in both reports; change says whether the severity moved."
    )
