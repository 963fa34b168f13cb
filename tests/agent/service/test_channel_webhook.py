"""Webhooks delivered to a real HTTP receiver: the three shapes, and what a hostile receiver does."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.config.service_schema import Alerts
from agent.service.channels import DeliveryError, Sender, build_senders
from agent.service.channels.webhook import DEDUPE_HEADER
from tests.agent.service.receivers import Reply, alert_payload, webhook_receiver

pytestmark = pytest.mark.server
KEY = "hook:acme:" + "f" * 40 + ":1"


def _sender(url: str, tmp_path: Path, fmt: str = "generic", **extra: object) -> Sender:
    alerts = Alerts.model_validate({"channels": [{"type": "webhook", "url": url, "format": fmt, **extra}]})
    return build_senders(alerts, tmp_path, {"HOOK_TOKEN": "hook-secret"})["webhook-1"]


def test_generic_posts_the_payload_with_token_and_dedupe_key(tmp_path: Path) -> None:
    with webhook_receiver() as receiver:
        sender = _sender(receiver.url, tmp_path, token_env="HOOK_TOKEN")
        assert sender.send(alert_payload(), KEY) is None
    [got] = receiver.received
    assert got.json() == alert_payload()
    assert got.headers["Authorization"] == "Bearer hook-secret"
    assert got.headers[DEDUPE_HEADER] == KEY
    assert got.headers["Content-Type"] == "application/json"


def test_slack_gets_text_and_blocks_with_markup_escaped(tmp_path: Path) -> None:
    with webhook_receiver() as receiver:
        _sender(receiver.url, tmp_path, "slack").send(alert_payload(), KEY)
    body = receiver.received[0].json()
    assert body["text"] == "FIRING critical acme: Disk <b>almost</b> full"
    kinds = [block["type"] for block in body["blocks"]]
    assert kinds == ["header", "section", "section", "context"]
    fields = " ".join(f["text"] for f in body["blocks"][1]["fields"])
    for expected in ("*Severity*\ncritical", "*Customer*\nacme", "host.disk.free", "jira-node-1"):
        assert expected in fields
    message = body["blocks"][2]["text"]["text"]
    assert "&lt;script&gt;" in message and "<script>" not in message and "&amp; falling" in message
    assert "reports.example.com/acme" in body["blocks"][3]["elements"][0]["text"]
    assert "Authorization" not in receiver.received[0].headers


def test_teams_gets_a_message_card(tmp_path: Path) -> None:
    with webhook_receiver() as receiver:
        _sender(receiver.url, tmp_path, "teams").send(alert_payload("resolved"), KEY)
    card = receiver.received[0].json()
    assert card["@type"] == "MessageCard"
    assert card["summary"].startswith("RESOLVED critical acme")
    assert card["themeColor"] == "2EA44F"
    facts = {fact["name"]: fact["value"] for fact in card["sections"][0]["facts"]}
    assert facts["Customer"] == "acme" and facts["Check"] == "host.disk.free"
    assert "&lt;script&gt;" in card["sections"][0]["text"]
    assert (
        card["potentialAction"][0]["targets"][0]["uri"] == "https://reports.example.com/acme/2026-06-15.html"
    )


def test_an_error_status_is_a_one_line_bounded_delivery_error(tmp_path: Path) -> None:
    page = b"<html>\n<body><h1>502 Bad Gateway</h1>\n" + b"<p>padding</p>\n" * 500 + b"</body></html>"
    with webhook_receiver(Reply(502, page, "text/html")) as receiver, pytest.raises(DeliveryError) as caught:
        _sender(receiver.url, tmp_path).send(alert_payload(), KEY)
    message = str(caught.value)
    assert "HTTP 502" in message and "502 Bad Gateway" in message
    assert "\n" not in message and len(message) < 400
    assert not caught.value.permanent


def test_a_refused_token_is_marked_permanent(tmp_path: Path) -> None:
    with (
        webhook_receiver(Reply(401, b'{"error": "bad token"}', "application/json")) as receiver,
        pytest.raises(DeliveryError, match="HTTP 401") as caught,
    ):
        _sender(receiver.url, tmp_path, token_env="HOOK_TOKEN").send(alert_payload(), KEY)
    assert caught.value.permanent
    assert "hook-secret" not in str(caught.value)


def test_a_huge_answer_is_not_read_whole(tmp_path: Path) -> None:
    flood = 512 * 1024 * 1024  # half a gigabyte announced and streamed; the sender reads 1 MiB of it
    with (
        webhook_receiver(Reply(500, flood_bytes=flood)) as receiver,
        pytest.raises(DeliveryError, match=r"HTTP 500: x+…") as caught,
    ):
        _sender(receiver.url, tmp_path).send(alert_payload(), KEY)
    assert len(str(caught.value)) < 400


def test_a_receiver_that_never_answers_times_out(tmp_path: Path) -> None:
    with (
        webhook_receiver(Reply(hang=True)) as receiver,
        pytest.raises(DeliveryError, match=r"no answer within 0\.5s"),
    ):
        _sender(receiver.url, tmp_path, timeout_seconds=0.5).send(alert_payload(), KEY)


def test_a_redirect_is_not_followed(tmp_path: Path) -> None:
    with (
        webhook_receiver(Reply(302, b"")) as receiver,
        pytest.raises(DeliveryError, match=r"HTTP 302 redirect to \? \(not followed"),
    ):
        _sender(receiver.url, tmp_path).send(alert_payload(), KEY)
    assert len(receiver.received) == 1


def test_nothing_listening_is_a_delivery_error(tmp_path: Path) -> None:
    with webhook_receiver() as receiver:
        url = receiver.url
    with pytest.raises(DeliveryError, match="cannot connect"):
        _sender(url, tmp_path, timeout_seconds=2).send(alert_payload(), KEY)


def test_an_error_never_shows_the_webhook_urls_secret_path(tmp_path: Path) -> None:
    with webhook_receiver() as receiver:
        base = receiver.url.rsplit("/", 1)[0]
    secret_url = base + "/services/T000/B000/s3cr3tp4th"
    with pytest.raises(DeliveryError) as caught:
        _sender(secret_url, tmp_path, "slack", timeout_seconds=2).send(alert_payload(), KEY)
    assert "s3cr3tp4th" not in str(caught.value)
