"""Signatures that share words are told apart by the event's cause (its "Caused by:" chain), and an
event counts once per signature however many of its lines carry the words.

The events are shaped as MySQL Connector/J 5.1, pgjdbc and HikariCP write them (their messages are
the drivers' own texts; stack frames shortened).
"""

from __future__ import annotations

from datetime import UTC

import pytest

from collectors.logs.app_scan import AppAccumulator, ChunkScanner
from collectors.logs.context import FileContext
from collectors.logs.matcher import hyperscan
from collectors.logs.model import LogKind
from collectors.logs.timestamps import MinuteClock

ENGINES = [False, True] if hyperscan is not None else [False]

# Jira at start-up, MySQL down: the connection was never opened.
REFUSED_AT_START = """\
2019-03-05 09:12:44,518 localhost-startStop-1 ERROR      [o.ofbiz.core.entity.jdbc.DatabaseUtil] Could not get table name information from the database: Communications link failure

The last packet sent successfully to the server was 0 milliseconds ago. The driver has not received any packets from the server.
com.mysql.jdbc.exceptions.jdbc4.CommunicationsException: Communications link failure

The last packet sent successfully to the server was 0 milliseconds ago. The driver has not received any packets from the server.
\tat sun.reflect.NativeConstructorAccessorImpl.newInstance0(Native Method)
\tat com.mysql.jdbc.SQLError.createCommunicationsException(SQLError.java:989)
Caused by: java.net.ConnectException: Connection refused (Connection refused)
\tat java.net.PlainSocketImpl.socketConnect(Native Method)
"""
# Hours later, a pooled connection a firewall had cut.
CLOSED_UNDER = """\
2019-03-05 17:40:02,001 http-nio-8080-exec-3 ERROR bob 1060x1x1 1abc 10.0.0.1 /browse/ABC-1 [c.a.jira.ofbiz.DefaultOfBizConnectionFactory] Communications link failure

The last packet successfully received from the server was 28,813,412 milliseconds ago.  The last packet sent successfully to the server was 28,813,413 milliseconds ago.
com.mysql.jdbc.exceptions.jdbc4.CommunicationsException: Communications link failure
\tat com.mysql.jdbc.SQLError.createCommunicationsException(SQLError.java:989)
Caused by: java.net.SocketException: Broken pipe (Write failed)
\tat java.net.SocketOutputStream.socketWrite0(Native Method)
"""
# Bitbucket's HikariCP pool, PostgreSQL down: the pool is empty because no connection could be opened.
HIKARI_REFUSED = """\
2024-05-01 10:00:31,207 ERROR [spring-startup]  c.a.b.i.boot.BitbucketServerApplication Startup failed
java.sql.SQLTransientConnectionException: bitbucket - Connection is not available, request timed out after 30005ms.
\tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:696)
Caused by: org.postgresql.util.PSQLException: Connection to db.example.com:5432 refused. Check that the hostname and port are correct and that the postmaster is accepting TCP/IP connections.
\tat org.postgresql.core.v3.ConnectionFactoryImpl.openConnectionImpl(ConnectionFactoryImpl.java:319)
Caused by: java.net.ConnectException: Connection refused
\tat java.base/sun.nio.ch.Net.pollConnect(Native Method)
"""
# The same pool, busy: every connection in use, no cause.
HIKARI_BUSY = """\
2024-05-01 14:00:31,207 ERROR [http-nio-7990-exec-7]  c.a.s.i.w.ErrorPageFilter Request failed
java.sql.SQLTransientConnectionException: bitbucket - Connection is not available, request timed out after 15002ms.
\tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:696)
"""


def _hits(text: str, kind: LogKind, use_hs: bool) -> dict[str, int]:
    from agent.signatures import load_signatures
    from checks.signatures.scan import to_scan_patterns

    scanner = ChunkScanner(to_scan_patterns(load_signatures(None)), MinuteClock(UTC), use_hyperscan=use_hs)
    acc = AppAccumulator()
    scanner.scan(text.encode(), FileContext("f", "n1", kind, UTC), acc)
    return {sig: tally.count for sig, tally in acc.hits.items() if sig.startswith("db.")}


@pytest.mark.parametrize("use_hs", ENGINES)
def test_a_refused_connection_at_start_up_is_an_unreachable_database_not_a_closed_connection(use_hs) -> None:
    hits = _hits(REFUSED_AT_START, LogKind.JIRA_APP, use_hs)
    assert hits == {"db.unreachable": 1, "db.mysql.connect_failed": 1}


@pytest.mark.parametrize("use_hs", ENGINES)
def test_a_link_cut_under_a_pooled_connection_is_a_closed_connection(use_hs) -> None:
    assert _hits(CLOSED_UNDER, LogKind.JIRA_APP, use_hs) == {"db.connection_closed": 1}


@pytest.mark.parametrize("use_hs", ENGINES)
def test_an_empty_pool_caused_by_a_refused_connection_is_not_an_exhausted_pool(use_hs) -> None:
    hits = _hits(HIKARI_REFUSED, LogKind.BITBUCKET_APP, use_hs)
    assert hits == {"db.unreachable": 1, "db.postgres.connection_refused": 1}
    assert _hits(HIKARI_BUSY, LogKind.BITBUCKET_APP, use_hs) == {"db.hikari.timeout": 1}


@pytest.mark.parametrize("use_hs", ENGINES)
def test_each_event_keeps_its_own_cause_when_they_follow_each_other(use_hs) -> None:
    hits = _hits(REFUSED_AT_START + CLOSED_UNDER + REFUSED_AT_START, LogKind.JIRA_APP, use_hs)
    assert hits == {"db.unreachable": 2, "db.mysql.connect_failed": 2, "db.connection_closed": 1}
