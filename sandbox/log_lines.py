"""Log lines as Jira and its Tomcat write them, for the simulated estate's logs.

Shapes follow reference/atlassian.md section 5: the Jira application log (offset timestamps,
thread names with spaces, blank MDC fields), the security log, the Tomcat access log, unified GC
logging and catalina.out. Problem lines quote the knowledge-base sources of section 4.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime

_LOGGERS = (
    "c.a.jira.issue.search.providers.LuceneSearchProvider",
    "c.a.jira.index.AccumulatingResultBuilder",
    "c.a.j.p.webhooks.WebhookListener",
    "c.a.jira.cluster.DefaultClusterManager",
    "c.a.plugin.manager.DefaultPluginManager",
    "c.a.jira.service.JiraServiceContainerImpl",
    "c.a.j.issue.index.DefaultIndexManager",
)
_INFO = (
    "Search took {ms} ms for query project = ABC AND status = Open ORDER BY updated DESC",
    "Running job com.atlassian.jira.service.services.mail.MailQueueService {id} took {ms} ms",
    "Re-indexed {n} issues in {ms} ms",
    "Sending webhook to https://hooks.example.com/jira/{id} took {ms} ms",
    "Cluster node heartbeat for node {node} recorded in {ms} ms",
)
_WARN = (
    "Slow query took {ms} ms: SELECT ID FROM jiraissue WHERE PROJECT = ?",
    "Webhook https://hooks.example.com/jira/{id} answered 503 after {ms} ms; it will be retried",
    "Plugin com.example.plugin.reports took {ms} ms to handle IssueUpdatedEvent",
)
_ERROR = (
    "Could not load issue ABC-{id}: it was deleted while the request ran",
    "Unable to send mail notification for issue ABC-{id}",
)
_THREADS = (
    "http-nio-8080-exec-{n} url: /rest/api/2/search; user: {user}",
    "http-nio-8080-exec-{n} url: /browse/ABC-{id}; user: {user}",
    "Caesium-1-{n}",
    "ThreadPoolAsyncTaskExecutor::Thread {n}",
    "localhost-startStop-1",
)
USERS = ("admin", "alice", "bob", "carol", "dave", "erin", "frank", "grace", "svc-jenkins", "svc-backup")
_PATHS = (
    ("GET", "/rest/api/2/issue/ABC-{id}", 40),
    ("GET", "/browse/ABC-{id}", 120),
    ("POST", "/rest/api/2/search", 300),
    ("GET", "/secure/Dashboard.jspa", 200),
    (
        "GET",
        "/s/{build}/_/download/batch/jira.webresources:global-static/jira.webresources:global-static.js",
        5,
    ),
    ("GET", "/rest/api/2/user?username={user}", 30),
    ("PUT", "/rest/api/2/issue/ABC-{id}", 250),
)
_STACK = (
    "\tat com.atlassian.jira.issue.managers.DefaultIssueManager.getIssueObject(DefaultIssueManager.java:{n})\n"
    "\tat com.atlassian.jira.issue.IssueManager.getIssue(IssueManager.java:{n})\n"
    "\tat com.atlassian.jira.rest.v2.issue.IssueResource.getIssue(IssueResource.java:{n})\n"
    "\tat java.base/java.lang.Thread.run(Thread.java:833)\n"
)


def iso(at: float) -> str:
    """``2024-05-01 10:00:00,123+0000`` as Jira 8+ writes it."""
    moment = datetime.fromtimestamp(at, UTC)
    return f"{moment:%Y-%m-%d %H:%M:%S},{moment.microsecond // 1000:03d}+0000"


def clf(at: float) -> str:
    return f"{datetime.fromtimestamp(at, UTC):%d/%b/%Y:%H:%M:%S} +0000"


def tomcat(at: float) -> str:
    moment = datetime.fromtimestamp(at, UTC)
    return f"{moment:%d-%b-%Y %H:%M:%S}.{moment.microsecond // 1000:03d}"


def gc_stamp(at: float, uptime: float) -> str:
    moment = datetime.fromtimestamp(at, UTC)
    return f"[{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond // 1000:03d}+0000][{uptime:.3f}s]"


def app_line(rng: random.Random, at: float, node: str) -> str:
    roll = rng.random()
    level, texts = ("INFO", _INFO) if roll < 0.86 else ("WARN", _WARN) if roll < 0.96 else ("ERROR", _ERROR)
    user = rng.choice(USERS)
    thread = rng.choice(_THREADS).format(n=rng.randint(1, 200), id=rng.randint(1, 9999), user=user)
    text = rng.choice(texts).format(
        ms=rng.randint(1, 4000), id=rng.randint(1, 99999), n=rng.randint(1, 500), node=node
    )
    request = f"{user} {rng.randint(0, 1439)}x{rng.randint(1, 999999)}x{rng.randint(1, 40)} 1rq{rng.randint(100, 999)}z"
    line = (
        f"{iso(at)} {thread} {level:<5} {request} 10.0.{rng.randint(0, 9)}.{rng.randint(1, 254)} "
        f"/rest/api/2/search [{rng.choice(_LOGGERS)}] {text}\n"
    )
    if level == "ERROR" and rng.random() < 0.3:
        line += (
            f"com.atlassian.jira.exception.IssueNotFoundException: Issue ABC-{rng.randint(1, 9999)} not found\n"
            + _STACK.format(n=rng.randint(10, 900))
        )
    return line


def access_line(rng: random.Random, at: float, slow: float = 1.0, error_rate: float = 0.002) -> str:
    method, path, typical = rng.choice(_PATHS)
    path = path.format(id=rng.randint(1, 9999), build=f"{rng.randint(900, 999)}x", user=rng.choice(USERS))
    user = rng.choice(USERS)
    status = 500 if rng.random() < error_rate else (404 if rng.random() < 0.02 else 200)
    millis = max(1, int(rng.expovariate(1 / typical) * slow))
    return (
        f"10.0.{rng.randint(0, 3)}.{rng.randint(1, 254)} {rng.randint(0, 1439)}x{rng.randint(1, 999999)}x"
        f'{rng.randint(1, 40)} {user} [{clf(at)}] "{method} {path} HTTP/1.1" {status} {rng.randint(200, 90000)} '
        f'{millis} "https://jira.example.com/browse/ABC-1" "Mozilla/5.0 (X11; Linux x86_64)" "1rq{rng.randint(100, 999)}z"\n'
    )


def gc_pause_line(at: float, uptime: float, number: int, millis: float, full: bool = False) -> str:
    """A G1 pause as -Xlog:gc*:file=...:time,uptime writes it: the phases and regions first, the
    pause line with the heap and its length, then the CPU times. The heap left after a young pause
    wanders around 2.1 GB with no trend (no leak)."""
    kind = "Pause Full (G1 Compaction Pause)" if full else "Pause Young (Normal) (G1 Evacuation Pause)"
    after = 7700 if full else 2000 + (number * 7919) % 250
    start = gc_stamp(at - millis / 1000, uptime - millis / 1000)
    end = gc_stamp(at, uptime)
    eden = 100 + number % 40
    details = (
        f"{start} GC({number}) Using 8 workers of 8 for evacuation\n"
        f"{end} GC({number})   Pre Evacuate Collection Set: 0.{number % 9}ms\n"
        f"{end} GC({number})   Merge Heap Roots: 0.{(number + 3) % 9}ms\n"
        f"{end} GC({number})   Evacuate Collection Set: {millis * 0.8:.1f}ms\n"
        f"{end} GC({number})   Post Evacuate Collection Set: {millis * 0.1:.1f}ms\n"
        f"{end} GC({number})   Other: {millis * 0.05:.1f}ms\n"
        f"{end} GC({number}) Eden regions: {eden}->0({eden + 20})\n"
        f"{end} GC({number}) Survivor regions: 5->6(15)\n"
        f"{end} GC({number}) Old regions: {after // 8}->{after // 8 + 2}\n"
        f"{end} GC({number}) Archive regions: 0->0\n"
        f"{end} GC({number}) Humongous regions: 2->2\n"
        f"{end} GC({number}) Metaspace: 151234K(153600K)->151234K(153600K) NonClass: 132345K(133632K)->132345K(133632K) Class: 18889K(19968K)->18889K(19968K)\n"
    )
    return (
        f"{start} GC({number}) {kind}\n{details}"
        f"{end} GC({number}) {kind} {after + 1800}M->{after}M(8192M) {millis:.3f}ms\n"
        f"{end} GC({number}) User=0.{number % 7 + 1}0s Sys=0.00s Real={millis / 1000:.2f}s\n"
    )


def security_line(at: float, user: str, address: str, passed: bool, failures: int = 1) -> str:
    outcome = (
        "PASSED authentication." if passed else f"FAILED authentication.  Failure count equals {failures}"
    )
    return (
        f"{iso(at)} http-nio-8080-exec-14 {user if passed else 'anonymous'} 310x2803x1 zokxj2 {address} "
        f"/rest/gadget/1.0/login The user '{user}' has {outcome}\n"
    )
