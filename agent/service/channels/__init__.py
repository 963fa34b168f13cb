"""The notification channels: webhooks (generic, Slack, Teams), e-mail and the support team's Jira.

``build_senders`` turns ``service.alerts.channels`` into one Sender per channel name, reading each
channel's secret once; the outbox (agent/service/outbox.py) hands them the queued notifications.
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from pathlib import Path

from agent.config.service_schema import Alerts, EmailChannel, JiraChannel, WebhookChannel
from agent.service.channels.base import CredentialError, DeliveryError, Sender
from agent.service.channels.credentials import channel_where, read_secret

__all__ = ["CredentialError", "DeliveryError", "Sender", "build_sender", "build_senders"]


def build_sender(
    index: int,
    name: str,
    channel: WebhookChannel | EmailChannel | JiraChannel,
    base_dir: Path,
    env: Mapping[str, str],
    *,
    email_tls_context: ssl.SSLContext | None = None,
) -> Sender:
    """The sender of one channel (``index`` its position in service.alerts.channels, from 0).

    Raises CredentialError when its token or password is missing, unreadable or empty.
    """
    from agent.service.channels.jira import JiraSender
    from agent.service.channels.mail import EmailSender
    from agent.service.channels.webhook import WebhookSender

    where = channel_where(index, name)
    if isinstance(channel, WebhookChannel):
        token = read_secret(
            where, "token_env", channel.token_env, "token_file", channel.token_file, base_dir, env
        )
        return WebhookSender(name, channel, token)
    if isinstance(channel, EmailChannel):
        password = read_secret(
            where, "password_env", channel.password_env, "password_file", channel.password_file, base_dir, env
        )
        return EmailSender(name, channel, password, email_tls_context)
    auth = channel.auth
    if auth.type == "token":
        token = read_secret(
            where, "auth.token_env", auth.token_env, "auth.token_file", auth.token_file, base_dir, env
        )
        return JiraSender(name, channel, token=token, base_dir=base_dir)
    password = read_secret(
        where, "auth.password_env", auth.password_env, "auth.password_file", auth.password_file, base_dir, env
    )
    return JiraSender(name, channel, password=password, base_dir=base_dir)


def build_senders(
    alerts: Alerts,
    base_dir: Path,
    env: Mapping[str, str],
    *,
    email_tls_context: ssl.SSLContext | None = None,
) -> dict[str, Sender]:
    """One sender per configured channel, keyed by ``alerts.channel_names()``.

    Raises CredentialError for the first channel whose secret is missing (preflight lists them all).
    """
    return {
        name: build_sender(i, name, channel, base_dir, env, email_tls_context=email_tls_context)
        for i, (name, channel) in enumerate(alerts.named_channels())
    }
