"""Each product's section of the report: the facts built from the snapshot, in HTML and in Markdown."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest

from reports.model import HealthCheckReport, TargetSummary
from reports.product_sections import NOT_GIVEN, ProductFacts
from reports.render import render
from reports.schema import load_schema
from tests.reports import products
from tests.reports.markdown_tables import assert_tables_keep_their_width
from tests.reports.test_markdown import _table_rows

ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.fixture(scope="module")
def report() -> HealthCheckReport:
    return products.report()


@pytest.fixture(scope="module")
def html(report: HealthCheckReport) -> str:
    return render(report, "html").content


@pytest.fixture(scope="module")
def markdown(report: HealthCheckReport) -> str:
    return render(report, "md").content


def _target(report: HealthCheckReport, name: str) -> TargetSummary:
    return next(t for t in report.targets if t.name == name)


def _facts(report: HealthCheckReport, name: str) -> ProductFacts:
    facts = _target(report, name).facts
    assert facts is not None
    return facts


def _html_section(html: str, name: str) -> str:
    """The HTML of one instance's product section."""
    pattern = rf'<section class="inventory-instance product-section[^"]*"[^>]*>\s*<h3[^>]*>{re.escape(name)} <span.*?</section>'
    match = re.search(pattern, html, re.S)
    assert match is not None, f"no product section for {name}"
    return match.group(0)


def _md_section(markdown: str, name: str) -> str:
    """The Markdown of one instance's product section, up to the next instance's heading."""
    products_part = markdown.split("## Products\n", 1)[1].split("\n## ", 1)[0]
    match = re.search(rf"^### {re.escape(name)} \(.*?(?=^### |\Z)", products_part, re.S | re.M)
    assert match is not None, f"no product section for {name}"
    return match.group(0)


# --- the context: what each section holds -----------------------------------------------------------


def test_every_instance_gets_only_its_own_product_part(report: HealthCheckReport) -> None:
    parts = ("jira", "bitbucket", "bamboo", "crowd", "fecru", "cloud")
    filled = {t.name: [p for p in parts if getattr(t.facts, p) is not None] for t in report.targets}
    assert filled == {
        "jira": ["jira"],
        "wiki": [],  # Confluence has no facts of its own: status, user and ATST
        "git": ["bitbucket"],
        "ci": ["bamboo"],
        "sso": ["crowd"],
        "fisheye": ["fecru"],
        "jira-cloud": ["cloud"],
        "bitbucket-cloud": ["cloud"],
        "sso-dr": ["crowd"],
        "ci-old": ["bamboo"],
    }


def test_common_facts(report: HealthCheckReport) -> None:
    wiki = _facts(report, "wiki")
    assert (wiki.state, wiki.user) == ("RUNNING", "Health Bot")
    assert wiki.health_checks is not None
    assert (wiki.health_checks.passed, wiki.health_checks.failing) == (2, ["Thread limit"])
    assert wiki.unavailable == {} and wiki.not_collected is None
    assert _facts(report, "jira-cloud").health_checks is None  # no ATST on Cloud, and not missed there
    assert "health_checks" not in _facts(report, "jira-cloud").unavailable


def test_jira_index(report: HealthCheckReport) -> None:
    jira = _facts(report, "jira").jira
    assert jira is not None
    assert (jira.issues_in_database, jira.issues_in_index, jira.index_readable) == (120720, 118004, True)
    assert [(q.name, q.queue_size) for q in jira.replication_queues] == [("node2", 4321)]


def test_bitbucket_index_mail_and_mirrors(report: HealthCheckReport) -> None:
    bb = _facts(report, "git").bitbucket
    assert bb is not None and bb.search_index is not None and bb.mail_server is not None
    assert bb.search_index.available is False
    assert bb.mail_server.hostname == "smtp.initech.example" and bb.mail_server.port == 587
    assert [(m.name, m.state) for m in bb.mirrors or []] == [("Mirror Sydney", "AUTHORIZED")]


def test_bamboo_server_agents_and_queues(report: HealthCheckReport) -> None:
    bamboo = _facts(report, "ci").bamboo
    assert bamboo is not None and bamboo.agents is not None
    assert bamboo.server_state == "PAUSED"
    agents = bamboo.agents
    assert (agents.total, agents.online, agents.offline, agents.busy, agents.disabled) == (6, 2, 4, 1, 1)
    assert agents.offline_agents == ["agent-3", "agent-4", "agent-5", "agent-6"]
    queue = bamboo.build_queue
    assert queue is not None and queue.oldest_queued_at is not None
    assert (queue.size, queue.oldest, queue.oldest_age_minutes) == (40, "PROJ-PLAN-71", 45.0)
    assert queue.oldest_queued_at.isoformat() == "2025-03-04T11:15:00+00:00"
    deployments = bamboo.deployment_queue
    assert deployments is not None
    assert (deployments.size, deployments.oldest, deployments.oldest_age_minutes) == (1, "release-3.1", 5.0)


def test_crowd_directories_and_their_sync(report: HealthCheckReport) -> None:
    crowd = _facts(report, "sso").crowd
    assert crowd is not None and crowd.directories is not None
    internal, ldap = crowd.directories
    assert (internal.name, internal.sync_state, internal.synchronizable) == ("Crowd internal", None, False)
    assert (ldap.sync_state, ldap.sync_mode, ldap.sync_duration_s) == ("FAILURE", "INCREMENTAL", 12.3)
    assert (
        ldap.sync_finished_at is not None and ldap.sync_finished_at.isoformat() == "2025-03-04T11:00:00+00:00"
    )
    assert ldap.sync_failure is not None and ldap.sync_failure.startswith("LDAP: error code 49")


def test_fecru_repositories_problems_first(report: HealthCheckReport) -> None:
    fecru = _facts(report, "fisheye").fecru
    assert fecru is not None and fecru.repositories is not None
    assert [(r.name, r.state, r.indexing_failed) for r in fecru.repositories] == [
        ("zeta-legacy", "STOPPED", True),
        ("alpha", "RUNNING", None),
    ]


def test_cloud_products_workspaces_and_rate_limit(report: HealthCheckReport) -> None:
    jira_cloud = _facts(report, "jira-cloud").cloud
    assert jira_cloud is not None and jira_cloud.rate_limit is not None
    assert [(p.name, p.plan, p.user_count) for p in jira_cloud.products or []] == [
        ("Jira Software", "PREMIUM", 842)
    ]
    limit = jira_cloud.rate_limit
    assert (limit.answers, limit.limit, limit.lowest_remaining, limit.headroom_percent) == (2, 100, 37, 37.0)
    assert (limit.throttled, limit.near_limit) == (0, False)
    bb_cloud = _facts(report, "bitbucket-cloud").cloud
    assert bb_cloud is not None and bb_cloud.rate_limit is not None
    assert [(w.slug, w.members) for w in bb_cloud.workspaces or []] == [("initech-eng", 57)]
    assert (bb_cloud.rate_limit.throttled, bb_cloud.rate_limit.retry_after_s) == (1, 30.0)
    assert bb_cloud.products is None and "cloud.products" not in _facts(report, "bitbucket-cloud").unavailable


def test_what_was_not_collected_says_why(report: HealthCheckReport) -> None:
    down = _facts(report, "sso-dr")
    assert down.not_collected == "the instance was unreachable (connection refused by 127.0.0.1:9)"
    assert down.unavailable == {}  # one reason for the whole section, not one per part
    refused = _facts(report, "ci-old")
    assert refused.not_collected is None
    assert refused.unavailable == {
        part: "not collected: HTTP 401 Unauthorized"
        for part in (
            "health_checks",
            "bamboo.server",
            "bamboo.agents",
            "bamboo.queue",
            "bamboo.deployment_queue",
        )
    }
    server = products.bitbucket().model_copy(update={"bitbucket": None, "health_checks": None})
    facts = products.report([server]).targets[0].facts
    assert facts is not None
    # nothing recorded why: the product or deployment does not give it; mirrors are simply not applicable
    assert facts.unavailable == {
        "health_checks": NOT_GIVEN,
        "bitbucket.index": NOT_GIVEN,
        "bitbucket.mail": NOT_GIVEN,
    }


def test_the_json_with_every_product_validates(report: HealthCheckReport) -> None:
    doc = json.loads(render(report, "json").content)
    validator = jsonschema.Draft202012Validator(load_schema(), format_checker=jsonschema.FormatChecker())
    errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(doc)]
    assert not errors
    assert {t["product"] for t in doc["targets"]} == {
        "jira",
        "confluence",
        "bitbucket",
        "bamboo",
        "crowd",
        "fecru",
    }
    assert doc["targets"][3]["facts"]["bamboo"]["agents"]["offline"] == 4


# --- HTML -------------------------------------------------------------------------------------------


def test_html_has_a_section_per_instance_labelled_with_its_product(html: str) -> None:
    headings = re.findall(r'<h3 id="product-\d+">(.*?)</h3>', html)
    assert [re.sub(r"<[^>]+>", "", h) for h in headings] == [
        "jira Jira Data Center",
        "wiki Confluence Data Center",
        "git Bitbucket Data Center",
        "ci Bamboo Data Center",
        "sso Crowd Data Center",
        "fisheye Fisheye/Crucible Data Center",
        "jira-cloud Jira Cloud",
        "bitbucket-cloud Bitbucket Cloud",
        "sso-dr Crowd Data Center",
        "ci-old Bamboo Data Center",
    ]


def test_html_jira_and_confluence(html: str) -> None:
    jira = _html_section(html, "jira")
    assert "<dt>Issues in the database</dt><dd>120720</dd>" in jira
    assert "<dt>Issues in the index</dt><dd>118004</dd>" in jira
    assert '<tr><th scope="row">node2</th><td class="num">4321</td>' in jira
    wiki = _html_section(html, "wiki")
    assert "<dt>Health checks</dt><dd>2 passed, 1 failing: Thread limit</dd>" in wiki
    assert "<dt>Signed in as</dt><dd>Health Bot</dd>" in wiki


def test_html_bitbucket(html: str) -> None:
    git = _html_section(html, "git")
    assert "<dt>Available</dt><dd>no</dd>" in git
    assert "OpenSearch is unreachable at search.initech:9200" in git
    assert "<dt>Server</dt><dd>smtp.initech.example:587 (SMTP)</dd>" in git
    assert '<tr><th scope="row">Mirror Sydney</th><td>AUTHORIZED</td><td>yes</td><td>9.4.1</td>' in git


def test_html_bamboo(html: str) -> None:
    ci = _html_section(html, "ci")
    assert "<dt>Server state</dt><dd>PAUSED</dd>" in ci
    assert "<dt>Online</dt><dd>2 (1 busy)</dd>" in ci
    assert "<dt>Offline</dt><dd>4: agent-3, agent-4, agent-5, agent-6</dd>" in ci
    assert re.search(r'<th scope="row">Builds</th><td class="num">40</td><td>PROJ-PLAN-71</td>.*?45 min', ci)
    assert re.search(
        r'<th scope="row">Deployments</th><td class="num">1</td><td>release-3.1</td>.*?5 min', ci
    )
    old = _html_section(html, "ci-old")
    assert old.count("Not collected: HTTP 401 Unauthorized.") == 2  # server, agents
    assert old.count("not collected: HTTP 401 Unauthorized</td>") == 2  # both queues


def test_html_crowd(html: str) -> None:
    sso = _html_section(html, "sso")
    assert '<th scope="row">Corporate LDAP</th>' in sso
    assert 'FAILURE <span class="muted">(incremental)</span>' in sso
    assert f"LDAP: error code 49 {ESCAPED_SCRIPT}" in sso and "<script" not in sso
    assert "12.3\u00a0s" in sso
    assert "Nothing more was collected: the instance was unreachable" in _html_section(html, "sso-dr")


def test_html_fecru(html: str) -> None:
    fisheye = _html_section(html, "fisheye")
    assert re.search(
        r'<th scope="row">zeta-legacy</th><td>svn</td><td>yes</td><td>STOPPED</td><td>failed</td>', fisheye
    )
    assert fisheye.index("zeta-legacy") < fisheye.index("alpha")
    assert "svn: E170013 Unable to connect" in fisheye


def test_html_cloud(html: str) -> None:
    jira_cloud = _html_section(html, "jira-cloud")
    assert '<th scope="row">Jira Software</th><td>PREMIUM</td><td class="num">842</td>' in jira_cloud
    assert "37% (37 of 100 requests left at the lowest)" in jira_cloud
    assert "Search index" not in jira_cloud  # no Data Center parts on Cloud
    bb_cloud = _html_section(html, "bitbucket-cloud")
    assert (
        '<th scope="row">initech-eng</th><td>Initech Engineering</td><td>yes</td><td class="num">57</td>'
        in bb_cloud
    )
    assert "1 of 1; Retry-After 30 s; reason: user rate limit" in bb_cloud
    assert "Mail server" not in bb_cloud


def test_html_summary_table_labels_every_product(html: str) -> None:
    summary = html.split('<h2 id="findings">', 1)[0]
    for label in ("Jira", "Confluence", "Bitbucket", "Bamboo", "Crowd", "Fisheye/Crucible"):
        assert f"<td>{label}</td>" in summary, label
    assert "<td>fecru</td>" not in summary


# --- Markdown ---------------------------------------------------------------------------------------


def test_markdown_has_a_section_per_instance(markdown: str) -> None:
    part = markdown.split("## Products\n", 1)[1].split("\n## ", 1)[0]
    assert re.findall(r"^### (.*)$", part, re.M) == [
        "jira (Jira Data Center)",
        "wiki (Confluence Data Center)",
        "git (Bitbucket Data Center)",
        "ci (Bamboo Data Center)",
        "sso (Crowd Data Center)",
        "fisheye (Fisheye/Crucible Data Center)",
        "jira-cloud (Jira Cloud)",
        "bitbucket-cloud (Bitbucket Cloud)",
        "sso-dr (Crowd Data Center)",
        "ci-old (Bamboo Data Center)",
    ]


def test_markdown_jira_and_confluence(markdown: str) -> None:
    rows = _table_rows(_md_section(markdown, "jira"))
    assert ["yes", "120720", "118004", "2025-03-04 11:59:00 UTC", "2025-03-04 11:51:00 UTC"] in rows
    assert ["node2", "4321", "2025-03-04 11:30:00 UTC"] in rows
    assert "- **Health checks:** 2 passed, 1 failing: Thread limit" in _md_section(markdown, "wiki")


def test_markdown_bitbucket(markdown: str) -> None:
    rows = _table_rows(_md_section(markdown, "git"))
    assert ["no", "—", "OpenSearch is unreachable at search.initech:9200"] in rows
    assert ["smtp.initech.example", "587", "SMTP", "bitbucket@initech.example"] in rows
    assert ["Mirror Sydney", "AUTHORIZED", "yes", "9.4.1", "2025-03-04 11:58:00 UTC"] in rows


def test_markdown_bamboo(markdown: str) -> None:
    section = _md_section(markdown, "ci")
    assert "Server state **PAUSED**; reindex in progress: no." in section
    rows = _table_rows(section)
    assert ["6", "2", "4", "1", "1"] in rows
    assert "Offline: agent-3, agent-4, agent-5, agent-6" in section
    assert ["Builds", "40", "PROJ-PLAN-71", "2025-03-04 11:15:00 UTC", "45 min"] in rows
    assert ["Deployments", "1", "release-3.1", "2025-03-04 11:55:00 UTC", "5 min"] in rows
    old = _table_rows(_md_section(markdown, "ci-old"))
    assert ["Builds", "—", "not collected: HTTP 401 Unauthorized", "—", "—"] in old


def test_markdown_crowd(markdown: str) -> None:
    rows = _table_rows(_md_section(markdown, "sso"))
    assert [
        "Corporate LDAP",
        "CONNECTOR",
        "yes",
        "FAILURE (incremental)",
        "2025-03-04 11:00:00 UTC",
        "12.3 s",
        f"LDAP: error code 49 {ESCAPED_SCRIPT}",
    ] in rows
    assert ["Crowd internal", "INTERNAL", "yes", "not synchronised", "—", "—", "—"] in rows
    assert "_Nothing more was collected: the instance was unreachable" in _md_section(markdown, "sso-dr")


def test_markdown_fecru(markdown: str) -> None:
    rows = _table_rows(_md_section(markdown, "fisheye"))
    assert rows[1:] == [
        ["---", "---", "---", "---", "---", "---"],
        ["zeta-legacy", "svn", "yes", "STOPPED", "failed", "svn: E170013 Unable to connect"],
        ["alpha", "git", "yes", "RUNNING", "100%", "—"],
    ]


def test_markdown_cloud(markdown: str) -> None:
    jira_cloud = _table_rows(_md_section(markdown, "jira-cloud"))
    assert ["Jira Software", "PREMIUM", "842"] in jira_cloud
    assert ["37%", "37", "100", "no", "0 of 2", "—", "—"] in jira_cloud
    bb_cloud = _table_rows(_md_section(markdown, "bitbucket-cloud"))
    assert ["initech-eng", "Initech Engineering", "yes", "57"] in bb_cloud
    assert ["—", "—", "—", "yes", "1 of 1", "30 s", "user rate limit"] in bb_cloud


def test_markdown_tables_keep_their_width_and_data_stays_text(markdown: str) -> None:
    part = markdown.split("## Products\n", 1)[1].split("\n## ", 1)[0]
    assert len(assert_tables_keep_their_width(part)) >= 10
    assert "<script" not in part
