"""Building a health-check report from a run's Snapshot and Analysis for one customer.

All the deciding happens here (which findings belong to which instance, what "overall" is, what
counts as a limit hit); the templates only lay out the result.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from checks.finding import Evidence, Finding, Severity
from checks.runner import Analysis, CheckOutcome, OutcomeStatus, exit_code, sort_findings
from collectors.model import ErrorKind, InstanceSnapshot, Snapshot
from reports.hosts_section import build_hosts
from reports.logs_section import report_logs
from reports.model import (
    EvidenceValue,
    HealthCheckReport,
    Inventory,
    InventoryApp,
    InventoryInstance,
    InventoryLicense,
    InventoryNode,
    ReportEvidence,
    ReportFinding,
    SeverityCounts,
    SkippedCheck,
    Summary,
    TargetNode,
    TargetSummary,
)
from reports.product_sections import product_facts
from reports.report_id import health_check_report_id
from reports.trends import build_trends


def build_health_check(
    snapshot: Snapshot,
    analysis: Analysis,
    customer: str,
    *,
    generated_at: datetime,
    tz: ZoneInfo | str = "UTC",
    tool_version: str,
) -> HealthCheckReport:
    """The report of ``customer``'s part of a run, with every timestamp in ``tz``.

    Raises ValueError when ``generated_at`` is naive, ``tz`` is not a known time zone, or the run
    holds nothing at all for ``customer`` (most likely a misspelt name).
    """
    zone = _zone(tz)
    if generated_at.tzinfo is None or generated_at.utcoffset() is None:
        raise ValueError("generated_at must be timezone-aware")
    instances = snapshot.for_customer(customer)
    mine = analysis.for_customer(customer)
    logs = report_logs(snapshot, customer, zone)
    if not instances and not mine.findings and not mine.outcomes and logs is None:
        known = ", ".join(sorted(set(snapshot.customers()) | {f.customer for f in analysis.findings}))
        raise ValueError(f"the run holds nothing for customer {customer!r} (it has: {known or 'nobody'})")

    findings = sort_findings(mine.findings)
    by_target = _by_target(findings)
    targets = [_target(inst, _own(by_target, inst.instance), mine.outcomes, zone) for inst in instances]
    overall = _overall(findings, targets)
    skipped = sorted(
        (
            SkippedCheck(check=o.check, target=o.target, reason=o.reason or "not applicable")
            for o in mine.outcomes
            if o.status is OutcomeStatus.SKIPPED
        ),
        key=lambda s: (s.target, s.check),
    )
    statuses = Counter(o.status for o in mine.outcomes)
    summary = Summary(
        overall=overall,
        exit_code=exit_code(overall),
        counts=_counts(findings),
        targets=len(targets),
        checks_run=statuses[OutcomeStatus.RAN],
        checks_skipped=statuses[OutcomeStatus.SKIPPED],
        checks_failed=statuses[OutcomeStatus.CRASHED] + statuses[OutcomeStatus.TIMED_OUT],
        limits_hit=_limits_hit(snapshot, customer, instances, mine.outcomes),
    )
    return HealthCheckReport(
        report_id=health_check_report_id(customer, snapshot.started_at, snapshot.finished_at),
        generated_at=_local(generated_at, zone),
        tool_version=tool_version,
        customer=customer,
        timezone=_zone_name(zone),
        targets=targets,
        findings=[_finding(f, zone) for f in findings],
        summary=summary,
        skipped=skipped,
        inventory=Inventory(instances=[_inventory(inst, zone) for inst in instances]),
        hosts=build_hosts(snapshot, findings, mine.outcomes, customer, zone),
        logs=logs,
        trends=build_trends(snapshot, customer, zone),
    )


def _zone(tz: ZoneInfo | str) -> ZoneInfo:
    if isinstance(tz, ZoneInfo):
        return tz
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {tz!r}: use an IANA name such as 'Europe/Berlin'") from exc


def _zone_name(zone: ZoneInfo) -> str:
    return zone.key if zone.key else str(zone)


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
    """``moment`` in the report's zone; a naive time from a collector is taken as UTC."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone)


def _local_or_none(moment: datetime | None, zone: ZoneInfo) -> datetime | None:
    return None if moment is None else _local(moment, zone)


def _safe_url(url: str | None) -> str | None:
    """The URL without any user:password part (collectors redact; this is the report's own guard)."""
    if not url:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:  # a server's odd baseUrl ("http://[host/"): cut the user part by hand
        scheme, sep, rest = url.partition("://")
        end = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
        netloc = rest[:end]
        return f"{scheme}{sep}{netloc.rsplit('@', 1)[-1]}{rest[end:]}" if "@" in netloc else url
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def _worst(severities: Iterable[Severity]) -> Severity | None:
    return max(severities, key=lambda s: s.rank, default=None)


def _counts(findings: Iterable[Finding]) -> SeverityCounts:
    counted = Counter(f.severity.value for f in findings)
    return SeverityCounts(**{s.value: counted[s.value] for s in Severity})


def _by_target(findings: list[Finding]) -> dict[str, list[tuple[int, Finding]]]:
    """Findings by target, each with its place in the report's order (grouped once: a fleet's report
    would otherwise scan every finding for every instance)."""
    grouped: dict[str, list[tuple[int, Finding]]] = {}
    for index, finding in enumerate(findings):
        grouped.setdefault(finding.target, []).append((index, finding))
    return grouped


def _own(by_target: dict[str, list[tuple[int, Finding]]], name: str) -> list[Finding]:
    """The findings on instance ``name`` and on its nodes ("name/node"), in the report's order."""
    own = [
        pair
        for target, pairs in by_target.items()
        if target == name or target.startswith(name + "/")
        for pair in pairs
    ]
    return [finding for _, finding in sorted(own, key=lambda pair: pair[0])]


def _target(
    inst: InstanceSnapshot, own: list[Finding], outcomes: list[CheckOutcome], zone: ZoneInfo
) -> TargetSummary:
    """``own``: the findings on this instance and its nodes, worst first."""
    worst = _worst(f.severity for f in own)
    if worst is None:
        checked = any(o.target == inst.instance and o.status is OutcomeStatus.RAN for o in outcomes)
        worst = Severity.OK if checked else Severity.UNKNOWN
    named = own[0].title if own and worst is not Severity.OK else None
    nodes = None
    if inst.cluster is not None:
        nodes = [TargetNode(node_id=n.node_id, state=n.state, alive=n.alive) for n in inst.cluster.nodes]
    return TargetSummary(
        name=inst.instance,
        product=inst.product,
        deployment=inst.deployment,
        url=_safe_url(inst.url) or "",
        version=inst.server_info.version if inst.server_info else None,
        nodes=nodes,
        overall=worst,
        worst_finding=named,
        counts=_counts(own),
        collected_at=_local(inst.finished_at, zone),
        collection_errors=len(inst.errors),
        facts=product_facts(inst, zone),
    )


def _overall(findings: list[Finding], targets: list[TargetSummary]) -> Severity:
    worst = _worst([f.severity for f in findings] + [t.overall for t in targets])
    return Severity.UNKNOWN if worst is None else worst


def _evidence_value(value: object) -> EvidenceValue:
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    return json.dumps(value, default=str, ensure_ascii=False)


def _evidence(item: Evidence, zone: ZoneInfo) -> ReportEvidence:
    return ReportEvidence(
        label=item.label,
        value=_evidence_value(item.value),
        source=item.source,
        time=_local_or_none(item.time, zone),
    )


def _finding(finding: Finding, zone: ZoneInfo) -> ReportFinding:
    return ReportFinding(
        check=finding.check,
        severity=finding.severity,
        category=finding.category,
        target=finding.target,
        title=finding.title,
        message=finding.message,
        evidence=[_evidence(e, zone) for e in finding.evidence],
        recommendation=finding.recommendation,
        references=list(finding.references),
        fingerprint=finding.fingerprint,
    )


def _limits_hit(
    snapshot: Snapshot, customer: str, instances: list[InstanceSnapshot], outcomes: list[CheckOutcome]
) -> list[str]:
    """Collection budgets the collectors recorded, calls the instance budget cut off, checks that overran.

    The snapshot's own list covers the whole run: a line that starts with another customer's name
    or instance ("other: ...", "other/instance: ...") is left out, so no customer reads of another.
    """
    limits: dict[str, None] = {}
    for limit in snapshot.limits_hit:
        if not _belongs_elsewhere(limit, customer, snapshot):
            limits.setdefault(limit, None)
    for inst in instances:
        cut = [e.call for e in inst.errors if e.kind is ErrorKind.BUDGET_EXCEEDED]
        if cut:
            calls = ", ".join(cut)
            limits.setdefault(
                f"{inst.instance}: the instance's time budget ran out before {len(cut)} call(s): {calls}",
                None,
            )
    for o in outcomes:
        if o.status is OutcomeStatus.TIMED_OUT:
            limits.setdefault(f"{o.target}: check {o.check}: {o.reason or 'overran its budget'}", None)
    return list(limits)


def _belongs_elsewhere(limit: str, customer: str, snapshot: Snapshot) -> bool:
    head = limit.split(":", 1)[0].strip() if ":" in limit else ""
    if not head:
        return False
    mine = {i.instance for i in snapshot.instances if i.customer == customer}
    other_customers = {i.customer for i in snapshot.instances} - {customer}
    other_instances = {i.instance for i in snapshot.instances if i.customer != customer} - mine
    if "/" in head:
        return head.split("/", 1)[0] in other_customers
    return head in other_customers or head in other_instances


def _inventory(inst: InstanceSnapshot, zone: ZoneInfo) -> InventoryInstance:
    info = inst.server_info
    nodes = None
    if inst.cluster is not None:
        nodes = [
            InventoryNode(node_id=n.node_id, state=n.state, alive=n.alive, version=n.version, ip=n.ip)
            for n in inst.cluster.nodes
        ]
    licenses = None
    if inst.licenses is not None:
        licenses = [
            InventoryLicense(
                application=lic.application,
                type=lic.license_type,
                expiry=_local_or_none(lic.expiry, zone),
                seats_used=lic.seats_used,
                seats_allowed=None if lic.unlimited_seats else lic.seats_allowed,
            )
            for lic in inst.licenses
        ]
    apps = None
    if inst.apps is not None:
        apps = [
            InventoryApp(key=a.key, name=a.name, version=a.version, vendor=a.vendor, enabled=a.enabled)
            for a in sorted(inst.apps, key=lambda a: ((a.name or a.key).casefold(), a.key))
        ]
    return InventoryInstance(
        name=inst.instance,
        product=inst.product,
        version=info.version if info else None,
        build=info.build_number if info else None,
        deployment=inst.deployment,
        base_url=_safe_url(info.base_url) if info else None,
        nodes=nodes,
        licenses=licenses,
        apps=apps,
    )
