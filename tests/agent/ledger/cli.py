"""Running `atlas-health` in a subprocess with a configuration that has support contracts."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import yaml

from tests.agent.ledger.processes import REPO

YEAR = datetime.now(UTC).year


def atlas(
    args: list[str], env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v for k, v in os.environ.items() if k not in ("ATLAS_HEALTH_CONFIG", "ATLAS_HEALTH_ENGINEER")
    }
    return subprocess.run(
        [sys.executable, "-m", "agent.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd or REPO,
        env={**environment, "PYTHONPATH": str(REPO), "COLUMNS": "200", **(env or {})},
        timeout=300,
    )


def support(**overrides: object) -> dict:
    contract = {
        "currency": "GBP",
        "low_balance": {"hours": 5},
        "addons": [{"kind": "upgrades", "start": f"{YEAR}-01-01", "end": f"{YEAR}-12-31"}],
    }
    return {**contract, **overrides}


def write_config(
    directory: Path, ledger_url: str | None = "sqlite:///ledger.sqlite", **customers: dict | None
) -> Path:
    """A config with the named customers (acme, beta, ...): a dict is its support contract, None none."""
    entries = []
    for name, contract in (customers or {"acme": support(), "beta": None}).items():
        entry: dict = {
            "name": name,
            "instances": [
                {"name": f"{name}-jira", "product": "jira", "url": f"https://jira.{name}.example",
                 "deployment": "datacenter", "auth": {"type": "none"}}
            ],
        }  # fmt: skip
        if contract is not None:
            entry["support"] = contract
        entries.append(entry)
    config: dict = {"settings": {"timezone": "Europe/London"}, "customers": entries}
    if ledger_url is not None:
        config["ledger"] = {"url": ledger_url}
    path = directory / "config.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path
