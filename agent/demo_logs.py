"""The demo's logs: support zips of Acme's Jira cluster with an incident planted in them, analysed
like any other logs, so the demo report has a log section and the zips are left for trying
`atlas-health analyze` by hand."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from agent.signatures import load_signatures
from checks.signatures.scan import to_scan_patterns
from collectors.logs.engine import analyze_logs
from collectors.model import Snapshot
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
    err.print(f"analysed {size:.0f} MB of logs in {len(analysis.files)} files from {folder}")
    return snapshot.model_copy(update={"logs": [*snapshot.logs, analysis]})
