"""The lines a Jira Data Center node writes, for the incident scenarios: its application log
(``atlassian-jira.log``), security log, Tomcat access log and catalina.out.

Layouts are those of reference/atlassian.md section 5: Log4j's ``%d %t %p %X{jira.username}
%X{jira.request.id} %X{jira.request.assession.id} %X{jira.request.ipaddr} %X{jira.request.url} [%q{4}]
%m%n`` (blank MDC fields leave a run of spaces), the eight columns of the security log, Jira's access
valve pattern, and Tomcat's own lines in catalina.out. Request threads carry the url and user in their
name, as Jira 8 and later name them.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime

from sandbox.log_lines import iso, tomcat

VERSION, BUILD = "9.12.4", "9120004"


def app(
    at: float,
    thread: str,
    level: str,
    logger: str,
    message: str,
    *,
    user: str = "",
    reqid: str = "",
    session: str = "",
    ip: str = "",
    url: str = "",
    stack: str = "",
) -> str:
    """One application-log event: its first line and, for an exception, the lines that follow."""
    return f"{iso(at)} {thread} {level} {user} {reqid} {session} {ip} {url} [{logger}] {message}\n{stack}"


def request_thread(exec_n: int, url: str, user: str) -> str:
    return f"http-nio-8080-exec-{exec_n} url: {url.split('?', 1)[0]}; user: {user}"


def security(
    at: float, exec_n: int, user: str, reqid: str, session: str, address: str, url: str, message: str
) -> str:
    """``timestamp thread username requestId ASESSIONID ip url message``."""
    return f"{iso(at)} http-nio-8080-exec-{exec_n} {user} {reqid} {session} {address} {url} {message}\n"


def login_message(user: str, passed: bool, failures: int) -> str:
    if passed:
        return f"The user '{user}' has PASSED authentication."
    return f"The user '{user}' has FAILED authentication.  Failure count equals {failures}"


def not_found(user: str) -> str:
    return (
        f"login : '{user}' tried to login but they do not have USE permission or weren't found. "
        "Deleting remember me cookie."
    )


def catalina(at: float, level: str, thread: str, source: str, message: str, stack: str = "") -> str:
    return f"{tomcat(at)} {level} [{thread}] {source} {message}\n{stack}"


def clf_minute(minute: float) -> str:
    """``14/May/2024:09:12:`` for the access log's %t of every second of one minute."""
    return f"{datetime.fromtimestamp(minute, UTC):%d/%b/%Y:%H:%M:}"


def exec_thread(rng: random.Random) -> int:
    return rng.randint(1, 200)


# -- the everyday chatter of a healthy node ----------------------------------------------------------
_CHATTER_INFO = (
    ("c.a.j.issue.index.DefaultIndexManager", "Flushed {n} index updates in {ms} ms"),
    ("c.a.jira.cluster.DefaultClusterManager", "Heartbeat of node {node} recorded in {ms} ms"),
    (
        "c.a.j.c.distribution.localq.LocalQCacheManager",
        "[LOCALQ] Cache replication queue stats per node: {peer} total stats: sent: {n}, queue size: 0",
    ),
    (
        "c.a.jira.service.JiraServiceContainerImpl",
        "Running service com.atlassian.jira.service.services.mail.MailQueueService took {ms} ms",
    ),
    (
        "c.a.j.p.webhooks.WebhookListener",
        "Sending webhook 'CI build trigger' to https://ci.example.com/jira-webhook took {ms} ms",
    ),
    (
        "c.a.jira.index.ha.DefaultIndexCopyService",
        "Index replication: {n} operations applied from node {peer}",
    ),
    ("c.a.g.m.sync.SyncService", "Board 1{n} refreshed for {ms} ms"),
    ("c.a.jira.task.TaskManagerImpl", "Task 'Archiving audit log records' finished in {ms} ms"),
)
_CHATTER_WARN = (
    (
        "c.a.jira.ofbiz.LoggingSQLInterceptor",
        "Slow query took {ms} ms: SELECT ID, PKEY, PROJECT FROM jiraissue WHERE PROJECT = ? ORDER BY UPDATED "
        "DESC",
    ),
    (
        "c.a.j.p.webhooks.WebhookListener",
        "Webhook 'CI build trigger' answered 503 after {ms} ms; it will be retried",
    ),
    (
        "c.a.j.web.dispatcher.JiraWebworkActionDispatcher",
        "Request /secure/ViewProfile.jspa took {ms} ms to render",
    ),
    (
        "c.a.j.user.util.DefaultUserManager",
        "User picker query for 'a' returned more than 1000 users; results were truncated",
    ),
)
_CHATTER_ERROR = (
    (
        "c.a.j.issue.fields.renderer.wiki.AtlassianWikiRenderer",
        "Unable to render macro 'jira-chart' in issue ABC-{n}: chart type not found",
    ),
    (
        "c.a.j.web.servlet.ViewAttachmentServlet",
        "Attachment 2{n} of issue ABC-{n} is missing from the attachment store",
    ),
)
_NODES = ("node1", "node2", "node3")


def chatter(rng: random.Random, at: float, node: str) -> str:
    """A background event of a healthy node: mostly INFO, some WARN, the odd ERROR."""
    roll = rng.random()
    level, table = (
        ("INFO", _CHATTER_INFO)
        if roll < 0.88
        else ("WARN", _CHATTER_WARN)
        if roll < 0.985
        else ("ERROR", _CHATTER_ERROR)
    )
    logger, text = rng.choice(table)
    peer = rng.choice([n for n in _NODES if n != node])
    message = text.format(n=rng.randint(1, 9999), ms=rng.randint(2, 3500), node=node, peer=peer)
    thread = rng.choice(
        (
            "Caesium-1-2",
            "Caesium-1-4",
            "localq-reader-3",
            "ThreadPoolAsyncTaskExecutor::Thread 7",
            "IssueIndexer:thread-2",
        )
    )
    return app(at, thread, level, logger, message)


BASELINE_ERRORS = (
    (
        "c.a.j.web.exception.DefaultWebExceptionChecker",
        "Unexpected error while rendering {url}",
        "java.lang.NullPointerException: Cannot invoke "
        '"com.atlassian.jira.issue.fields.CustomField.getCustomFieldType()" because "field" is null\n'
        "\tat com.atlassian.jira.issue.fields.layout.field.AbstractFieldLayout.getFieldLayoutItem("
        "AbstractFieldLayout.java:312)\n"
        "\tat com.atlassian.jira.web.component.IssueTableLayoutBean.getColumns(IssueTableLayoutBean."
        "java:98)\n"
        "\tat java.base/java.lang.Thread.run(Thread.java:840)\n",
    ),
    (
        "c.a.j.rest.exception.ExceptionInterceptor",
        "Returning internal server error in response",
        "com.atlassian.jira.issue.IssueNotFoundException: Issue ABC-{n} was deleted while the request ran\n"
        "\tat com.atlassian.jira.issue.managers.DefaultIssueManager.getIssueObject(DefaultIssueManager."
        "java:377)\n"
        "\tat com.atlassian.jira.rest.v2.issue.IssueResource.getIssue(IssueResource.java:211)\n"
        "\tat java.base/java.lang.Thread.run(Thread.java:840)\n",
    ),
)


# -- starting and stopping a node --------------------------------------------------------------------
def jira_stopping(at: float) -> list[tuple[float, str]]:
    logger = "c.a.jira.startup.DefaultJiraLauncher"
    return [
        (at, app(at, "localhost-startStop-2", "INFO", logger, "Stopping launchers")),
        (
            at + 0.8,
            app(
                at + 0.8,
                "localhost-startStop-2",
                "INFO",
                "c.a.jira.cluster.DefaultClusterManager",
                "Current node is being shut down; releasing its cluster locks",
            ),
        ),
        (
            at + 2.5,
            app(
                at + 2.5,
                "localhost-startStop-2",
                "INFO",
                "c.a.j.c.distribution.localq.LocalQCacheManager",
                "[LOCALQ] Stopping cache replication",
            ),
        ),
        (
            at + 6.0,
            app(
                at + 6.0,
                "localhost-startStop-2",
                "INFO",
                "c.a.jira.ComponentManager",
                "Shutting down components",
            ),
        ),
    ]


def tomcat_stopping(at: float) -> list[tuple[float, str]]:
    return [
        (
            at - 0.4,
            catalina(
                at - 0.4,
                "INFO",
                "main",
                "org.apache.catalina.core.StandardServer.await",
                "A valid shutdown command was received via the shutdown port. Stopping the Server instance.",
            ),
        ),
        (
            at - 0.3,
            catalina(
                at - 0.3,
                "INFO",
                "main",
                "org.apache.coyote.AbstractProtocol.pause",
                'Pausing ProtocolHandler ["http-nio-8080"]',
            ),
        ),
        (
            at - 0.2,
            catalina(
                at - 0.2,
                "INFO",
                "main",
                "org.apache.catalina.core.StandardService.stopInternal",
                "Stopping service [Catalina]",
            ),
        ),
        (
            at + 9.0,
            catalina(
                at + 9.0,
                "INFO",
                "main",
                "org.apache.coyote.AbstractProtocol.stop",
                'Stopping ProtocolHandler ["http-nio-8080"]',
            ),
        ),
        (
            at + 9.2,
            catalina(
                at + 9.2,
                "INFO",
                "main",
                "org.apache.coyote.AbstractProtocol.destroy",
                'Destroying ProtocolHandler ["http-nio-8080"]',
            ),
        ),
    ]


def tomcat_starting(at: float, ready: float) -> list[tuple[float, str]]:
    """Tomcat's start: it reports itself started once Jira's context is up; Jira goes on starting in
    its own thread until ``ready``."""
    took = 28_421
    return [
        (
            at + 0.4,
            catalina(
                at + 0.4,
                "INFO",
                "main",
                "org.apache.catalina.startup.VersionLoggerListener.log",
                "Server version name:   Apache Tomcat/9.0.82",
            ),
        ),
        (
            at + 0.5,
            catalina(
                at + 0.5,
                "INFO",
                "main",
                "org.apache.catalina.startup.VersionLoggerListener.log",
                "JVM Version:           17.0.10+7",
            ),
        ),
        (
            at + 1.2,
            catalina(
                at + 1.2,
                "INFO",
                "main",
                "org.apache.coyote.AbstractProtocol.init",
                'Initializing ProtocolHandler ["http-nio-8080"]',
            ),
        ),
        (
            at + 1.4,
            catalina(
                at + 1.4,
                "INFO",
                "main",
                "org.apache.catalina.startup.Catalina.load",
                "Server initialization in [1004] milliseconds",
            ),
        ),
        (
            at + 1.5,
            catalina(
                at + 1.5,
                "INFO",
                "main",
                "org.apache.catalina.core.StandardService.startInternal",
                "Starting service [Catalina]",
            ),
        ),
        (
            at + 1.6,
            catalina(
                at + 1.6,
                "INFO",
                "main",
                "org.apache.catalina.core.StandardEngine.startInternal",
                "Starting Servlet engine: [Apache Tomcat/9.0.82]",
            ),
        ),
        (
            at + 29.9,
            catalina(
                at + 29.9,
                "INFO",
                "main",
                "org.apache.coyote.AbstractProtocol.start",
                'Starting ProtocolHandler ["http-nio-8080"]',
            ),
        ),
        (
            at + 30.0,
            catalina(
                at + 30.0,
                "INFO",
                "main",
                "org.apache.catalina.startup.Catalina.start",
                f"Server startup in [{took}] milliseconds",
            ),
        ),
    ]


def jira_starting(at: float, ready: float, node: str, version: str = VERSION) -> list[tuple[float, str]]:
    """The start-up banner, the environment, the plugin system and the line that says it is ready."""
    logger = "c.a.jira.startup.JiraStartupLogger"
    banner = "\n    ****************\n    Jira starting...\n    ****************\n\n"
    env = (
        "\n___ Environment _____________________________\n\n"
        f"     JIRA Build                                    : {version}#{BUILD}-sha1:7d2c1b4\n"
        "     Build Date                                    : Tue Feb 20 00:00:00 UTC 2024\n"
        "     JIRA Installation Type                        : Standalone\n"
        f"     Application Server                            : Apache Tomcat/9.0.82 - Servlet API 4.0\n"
        "     Java Version                                  : 17.0.10 - Eclipse Adoptium\n"
        "     Maximum Allowable Memory                      : 8192MB\n"
        f"     Cluster node id                               : {node}\n\n"
    )
    ready_text = (
        "\n\n     ___ Starting Jira, Time to shine __________\n\n"
        f"     Jira Software {version} build: {BUILD} started. You can now access JIRA through your web "
        "browser.\n\n"
    )
    steps = [
        (at + 4.0, app(at + 4.0, "JIRA-Bootstrap", "INFO", logger, "", stack=banner)),
        (at + 4.1, app(at + 4.1, "JIRA-Bootstrap", "INFO", logger, "", stack=env)),
        (
            at + 6.0,
            app(
                at + 6.0,
                "JIRA-Bootstrap",
                "INFO",
                "c.a.jira.startup.ClusteringLauncher",
                f"Current node: {node}. Starting clustering",
            ),
        ),
        (
            at + 8.0,
            app(
                at + 8.0,
                "JIRA-Bootstrap",
                "INFO",
                "c.a.j.c.distribution.localq.LocalQCacheManager",
                "[LOCALQ] Starting cache replication",
            ),
        ),
        (
            at + 20.0,
            app(
                at + 20.0,
                "JIRA-Bootstrap",
                "INFO",
                "c.a.plugin.manager.DefaultPluginManager",
                "Plugin system earlyStartup begun",
            ),
        ),
        (
            at + 55.0,
            app(
                at + 55.0,
                "JIRA-Bootstrap",
                "INFO",
                "c.a.plugin.manager.DefaultPluginManager",
                "Plugin system earlyStartup ended",
            ),
        ),
        (
            at + 70.0,
            app(
                at + 70.0,
                "JIRA-Bootstrap",
                "INFO",
                "c.a.j.index.DefaultIndexManager",
                f"[INDEX_START] Current node: {node}. Index is available and consistent",
            ),
        ),
        (
            ready - 20,
            app(
                ready - 20,
                "JIRA-Bootstrap",
                "INFO",
                "c.a.plugin.manager.DefaultPluginManager",
                "Plugin system lateStartup ended",
            ),
        ),
        (ready - 1, app(ready - 1, "JIRA-Bootstrap", "INFO", logger, "", stack=ready_text)),
    ]
    return steps
