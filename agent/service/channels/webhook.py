"""Webhooks: the payload as it is (generic), a Slack message, or a Microsoft Teams card."""

from __future__ import annotations

import html
from typing import Any

import requests

from agent.config.service_schema import WebhookChannel
from agent.service.channels.http import exchange
from agent.service.channels.text import facts, field, headline, one_line

DEDUPE_HEADER = "X-Atlas-Health-Dedupe-Key"  # receivers drop a repeat (see agent/service/outbox.py)
MESSAGE_LIMIT = 2800  # Slack's section text holds 3000 characters
COLOURS = {"critical": "D93F0B", "warning": "FBCA04", "info": "1D76DB"}
RESOLVED_COLOUR = "2EA44F"


class WebhookSender:
    def __init__(self, name: str, channel: WebhookChannel, token: str | None = None) -> None:
        self.name = name
        self._channel = channel
        self._token = token
        self._session = requests.Session()
        self._session.trust_env = False  # no proxy or .netrc credentials picked up from the host

    def send(self, payload: dict[str, object], dedupe_key: str) -> str | None:
        fmt = self._channel.format
        body = slack(payload) if fmt == "slack" else teams(payload) if fmt == "teams" else generic(payload)
        headers = {"User-Agent": "atlas-health", DEDUPE_HEADER: dedupe_key}
        if self._token is not None:
            headers["Authorization"] = f"Bearer {self._token}"
        exchange(
            self._session,
            "POST",
            self._channel.url,
            what=f"webhook {self.name}",
            timeout=self._channel.timeout_seconds,
            json_body=body,
            headers=headers,
        )
        return None


def generic(payload: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in payload.items() if k != "external_ref"}


def _resolved(payload: dict[str, object]) -> bool:
    return field(payload, "event", field(payload, "state")) == "resolved"


def _mrkdwn(text: str) -> str:
    # Slack reads &, < and > as markup (links, mentions); everything else is shown as written.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack(payload: dict[str, object]) -> dict[str, Any]:
    title = headline(payload)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": one_line(title, 150)}},
        {
            "type": "section",
            "fields": [
                {"type": "mrkdwn", "text": f"*{label}*\n{_mrkdwn(value)}"}
                for label, value in facts(payload)
                if label != "Report"
            ][:10],
        },
    ]
    message = field(payload, "message")
    if message:
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": _mrkdwn(message[:MESSAGE_LIMIT])}}
        )
    report = field(payload, "report")
    if report:
        blocks.append(
            {"type": "context", "elements": [{"type": "mrkdwn", "text": f"Report: {_mrkdwn(report)}"}]}
        )
    return {"text": title, "blocks": blocks}


def teams(payload: dict[str, object]) -> dict[str, Any]:
    """A MessageCard, which Teams incoming webhooks (and Workflows' webhook trigger) accept."""
    colour = RESOLVED_COLOUR if _resolved(payload) else COLOURS.get(field(payload, "severity"), "777777")
    title = headline(payload)
    card: dict[str, Any] = {
        "@type": "MessageCard",
        "@context": "https://schema.org/extensions",
        "summary": title,
        "themeColor": colour,
        "title": html.escape(title),
        "sections": [
            {
                "facts": [{"name": label, "value": html.escape(value)} for label, value in facts(payload)],
                "text": html.escape(field(payload, "message")[:MESSAGE_LIMIT]),
            }
        ],
    }
    report = field(payload, "report")
    if report.startswith(("http://", "https://")):
        card["potentialAction"] = [
            {"@type": "OpenUri", "name": "Open the report", "targets": [{"os": "default", "uri": report}]}
        ]
    return card
