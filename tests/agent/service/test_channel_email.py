"""E-mail through a real SMTP server (aiosmtpd) that demands STARTTLS and a login."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from agent.config.service_schema import Alerts
from agent.service.channels import DeliveryError, Sender, build_senders
from agent.service.channels.mail import message_id
from tests.agent.service.receivers import SMTP_PASSWORD, SMTP_USER, SmtpServer, alert_payload, smtp_server

pytestmark = pytest.mark.server
KEY = "mail:acme:" + "f" * 40 + ":1"


def _sender(
    server: SmtpServer, tmp_path: Path, password: str = SMTP_PASSWORD, *, trusted: bool = True
) -> Sender:
    channel = {
        "type": "email",
        "host": server.host,
        "port": server.port,
        "username": SMTP_USER,
        "password_env": "SMTP_PASSWORD",
        "from": "atlas-health@example.com",
        "to": ["oncall@example.com", "support@example.com"],
        "timeout_seconds": 5,
    }
    alerts = Alerts.model_validate({"channels": [channel]})
    context = server.client_context() if trusted else None
    senders = build_senders(alerts, tmp_path, {"SMTP_PASSWORD": password}, email_tls_context=context)
    return senders["email-1"]


def test_a_firing_alert_arrives_with_subject_ids_and_escaped_html(tmp_path: Path) -> None:
    with smtp_server() as server:
        assert _sender(server, tmp_path).send(alert_payload(), KEY) is None
        [mail] = server.messages
        assert server.inbox.envelopes == [
            ("atlas-health@example.com", ["oncall@example.com", "support@example.com"])
        ]
    assert mail["Subject"] == "[atlas-health] FIRING critical acme: Disk <b>almost</b> full"
    assert mail["Message-ID"] == message_id(KEY)
    assert str(mail["X-Atlas-Health-Dedupe-Key"]).strip() == KEY  # folded: a long header
    plain = mail.get_body(("plain",))
    html = mail.get_body(("html",))
    assert plain is not None and html is not None
    assert "Customer: acme" in plain.get_content() and "<script>alert(1)</script>" in plain.get_content()
    html_text = html.get_content()
    assert "&lt;script&gt;" in html_text and "<script>" not in html_text
    assert "Disk &lt;b&gt;almost&lt;/b&gt; full" in html_text


def test_a_resend_carries_the_same_message_id_and_a_resolution_the_same_thread(tmp_path: Path) -> None:
    resolved_key = KEY[:-1] + "3"
    with smtp_server() as server:
        sender = _sender(server, tmp_path)
        sender.send(alert_payload(), KEY)
        sender.send(alert_payload(), KEY)
        sender.send(alert_payload("resolved"), resolved_key)
        first, again, resolved = server.messages
    assert first["Message-ID"] == again["Message-ID"] != resolved["Message-ID"]
    assert resolved["Subject"].startswith("[atlas-health] RESOLVED critical acme: ")
    assert first["References"] == resolved["References"]


def test_a_wrong_password_is_a_permanent_delivery_error(tmp_path: Path) -> None:
    with smtp_server() as server:
        with pytest.raises(DeliveryError, match="login refused: 535") as caught:
            _sender(server, tmp_path, "wrong-password").send(alert_payload(), KEY)
        assert server.messages == []
    assert caught.value.permanent
    assert "wrong-password" not in str(caught.value)


def test_a_non_ascii_password_is_a_clear_delivery_error(tmp_path: Path) -> None:
    with smtp_server() as server:
        with pytest.raises(DeliveryError, match="non-ASCII characters"):
            _sender(server, tmp_path, "sécret").send(alert_payload(), KEY)
        assert server.messages == []


def test_an_untrusted_certificate_is_a_delivery_error(tmp_path: Path) -> None:
    with smtp_server() as server:
        with pytest.raises(DeliveryError, match="TLS failed"):
            _sender(server, tmp_path, trusted=False).send(alert_payload(), KEY)
        assert server.messages == []


def test_no_server_is_a_delivery_error(tmp_path: Path) -> None:
    with smtp_server() as server:
        sender = _sender(server, tmp_path)
    with pytest.raises(DeliveryError, match=r"e-mail email-1 via 127\.0\.0\.1:\d+: ConnectionRefusedError"):
        sender.send(alert_payload(), KEY)


def test_a_server_that_never_greets_times_out(tmp_path: Path) -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # connections complete in the backlog; nobody ever answers them
        channel = {
            "type": "email",
            "host": "127.0.0.1",
            "port": silent.getsockname()[1],
            "from": "atlas-health@example.com",
            "to": ["oncall@example.com"],
            "timeout_seconds": 0.5,
        }
        sender = build_senders(Alerts.model_validate({"channels": [channel]}), tmp_path, {})["email-1"]
        with pytest.raises(DeliveryError, match=r"no answer within 0\.5s"):
            sender.send(alert_payload(), KEY)
