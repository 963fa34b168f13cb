"""`atlas-health collect` and `analyze` with a host over SSH: thread dumps and logs reach the bundle,
findings the report, and no planted secret (JVM command line, dbconfig.xml, server.xml, setenv.sh,
log lines, the instance's API token) reaches either.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from agent.bundle import read_bundle
from collectors.model import Deployment, Product
from sandbox import InstanceSpec, Sandbox, sandbox_config
from tests.collectors.hosts.fake_product import SECRETS, FakeInstall, FakeJvm, compile_app
from tests.collectors.hosts.sshd import Sshd, write_known_hosts

pytestmark = [pytest.mark.server, pytest.mark.slow]


def atlas(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "agent.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=300,
    )


@pytest.fixture(scope="module")
def estate(
    tmp_path_factory: pytest.TempPathFactory, server: Sshd, keys: dict[str, Path], install: FakeInstall
) -> Iterator[tuple[Path, dict[str, str], list[str]]]:
    jvm = FakeJvm(install, compile_app(tmp_path_factory.mktemp("classes"))).start()
    spec = InstanceSpec(
        name="acme-jira", product=Product.JIRA, deployment=Deployment.DATACENTER, version="9.12.2", nodes=1
    )
    try:
        with Sandbox([spec]) as sandbox:
            config, env = sandbox_config(sandbox, {"acme": ["acme-jira"]})
            folder = tmp_path_factory.mktemp("config")
            write_known_hosts(folder / "known_hosts", server)  # named relative to the config file below
            config["customers"][0]["hosts"] = [
                {
                    "name": "jira-node1",
                    "ssh": {
                        "address": "127.0.0.1",
                        "port": server.port,
                        "user": server.user,
                        "key_file": str(keys["client"]),
                        "known_hosts": "known_hosts",
                    },
                    "instance": "acme-jira",
                    "node": "node1",
                    "install_dir": str(install.install),
                    "home_dir": str(install.home),
                }
            ]
            path = folder / "config.yaml"
            path.write_text(yaml.safe_dump(config))
            yield path, env, [*SECRETS, spec.accepted_token()]
    finally:
        jvm.stop()


def files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def test_collect_and_analyze_a_host_with_thread_dumps_and_logs(estate, tmp_path):
    path, env, secrets = estate
    bundle = tmp_path / "bundle"
    collected = atlas(
        ["collect", "--config", str(path), "-o", str(bundle), "--thread-dumps", "2", "--interval", "0.5"], env
    )
    assert collected.returncode == 0, collected.stderr
    loaded = read_bundle(bundle)  # every file, logs included, matches its checksum
    [host] = loaded.snapshot.hosts
    assert host.connected and len(host.thread_dumps) >= 2
    logs = [name for name in loaded.manifest["files"] if name.startswith("logs/")]
    assert {Path(name).name for name in logs} >= {
        "atlassian-jira.log",
        "catalina.out",
        "atlassian-jira-security.log.2",
    }
    assert {f.bundle_path for f in host.logs.files if f.bundle_path} == set(logs)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".bundle.logs.")]  # the spool is gone

    reports = tmp_path / "reports"
    analyzed = atlas(["analyze", str(bundle), "-o", str(reports)], {})
    assert analyzed.returncode == 2, analyzed.stderr  # the deadlock is critical
    [report] = [json.loads(p.read_text()) for p in reports.glob("*.json")]
    findings = {(f["check"], f["target"]): f for f in report["findings"]}
    assert findings[("jvm.threads.deadlock", "jira-node1")]["severity"] == "critical"
    assert findings[("jvm.threads.stuck", "jira-node1")]["severity"] == "warning"
    assert findings[("jvm.java.version", "jira-node1")]["severity"] == "ok"
    assert findings[("host.connection", "jira-node1")]["severity"] == "ok"
    [section] = report["hosts"]
    assert section["name"] == "jira-node1" and section["instance"] == "acme-jira"
    assert section["thread_dumps"][0]["deadlocks"] == [["lock-holder-a", "lock-holder-b"]]
    html = next(reports.glob("*.html")).read_text()
    assert '<h2 id="hosts">Hosts</h2>' in html and "lock-holder-a ↔ lock-holder-b" in html

    leaked = {
        str(p.relative_to(tmp_path)): [s for s in secrets if s.encode() in p.read_bytes()]
        for p in files_under(bundle) + files_under(reports)
    }
    assert {name: found for name, found in leaked.items() if found} == {}
    # and they were there to leak: the secrets sit in the files and the command line the agent read
    snapshot_text = (bundle / "snapshot.json").read_text()
    assert "keyStorePassword=***" in snapshot_text and "<password>***</password>" in snapshot_text
    assert 'keystorePass=\\"***\\"' in snapshot_text and "export DB_PASSWORD=***" in snapshot_text
