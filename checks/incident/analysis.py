"""investigate(): from a Snapshot to an Incident. Pure: everything it reads was collected before."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from checks.finding import Severity
from checks.incident.anomalies import Anomaly
from checks.incident.causes import CauseInfo, load_cause_classes
from checks.incident.clock import NodeClocks
from checks.incident.clue import Clue
from checks.incident.detectors import DETECTORS
from checks.incident.impact import measure_impact
from checks.incident.log_clues import exception_clues, signature_clues
from checks.incident.model import CauseClass, Incident, IncidentAction, IncidentCause
from checks.incident.ranking import rank
from checks.incident.scene import Scene, iso
from checks.incident.series import ALL, Series, build_series
from checks.incident.timeline import build_timeline
from checks.incident.window import FELT, find_window, given_window
from collectors.logs.model import LogAnalysis
from collectors.model import Snapshot

# Causes this close to the leading one also get their actions in the report.
ACTIONS_WITHIN = 0.5
HOUR = 3600


def investigate(
    snapshot: Snapshot,
    customer: str,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    causes: Mapping[CauseClass, CauseInfo] | None = None,
) -> Incident:
    """The incident in one customer's evidence: its window (given, or found from the evidence), causes
    ranked with their evidence, the timeline, the impact and the actions."""
    known = causes if causes is not None else load_cause_classes()
    analyses = [a for a in snapshot.logs if a.customer == customer]
    hosts = [h for h in snapshot.hosts if h.customer == customer]
    instances = snapshot.for_customer(customer)
    clocks = NodeClocks.from_hosts(hosts, customer)
    series = build_series(analyses, clocks)
    unknowns = _unknowns(analyses, series)
    nodes = sorted(series.nodes - {ALL})
    base = Incident(
        customer=customer,
        found=False,
        window="given" if since is not None else "found",
        evidence_from=iso(series.first),
        evidence_to=iso(series.last + series.bucket_s) if series.last is not None else None,
        nodes=nodes,
        clock_offsets_s=dict(clocks.offsets_s),
        unknowns=unknowns,
    )
    if since is not None:
        start = series.bucket(since.timestamp())
        end = series.bucket(until.timestamp()) if until is not None else None
        if (
            series.first is None
            or (end is not None and end <= series.first)
            or (series.last is not None and start > series.last)
        ):
            base.unknowns.append("no evidence falls inside the window asked for")
            return base
        window = given_window(series, start, end)
    else:
        found = find_window(series)
        if found is None:
            return base
        window = found
    scene = Scene(customer, analyses, hosts, instances, clocks, series, window)
    scene.affected = _affected(window.anomalies)
    clues: list[Clue] = [*signature_clues(scene, known), *exception_clues(scene, known)]
    for detector in DETECTORS:
        clues += detector(scene)
    ranked = rank(scene, clues, known)
    end_bucket = window.end if window.end is not None else (series.last or window.start) + series.bucket_s
    firsts = [a.at for a in window.anomalies] + [c.first_seen.timestamp() for c in ranked[:1] if c.first_seen]
    if not ranked:
        base.unknowns.append("the evidence shows something abnormal, but no cause class fits it")
    return base.model_copy(
        update={
            "found": True,
            "start": iso(window.start),
            "end": iso(window.end),
            "peak": iso(window.peak),
            "ongoing": window.end is None,
            "first_signal": iso(min(firsts)) if firsts else None,
            "recovered_at": iso(window.end),
            "causes": ranked,
            "timeline": build_timeline(scene),
            "impact": measure_impact(scene, end_bucket),
            "actions": _actions(ranked, known),
        }
    )


def _actions(ranked: Sequence[IncidentCause], known: Mapping[CauseClass, CauseInfo]) -> list[IncidentAction]:
    if not ranked:
        return []
    actions: list[IncidentAction] = []
    seen: set[str] = set()
    for cause in ranked:
        if cause.confidence < ACTIONS_WITHIN * ranked[0].confidence:
            break
        for action in known[cause.cause].incident_actions():
            if action.text not in seen:
                seen.add(action.text)
                actions.append(action)
    order = {"mitigate": 0, "prevent": 1, "detect": 2}
    return sorted(actions, key=lambda a: order[a.type])


def _affected(anomalies: Sequence[Anomaly]) -> set[str]:
    felt = {a.node for a in anomalies if a.node != ALL and a.kind in FELT}
    return felt or {a.node for a in anomalies if a.node != ALL}


def severity_of(incident: Incident) -> Severity:
    """The worst cause's severity: OK when nothing was found, WARNING for an unexplained incident."""
    if not incident.found:
        return Severity.OK
    if not incident.causes:
        return Severity.WARNING
    return max((Severity(c.severity) for c in incident.causes), key=lambda s: s.rank)


def _unknowns(analyses: Sequence[LogAnalysis], series: Series) -> list[str]:
    notes: list[str] = []
    if not analyses:
        return ["no logs were given: the timeline, impact and most causes rest on logs"]
    if not series.has("requests"):
        notes.append("no access log was given: requests, errors and latency are unknown")
    if not any(a.security for a in analyses):
        notes.append("no security log was given: failed logins are unknown")
    if not any(a.gc for a in analyses):
        notes.append("no GC log was given: GC pauses and heap are unknown")
    nodes = sorted(series.nodes - {ALL})
    if len(nodes) == 1:
        notes.append(f"only {nodes[0]}'s logs were given: whether other nodes suffered is unknown")
    spans = {n: s for n in nodes if (s := series.node_span(n)) is not None}
    for node, (first, last) in spans.items():
        others = [s for other, s in spans.items() if other != node]
        if others and all(last < o_first - HOUR or first > o_last + HOUR for o_first, o_last in others):
            notes.append(
                f"{node}'s events ({iso(first):%Y-%m-%d %H:%M}-{iso(last):%H:%M} UTC) do not overlap "
                "the other nodes': its clock or time zone may disagree (give --log-timezone, or collect "
                "its host's clock)"
            )
    for analysis in analyses:
        notes += analysis.limits_hit
        for f in analysis.files:
            if f.problem is not None:
                notes.append(f"{f.path}: {f.problem_detail or f.problem.value}")
    return notes
