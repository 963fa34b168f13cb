"""The post-incident report as data: the JSON it is written as, and the context its templates read.

These models ARE the documented schema: ``reports/post-incident-report.schema.json`` is generated from
them (``python -m reports.schema``) and a test keeps the committed file equal to the generated one.

Conventions of the whole document:

- every timestamp is ISO 8601 in UTC; ``timezone`` names the customer's zone, which the HTML and
  Markdown reports show beside UTC;
- the ``incident`` is the investigation's conclusion as it drew it (``checks.incident.model``);
- findings, hosts, logs and hours have the health-check report's shapes;
- ``null`` means "not collected", an empty list means "collected, and there was nothing".
"""

from __future__ import annotations

from typing import Final, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, NonNegativeInt, PositiveInt

from checks.incident.model import Incident
from collectors.logs.model import LogAnalysis
from reports.hosts_model import ReportHost
from reports.model import ReportFinding, ReportHours

POST_INCIDENT_SCHEMA_VERSION: Final = 1


class _Model(BaseModel):
    # Fields with defaults are always written, so the schema of the output lists them as required.
    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_serialization_defaults_required=True)


class NoteSection(_Model):
    """A section of the notes file under a heading the report does not know: kept as written."""

    title: str = Field(description="The heading as the engineer wrote it.")
    text: str = Field(description="The section's Markdown, as written (the report shows it escaped).")


class IncidentNotes(_Model):
    """The sections the engineer writes, read from the notes file (Markdown, kept as written).

    An empty string: the section was not written (yet). The report shows every section escaped: a
    small part of Markdown (paragraphs, lists, bold, code) is laid out, nothing else is markup.
    """

    what_went_well: str = Field(default="", description="What went well.")
    what_went_badly: str = Field(default="", description="What went badly.")
    where_we_got_lucky: str = Field(default="", description="Where we got lucky.")
    resolution: str = Field(default="", description="How the incident was resolved.")
    other: list[NoteSection] = Field(
        default_factory=list, description="Any other sections of the notes file, in the file's order."
    )


class TrafficPoint(_Model):
    """One bucket of one node's requests."""

    at: AwareDatetime = Field(description="Start of the bucket.")
    requests: NonNegativeInt
    errors_5xx: NonNegativeInt = Field(description="Requests answered with a 5xx status.")
    error_rate: float | None = Field(description="5xx as a share of the requests, in %; null: no requests.")
    p95_ms: float | None = Field(description="95th percentile response time; null: not known.")


class NodeTraffic(_Model):
    """One node's access-log series over the chart window."""

    node: str = Field(description="The node, named with its product when the logs hold several products.")
    product: str | None = Field(description="The product whose access log it is, when known.")
    points: list[TrafficPoint]


class GcPoint(_Model):
    """One bucket of one node's GC pauses."""

    at: AwareDatetime = Field(description="Start of the bucket.")
    pauses: NonNegativeInt
    pause_ms: float = Field(description="Total stop-the-world time in the bucket.")
    share: float = Field(description="Pause time as a share of the bucket, 0-1.")


class HeapSample(_Model):
    at: AwareDatetime
    after_mb: float = Field(description="Heap occupancy after a collection, in MB.")


class NodeGc(_Model):
    """One node's GC series over the chart window."""

    node: str
    pauses: list[GcPoint]
    heap: list[HeapSample]


class IncidentSeries(_Model):
    """The series the report's charts are drawn from: per node, cut to the chart window (the incident
    with the baseline before it and the time after it; the whole evidence when no incident was found)."""

    window_from: AwareDatetime | None = Field(description="Start of the chart window; null: no series.")
    window_to: AwareDatetime | None = Field(description="End of the chart window; null: no series.")
    bucket_s: PositiveInt = Field(description="Width of every bucket in seconds.")
    traffic: list[NodeTraffic] = Field(description="Error rate and p95 per node, from the access logs.")
    gc: list[NodeGc] = Field(description="GC pauses and heap per node, from the GC logs.")


class PostIncidentReport(_Model):
    """An atlas-health post-incident report for one customer.

    Every timestamp is ISO 8601 in UTC; ``timezone`` names the zone the HTML and Markdown reports show
    beside UTC. null means "not collected"; an empty list means "collected, and there was nothing".
    """

    model_config = ConfigDict(title="atlas-health post-incident report")

    schema_version: Literal[1] = Field(
        default=POST_INCIDENT_SCHEMA_VERSION,
        description="Version of this document's shape; bumped on breaking change.",
    )
    kind: Literal["post-incident"] = Field(default="post-incident", description="What report this is.")
    report_id: str = Field(
        description=(
            "Stable id of this report: the same collection, customer and evidence span always give the "
            "same id, so rendering it again (with new notes) is not logged twice."
        )
    )
    generated_at: AwareDatetime = Field(description="When the report was written.")
    tool_version: str = Field(description="The atlas-health version that wrote the report.")
    customer: str = Field(description="The customer the report is for; it holds nothing of any other.")
    timezone: str = Field(description='IANA time zone the report shows beside UTC, e.g. "Europe/Berlin".')
    summary: str = Field(description="What happened, in plain words: for how long, to whom, and why.")
    incident: Incident = Field(description="What the investigation concluded.")
    evidence_sources: list[str] = Field(
        description="What the evidence was read from, one line per kind of source."
    )
    limits_hit: list[str] = Field(
        description="Budgets and limits that cut collection short; the conclusions may be incomplete."
    )
    findings: list[ReportFinding] = Field(
        description="The checks' findings on the same collection, worst first (the health check's shape)."
    )
    hosts: list[ReportHost] = Field(
        default_factory=list, description="The machines, when hosts were collected."
    )
    logs: LogAnalysis | None = Field(
        default=None, description="What the customer's logs said over the window; null: no logs were read."
    )
    hours: ReportHours | None = Field(
        default=None,
        description="Support hours logged for this report; null: not logged (no contract, or not yet).",
    )
    notes: IncidentNotes = Field(description="The sections the engineer writes, from the notes file.")
    series: IncidentSeries = Field(description="The series the charts are drawn from.")
