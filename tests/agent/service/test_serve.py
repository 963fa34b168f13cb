"""`atlas-health serve` as a process: health and metrics, SIGHUP with a broken and a good
configuration, SIGTERM with a job still running, and the start-up errors."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.agent.service.serve_process import ROOT, Serve, free_port, write_config

QUICK = "    - {name: quick, every: 10s}\n"
MORE = QUICK + '    - {name: nightly, cron: "0 2 * * 1-5"}\n'


@pytest.mark.server
@pytest.mark.slow
def test_serve_runs_reloads_and_stops(tmp_path: Path):
    port = free_port()
    config = write_config(tmp_path / "c.yaml", f"sqlite:///{tmp_path / 'ledger.sqlite'}", port, QUICK)
    serve = Serve(config, tmp_path / "work.jsonl", port, tmp_path / "serve.log")
    try:
        health = serve.wait_for("a healthy leader", lambda: (h := serve.health())["status"] == "ok" and h)
        assert health["http"] == 200 and health["role"] == "leader" and "quick" in health["jobs"]
        # one slot runs, on a multiple of 10 s, and the metrics show it
        run = serve.wait_for("a run", lambda: [e for e in serve.work() if e["event"] == "run_job"])[0]
        assert run["job"] == "quick" and run["scheduled_for"].endswith(("0+00:00", "0.000000+00:00"))
        metrics = serve.wait_for(
            "metrics of a run", lambda: b"atlas_health_up{" in (m := serve.get("/metrics")[1]) and m
        )
        text = metrics.decode()
        assert 'atlas_health_up{customer="acme",instance="acme-jira"} 1.0' in text
        assert "atlas_health_leader 1.0" in text
        assert serve.get("/nothing")[0] == 404
        assert serve.post("/healthz", b"")[0] == 405  # GET only
        assert serve.post("/healthz", b"x" * 100)[0] == 413  # and no request bodies
        assert serve.get("/healthz")[0] == 200

        # SIGHUP with a broken file: refused, each error logged, the service goes on
        good = config.read_text()
        config.write_text(good.replace("every: 10s", "every: 5") + "  bogus: 1\n")
        serve.signal(signal.SIGHUP)
        refused = serve.wait_for(
            "the refusal", lambda: [e for e in serve.log_lines() if e["message"].startswith("reload refused")]
        )
        messages = " ".join(e["message"] for e in refused)
        assert "service.schedules[0].every" in messages and "service.bogus" in messages
        assert all(e["level"] == "error" for e in refused)
        assert serve.process.poll() is None and serve.health()["status"] == "ok"
        assert [e["jobs"] for e in serve.work() if e["event"] == "make_work"] == [["quick"]]

        # SIGHUP with a good file: a new Work, the jobs planned again
        config.write_text(good.replace(QUICK, MORE))
        serve.signal(signal.SIGHUP)
        works = serve.wait_for(
            "the new work", lambda: [e for e in serve.work() if e["event"] == "make_work"][1:]
        )
        assert works[0]["jobs"] == ["quick", "nightly"]
        serve.wait_for("the old work closed", lambda: [e for e in serve.work() if e["event"] == "close"])
        assert (
            "nightly"
            in serve.wait_for(
                "the new job", lambda: (h := serve.health()).get("jobs", {}).keys() >= {"nightly"} and h
            )["jobs"]
        )

        # SIGTERM while a slot runs longer than the grace (2 s): exit 0, the slot logged as abandoned
        (tmp_path / "work.jsonl.sleep").write_text("60")
        runs = len([e for e in serve.work() if e["event"] == "run_job"])
        serve.wait_for("a long run", lambda: len([e for e in serve.work() if e["event"] == "run_job"]) > runs)
        serve.signal(signal.SIGTERM)
        assert serve.process.wait(30) == 0
        messages = [e["message"] for e in serve.log_lines()]
        assert any(m.startswith("abandoned job quick@") for m in messages)
        assert messages[-1] == "stopped"
        abandoned = next(e for e in serve.log_lines() if e["message"].startswith("abandoned job"))
        assert abandoned["logger"] == "agent.service.daemon" and abandoned["job"].startswith("quick@")
        assert {"time", "level", "logger", "message"} <= abandoned.keys()
    finally:
        serve.stop()


@pytest.mark.server
def test_sigterm_when_idle_exits_0(tmp_path: Path):
    port = free_port()
    config = write_config(
        tmp_path / "c.yaml",
        f"sqlite:///{tmp_path / 'ledger.sqlite'}",
        port,
        '    - {name: nightly, cron: "0 2 * * *"}\n',
    )
    serve = Serve(config, tmp_path / "work.jsonl", port, tmp_path / "serve.log")
    try:
        serve.wait_for("a healthy leader", lambda: serve.health()["status"] == "ok")
        serve.signal(signal.SIGTERM)
        assert serve.process.wait(30) == 0
        assert [e["event"] for e in serve.work()] == ["make_work", "close"]
    finally:
        serve.stop()


def run_serve(config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "agent.cli", "serve", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "ACME_TOKEN": "x", "PATH": "/usr/bin:/bin"},
    )


@pytest.mark.server
def test_start_up_errors_are_one_line_each_with_exit_3(tmp_path: Path):
    port = free_port()
    config = write_config(
        tmp_path / "c.yaml",
        f"sqlite:///{tmp_path / 'l.sqlite'}",
        port,
        '    - {name: q, cron: "0 2 * * 9"}\n',
    )
    result = run_serve(config)
    assert result.returncode == 3
    assert "service.schedules[0].cron: cron '0 2 * * 9' does not parse" in result.stderr
    assert "Traceback" not in result.stderr

    config.write_text(config.read_text().split("service:")[0])
    result = run_serve(config)
    assert result.returncode == 3
    assert "there is no service section: add one (see config.example.yaml)" in result.stderr

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        write_config(config, f"sqlite:///{tmp_path / 'l.sqlite'}", port, "    - {name: q, every: 1m}\n")
        result = run_serve(config)
    assert result.returncode == 3
    assert f"service.listen: cannot listen on 127.0.0.1:{port}" in result.stderr


def test_a_channel_without_its_secret_refuses_to_start_and_an_unreachable_smtp_host_is_a_warning(
    tmp_path: Path,
):
    port = free_port()
    config = write_config(
        tmp_path / "c.yaml", f"sqlite:///{tmp_path / 'l.sqlite'}", port, "    - {name: q, every: 1m}\n"
    )
    closed = free_port()  # nothing listens there
    channels = (
        "  alerts:\n    channels:\n"
        f"      - {{type: email, host: 127.0.0.1, port: {closed}, starttls: false, username: ops,\n"
        "         password_env: SMTP_PASSWORD_FOR_TEST, from: atlas@example.org, to: [ops@example.org]}\n"
    )
    config.write_text(config.read_text() + channels)
    result = run_serve(config)
    assert result.returncode == 3
    assert "password_env SMTP_PASSWORD_FOR_TEST is not set" in result.stderr
    assert "Traceback" not in result.stderr
    assert f"127.0.0.1:{closed}" in result.stderr  # the unreachable host, reported beside the error
