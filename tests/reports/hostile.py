"""A run whose data tries to inject markup into reports."""

from __future__ import annotations

from checks.finding import Evidence, Severity
from checks.runner import Analysis
from collectors.model import App, Snapshot
from reports.context import build_health_check
from reports.model import HealthCheckReport
from tests.reports import estate

SCRIPT = "<script>alert(1)</script>"
TABLE_BREAKER = "a | b\nc"


def hostile_report() -> HealthCheckReport:
    jira = estate.jira_dc()
    jira = jira.model_copy(
        update={
            "apps": [App(key="evil.app", name=SCRIPT, version=TABLE_BREAKER, vendor="V&V", enabled=True)],
        }
    )
    snap: Snapshot = estate.snapshot().model_copy(update={"instances": [jira]})
    finding = estate.finding(
        "jira.evil",
        Severity.CRITICAL,
        "jira-prod",
        'Title with "quotes" & <b>tags</b>',
        f"Message {SCRIPT}\n# not a heading\n1. not a list",
        evidence=[Evidence(label="label | pipe", value=SCRIPT, source=TABLE_BREAKER)],
        recommendation="Do *not* __bold__ `code` [link](http://x)",
        references=[
            "javascript:alert(1)",
            'https://kb.example/a"onmouseover="alert(1)',
            "https://kb.example/ok?a=1&b=2",
        ],
    )
    return build_health_check(
        snap,
        Analysis(findings=[finding]),
        estate.CUSTOMER,
        generated_at=estate.GENERATED,
        tool_version="0.1.0",
    )
