"""`python -m sandbox` serves the demo estate until interrupted."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests
import yaml

from tests.sandbox.client import TIMEOUT_S

pytestmark = pytest.mark.server
ROOT = Path(__file__).resolve().parents[2]


def test_module_serves_the_demo_until_interrupted(tmp_path: Path) -> None:
    config_file = tmp_path / "sandbox.yaml"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--config", str(config_file)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        lines = []
        for line in process.stdout:
            lines.append(line.rstrip("\n"))
            if line.startswith("# serving"):
                break
        urls = {parts[0]: parts[1] for parts in (line.split() for line in lines) if len(parts) >= 3}
        exports = dict(
            line.removeprefix("export ").split("=", 1) for line in lines if line.startswith("export ")
        )
        assert urls["acme-confluence"].endswith("/confluence")
        assert requests.get(urls["acme-jira"] + "/status", timeout=TIMEOUT_S).json() == {"state": "RUNNING"}
        token = exports["ATLAS_SANDBOX_ACME_ACME_JIRA_TOKEN"]
        me = requests.get(
            urls["acme-jira"] + "/rest/api/2/myself",
            headers={"Authorization": f"Bearer {token}"},
            timeout=TIMEOUT_S,
        )
        assert me.status_code == 200
        config = yaml.safe_load(config_file.read_text())
        assert [c["name"] for c in config["customers"]] == ["acme", "globex"]
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert stderr == ""
