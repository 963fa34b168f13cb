"""The demo's logs: support zips of Acme's Jira cluster with an incident planted in them, analysed
like any other logs, so the demo report has a log section and the zips are left for trying
`atlas-health analyze` and `atlas-health incident` by hand; and the post-incident report of that
incident, logged against Acme's hours as post-incident investigation."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from agent.config.loader import LoadedConfig
from agent.incident_output import kept_notes
from agent.ledger.reporting import POST_INCIDENT, log_reports
from agent.signatures import load_signatures
from agent.version import __version__
from checks.incident.analysis import investigate
from checks.incident.model import Incident
from checks.runner import Analysis
from checks.signatures.scan import to_scan_patterns
from collectors.logs.engine import analyze_logs
from collectors.model import Snapshot
from reports.document import Document
from reports.post_incident import build_post_incident, post_incident_report_id, render_post_incident
from reports.post_incident_model import PostIncidentReport
from reports.post_incident_notes import notes_template
from reports.units import duration
from sandbox.log_estate import write_support_zips

DEMO_LOG_CUSTOMER = "acme"
ZIP_FOLDER = "acme-jira-support-zips"


def add_demo_logs(snapshot: Snapshot, output: Path, err: Console) -> Snapshot:
    folder = output / ZIP_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.zip"):
        old.unlink()
    with err.status("writing and analysing the support zips of acme-jira's three nodes ..."):
        zips, _ = write_support_zips(folder)
        analysis = analyze_logs(zips, to_scan_patterns(load_signatures(None)), customer=DEMO_LOG_CUSTOMER)
    size = analysis.bytes_read / 1e6
    err.print(f"analysed {size:.0f} MB of logs in {len(analysis.files)} files from {escape(str(folder))}")
    return snapshot.model_copy(update={"logs": [*snapshot.logs, analysis]})


@dataclass(frozen=True)
class DemoIncident:
    incident: Incident
    report: PostIncidentReport
    documents: list[Document]
    notes_template: str


def demo_incident(
    snapshot: Snapshot, analysis: Analysis, loaded: LoadedConfig, output: Path, err: Console
) -> DemoIncident:
    """Acme's incident from the support zips' logs, its post-incident report in every format, logged
    once against Acme's hours; notes the engineer wrote beside an earlier demo report are kept."""
    with err.status("investigating acme's incident ..."):
        incident = investigate(snapshot, DEMO_LOG_CUSTOMER)
        template = notes_template(incident)
        report_id = post_incident_report_id(DEMO_LOG_CUSTOMER, snapshot, incident)
        report = build_post_incident(
            snapshot,
            incident,
            [f for f in analysis.findings if f.customer == DEMO_LOG_CUSTOMER],
            timezone=loaded.config.settings.timezone,
            notes=kept_notes(output, DEMO_LOG_CUSTOMER, report_id, template),
            tool_version=__version__,
            outcomes=[o for o in analysis.outcomes if o.customer == DEMO_LOG_CUSTOMER],
        )

    def warn(line: str) -> None:
        err.print(f"[yellow]warning:[/] {escape(line)}")

    config, base = loaded.config, loaded.base_dir
    report = log_reports([report], config, base_dir=base, warn=warn, billing=POST_INCIDENT)[0]
    documents = render_post_incident(report, ("html", "md", "json"))
    return DemoIncident(incident, report, documents, template)


def print_incident(out: Console, demo: DemoIncident) -> None:
    """Two lines: what the investigation found, and the hours its report was logged as."""
    incident, hours = demo.incident, demo.report.hours
    if not incident.found or not incident.causes:
        out.print(f"post-incident: {DEMO_LOG_CUSTOMER}: no incident found in the logs")
    else:
        top = incident.causes[0]
        start = f"{incident.start:%Y-%m-%d %H:%M} UTC" if incident.start else "an unknown time"
        out.print(
            f"post-incident: {DEMO_LOG_CUSTOMER}: incident from {start}; likely cause "
            f"{escape(top.cause)} (confidence {top.confidence:.2f}): {escape(top.title)}"
        )
    if hours is not None and hours.entry_id:
        left = duration(hours.balance_minutes) if hours.balance_minutes is not None else "unknown"
        out.print(
            f"hours: {DEMO_LOG_CUSTOMER}: {duration(hours.minutes_logged)} logged for the post-incident "
            f"investigation (entry #{hours.entry_id}); PAYG balance {left}"
        )
