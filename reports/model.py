"""The health-check report as data: the JSON a report is written as, and the context its templates read.

These models ARE the documented schema: ``reports/health-check-report.schema.json`` is generated from
them (``python -m reports.schema``) and a test keeps the committed file equal to the generated one.
Descriptions written here end up in the schema, so they are written for the reader of the JSON.

Conventions of the whole document:

- every timestamp is ISO 8601 with an offset, expressed in the report's ``timezone``;
- severities are ``ok``, ``info``, ``warning``, ``critical`` and ``unknown``; "worst" ranks them
  critical > warning > unknown > info > ok (``checks.finding.Severity.rank``);
- ``null`` means "not collected", an empty list means "collected, and there was nothing".
"""

from __future__ import annotations

from typing import Final, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, NonNegativeInt

from checks.finding import Category, Evidence, Finding, Severity
from collectors.logs.model import LogAnalysis
from collectors.model import Deployment, Product
from reports.comparison_model import ReportComparison
from reports.hosts_model import ReportHost
from reports.product_sections import ProductFacts
from reports.trends_model import TrendSeries

REPORT_SCHEMA_VERSION: Final = 1

EvidenceValue = str | bool | int | float | None


class _Model(BaseModel):
    # Fields with defaults are always written, so the schema of the output lists them as required.
    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_serialization_defaults_required=True)


class SeverityCounts(_Model):
    """How many findings there are of each severity (every severity is present, zeros included)."""

    ok: NonNegativeInt = Field(default=0, description="Checked and fine.")
    info: NonNegativeInt = Field(default=0, description="Worth knowing, nothing to fix.")
    warning: NonNegativeInt = Field(default=0, description="Needs attention soon.")
    critical: NonNegativeInt = Field(default=0, description="Needs attention now.")
    unknown: NonNegativeInt = Field(
        default=0, description="Could not be decided: a check failed or lacked data."
    )


class TargetNode(_Model):
    """One node of a clustered (Data Center) instance, as its cluster endpoint reported it."""

    node_id: str = Field(description="The node id the product uses.")
    state: str | None = Field(description="The node's state as the product says it (ACTIVE, OFFLINE, ...).")
    alive: bool | None = Field(description="Whether the product considers the node alive; null if not said.")


class TargetSummary(_Model):
    """One product instance of the customer and how it fared."""

    name: str = Field(description="The instance name from the configuration; findings use it as target.")
    product: Product = Field(description="The Atlassian product (fecru is Fisheye/Crucible).")
    deployment: Deployment = Field(description="datacenter, server or cloud.")
    url: str = Field(description="The configured base URL (credentials never included).")
    version: str | None = Field(description="The product version it reported; null if not collected.")
    nodes: list[TargetNode] | None = Field(
        description="Cluster nodes; empty for a non-clustered instance, null if not collected (and on Cloud)."
    )
    overall: Severity = Field(
        description=(
            "The worst severity among the findings on this instance and on its nodes "
            "(targets 'instance/node'); ok when checks ran and found nothing, unknown when no check "
            "produced a result for it."
        )
    )
    worst_finding: str | None = Field(
        description="Title of the worst finding on this instance or its nodes; null when overall is ok."
    )
    counts: SeverityCounts = Field(description="Findings on this instance and its nodes, by severity.")
    collected_at: AwareDatetime = Field(description="When collection from this instance finished.")
    collection_errors: NonNegativeInt = Field(
        description="How many calls to this instance failed during collection."
    )
    facts: ProductFacts | None = Field(
        default=None, description="The product's own facts, shown in its section; null: not built."
    )


class ReportEvidence(_Model):
    """One fact behind a finding: a number, a line or a payload excerpt, with where and when."""

    label: str = Field(description='What the value is, e.g. "issues in index".')
    value: EvidenceValue = Field(
        description="A plain JSON scalar; anything else a check supplied is written as its JSON text."
    )
    source: str | None = Field(description='Where it was read, e.g. "GET /rest/api/2/index/summary".')
    time: AwareDatetime | None = Field(description="When it was observed, if known.")


class ReportFinding(_Model):
    """What one check concluded about one target. The customer is the report's own."""

    check: str = Field(description="Dotted check id, e.g. jira.index.consistency.")
    severity: Severity = Field(description="ok, info, warning, critical or unknown.")
    category: Category = Field(description="The area the finding is about.")
    target: str = Field(description='The instance name, or "instance/node" for a node.')
    title: str = Field(description="One line saying what was found.")
    message: str = Field(description="The explanation, possibly several lines.")
    evidence: list[ReportEvidence] = Field(description="The facts the conclusion rests on.")
    recommendation: str = Field(description="What to do about it; empty when nothing needs doing.")
    references: list[str] = Field(description="Knowledge-base and documentation links.")
    fingerprint: str = Field(
        description="Stable id of this problem on this target across runs, for de-duplication."
    )

    def to_finding(self, customer: str) -> Finding:
        """The check's Finding this entry was written from (reading a stored report back)."""
        return Finding(
            customer=customer,
            **self.model_dump(exclude={"evidence"}),
            evidence=[Evidence(**e.model_dump()) for e in self.evidence],
        )


class Summary(_Model):
    """The verdict for the whole report."""

    overall: Severity = Field(
        description=(
            "The worst of all findings and all instances' overall status; unknown if nothing was checked."
        )
    )
    exit_code: int = Field(
        ge=0,
        le=3,
        description="Nagios-style code of overall: 0 ok or info, 1 warning, 2 critical, 3 unknown.",
    )
    counts: SeverityCounts = Field(description="All findings of the report, by severity.")
    targets: NonNegativeInt = Field(description="How many instances the report covers.")
    checks_run: NonNegativeInt = Field(
        description="Check executions (one per check and instance) that ran to completion."
    )
    checks_skipped: NonNegativeInt = Field(
        description="Check executions skipped because their data was absent or they did not apply."
    )
    checks_failed: NonNegativeInt = Field(
        description=(
            "Check executions that crashed or overran their budget (each also gives an unknown finding)."
        )
    )
    limits_hit: list[str] = Field(
        description="Budgets and limits that cut collection or analysis short, one sentence each."
    )


class SkippedCheck(_Model):
    """A check that did not run on a target, and why."""

    check: str = Field(description="Dotted check id.")
    target: str = Field(description="The instance it was not run on.")
    reason: str = Field(description="Why, e.g. the collection error that left its data missing.")


class InventoryNode(_Model):
    """One cluster node."""

    node_id: str
    state: str | None = Field(description="ACTIVE, PASSIVE, OFFLINE, ... as the product says it.")
    alive: bool | None
    version: str | None = Field(description="The product version the node runs.")
    ip: str | None = Field(description="The node's address as the cluster reports it.")


class InventoryLicense(_Model):
    """One licence (Jira has one per application)."""

    application: str = Field(description='The licensed application, e.g. "jira-software".')
    type: str | None = Field(description="COMMERCIAL, EVALUATION, ACADEMIC, DEVELOPER, ...")
    expiry: AwareDatetime | None = Field(description="null: the licence does not expire (or was not said).")
    seats_used: int | None
    seats_allowed: int | None = Field(description="null: unlimited or not said.")


class InventoryApp(_Model):
    """A user-installed app (plugin)."""

    key: str = Field(description="The app's plugin key.")
    name: str | None
    version: str | None
    vendor: str | None
    enabled: bool


class InventoryInstance(_Model):
    """What one instance is: versions, nodes, licences and apps."""

    name: str = Field(description="The instance name from the configuration.")
    product: Product
    version: str | None = Field(description="The product version; null if not collected.")
    build: str | None = Field(description="The product build number; null if not collected.")
    deployment: Deployment
    base_url: str | None = Field(
        description="The base URL the product itself reports (may differ from the configured url)."
    )
    nodes: list[InventoryNode] | None = Field(description="null: not collected.")
    licenses: list[InventoryLicense] | None = Field(description="null: not collected.")
    apps: list[InventoryApp] | None = Field(description="null: not collected.")


class Inventory(_Model):
    """The appendix: what each instance is made of."""

    instances: list[InventoryInstance]


class ReportHours(_Model):
    """Support hours this report was logged as, against the customer's pay-as-you-go balance."""

    minutes_logged: NonNegativeInt = Field(description="Minutes logged for this report; 0 when not logged.")
    entry_id: int | None = Field(description="The hours-ledger entry recording it; null when not logged.")
    balance_minutes: int | None = Field(
        description="PAYG minutes left after logging, negative in overdraft; null: the ledger was unreadable."
    )
    notice: str | None = Field(description="A low-balance warning, or why the report was not logged.")


class HealthCheckReport(_Model):
    """An atlas-health health-check report for one customer.

    Every timestamp is ISO 8601 with an offset, expressed in the report's timezone. Severities are
    ok, info, warning, critical and unknown; "worst" ranks them critical > warning > unknown > info
    > ok. null means "not collected"; an empty list means "collected, and there was nothing".
    """

    model_config = ConfigDict(title="atlas-health health-check report")

    schema_version: Literal[1] = Field(
        default=REPORT_SCHEMA_VERSION,
        description="Version of this document's shape; bumped on breaking change.",
    )
    report_id: str = Field(
        description="Stable id of this report: the same collection and customer always give the same id."
    )
    generated_at: AwareDatetime = Field(description="When the report was written.")
    tool_version: str = Field(description="The atlas-health version that wrote the report.")
    customer: str = Field(description="The customer the report is for; it holds nothing of any other.")
    timezone: str = Field(description='IANA time zone every timestamp is expressed in, e.g. "UTC".')
    targets: list[TargetSummary]
    findings: list[ReportFinding] = Field(
        description="Every finding, worst first, then by target, check and fingerprint."
    )
    summary: Summary
    skipped: list[SkippedCheck] = Field(description="Checks that did not run, by target and check.")
    inventory: Inventory
    hosts: list[ReportHost] = Field(
        default_factory=list, description="The machines the products run on, when hosts are configured."
    )
    hours: ReportHours | None = Field(
        default=None, description="Support hours logged for this report; null: the customer has no contract."
    )
    logs: LogAnalysis | None = Field(
        default=None,
        description=(
            "What the customer's logs said over the analysed window (signatures, events by level, "
            "exceptions, GC, access, logins, restarts, the files read), as the log analysis produced it, "
            "times in the report's timezone; null: no logs were analysed."
        ),
    )
    comparison: ReportComparison | None = Field(
        default=None,
        description=(
            "What changed since the customer's previous report: new, resolved and unchanged findings "
            "(not-ok ones only, matched by fingerprint); null: no previous report was compared."
        ),
    )
    trends: list[TrendSeries] | None = Field(
        default=None,
        description=(
            "Figures of earlier runs the service recorded, this run's last, with a fitted line: used "
            "space per host filesystem, response time and licence seats per instance; null: no history "
            "(a one-off check)."
        ),
    )
