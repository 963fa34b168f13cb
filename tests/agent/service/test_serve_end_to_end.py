"""`atlas-health serve` as a support team runs it, with nothing standing in: the simulated estate, the
service's own work, a webhook receiver. A node goes offline while the service runs: the receiver
gets one "firing"; the node comes back: it gets one "resolved"; the metrics, the history command and
SIGTERM agree."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from collectors.model import Deployment, Product
from sandbox import Fault, InstanceSpec, Sandbox, sandbox_config
from tests.agent.service.receivers import WebhookReceiver, webhook_receiver
from tests.agent.service.serve_process import ROOT, Serve, free_port

pytestmark = [pytest.mark.server, pytest.mark.slow]

JIRA = "acme-jira"
NODE_CHECK = "instance.cluster.nodes"


@pytest.fixture
def estate() -> Iterator[Sandbox]:
    spec = InstanceSpec(JIRA, Product.JIRA, Deployment.DATACENTER, version="10.3.4", nodes=2)
    with Sandbox([spec]) as sandbox:
        yield sandbox


def notifications(receiver: WebhookReceiver) -> list[tuple[str, str, str]]:
    return [(r.json()["state"], r.json()["check"], r.json()["target"]) for r in receiver.received]


def test_a_fault_fires_once_and_resolves_once_through_the_real_service(estate: Sandbox, tmp_path: Path):
    port = free_port()
    with webhook_receiver() as receiver:
        config, secrets = sandbox_config(estate, {"acme": [JIRA]})
        config["checks"] = {"disabled": ["instance.version.support"]}  # depends on today's date
        config["settings"] = {"timeout_seconds": 5, "max_retries": 0}
        config["ledger"] = {"url": "sqlite:///service.sqlite"}
        config["service"] = {
            "listen": f"127.0.0.1:{port}",
            "shutdown_grace": "10s",
            "reports_dir": "reports",
            "schedules": [{"name": "quick", "every": "10s", "categories": ["availability"]}],
            "alerts": {
                "confirm_runs": 1,
                "resolve_runs": 1,
                "channels": [{"type": "webhook", "name": "ops", "url": receiver.url}],
            },
        }
        path = tmp_path / "config.yaml"
        path.write_text(yaml.safe_dump(config))
        estate.update(JIRA, faults={Fault.NODE_OFFLINE})
        serve = Serve(
            path, tmp_path / "unused", port, tmp_path / "serve.log", real_work=True, secrets=secrets
        )
        try:
            serve.wait_for("leadership", lambda: serve.health().get("role") == "leader", timeout=30)
            # A run every 10 s, the outbox every 15 s: the firing arrives within about half a minute.
            serve.wait_for(
                "the firing", lambda: ("firing", NODE_CHECK, f"{JIRA}/node2") in notifications(receiver), 60
            )
            estate.update(JIRA, faults=set())
            serve.wait_for("the resolution", lambda: len(receiver.received) >= 2, timeout=60)
            assert notifications(receiver) == [
                ("firing", NODE_CHECK, f"{JIRA}/node2"),
                ("resolved", NODE_CHECK, f"{JIRA}/node2"),
            ]
            assert {r.headers["X-Atlas-Health-Dedupe-Key"] for r in receiver.received} == {
                f"ops:acme:{receiver.received[0].json()['fingerprint']}:{n}" for n in (1, 2)
            }
            # The receiver answers before the service records the send, so the count may lag a moment.
            sent = 'atlas_health_notifications_sent_total{channel="ops"} 2.0'
            text = serve.wait_for(
                "the sent count", lambda: sent in (t := serve.get("/metrics")[1].decode()) and t, 15
            )
            assert f'atlas_health_up{{customer="acme",instance="{JIRA}"}}' in text
            serve.signal(signal.SIGTERM)
            assert serve.process.wait(30) == 0
        finally:
            serve.stop()
    assert "Traceback" not in serve.log_text()

    history = subprocess.run(
        [sys.executable, "-m", "agent.cli", "history", "alerts", "--config", str(path), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert history.returncode == 0, history.stderr
    alerts = json.loads(history.stdout)
    rows = alerts if isinstance(alerts, list) else alerts["alerts"]
    assert [(a["check"], a["state"]) for a in rows if a["check"] == NODE_CHECK] == [(NODE_CHECK, "resolved")]
