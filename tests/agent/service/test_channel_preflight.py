"""Before the service starts: missing secrets are errors naming the fix, unreachable hosts warnings."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from agent.config.service_schema import Alerts
from agent.service.channels import CredentialError, build_senders
from agent.service.channels.preflight import channel_problems
from tests.agent.service.receivers import webhook_receiver


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # nothing listens once it is closed


def _alerts(mail_port: int, hook_url: str) -> Alerts:
    return Alerts.model_validate(
        {
            "channels": [
                {"type": "webhook", "url": hook_url, "token_file": "secrets/hook-token"},
                {
                    "type": "email",
                    "name": "mail",
                    "host": "127.0.0.1",
                    "port": mail_port,
                    "username": "alerts",
                    "password_env": "SMTP_PASSWORD",
                    "from": "atlas@example.com",
                    "to": ["oncall@example.com"],
                },
            ]
        }
    )


@pytest.mark.server
def test_missing_secrets_are_errors_and_a_closed_port_a_warning(tmp_path: Path) -> None:
    port = _closed_port()
    with webhook_receiver() as receiver:
        errors, warnings = channel_problems(_alerts(port, receiver.url), tmp_path, {}, probe_seconds=2)
    assert errors == [
        f"service.alerts.channels[0] (webhook-1): token_file {tmp_path / 'secrets/hook-token'} cannot be read "
        "(No such file or directory); create it or fix the path",
        "service.alerts.channels[1] (mail): password_env SMTP_PASSWORD is not set (export it before running)",
    ]
    assert warnings == [
        f"service.alerts.channels[1] (mail): 127.0.0.1:{port} is not reachable (Connection refused); "
        "notifications wait until it is"
    ]


@pytest.mark.server
def test_present_secrets_and_reachable_hosts_are_no_problem(tmp_path: Path) -> None:
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "hook-token").write_text("t0ken\n")
    with webhook_receiver() as receiver, socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        alerts = _alerts(listening.getsockname()[1], receiver.url)
        assert channel_problems(alerts, tmp_path, {"SMTP_PASSWORD": "pw"}, probe_seconds=2) == ([], [])


def test_an_empty_secret_is_refused_by_build_senders(tmp_path: Path) -> None:
    alerts = _alerts(25, "http://127.0.0.1:9/hook")
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "hook-token").write_text("t0ken")
    with pytest.raises(CredentialError, match=r"channels\[1\] \(mail\): password_env SMTP_PASSWORD is empty"):
        build_senders(alerts, tmp_path, {"SMTP_PASSWORD": "  "})
    (tmp_path / "secrets" / "hook-token").write_text("\n")
    with pytest.raises(
        CredentialError, match=r"channels\[0\] \(webhook-1\): token_file .*hook-token is empty"
    ):
        build_senders(alerts, tmp_path, {"SMTP_PASSWORD": "pw"})


@pytest.mark.server  # probes a closed loopback port
def test_a_missing_ca_bundle_is_an_error(tmp_path: Path) -> None:
    jira = {
        "type": "jira",
        "url": "http://127.0.0.1:9",
        "project": "SUP",
        "auth": {"type": "token", "token_env": "JIRA_TOKEN"},
        "ca_bundle": "certs/support-ca.pem",
    }
    alerts = Alerts.model_validate({"channels": [jira]})
    errors, _ = channel_problems(alerts, tmp_path, {"JIRA_TOKEN": "t"}, probe_seconds=0.5)
    assert errors == [
        f"service.alerts.channels[0] (jira-1): ca_bundle {tmp_path / 'certs/support-ca.pem'} is not a file; fix the path"
    ]
