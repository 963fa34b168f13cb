"""The support team's own Jira (Server/Data Center, REST v2): one issue per firing alert.

The issue carries the label ``atlas-health-<customer>-<fingerprint>``; a firing first searches for an
open issue with it, so a restarted service, or a resend after a crash, never opens a second one.
Comments carry the outbox's dedupe key, so a resent reminder or resolution is not written twice.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests

from agent.config.service_schema import JiraChannel
from agent.service.channels.base import DeliveryError
from agent.service.channels.http import exchange
from agent.service.channels.text import facts, field, headline, state_word

DESCRIPTION_LIMIT = 30_000  # Jira's text fields hold 32767 characters


def alert_label(customer: str, fingerprint: str) -> str:
    return re.sub(r"\s+", "-", f"atlas-health-{customer}-{fingerprint}")


def _jql_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _noformat(text: str) -> str:
    return "{noformat}\n" + text.replace("{noformat}", "(noformat)") + "\n{noformat}"


class JiraSender:
    def __init__(
        self,
        name: str,
        channel: JiraChannel,
        *,
        token: str | None = None,
        password: str | None = None,
        base_dir: Path | None = None,
    ) -> None:
        self.name = name
        self._channel = channel
        self._session = requests.Session()
        self._session.trust_env = False
        self._session.headers.update({"Accept": "application/json", "User-Agent": "atlas-health"})
        if channel.auth.type == "token":
            self._session.headers["Authorization"] = f"Bearer {token}"
        else:
            self._session.auth = (channel.auth.username or "", password or "")
        if channel.ca_bundle is not None:
            bundle = channel.ca_bundle
            self._session.verify = str(
                bundle if bundle.is_absolute() or base_dir is None else base_dir / bundle
            )
        else:
            self._session.verify = channel.verify_tls

    def send(self, payload: dict[str, object], dedupe_key: str) -> str | None:
        label = alert_label(field(payload, "customer"), field(payload, "fingerprint"))
        event = field(payload, "event", field(payload, "state", "firing"))
        if event == "firing":
            return self._find(label, open_only=True) or self._create(payload, label)
        key = field(payload, "external_ref") or self._find(label, open_only=False)
        if not key:
            raise DeliveryError(f"jira {self.name}: no issue labelled {label} to add the {event} to")
        self._comment(key, payload, dedupe_key)
        if event == "resolved" and self._channel.resolve_transition:
            self._resolve(key, self._channel.resolve_transition)
        return key

    # -- the REST calls

    def _call(self, method: str, path: str, what: str, body: object = None) -> Any:
        answer = exchange(
            self._session,
            method,
            self._channel.url + path,
            what=f"jira {self.name}: {what}",
            timeout=self._channel.timeout_seconds,
            json_body=body,
        )
        return answer.json(f"jira {self.name}: {what}") if answer.body.strip() else None

    def _find(self, label: str, *, open_only: bool) -> str | None:
        jql = f"labels = {_jql_string(label)}"
        if open_only:
            jql += " AND statusCategory != Done"
        found = self._call(
            "GET",
            f"/rest/api/2/search?jql={quote(jql + ' ORDER BY created DESC')}&fields=status&maxResults=1",
            f"search {label}",
        )
        issues = found.get("issues") if isinstance(found, dict) else None
        if isinstance(issues, list) and issues and isinstance(issues[0], dict):
            key = issues[0].get("key")
            return str(key) if key else None
        return None

    def _create(self, payload: dict[str, object], label: str) -> str:
        channel = self._channel
        fields = {
            "project": {"key": channel.project},
            "issuetype": {"name": channel.issue_type},
            "summary": headline(payload).replace("FIRING ", "", 1),
            "description": describe(payload),
            "labels": [*channel.labels, label],
        }
        created = self._call("POST", "/rest/api/2/issue", "create issue", {"fields": fields})
        key = created.get("key") if isinstance(created, dict) else None
        if not key:
            raise DeliveryError(f"jira {self.name}: create issue: the answer has no issue key")
        return str(key)

    def _comment(self, key: str, payload: dict[str, object], dedupe_key: str) -> None:
        marker = f"[atlas-health {dedupe_key}]"
        issue = self._call("GET", f"/rest/api/2/issue/{quote(key)}?fields=comment,status", f"read {key}")
        comments = (((issue or {}).get("fields") or {}).get("comment") or {}).get("comments") or []
        if any(marker in str(c.get("body", "")) for c in comments if isinstance(c, dict)):
            return  # written before a crash kept the outbox from recording it
        body = f"*{state_word(payload)}*: {headline(payload)}\n\n{describe(payload)}\n\n{marker}"
        self._call("POST", f"/rest/api/2/issue/{quote(key)}/comment", f"comment on {key}", {"body": body})

    def _resolve(self, key: str, transition: str) -> None:
        issue = self._call("GET", f"/rest/api/2/issue/{quote(key)}?fields=status", f"read {key}")
        status = ((issue or {}).get("fields") or {}).get("status") or {}
        if (status.get("statusCategory") or {}).get("key") == "done":
            return  # resolved already (by a person, or before a crash)
        listed = self._call("GET", f"/rest/api/2/issue/{quote(key)}/transitions", f"transitions of {key}")
        options = [t for t in (listed or {}).get("transitions") or [] if isinstance(t, dict)]
        chosen = next((t for t in options if str(t.get("name", "")).lower() == transition.lower()), None)
        if chosen is None:
            names = ", ".join(repr(str(t.get("name"))) for t in options) or "none"
            raise DeliveryError(
                f"jira {self.name}: {key} has no transition {transition!r} (available: {names}); "
                "fix resolve_transition",
                permanent=True,
            )
        self._call(
            "POST",
            f"/rest/api/2/issue/{quote(key)}/transitions",
            f"resolve {key}",
            {"transition": {"id": chosen.get("id")}},
        )


def describe(payload: dict[str, object]) -> str:
    rows = "\n".join(f"*{label}:* {value}" for label, value in facts(payload))
    text = f"{rows}\n*Fingerprint:* {field(payload, 'fingerprint')}"
    message = field(payload, "message")
    if message:
        text += "\n\n" + _noformat(message)
    return text[:DESCRIPTION_LIMIT]
