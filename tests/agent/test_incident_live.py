"""`atlas-health incident --config F --customer C`: live, against the simulated estate over HTTP and
three hosts over a real sshd, each holding one node's logs with an incident in them.

The first screen (the state now and the leading suspect) comes before the thread dumps and the logs:
proven by what it holds and by the order of the output, never by a clock.
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

from agent.config.loader import parse_config
from agent.incident_live import FirstScreen, collect_live
from checks.registry import load_registry
from collectors.model import Deployment, Product
from sandbox import Fault, InstanceSpec, Sandbox, sandbox_config
from sandbox.incident_scenarios import write_scenario
from tests.collectors.hosts.fake_product import FakeInstall, FakeJvm, compile_app, java_available
from tests.collectors.hosts.sshd import Sshd, available, keygen, write_known_hosts

pytestmark = [
    pytest.mark.server,
    pytest.mark.skipif(not available(), reason="needs OpenSSH's sshd (./scripts/setup.sh --test)"),
]
NODES = ("node1", "node2", "node3")


def atlas(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "agent.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=300,
    )


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Sshd, Path]]:
    client = keygen(tmp_path_factory.mktemp("keys") / "client")
    with Sshd(tmp_path_factory.mktemp("sshd"), client) as server:
        yield server, client


@pytest.fixture(scope="module")
def node_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """node1/, node2/, node3/: each node's log/ and logs/ folders, as the hosts hold them: the
    authentication directory unreachable for 45 minutes."""
    root = tmp_path_factory.mktemp("node-logs")
    write_scenario("directory-unavailable", root)
    return root


def host(name: str, node: str, server: Sshd, key: Path, logs: Path, **extra: object) -> dict:
    return {
        "name": name,
        "ssh": {
            "address": "127.0.0.1",
            "port": server.port,
            "user": server.user,
            "key_file": str(key),
            "known_hosts": "known_hosts",
        },
        "instance": "acme-jira",
        "node": node,
        "log_dirs": [str(logs / node / "log"), str(logs / node / "logs")],
        **extra,
    }


@pytest.fixture(scope="module")
def estate(
    tmp_path_factory: pytest.TempPathFactory, sshd: tuple[Sshd, Path], node_logs: Path
) -> Iterator[tuple[Path, dict[str, str]]]:
    """Acme's three-node Jira (node3 offline) and its three hosts; the configuration file and its env."""
    server, key = sshd
    spec = InstanceSpec(
        name="acme-jira",
        product=Product.JIRA,
        deployment=Deployment.DATACENTER,
        version="9.12.2",
        nodes=3,
        faults={Fault.NODE_OFFLINE},
    )
    with Sandbox([spec]) as sandbox:
        config, env = sandbox_config(sandbox, {"acme": ["acme-jira"]})
        folder = tmp_path_factory.mktemp("config")
        write_known_hosts(folder / "known_hosts", server)
        config["customers"][0]["hosts"] = [
            host(f"jira-{node}", node, server, key, node_logs) for node in NODES
        ]
        path = folder / "config.yaml"
        path.write_text(yaml.safe_dump(config))
        yield path, env


def test_live_shows_the_state_now_first_then_investigates_everything(estate, tmp_path: Path) -> None:
    path, env = estate
    result = atlas(["incident", "--config", str(path), "--customer", "acme", "--format", "json"], env)
    report = json.loads(result.stdout)  # stdout: the one document; the screens went to stderr
    incident = report["incident"]
    assert report["customer"] == "acme" and incident["found"], result.stderr
    # the hosts' logs were read over SSH, each host one node, and investigated with the REST state
    top = incident["causes"][0]
    assert top["cause"] == "directory-unavailable" and top["severity"] == "critical"
    assert result.returncode == 2
    assert sorted(top["nodes"]) == [f"jira-{n}" for n in NODES]
    assert any("REST API of acme-jira" in line for line in report["evidence_sources"])

    err = result.stderr
    first, _rest = err.split("collected 1 instance(s) and 3 host(s)", 1)
    assert "acme: state now" in first
    assert "acme-jira (jira 9.12.2): degraded" in first
    assert "OFFLINE" in first.split("acme-jira (jira 9.12.2)", 1)[1].splitlines()[0]
    for node in NODES:
        assert f"host jira-{node}: " in first and f"host jira-{node}: not reached" not in first
    assert "leading suspect so far: " in first
    assert "thread dumps" in first  # it says what still comes
    assert "Traceback" not in err


def test_live_writes_the_report_and_the_summary_names_it(estate, tmp_path: Path) -> None:
    path, env = estate
    out = tmp_path / "out"
    result = atlas(["incident", "--config", str(path), "--customer", "acme", "--output", str(out)], env)
    assert result.returncode in (1, 2), result.stderr
    # without --format json the screens are on stdout: the state now, then the summary
    stdout = result.stdout
    assert stdout.index("acme: state now") < stdout.index("acme: incident from")
    names = sorted(p.name for p in out.iterdir())
    assert len(names) == 4 and next(n for n in names if n.endswith("-notes.md")).startswith("acme-pir-")
    assert not list(tmp_path.glob(".out.logs.*"))  # the host logs' spool is gone


def test_an_unknown_customer_is_one_line(estate, tmp_path: Path) -> None:
    path, env = estate
    result = atlas(["incident", "--config", str(path), "--customer", "initech"], env)
    assert result.returncode == 3 and result.stdout == ""
    assert result.stderr.strip() == "error: unknown customer 'initech'; the configuration has: acme"


@pytest.mark.slow
@pytest.mark.skipif(not java_available(), reason="needs a JDK (./scripts/setup.sh --test)")
def test_the_first_screen_comes_before_the_thread_dumps_and_the_logs(
    tmp_path_factory: pytest.TempPathFactory, sshd: tuple[Sshd, Path], node_logs: Path, tmp_path: Path
) -> None:
    """With a product JVM on the host, the three dumps take twenty seconds; the first screen holds the
    vitals of the quick pass and no dump, and the end holds three dumps and the logs."""
    server, key = sshd
    install = FakeInstall(tmp_path_factory.mktemp("product")).create()
    jvm = FakeJvm(install, compile_app(tmp_path_factory.mktemp("classes"))).start()
    spec = InstanceSpec(name="acme-jira", product=Product.JIRA, deployment=Deployment.DATACENTER, nodes=3)
    try:
        with Sandbox([spec]) as sandbox:
            config, env = sandbox_config(sandbox, {"acme": ["acme-jira"]})
            write_known_hosts(tmp_path / "known_hosts", server)
            extra = {"install_dir": str(install.install), "home_dir": str(install.home)}
            config["customers"][0]["hosts"] = [host("jira-node1", "node1", server, key, node_logs, **extra)]
            text = yaml.safe_dump(config)
            loaded = parse_config(text, source="test", registry=load_registry(), env=env, base_dir=tmp_path)
            screens: list[FirstScreen] = []
            spool = tmp_path / "spool"
            spool.mkdir()
            snapshot = collect_live(loaded, "acme", spool, since=None, on_first_screen=screens.append)
    finally:
        jvm.stop()
    (first,) = screens
    assert [i.instance for i in first.snapshot.instances] == ["acme-jira"] and not first.pending_instances
    (quick,) = first.snapshot.hosts
    assert quick.connected and quick.memory is not None and quick.thread_dumps is None
    assert quick.logs is not None and not quick.logs.fetched  # listed only: the logs come later
    (full,) = snapshot.hosts
    assert full.thread_dumps is not None and len(full.thread_dumps) == 3
    assert full.logs is not None and full.logs.fetched
    assert sorted(p.name for p in (spool / "acme").iterdir()) == ["jira-node1"]
