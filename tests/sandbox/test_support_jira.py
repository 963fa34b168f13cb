"""The support team's Jira in the sandbox: it takes issues, comments and transitions, and only it does."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from collectors.model import Product
from sandbox import InstanceSpec, Sandbox

pytestmark = pytest.mark.server
TIMEOUT_S = 10


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox([InstanceSpec("customer-jira", Product.JIRA)], support_jira=("support",)) as running:
        yield running


def _call(sandbox: Sandbox, name: str, method: str, path: str, **kwargs: Any) -> requests.Response:
    headers = {"Authorization": f"Bearer {sandbox.spec(name).accepted_token()}"}
    return requests.request(method, sandbox.url(name) + path, headers=headers, timeout=TIMEOUT_S, **kwargs)


def _create(sandbox: Sandbox, label: str) -> str:
    fields = {
        "project": {"key": "SUP"},
        "issuetype": {"name": "Incident"},
        "summary": "Disk full",
        "labels": [label],
    }
    answer = _call(sandbox, "support", "POST", "/rest/api/2/issue", json={"fields": fields})
    assert answer.status_code == 201, answer.text
    return str(answer.json()["key"])


def _search(sandbox: Sandbox, jql: str) -> list[str]:
    answer = _call(sandbox, "support", "GET", "/rest/api/2/search", params={"jql": jql})
    assert answer.status_code == 200, answer.text
    return [issue["key"] for issue in answer.json()["issues"]]


def test_an_issue_is_created_found_commented_and_resolved(sandbox: Sandbox) -> None:
    key = _create(sandbox, "atlas-health-acme-abc")
    assert _search(sandbox, 'labels = "atlas-health-acme-abc" AND statusCategory != Done') == [key]
    assert _search(sandbox, 'labels = "atlas-health-other"') == []

    comment = _call(
        sandbox, "support", "POST", f"/rest/api/2/issue/{key}/comment", json={"body": "still <b>"}
    )
    assert comment.status_code == 201
    transitions = _call(sandbox, "support", "GET", f"/rest/api/2/issue/{key}/transitions").json()[
        "transitions"
    ]
    resolve = next(t for t in transitions if t["name"] == "Resolve")
    done = _call(
        sandbox,
        "support",
        "POST",
        f"/rest/api/2/issue/{key}/transitions",
        json={"transition": {"id": resolve["id"]}},
    )
    assert done.status_code == 204

    issue = _call(sandbox, "support", "GET", f"/rest/api/2/issue/{key}").json()
    assert issue["fields"]["status"]["statusCategory"]["key"] == "done"
    assert [c["body"] for c in issue["fields"]["comment"]["comments"]] == ["still <b>"]
    assert _search(sandbox, 'labels = "atlas-health-acme-abc" AND statusCategory != Done') == []
    assert _search(sandbox, 'labels = "atlas-health-acme-abc" ORDER BY created DESC') == [key]
    stored = next(i for i in sandbox.support_issues("support") if i["key"] == key)
    assert stored["fields"]["labels"] == ["atlas-health-acme-abc"]


def test_writes_need_credentials(sandbox: Sandbox) -> None:
    fields = {"project": {"key": "SUP"}, "issuetype": {"name": "Incident"}, "summary": "x"}
    anonymous = requests.post(
        sandbox.url("support") + "/rest/api/2/issue", json={"fields": fields}, timeout=TIMEOUT_S
    )
    assert anonymous.status_code == 401
    wrong = requests.post(
        sandbox.url("support") + "/rest/api/2/issue",
        json={"fields": fields},
        headers={"Authorization": "Bearer nope"},
        timeout=TIMEOUT_S,
    )
    assert wrong.status_code == 401
    assert all(i["fields"]["summary"] != "x" for i in sandbox.support_issues("support"))


def test_bad_input_is_refused_with_jiras_error_shape(sandbox: Sandbox) -> None:
    fields = {"project": {"key": "SUP"}, "issuetype": {"name": "Epic saga"}, "summary": ""}
    answer = _call(sandbox, "support", "POST", "/rest/api/2/issue", json={"fields": fields})
    assert answer.status_code == 400
    assert set(answer.json()["errors"]) == {"issuetype", "summary"}
    assert (
        _call(sandbox, "support", "GET", "/rest/api/2/search", params={"jql": "project = SUP"}).status_code
        == 400
    )
    assert _call(sandbox, "support", "GET", "/rest/api/2/issue/SUP-999").status_code == 404


def test_customer_jiras_stay_read_only(sandbox: Sandbox) -> None:
    fields = {"project": {"key": "SUP"}, "issuetype": {"name": "Incident"}, "summary": "x"}
    answer = _call(sandbox, "customer-jira", "POST", "/rest/api/2/issue", json={"fields": fields})
    assert answer.status_code == 405
    with pytest.raises(KeyError, match="not a support Jira"):
        sandbox.support_issues("customer-jira")
    # The support Jira is still an ordinary Jira for reads.
    assert _call(sandbox, "support", "GET", "/rest/api/2/serverInfo").status_code == 200


def test_a_cloud_instance_cannot_be_the_support_jira() -> None:
    from collectors.model import Deployment

    with pytest.raises(ValueError, match="Server or Data Center"):
        Sandbox([InstanceSpec("c", Product.JIRA, Deployment.CLOUD)], support_jira=("c",))
