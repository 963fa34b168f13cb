"""What `incident` prints on a terminal: the first screen of a live investigation (the state now and
the leading suspect so far) and the concise summary at the end (when, why, whom it hurt, where the
report is). Every text from the evidence is printed as text, never as markup."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.markup import escape

from checks.finding import Category, Finding, Severity
from checks.incident.model import Figure, Impact, Incident, IncidentCause
from collectors.hosts.model import HostSnapshot
from collectors.model import InstanceSnapshot
from reports.model import ReportHours
from reports.units import duration

if TYPE_CHECKING:  # the collectors it names load only for a live run
    from agent.incident_live import FirstScreen

STATE_STYLE = {"up": "green", "degraded": "yellow", "down": "bold red", "unknown": "magenta"}
SEVERITY_STYLE = {"warning": "yellow", "critical": "bold red"}
TOP_CAUSES = 3
# Findings that can point at a suspect before any log is read: what is down, slow or full.
SUSPECT_CATEGORIES = frozenset(
    {Category.AVAILABILITY, Category.PERFORMANCE, Category.CAPACITY, Category.AUTHENTICATION}
)


@dataclass(frozen=True)
class Suspect:
    """The leading suspect so far: a ranked cause, or else the worst finding that could explain an outage."""

    title: str
    detail: str
    severity: str


def moment(at: datetime | None, zone: str) -> str:
    if at is None:
        return "unknown"
    local = at.astimezone(ZoneInfo(zone))
    return f"{local:%Y-%m-%d %H:%M:%S} {local.tzname() or zone}"


def suspect_from(incident: Incident | None, findings: Sequence[Finding]) -> Suspect | None:
    if incident is not None and incident.causes:
        cause = incident.causes[0]
        first = cause.evidence[0].text if cause.evidence else cause.summary
        title = f"{cause.title} ({cause.cause}, confidence {cause.confidence:.2f})"
        return Suspect(title, first, cause.severity)
    worst = [
        f
        for f in findings
        if f.severity in (Severity.CRITICAL, Severity.WARNING) and f.category in SUSPECT_CATEGORIES
    ]
    if not worst:
        return None
    top = max(worst, key=lambda f: f.severity.rank)  # findings come worst first; max keeps the first
    return Suspect(f"{top.title} ({top.target})", top.message, str(top.severity))


def instance_state(inst: InstanceSnapshot, findings: Sequence[Finding]) -> str:
    """up, degraded, down or unknown, as the instance's own checks (status, nodes, ATST) judge it."""
    mine = [f for f in findings if f.target == inst.instance or f.target.startswith(f"{inst.instance}/")]
    status = next((f for f in mine if f.check == "instance.status"), None)
    if status is None or status.severity is Severity.UNKNOWN:
        return "unknown"
    if status.severity is Severity.CRITICAL:
        return "down"
    troubled = [
        f
        for f in mine
        if f.category is Category.AVAILABILITY and f.severity in (Severity.CRITICAL, Severity.WARNING)
    ]
    return "degraded" if troubled or status.severity is Severity.WARNING else "up"


def _nodes(inst: InstanceSnapshot) -> str:
    if inst.cluster is None or not inst.cluster.nodes:
        return ""
    parts = []
    for node in inst.cluster.nodes:
        state = (node.state or "?").upper()
        parts.append(f"{node.node_id} {state}{' (not alive)' if node.alive is False else ''}")
    return ", ".join(parts)


def _vitals(host: HostSnapshot) -> str:
    failed = host.connect_error()
    if failed is not None:
        return f"not reached: {failed.message}"
    parts = []
    if host.cpu is not None and host.cpu.load_1m is not None:
        cpus = f"/{host.cpu.logical_cpus} CPUs" if host.cpu.logical_cpus else ""
        parts.append(f"load {host.cpu.load_1m:.1f}{cpus}")
    if host.memory is not None and host.memory.total:
        parts.append(f"memory {100 * host.memory.available / host.memory.total:.0f}% available")
    fullest = max(
        (f for f in host.filesystems or [] if f.size and f.used is not None),
        key=lambda f: (f.used or 0) / (f.size or 1),
        default=None,
    )
    if fullest is not None and fullest.size:
        parts.append(f"{fullest.mount} {100 * (fullest.used or 0) / fullest.size:.0f}% used")
    if host.oom_events:
        parts.append(f"{len(host.oom_events)} OOM kill(s)")
    jvms = host.product_jvms()
    if host.jvms is not None:
        parts.append(f"{len(jvms)} product JVM(s)")
    return ", ".join(parts) or "connected"


def print_first_screen(
    console: Console, first: FirstScreen, findings: Sequence[Finding], suspect: Suspect | None, zone: str
) -> None:
    snapshot = first.snapshot
    console.print(f"[bold]{escape(first.customer)}[/]: state now ({moment(snapshot.started_at, zone)})")
    for inst in snapshot.instances:
        state = instance_state(inst, findings)
        version = inst.server_info.version if inst.server_info and inst.server_info.version else ""
        nodes = _nodes(inst)
        line = f"  {escape(inst.instance)} ({escape(f'{inst.product.value} {version}'.strip())}): "
        line += f"[{STATE_STYLE[state]}]{state}[/]"
        console.print(line + (f"; nodes {escape(nodes)}" if nodes else ""))
    for name in first.pending_instances:
        console.print(f"  {escape(name)}: [magenta]no answer yet[/]")
    for host in snapshot.hosts:
        console.print(f"  host {escape(host.name)}: {escape(_vitals(host))}")
    for name in first.pending_hosts:
        console.print(f"  host {escape(name)}: [magenta]no answer yet[/]")
    if suspect is None:
        console.print("leading suspect so far: none (the instances and hosts show nothing wrong yet)")
    else:
        style = SEVERITY_STYLE.get(suspect.severity, "")
        title, detail = escape(suspect.title), escape(suspect.detail)
        console.print(f"leading suspect so far: [{style}]{title}[/]: {detail}")
    if first.host_count:
        console.print(
            f"collecting 3 thread dumps 10 s apart and the logs of the last {first.log_window_hours:g} h "
            f"from {first.host_count} host(s) ..."
        )


def _figure(figure: Figure, unit: str = "") -> str | None:
    if figure.value is None:
        return None
    whole = figure.value == int(figure.value) or abs(figure.value) >= 100
    value = f"{figure.value:,.0f}" if whole else f"{figure.value:,.1f}"
    return f"{value}{unit}" + (" (estimated)" if figure.basis == "estimated" else "")


def impact_headline(impact: Impact) -> str:
    parts = []
    failed, served = _figure(impact.failed_requests), _figure(impact.requests)
    if failed is not None:
        parts.append(f"{failed} failed requests" + (f" of {served}" if served else ""))
    rate = _figure(impact.peak_error_rate, " %")
    if rate is not None:
        parts.append(f"peak error rate {rate}")
    if impact.p95_ms_during.value is not None:
        during = f"{impact.p95_ms_during.value:,.0f} ms"
        if impact.p95_ms_before.value is not None:
            during += f" (before: {impact.p95_ms_before.value:,.0f} ms)"
        estimated = "estimated" in (impact.p95_ms_during.basis, impact.p95_ms_before.basis)
        parts.append(f"p95 {during}" + (", estimated" if estimated else ""))
    users = _figure(impact.users_with_errors)
    if users is not None:
        parts.append(f"{users} users got errors")
    logins = _figure(impact.users_failed_login)
    if logins is not None:
        parts.append(f"{logins} users failed to log in")
    if impact.nodes_affected:
        parts.append(f"nodes {', '.join(impact.nodes_affected)}")
    return "; ".join(parts) or "no impact could be measured"


def _cause_lines(rank: int, cause: IncidentCause, zone: str) -> list[str]:
    style = SEVERITY_STYLE.get(cause.severity, "")
    head = f"[{style}]{escape(cause.cause)}[/] (confidence {cause.confidence:.2f})"
    lines = [f"  {rank}. {head}: {escape(cause.summary)}"]
    if cause.evidence:
        first = cause.evidence[0]
        where = " ".join(x for x in (first.node, first.source) if x)
        lines.append(f"     first evidence {moment(first.at, zone)} {escape(where)}: {escape(first.text)}")
    return lines


def print_incident_summary(
    console: Console,
    incident: Incident,
    zone: str,
    hours: ReportHours | None = None,
    written: Sequence[Path] = (),
) -> None:
    customer = escape(incident.customer)
    if not incident.found:
        if incident.evidence_from is None or incident.evidence_to is None:
            span = "(no dated evidence)"
        else:
            span = f"from {moment(incident.evidence_from, zone)} to {moment(incident.evidence_to, zone)}"
        console.print(f"[bold]{customer}[/]: [green]no incident found[/] in the evidence {span}")
    else:
        if incident.ongoing or incident.end is None:
            end = f"[bold red]ongoing[/] (not recovered by {moment(incident.evidence_to, zone)})"
        else:
            end = f"to {moment(incident.end, zone)}"
        console.print(f"[bold]{customer}[/]: incident from {moment(incident.start, zone)} {end}")
        if incident.peak is not None:
            console.print(f"peak: {moment(incident.peak, zone)}")
        if incident.causes:
            console.print("likely causes, most likely first:")
            for rank, cause in enumerate(incident.causes[:TOP_CAUSES], start=1):
                for line in _cause_lines(rank, cause, zone):
                    console.print(line)
        else:
            console.print("likely cause: [magenta]not found in the evidence[/]")
        if incident.impact is not None:
            console.print(f"impact: {escape(impact_headline(incident.impact))}")
    for unknown in incident.unknowns:
        console.print(f"[magenta]could not tell:[/] {escape(unknown)}")
    if hours is not None:
        logged = "not logged"
        if hours.entry_id:
            logged = f"{duration(hours.minutes_logged)} logged (entry #{hours.entry_id})"
        console.print(f"hours: {logged}" + (f"; {escape(hours.notice)}" if hours.notice else ""))
    for path in written:
        console.print(f"wrote {escape(str(path))}")
