"""Cause classes of the database and the shared home: connection pool exhausted, database
unreachable, database slow, disk full. They act on every node at once.
"""

from __future__ import annotations

from sandbox import incident_lines as text
from sandbox.incident_effects import Cause, Degrade, Effect, Line, Lines, World, every, failed_request
from sandbox.incident_traffic import NEEDS_DB, tagged

MIN = 60.0
EVERY_NODE = (0, 1, 2)
DB = "db.example.com:5432"

POOL = (
    "com.atlassian.jira.exception.DataAccessException: org.ofbiz.core.entity.GenericDataSourceException: "
    "Unable to esablish a connection with the database. (Cannot get a connection, pool error Timeout waiting "
    "for idle object)\n"
    "\tat com.atlassian.jira.ofbiz.DefaultOfBizDelegator.findByCondition(DefaultOfBizDelegator.java:126)\n"
    "\tat com.atlassian.jira.issue.managers.DefaultIssueManager.getIssue(DefaultIssueManager.java:181)\n"
    "Caused by: org.ofbiz.core.entity.GenericDataSourceException: Unable to esablish a connection with the "
    "database. (Cannot get a connection, pool error Timeout waiting for idle object)\n"
    "\tat org.ofbiz.core.entity.jdbc.SQLProcessor.getConnection(SQLProcessor.java:343)\n"
    "\tat org.ofbiz.core.entity.jdbc.SQLProcessor.prepareStatement(SQLProcessor.java:394)\n"
    "Caused by: java.sql.SQLException: Cannot get a connection, pool error Timeout waiting for idle object\n"
    "\tat org.apache.commons.dbcp2.PoolingDataSource.getConnection(PoolingDataSource.java:149)\n"
    "\tat org.ofbiz.core.entity.transaction.DBCPConnectionFactory.getConnection(DBCPConnectionFactory."
    "java:111)\n"
    "Caused by: java.util.NoSuchElementException: Timeout waiting for idle object\n"
    "\tat org.apache.commons.pool2.impl.GenericObjectPool.borrowObject(GenericObjectPool.java:448)\n"
)
REFUSED = (
    "com.atlassian.jira.exception.DataAccessException: org.ofbiz.core.entity.GenericDataSourceException: "
    f"Unable to esablish a connection with the database. (Connection to {DB} refused. Check that the "
    "hostname and port are correct and that the postmaster is accepting TCP/IP connections.)\n"
    "\tat com.atlassian.jira.ofbiz.DefaultOfBizDelegator.findByCondition(DefaultOfBizDelegator.java:126)\n"
    f"Caused by: org.postgresql.util.PSQLException: Connection to {DB} refused. Check that the hostname and "
    "port are correct and that the postmaster is accepting TCP/IP connections.\n"
    "\tat org.postgresql.core.v3.ConnectionFactoryImpl.openConnectionImpl(ConnectionFactoryImpl.java:342)\n"
    "\tat org.postgresql.Driver.makeConnection(Driver.java:443)\n"
    "Caused by: java.net.ConnectException: Connection refused\n"
    "\tat java.base/sun.nio.ch.Net.pollConnect(Native Method)\n"
    "\tat java.base/sun.nio.ch.NioSocketImpl.timedFinishConnect(NioSocketImpl.java:542)\n"
)
STATEMENT_TIMEOUT = (
    "com.atlassian.jira.exception.DataAccessException: org.ofbiz.core.entity.GenericDataSourceException: SQL "
    "Exception while executing the following:SELECT ID, PKEY, PROJECT, SUMMARY FROM public.jiraissue WHERE "
    "PROJECT=? (ERROR: canceling statement due to statement timeout)\n"
    "\tat com.atlassian.jira.ofbiz.DefaultOfBizDelegator.findByCondition(DefaultOfBizDelegator.java:126)\n"
    "Caused by: org.postgresql.util.PSQLException: ERROR: canceling statement due to statement timeout\n"
    "\tat org.postgresql.core.v3.QueryExecutorImpl.receiveErrorResponse(QueryExecutorImpl.java:2713)\n"
)
NO_SPACE = (
    "com.atlassian.jira.web.util.AttachmentException: Could not save attachment to storage: "
    "java.io.IOException: No space left on device\n"
    "\tat com.atlassian.jira.issue.attachment.DefaultAttachmentManager.createTemporaryAttachment("
    "DefaultAttachmentManager.java:612)\n"
    "\tat com.atlassian.jira.web.action.issue.AttachTemporaryFile.doExecute(AttachTemporaryFile.java:118)\n"
    "Caused by: java.io.IOException: No space left on device\n"
    "\tat java.base/sun.nio.ch.FileDispatcherImpl.write0(Native Method)\n"
    "\tat java.base/sun.nio.ch.FileChannelImpl.write(FileChannelImpl.java:285)\n"
)


def db_pool(start: float, duration: float = 30 * MIN) -> Cause:
    """A runaway report holds most of the database connections of every node: the database answers,
    but requests wait 30 s for a connection and then fail (``Timeout waiting for idle object``); the
    ones that get a connection are slow. Precursor: ``Dangerous use of multiple connections``."""
    end = start + duration

    def lines(world: World, node: int, minute: float, effect: Effect) -> list[Line]:
        out: list[Line] = []
        for at in every(world, minute, start - 40, end, 2.0):
            taken = world.random.randint(2, 4)
            pool = world.random.randint(17, 20)
            message = (
                f"Dangerous use of multiple connections: taken => count={taken}; marks=[1-{taken - 1}]; "
                f"pool={pool}/20"
            )
            out.append(
                (
                    at,
                    "app",
                    text.app(
                        at,
                        "Caesium-1-2",
                        "WARN",
                        "c.a.jira.ofbiz.ConnectionPoolHealthSqlInterceptor",
                        message,
                    ),
                )
            )
        return out

    effects: list[Effect] = [
        Degrade(
            start,
            end,
            EVERY_NODE,
            targets=NEEDS_DB,
            fail=0.3,
            fail_ms=(30_000, 30_400),
            slow=3.0,
            ramp=2 * MIN,
            make_event=failed_request(POOL),
        ),
        Lines(start - 60, end, EVERY_NODE, lines),
    ]
    return Cause(effects, end, EVERY_NODE)


def db_unreachable(start: float, duration: float = 25 * MIN) -> Cause:
    """The database server goes away (a failover that did not fail over): every connection attempt is
    refused at once, almost every request that needs the database fails fast, on every node."""
    end = start + duration
    heartbeat = "Unable to record the heartbeat of this node in the database"

    def lines(world: World, node: int, minute: float, effect: Effect) -> list[Line]:
        out: list[Line] = []
        for at in every(world, minute, start, end, 2.0):
            out.append(
                (
                    at,
                    "app",
                    text.app(
                        at,
                        "ClusterMessageHandlerServiceThread:thread-1",
                        "ERROR",
                        "c.a.jira.cluster.DefaultClusterManager",
                        heartbeat,
                        stack=REFUSED,
                    ),
                )
            )
        for at in every(world, minute, start, end, 1.0):
            out.append(
                (
                    at,
                    "app",
                    text.app(
                        at,
                        "Caesium-1-1",
                        "ERROR",
                        "c.a.scheduler.core.JobLauncher",
                        "Scheduled job with ID 'com.atlassian.jira.service.JiraService:10000' failed",
                        stack=REFUSED,
                    ),
                )
            )
        return out

    effects: list[Effect] = [
        Degrade(
            start,
            end,
            EVERY_NODE,
            targets=NEEDS_DB,
            fail=0.92,
            fail_ms=(3, 40),
            ramp=20,
            make_event=failed_request(REFUSED),
        ),
        Lines(start, end, EVERY_NODE, lines),
    ]
    return Cause(effects, end, EVERY_NODE)


def db_slow(start: float, duration: float = 35 * MIN) -> Cause:
    """The database answers every query seconds late (its storage is saturated): every node slows
    down several times over, a few requests hit the statement timeout, slow-query warnings pile up."""
    end = start + duration

    def lines(world: World, node: int, minute: float, effect: Effect) -> list[Line]:
        out: list[Line] = []
        for at in every(world, minute, start, end, 8.0):
            ms = world.random.randint(5_000, 30_000)
            message = (
                f"Slow query took {ms} ms: SELECT ID, PKEY, PROJECT FROM jiraissue WHERE PROJECT = ? ORDER "
                "BY UPDATED DESC"
            )
            out.append(
                (
                    at,
                    "app",
                    text.app(
                        at,
                        "http-nio-8080-exec-" + str(world.random.randint(1, 200)),
                        "WARN",
                        "c.a.jira.ofbiz.LoggingSQLInterceptor",
                        message,
                    ),
                )
            )
        return out

    effects: list[Effect] = [
        Degrade(
            start,
            end,
            EVERY_NODE,
            targets=NEEDS_DB,
            fail=0.006,
            fail_ms=(60_000, 60_300),
            slow=7.0,
            ramp=3 * MIN,
            make_event=failed_request(STATEMENT_TIMEOUT),
        ),
        Lines(start, end, EVERY_NODE, lines),
    ]
    return Cause(effects, end, EVERY_NODE)


def disk_full(start: float, duration: float = 40 * MIN) -> Cause:
    """The shared home fills up (a backup written to the wrong place): attachments cannot be saved on
    any node (``No space left on device``), nor the index snapshots; everything else works."""
    end = start + duration
    snapshot = (
        "java.io.IOException: No space left on device\n"
        "\tat java.base/sun.nio.ch.FileDispatcherImpl.write0(Native Method)\n"
        "\tat com.atlassian.jira.index.ha.DefaultIndexSnapshotService.createSnapshot("
        "DefaultIndexSnapshotService.java:203)\n"
    )

    def lines(world: World, node: int, minute: float, effect: Effect) -> list[Line]:
        out: list[Line] = []
        for at in every(world, minute, start, end, 0.4):
            message = (
                "Error creating index snapshot in "
                "/var/atlassian/application-data/jira-shared/export/indexsnapshots"
            )
            out.append(
                (
                    at,
                    "app",
                    text.app(
                        at,
                        "Caesium-1-4",
                        "ERROR",
                        "c.a.j.index.ha.DefaultIndexSnapshotService",
                        message,
                        stack=snapshot,
                    ),
                )
            )
        return out

    effects: list[Effect] = [
        Degrade(
            start,
            end,
            EVERY_NODE,
            targets=tagged("attach"),
            fail=1.0,
            fail_ms=(40, 400),
            ramp=1,
            make_event=failed_request(NO_SPACE),
        ),
        Degrade(
            start,
            end,
            EVERY_NODE,
            targets=tagged("create"),
            fail=0.2,
            fail_ms=(40, 400),
            ramp=1,
            make_event=failed_request(NO_SPACE),
        ),
        Lines(start, end, EVERY_NODE, lines),
    ]
    return Cause(effects, end, EVERY_NODE)
