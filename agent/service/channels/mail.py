"""E-mail over SMTP: STARTTLS (587) or implicit TLS (465), a login when configured, plain text and
HTML. The Message-ID comes from the outbox's dedupe key, so a resent message is recognisably the same."""

from __future__ import annotations

import hashlib
import html
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate

from agent.config.service_schema import EmailChannel
from agent.service.channels.base import DeliveryError
from agent.service.channels.text import facts, field, headline

SUBJECT_PREFIX = "[atlas-health]"


def message_id(key: str) -> str:
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:40]}@atlas-health>"


class EmailSender:
    def __init__(
        self,
        name: str,
        channel: EmailChannel,
        password: str | None = None,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        self.name = name
        self._channel = channel
        self._password = password
        self._context = tls_context or ssl.create_default_context()

    def send(self, payload: dict[str, object], dedupe_key: str) -> str | None:
        mail = compose(payload, dedupe_key, self._channel.sender, self._channel.to)
        channel, what = self._channel, f"e-mail {self.name} via {self._channel.host}:{self._channel.port}"
        try:
            smtp: smtplib.SMTP
            if channel.tls:
                smtp = smtplib.SMTP_SSL(
                    channel.host, channel.port, timeout=channel.timeout_seconds, context=self._context
                )
            else:
                smtp = smtplib.SMTP(channel.host, channel.port, timeout=channel.timeout_seconds)
            with smtp:
                if channel.starttls and not channel.tls:
                    smtp.starttls(context=self._context)
                if channel.username and self._password is not None:
                    smtp.login(channel.username, self._password)
                # Some recipients refused, others not: a resend would duplicate their copy, so it counts.
                smtp.send_message(mail)
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryError(
                f"{what}: login refused: {exc.smtp_code} {_text(exc.smtp_error)}", permanent=True
            ) from None
        except smtplib.SMTPNotSupportedError as exc:
            raise DeliveryError(f"{what}: {exc}", permanent=True) from None
        except smtplib.SMTPResponseException as exc:
            raise DeliveryError(f"{what}: {exc.smtp_code} {_text(exc.smtp_error)}") from None
        except smtplib.SMTPRecipientsRefused as exc:
            raise DeliveryError(f"{what}: every recipient refused: {', '.join(exc.recipients)}") from None
        except UnicodeEncodeError:
            # smtplib sends AUTH in ASCII only.
            raise DeliveryError(
                f"{what}: the username or password has non-ASCII characters, which SMTP login cannot send",
                permanent=True,
            ) from None
        except ssl.SSLError as exc:
            raise DeliveryError(f"{what}: TLS failed: {exc.reason or exc}") from None
        except (smtplib.SMTPException, OSError) as exc:
            # smtplib reports a read that timed out as a disconnection "...: timed out".
            if isinstance(exc, TimeoutError) or str(exc).endswith("timed out"):
                raise DeliveryError(f"{what}: no answer within {channel.timeout_seconds:g}s") from None
            raise DeliveryError(f"{what}: {type(exc).__name__}: {exc}") from None
        return None


def _text(raw: bytes | str) -> str:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return " ".join(text.split())[:300]


def compose(payload: dict[str, object], dedupe_key: str, sender: str, to: list[str]) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"] = f"{SUBJECT_PREFIX} {headline(payload)}"
    mail["From"] = sender
    mail["To"] = ", ".join(to)
    mail["Date"] = formatdate(usegmt=True)
    mail["Message-ID"] = message_id(dedupe_key)
    # Every message of one alert refers to the same thread, so mail clients group them.
    thread = message_id(f"{field(payload, 'customer')}:{field(payload, 'fingerprint')}")
    mail["References"] = thread
    mail["X-Atlas-Health-Dedupe-Key"] = dedupe_key
    rows = facts(payload)
    message = field(payload, "message")
    plain = [headline(payload), ""] + [f"{label}: {value}" for label, value in rows]
    if message:
        plain += ["", message]
    plain += ["", f"-- {field(payload, 'source', 'atlas-health')}"]
    mail.set_content("\n".join(plain) + "\n")
    cells = "".join(
        f"<tr><th align='left'>{html.escape(label)}</th><td>{html.escape(value)}</td></tr>"
        for label, value in rows
    )
    body = (
        f"<html><body><h2>{html.escape(headline(payload))}</h2><table>{cells}</table>"
        f"<p style='white-space:pre-wrap'>{html.escape(message)}</p>"
        f"<p><small>{html.escape(field(payload, 'source', 'atlas-health'))}</small></p></body></html>"
    )
    mail.add_alternative(body, subtype="html")
    return mail
