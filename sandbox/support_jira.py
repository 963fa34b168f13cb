"""The support team's own Jira: the one sandbox instance that takes writes.

It answers, for itself only, what the service's Jira channel uses (REST v2): create an issue, search by
label (``labels = "x"``, optionally ``AND statusCategory != Done`` and an ``ORDER BY``), read an issue,
comment on it and run a transition. Issues live in memory; ``Sandbox.support_issues(name)`` shows
them. Every other path is the ordinary simulated Jira, read-only like the customers' instances.
"""

from __future__ import annotations

import copy
import json
import re
import threading
from typing import Any
from urllib.parse import parse_qs

from sandbox.exchange import Call, Response, json_response
from sandbox.faults import credentials_valid, login_page, tomcat_error, unauthorized
from sandbox.spec import Fault

ISSUE = re.compile(r"^/rest/api/2/issue/(?P<key>[A-Z][A-Z0-9_]*-\d+)(?P<rest>/comment|/transitions)?$")
JQL = re.compile(
    r'^\s*labels\s*=\s*"(?P<label>(?:[^"\\]|\\.)*)"\s*'
    r"(?P<open>AND\s+statusCategory\s*!=\s*Done\s*)?(?:ORDER\s+BY\s+[\w\s,]+)?$",
    re.IGNORECASE,
)
PROJECT = re.compile(r"^[A-Z][A-Z0-9_]{0,19}$")
ISSUE_TYPES = ("Incident", "Bug", "Task", "Support")
OPEN = {"name": "Open", "statusCategory": {"key": "new", "name": "To Do"}}
IN_PROGRESS = {"name": "In Progress", "statusCategory": {"key": "indeterminate", "name": "In Progress"}}
RESOLVED = {"name": "Resolved", "statusCategory": {"key": "done", "name": "Done"}}
WORKFLOW = {  # transition id -> (name, status it leads to)
    "11": ("Start Progress", IN_PROGRESS),
    "31": ("Resolve", RESOLVED),
    "51": ("Reopen", OPEN),
}


class SupportJira:
    """Issues kept in memory, thread-safe (every connection has its own thread)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._issues: dict[str, dict[str, Any]] = {}
        self._counters: dict[str, int] = {}

    def issues(self) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(list(self._issues.values()))

    def answer(self, call: Call, query: str, body: bytes) -> Response | None:
        """The answer to one of its endpoints, or None for any other path."""
        path = call.path
        issue = ISSUE.match(path)
        if path not in ("/rest/api/2/issue", "/rest/api/2/search") and issue is None:
            return None
        faults = call.spec.faults
        if Fault.HTML_LOGIN in faults:
            return login_page(call.spec)
        if Fault.SERVER_ERROR in faults:
            return tomcat_error()
        if Fault.UNAUTHORIZED in faults or not credentials_valid(call.spec, call.authorization or ""):
            return unauthorized(call.spec)
        with self._lock:
            if path == "/rest/api/2/issue":
                return self._create(body) if call.method == "POST" else _not_allowed("POST")
            if path == "/rest/api/2/search":
                return self._search(query) if call.method == "GET" else _not_allowed("GET")
            assert issue is not None
            found = self._issues.get(issue.group("key"))
            if found is None:
                return json_response({"errorMessages": ["Issue Does Not Exist"]}, 404)
            rest, method = issue.group("rest"), call.method
            if rest is None:
                return json_response(copy.deepcopy(found)) if method == "GET" else _not_allowed("GET")
            if rest == "/comment":
                return self._comment(found, body) if method == "POST" else _not_allowed("POST")
            if method == "GET":
                return json_response({"transitions": _transitions(found)})
            return self._transition(found, body) if method == "POST" else _not_allowed("GET, POST")

    def _create(self, body: bytes) -> Response:
        fields = _json(body).get("fields")
        if not isinstance(fields, dict):
            return _bad({"fields": "a JSON object with fields is required"})
        project = (fields.get("project") or {}).get("key", "")
        kind = (fields.get("issuetype") or {}).get("name", "")
        summary = fields.get("summary")
        errors = {}
        if not isinstance(project, str) or not PROJECT.match(project):
            errors["project"] = "valid project is required"
        if kind not in ISSUE_TYPES:
            errors["issuetype"] = "The issue type selected is invalid."
        if not isinstance(summary, str) or not summary.strip() or "\n" in summary or len(summary) > 255:
            errors["summary"] = "You must specify a summary of the issue (one line, at most 255 characters)."
        labels = fields.get("labels", [])
        if not isinstance(labels, list) or any(not isinstance(x, str) or " " in x for x in labels):
            errors["labels"] = "labels must be words without spaces"
        if errors:
            return _bad(errors)
        number = self._counters.get(project, 0) + 1
        self._counters[project] = number
        key, issue_id = f"{project}-{number}", str(10_000 + len(self._issues) + 1)
        self._issues[key] = {
            "id": issue_id,
            "key": key,
            "fields": {
                "project": {"key": project},
                "issuetype": {"name": kind},
                "summary": summary,
                "description": fields.get("description") or "",
                "labels": list(labels),
                "status": copy.deepcopy(OPEN),
                "comment": {"comments": [], "total": 0},
            },
        }
        return json_response({"id": issue_id, "key": key, "self": f"/rest/api/2/issue/{issue_id}"}, 201)

    def _search(self, query: str) -> Response:
        jql = (parse_qs(query).get("jql") or [""])[0]
        match = JQL.match(jql)
        if match is None:
            return json_response(
                {"errorMessages": [f'The sandbox understands only labels = "x": {jql!r}']}, 400
            )
        label = re.sub(r"\\(.)", r"\1", match.group("label"))
        hits = [
            copy.deepcopy(issue)
            for issue in reversed(self._issues.values())  # newest first, as ORDER BY created DESC
            if label in issue["fields"]["labels"]
            and not (match.group("open") and issue["fields"]["status"]["statusCategory"]["key"] == "done")
        ]
        return json_response({"startAt": 0, "maxResults": 50, "total": len(hits), "issues": hits[:50]})

    def _comment(self, issue: dict[str, Any], body: bytes) -> Response:
        text = _json(body).get("body")
        if not isinstance(text, str) or not text.strip():
            return _bad({"comment": "Comment body can not be empty!"})
        comments = issue["fields"]["comment"]
        comment = {"id": str(20_000 + comments["total"] + 1), "body": text}
        comments["comments"].append(comment)
        comments["total"] += 1
        return json_response(comment, 201)

    def _transition(self, issue: dict[str, Any], body: bytes) -> Response:
        wanted = str((_json(body).get("transition") or {}).get("id", ""))
        if wanted not in {t["id"] for t in _transitions(issue)}:
            return _bad({"transition": f"Transition id '{wanted}' is not valid for this issue."})
        issue["fields"]["status"] = copy.deepcopy(WORKFLOW[wanted][1])
        return Response(204)


def _transitions(issue: dict[str, Any]) -> list[dict[str, Any]]:
    done = issue["fields"]["status"]["statusCategory"]["key"] == "done"
    ids = ("51",) if done else ("11", "31")
    return [{"id": i, "name": WORKFLOW[i][0], "to": copy.deepcopy(WORKFLOW[i][1])} for i in ids]


def _json(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return {}
    return value if isinstance(value, dict) else {}


def _bad(errors: dict[str, str]) -> Response:
    return json_response({"errorMessages": [], "errors": errors}, 400)


def _not_allowed(allow: str) -> Response:
    return json_response({"errorMessages": ["Method Not Allowed"]}, 405, [("Allow", allow)])
