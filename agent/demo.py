"""`atlas-health demo`: a full health check of a simulated estate, offline, in seconds."""

from __future__ import annotations

import time
from pathlib import Path

import yaml
from rich.console import Console
from rich.markup import escape

from agent import pipeline
from agent.config.loader import ConfigError, parse_config
from agent.config.targets import check_settings
from agent.demo_hosts import add_local_host
from agent.demo_hours import add_demo_support, log_demo_hours, print_hours
from agent.demo_logs import DEMO_LOG_CUSTOMER, ZIP_FOLDER, add_demo_logs, demo_incident, print_incident
from agent.files import OutputError, write_atomic
from agent.incident_output import write_report
from agent.summary import print_summary
from checks.registry import load_registry
from sandbox import Sandbox, demo_estate, sandbox_config

# The demo's estate answers fast; keep its budgets short so a fault never stretches the demo.
DEMO_SETTINGS = {"timeout_seconds": 5, "retry_after_cap_seconds": 5, "instance_budget_seconds": 20}


def run_demo(output: Path, out: Console, err: Console) -> int:
    started = time.monotonic()
    registry = load_registry()
    estate = demo_estate()
    specs = [spec for customer_specs in estate.values() for spec in customer_specs]
    err.print(f"starting a simulated estate of {len(specs)} instances on 127.0.0.1 ...")
    with Sandbox(specs) as sandbox:
        config, env = sandbox_config(sandbox, {c: [s.name for s in ss] for c, ss in estate.items()})
        config["settings"] = {**DEMO_SETTINGS, **config.get("settings", {})}
        add_demo_support(config, output)  # a throwaway ledger in the output folder
        add_local_host(config)  # this machine, read with psutil
        text = yaml.safe_dump(config, sort_keys=False)
        try:
            loaded = parse_config(text, source="demo configuration", registry=registry, env=env)
        except ConfigError as exc:  # the demo builds its own config: this is a defect, say what
            err.print(escape(str(exc)))
            return 3
        with err.status("collecting from the simulated estate ..."):
            snapshot = pipeline.collect(loaded)
    snapshot = add_demo_logs(snapshot, output, err)
    analysis = pipeline.analyze(snapshot, check_settings(loaded.config), registry)
    reports = pipeline.build_reports(snapshot, analysis, loaded.config.settings.timezone)
    reports = log_demo_hours(reports, loaded, err)
    incident = demo_incident(snapshot, analysis, loaded, output, err)
    written: list[Path] = []
    try:
        for doc in pipeline.render_reports(reports, pipeline.FORMATS):
            write_atomic(output / doc.filename, doc.content)
            written.append(output / doc.filename)
        report_id, template = incident.report.report_id, incident.notes_template
        written += write_report(output, incident.documents, DEMO_LOG_CUSTOMER, report_id, template)
        # The configuration the demo used, for reference: it names environment variables, never secrets.
        write_atomic(output / "demo-config.yaml", text)
    except OutputError as exc:
        err.print(f"[red]error:[/] {escape(str(exc))}")
        return 3
    print_summary(out, reports, written)
    print_hours(out, reports)
    print_incident(out, incident)
    out.print(f"demo finished in {time.monotonic() - started:.1f} s; open the .html reports in a browser")
    zips = escape(str(output / ZIP_FOLDER))  # the folder the user named: printed as it is
    out.print(f"try the log analysis by hand: atlas-health analyze {zips} --since '2024-05-01 10:00'")
    out.print(f"and the incident investigation: atlas-health incident {zips} --customer acme")
    return 0
