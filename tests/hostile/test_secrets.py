"""Hostile inputs that try to make atlas-health leak a secret: servers echoing credentials, files and
URLs holding them, and stores other local users could read."""

from __future__ import annotations

import base64
import json
import os
import stat
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from tests.hostile.limits import assert_clean_failure, atlas

USER = "svc-health"
PASSWORD = "Pw-4711-geheim"
BASIC = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()


# Secrets in shapes the redaction did not know, each holding "Pw-leak-N", as a server might show them
SECRET_SHAPES = [
    "Cookie: JSESSIONID=Pw-leak-1; seraph.rememberme.cookie=Pw-leak-2",
    "remember seraph.rememberme.cookie=Pw-leak-3 and JSESSIONID=Pw-leak-4",
    "<password><![CDATA[Pw-leak-5<x>]]></password>",
    "password=Pw-leak-6 second Pw-leak-7",
    "-----BEGIN RSA PRIVATE KEY-----\nPw-leak-8\n-----END RSA PRIVATE KEY-----",
    "<property name = 'hibernate.connection.password'>Pw-leak-9</property>",
]


class _EchoingJira(BaseHTTPRequestHandler):
    """A Jira that echoes the Authorization header's value without its "Basic " prefix everywhere,
    and shows secrets in shapes a redaction might miss as its name."""

    def do_GET(self) -> None:
        echoed = (self.headers.get("Authorization") or "").removeprefix("Basic ")
        echoed = " | ".join([echoed, *SECRET_SHAPES])
        path = self.path.split("?")[0]
        if path.endswith("/status"):
            body: object = {"state": "RUNNING"}
        elif path.endswith("/serverInfo"):
            body = {"version": "9.12.0", "deploymentType": "Server", "serverTitle": echoed}
        elif path.endswith("/myself"):
            body = {"name": echoed, "displayName": echoed, "active": True}
        else:
            self._send(500, f"internal error for {echoed}".encode(), "text/plain")
            return
        self._send(200, json.dumps(body).encode(), "application/json")

    def _send(self, status: int, data: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def echoing_jira() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _EchoingJira)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _config(tmp_path: Path, url: str) -> Path:
    config = {
        "customers": [
            {
                "name": "acme",
                "instances": [
                    {
                        "name": "acme-jira",
                        "product": "jira",
                        "deployment": "server",
                        "url": url,
                        "auth": {"type": "basic", "username": USER, "password_env": "ACME_JIRA_PASSWORD"},
                    }
                ],
            }
        ],
        "settings": {"timeout_seconds": 5, "instance_budget_seconds": 20},
        "ledger": {"url": f"sqlite:///{tmp_path / 'ledger.sqlite'}"},
    }
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def _files_text(folder: Path) -> str:
    return "\n".join(p.read_text(errors="replace") for p in sorted(folder.rglob("*")) if p.is_file())


@pytest.mark.server
def test_a_server_echoing_the_basic_credential_leaks_it_nowhere(tmp_path: Path, echoing_jira: str) -> None:
    config = _config(tmp_path, echoing_jira)
    env = {"ACME_JIRA_PASSWORD": PASSWORD}
    reports = tmp_path / "reports"
    checked = atlas(
        ["check", "--config", str(config), "--output", str(reports)],
        env=env,
        cwd=tmp_path,
    )
    assert "Traceback" not in checked.stderr, checked.stderr
    bundle = tmp_path / "bundle"
    collected = atlas(["collect", "--config", str(config), "--output", str(bundle)], env=env, cwd=tmp_path)
    assert collected.returncode == 0, collected.stderr
    written = _files_text(reports) + _files_text(bundle)
    assert "Cookie: ***" in written  # the server's text reached the outputs, redacted
    everything = written + checked.stdout + checked.stderr + collected.stdout + collected.stderr
    for leaked in (BASIC, BASIC.rstrip("="), PASSWORD, "Pw-leak-"):
        assert leaked not in everything


def test_the_sqlite_ledger_and_its_side_files_are_private(tmp_path: Path) -> None:
    from agent.ledger.storage import create_ledger_engine, migrate, resolve_url

    previous = os.umask(0o022)  # the usual umask, under which new files are world-readable
    try:
        engine = create_ledger_engine(resolve_url(f"sqlite:///{tmp_path / 'ledger.sqlite'}"))
        try:
            migrate(engine)  # writes the schema: the WAL and shared-memory files exist while it is open
            with engine.connect() as connection:
                connection.exec_driver_sql("SELECT 1")
                files = sorted(tmp_path.glob("ledger.sqlite*"))
                assert {p.name for p in files} >= {"ledger.sqlite", "ledger.sqlite-wal", "ledger.sqlite-shm"}
                modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in files}
        finally:
            engine.dispose()
    finally:
        os.umask(previous)
    assert modes == dict.fromkeys(modes, 0o600)


def _write(tmp_path: Path, config: dict[str, object]) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def _instance(url: str) -> dict[str, object]:
    return {
        "name": "acme-jira",
        "product": "jira",
        "deployment": "server",
        "url": url,
        "auth": {"type": "token", "token_env": "ACME_JIRA_TOKEN"},
    }


def test_config_validate_does_not_echo_the_password_of_a_refused_url(tmp_path: Path) -> None:
    config = {
        "customers": [{"name": "acme", "instances": [_instance("ftp://admin:Pw-4711@jira.example.com")]}]
    }
    result = atlas(["config", "validate", str(_write(tmp_path, config))], env={"ACME_JIRA_TOKEN": "tok-1"})
    stderr = assert_clean_failure(result)
    assert "is not an http:// or https:// URL" in stderr
    assert "Pw-4711" not in stderr + result.stdout


def test_a_ledger_url_with_a_password_parameter_is_refused(tmp_path: Path) -> None:
    config = {
        "customers": [{"name": "acme", "instances": [_instance("https://jira.example.com")]}],
        "ledger": {"url": "postgresql://atlas@db.example.com/ledger?sslmode=require&password=Pw-4711"},
    }
    result = atlas(["config", "validate", str(_write(tmp_path, config))], env={"ACME_JIRA_TOKEN": "tok-1"})
    stderr = assert_clean_failure(result)
    assert "PGPASSWORD" in stderr
    assert "Pw-4711" not in stderr + result.stdout


@pytest.mark.parametrize(
    "content",
    [
        "root:x:0:0:Pw-4711 root:/root:/bin/bash: x\n",  # a password file whose first line parses as a key
        "Pw-4711-first-line: value\nnext: line\n",
        "Pw-4711\n",
    ],
)
def test_a_signature_file_that_is_no_signature_file_is_not_quoted(tmp_path: Path, content: str) -> None:
    (tmp_path / "private.txt").write_text(content)
    config = {
        "customers": [{"name": "acme", "instances": [_instance("https://jira.example.com")]}],
        "settings": {"logs": {"signature_files": ["private.txt"]}},
    }
    result = atlas(["config", "validate", str(_write(tmp_path, config))], env={"ACME_JIRA_TOKEN": "tok-1"})
    stderr = assert_clean_failure(result)
    assert "a signature file is a mapping" in stderr
    assert "Pw-4711" not in stderr + result.stdout


@pytest.mark.parametrize(("mode", "warned"), [(0o644, True), (0o600, False), (0o640, False)])
def test_a_secret_file_every_user_can_read_is_questioned(tmp_path: Path, mode: int, warned: bool) -> None:
    token = tmp_path / "jira.token"
    token.write_text("tok-4711\n")
    token.chmod(mode)
    instance = {
        **_instance("https://jira.example.com"),
        "auth": {"type": "token", "token_file": "jira.token"},
    }
    config = {"customers": [{"name": "acme", "instances": [instance]}]}
    result = atlas(["config", "validate", str(_write(tmp_path, config))])
    assert result.returncode == 0, result.stderr  # a warning, not a refusal
    assert ("can be read by every user" in result.stderr) is warned, result.stderr
    if warned:
        assert f"chmod 600 {token}" in result.stderr
    assert "tok-4711" not in result.stderr + result.stdout


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf"])
def test_a_threshold_that_is_no_finite_number_is_refused(tmp_path: Path, value: str) -> None:
    path = _write(
        tmp_path, {"customers": [{"name": "acme", "instances": [_instance("https://jira.example.com")]}]}
    )
    path.write_text(
        path.read_text() + f"checks:\n  thresholds:\n    instance.api.latency: {{warning_ms: {value}}}\n"
    )
    result = atlas(["config", "validate", str(path)], env={"ACME_JIRA_TOKEN": "tok-1"})
    stderr = assert_clean_failure(result)
    assert "checks.thresholds.instance.api.latency.warning_ms: a threshold must be a finite number" in stderr
