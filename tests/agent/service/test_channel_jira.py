"""The Jira channel against the sandbox's support Jira: create, remind, resolve, and never twice."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agent.config.service_schema import Alerts
from agent.service.channels import DeliveryError, Sender, build_senders
from agent.service.channels.jira import alert_label
from sandbox import Fault, Sandbox
from tests.agent.service.receivers import alert_payload

pytestmark = pytest.mark.server
FINGERPRINT = "f" * 40
LABEL = alert_label("acme", FINGERPRINT)


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox([], support_jira=("support",)) as running:
        yield running


def _sender(sandbox: Sandbox, tmp_path: Path, token: str | None = None, **extra: Any) -> Sender:
    channel = {
        "type": "jira",
        "url": sandbox.url("support"),
        "project": "SUP",
        "auth": {"type": "token", "token_env": "JIRA_TOKEN"},
        "resolve_transition": "Resolve",
        "timeout_seconds": 5,
        **extra,
    }
    env = {"JIRA_TOKEN": token or sandbox.spec("support").accepted_token()}
    return build_senders(Alerts.model_validate({"channels": [channel]}), tmp_path, env)["jira-1"]


def _key(event: str, sequence: int) -> str:
    return f"jira-1:acme:{FINGERPRINT}:{sequence}"


def test_firing_creates_one_issue_reminder_comments_resolved_resolves(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    sender = _sender(sandbox, tmp_path)
    key = sender.send(alert_payload(), _key("firing", 1))
    assert key == "SUP-1"
    [issue] = sandbox.support_issues("support")
    fields = issue["fields"]
    assert fields["labels"] == ["atlas-health", LABEL]
    assert fields["summary"] == "critical acme: Disk <b>almost</b> full"
    assert fields["issuetype"] == {"name": "Incident"}
    assert "host.disk.free" in fields["description"] and "{noformat}" in fields["description"]

    assert sender.send(alert_payload("reminder", external_ref=key), _key("reminder", 2)) == key
    assert sender.send(alert_payload("reminder", external_ref=key), _key("reminder", 2)) == key  # a resend
    assert sender.send(alert_payload("resolved", external_ref=key), _key("resolved", 3)) == key
    [issue] = sandbox.support_issues("support")
    comments = [c["body"] for c in issue["fields"]["comment"]["comments"]]
    assert len(comments) == 2, comments
    assert comments[0].startswith("*STILL FIRING*") and comments[1].startswith("*RESOLVED*")
    assert issue["fields"]["status"]["statusCategory"]["key"] == "done"
    # A resent resolution neither comments again nor fails on the missing transition.
    assert sender.send(alert_payload("resolved", external_ref=key), _key("resolved", 3)) == key
    assert len(sandbox.support_issues("support")[0]["fields"]["comment"]["comments"]) == 2


def test_a_restarted_service_finds_the_open_issue(sandbox: Sandbox, tmp_path: Path) -> None:
    first = _sender(sandbox, tmp_path).send(alert_payload(), _key("firing", 1))
    restarted = _sender(sandbox, tmp_path)  # a new process: nothing remembered but the label in Jira
    assert restarted.send(alert_payload(), _key("firing", 1)) == first
    assert len(sandbox.support_issues("support")) == 1
    # Without the issue key (the firing row was pruned) a reminder still finds it by label.
    assert restarted.send(alert_payload("reminder"), _key("reminder", 2)) == first


def test_a_firing_after_resolution_opens_a_new_issue(sandbox: Sandbox, tmp_path: Path) -> None:
    sender = _sender(sandbox, tmp_path)
    first = sender.send(alert_payload(), _key("firing", 1))
    sender.send(alert_payload("resolved", external_ref=first), _key("resolved", 2))
    second = sender.send(alert_payload(sequence=3), _key("firing", 3))
    assert second != first
    assert [i["key"] for i in sandbox.support_issues("support")] == [first, second]


def test_a_missing_transition_names_the_available_ones(sandbox: Sandbox, tmp_path: Path) -> None:
    sender = _sender(sandbox, tmp_path, resolve_transition="Close Issue")
    key = sender.send(alert_payload(), _key("firing", 1))
    with pytest.raises(
        DeliveryError, match=r"no transition 'Close Issue' \(available: 'Start Progress', 'Resolve'\)"
    ):
        sender.send(alert_payload("resolved", external_ref=key), _key("resolved", 2))


def test_a_wrong_token_or_issue_type_is_permanent(sandbox: Sandbox, tmp_path: Path) -> None:
    with pytest.raises(DeliveryError, match="HTTP 401") as caught:
        _sender(sandbox, tmp_path, token="not-the-token").send(alert_payload(), _key("firing", 1))
    assert caught.value.permanent and "not-the-token" not in str(caught.value)
    with pytest.raises(DeliveryError, match=r"HTTP 400.*issue type selected is invalid") as caught:
        _sender(sandbox, tmp_path, issue_type="Saga").send(alert_payload(), _key("firing", 1))
    assert caught.value.permanent
    assert sandbox.support_issues("support") == []


def test_an_html_login_page_is_a_delivery_error(sandbox: Sandbox, tmp_path: Path) -> None:
    sandbox.update("support", faults={Fault.HTML_LOGIN})
    with pytest.raises(DeliveryError, match=r"search .*not JSON: <!DOCTYPE html>"):
        _sender(sandbox, tmp_path).send(alert_payload(), _key("firing", 1))


def test_basic_auth_works_too(sandbox: Sandbox, tmp_path: Path) -> None:
    spec = sandbox.spec("support")
    secret = tmp_path / "jira-password"
    secret.write_text(spec.accepted_password() + "\n")
    auth = {"type": "basic", "username": spec.username, "password_file": "jira-password"}
    assert _sender(sandbox, tmp_path, auth=auth).send(alert_payload(), _key("firing", 1)) == "SUP-1"
    assert [r.auth_scheme for r in sandbox.requests("support")] == ["Basic", "Basic"]
