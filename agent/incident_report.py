"""The second half of an `atlas-health incident` run, once the evidence is one Snapshot: the health
checks, the investigation, the post-incident report, its hours and its output."""

from __future__ import annotations

import sys

from rich.console import Console
from rich.markup import escape

from agent import pipeline
from agent.config.loader import LoadedConfig
from agent.files import OutputError
from agent.incident_args import IncidentRequest, RunError
from agent.incident_output import kept_notes, write_report
from agent.incident_screen import print_incident_summary
from agent.version import __version__
from checks.incident.analysis import investigate
from checks.incident.model import Incident
from checks.registry import Registry
from checks.runner import CheckSettings
from collectors.model import Snapshot
from reports.post_incident import build_post_incident, post_incident_report_id, render_post_incident
from reports.post_incident_notes import notes_template

FORMATS = ("html", "md", "json")
NO_INCIDENT, WARNING, CRITICAL = 0, 1, 2


def exit_code(incident: Incident) -> int:
    """0 nothing abnormal, 1 the worst cause is a warning, 2 critical. Something abnormal without a
    cause is a warning: the engineer should look, and 0 would say all is well."""
    if not incident.found and not incident.causes:
        return NO_INCIDENT
    if any(c.severity == "critical" for c in incident.causes):
        return CRITICAL
    return WARNING


def customer_of(snapshot: Snapshot, wanted: str | None) -> str:
    """The customer whose incident it is: the one named, or the only one in the evidence."""
    known = snapshot.customers()
    if wanted is not None:
        if wanted not in known:
            held = ", ".join(known) or "nothing"
            raise RunError(f"the evidence holds nothing of {wanted!r}; it holds: {held}")
        return wanted
    if len(known) == 1:
        return known[0]
    if not known:
        raise RunError("the evidence holds nothing to investigate: no instance, host or log")
    names = ", ".join(known)
    raise RunError(f"the evidence holds {len(known)} customers ({names}): choose one with --customer")


def finish(
    request: IncidentRequest,
    snapshot: Snapshot,
    customer: str,
    settings: CheckSettings,
    registry: Registry,
    loaded: LoadedConfig | None,
    zone: str,
    screen: Console,
    err: Console,
) -> int:
    """Investigate, report, log the hours, write or print; the exit code."""
    analysis = pipeline.analyze(snapshot, settings, registry)
    incident = investigate(snapshot, customer, since=request.since, until=request.until)
    report_id = post_incident_report_id(customer, snapshot, incident)
    template = notes_template(incident)
    notes = request.notes
    if notes is None:
        notes = kept_notes(request.output, customer, report_id, template)
    mine = analysis.for_customer(customer)
    try:
        report = build_post_incident(
            snapshot,
            incident,
            mine.findings,
            timezone=zone,
            notes=notes,
            tool_version=__version__,
            outcomes=mine.outcomes,
        )
    except ValueError as exc:  # notes the report cannot take, or a zone it does not know
        raise RunError(str(exc)) from None
    config = loaded.config if loaded is not None else None
    base_dir = loaded.base_dir if loaded is not None else None

    def warn(line: str) -> None:
        err.print(f"[yellow]warning:[/] {escape(line)}")

    if config is not None:  # the ledger (SQLAlchemy) loads only when there are hours to log
        from agent.ledger.reporting import POST_INCIDENT, log_reports

        report = log_reports(
            [report], config, base_dir=base_dir, minutes=request.minutes, warn=warn, billing=POST_INCIDENT
        )[0]
    if request.output is not None:
        documents = render_post_incident(report, request.formats or FORMATS)
        try:
            fresh = template if request.notes_path is None else None
            written = write_report(request.output, documents, customer, report.report_id, fresh)
        except OutputError as exc:
            raise RunError(str(exc)) from None
        print_incident_summary(screen, incident, zone, report.hours, written)
    elif request.formats:
        for doc in render_post_incident(report, request.formats):
            sys.stdout.write(doc.content.rstrip("\n") + "\n")
    else:
        print_incident_summary(screen, incident, zone, report.hours)
        screen.print("no report written: add --output DIR for the HTML, Markdown and JSON report")
    return exit_code(incident)
