"""What happened, in plain words: the few sentences a post-incident report opens with.

For how long (start, end or "not over when the evidence stops"), to whom (failed requests, users who
got errors or could not log in, the nodes), and why (the top cause with its confidence and its own
summary). With no incident, it says so, over which span, from which sources. Only what the incident
says is told: a figure that is unknown is left out, an estimate is "about" so much.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from checks.incident.model import Impact, Incident
from reports.post_incident_format import about, both_clocks, names_text, percent_text, seconds_text


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if not text or text[-1] in ".!?" else text + "."


def _when(incident: Incident, zone: ZoneInfo) -> str:
    start = both_clocks(incident.start, zone)
    duration = incident.impact.duration_s.value if incident.impact is not None else None
    if duration is None and incident.start is not None:
        until = incident.end if incident.end is not None else incident.evidence_to
        duration = (until - incident.start).total_seconds() if until is not None else None
    if incident.ongoing or incident.end is None:
        stop = both_clocks(incident.evidence_to, zone) if incident.evidence_to is not None else None
        if stop is None:
            return f"An incident began at {start} and had not ended when the evidence stops."
        lasted = f", {seconds_text(duration)} later" if duration is not None else ""
        return f"An incident began at {start} and had not ended when the evidence stops at {stop}{lasted}."
    lasted = f" and lasted {seconds_text(duration)}" if duration is not None else ""
    return f"An incident began at {start}{lasted}, until {both_clocks(incident.end, zone)}."


def _whom(incident: Incident) -> str:
    impact: Impact | None = incident.impact
    nodes = (impact.nodes_affected if impact is not None else []) or incident.nodes
    where = f" on {names_text(nodes)}" if nodes else ""
    if impact is None:
        return f"It was seen{where}; the evidence does not tell how many requests or users it hurt."
    parts: list[str] = []
    if impact.failed_requests.value is not None:
        failed = about(impact.failed_requests, with_unit=impact.requests.value is None)
        text = (
            f"{failed} of {about(impact.requests)} failed"
            if impact.requests.value is not None
            else f"{failed} failed"
        )
        if impact.baseline_failed_requests.value is not None:
            text += f" (the baseline before it predicts {about(impact.baseline_failed_requests)})"
        if impact.peak_error_rate.value is not None:
            text += f", {about(impact.peak_error_rate)} of requests at the worst"
        parts.append(text)
    users: list[str] = []
    if impact.users_with_errors.value is not None:
        users.append(f"{about(impact.users_with_errors)} got server errors")
    if impact.users_failed_login.value is not None:
        users.append(f"{about(impact.users_failed_login)} could not log in")
    if users:
        parts.append(" and ".join(users))
    if impact.p95_ms_during.value is not None and impact.p95_ms_before.value is not None:
        parts.append(
            f"the 95th percentile response time was {about(impact.p95_ms_during)} "
            f"against {about(impact.p95_ms_before)} before"
        )
    if not parts:
        return f"It was seen{where}; the evidence does not tell how many requests or users it hurt."
    return f"It hurt users{where}: " + "; ".join(parts) + "."


def _why(incident: Incident) -> str:
    if not incident.causes:
        return "The evidence names no cause."
    top = incident.causes[0]
    text = f"The most likely cause ({percent_text(top.confidence)} confidence): {_sentence(top.title)}"
    if top.summary:
        text += " " + _sentence(top.summary)
    others = len(incident.causes) - 1
    if others:
        text += f" {others} other possible cause{'s' if others > 1 else ''}, ranked lower, "
        text += "are listed as contributing factors." if others > 1 else "is listed as a contributing factor."
    return text


def _nothing_found(incident: Incident, zone: ZoneInfo, sources: list[str]) -> str:
    if incident.evidence_from is not None and incident.evidence_to is not None:
        span = (
            f"from {both_clocks(incident.evidence_from, zone)} to {both_clocks(incident.evidence_to, zone)}"
        )
        text = f"No incident was found in the evidence {span}"
    else:
        text = "No incident was found: the evidence covers no span of time"
    text += (
        ", read from: " + "; ".join(sources) + "." if sources else ", and no evidence of any kind was read."
    )
    if incident.unknowns:
        text += " What the evidence could not tell is listed below."
    return text


def story(incident: Incident, zone: ZoneInfo, sources: list[str]) -> str:
    """The report's opening paragraph (see the module's docstring)."""
    if not incident.found or incident.start is None:
        return _nothing_found(incident, zone, sources)
    return " ".join((_when(incident, zone), _whom(incident), _why(incident)))
