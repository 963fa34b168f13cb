"""What every scenario's logs hold besides the incident: the things a healthy cluster always logs, and
the decoys a correct investigation must not take for the cause.

Background: the directory synchronisation every hour on node1 (INFO), and node3's WARN storm: an
indexing warning about a custom field option deleted long ago, 50 times a minute, all day.

Decoys, placed relative to the anchor (the incident's start, or the middle of a quiet scenario):

- a 7.4 s full GC on node3 an hour before (requests in flight on node3 wait for it);
- one person mistyping a password three times, then logging in, 34 minutes before;
- an LDAP warning early in the baseline: one synchronisation interrupted by a connect timeout on
  node1, 17 minutes into the logs, and the full synchronisation that follows succeeding.
"""

from __future__ import annotations

import numpy as np

from sandbox import incident_lines as text
from sandbox.incident_effects import Effect, Line, World
from sandbox.incident_traffic import FORM, LOGIN_FAILED, LOGIN_PASSED, Requests, make_requests

DIRECTORY = "Corporate LDAP"
DIRECTORY_ID = 10000
LDAP_HOST = "ldap.example.com:389"
DECOY_GC_NODE, STORM_NODE, SYNC_NODE = 2, 2, 0
STORM_PER_MINUTE = 50
DECOY_GC_MS = 7412.345
MISTYPER = "grace.smith"


class DirectorySync(Effect):
    """Crowd's hourly synchronisation of the LDAP directory, run on one node (13 minutes past)."""

    def __init__(self, t0: float, log_end: float, failing: tuple[float, float] | None = None) -> None:
        super().__init__(t0, log_end, (SYNC_NODE,))
        self.failing = failing  # when the directory cannot be reached

    def lines(self, world: World, node: int, minute: float) -> list[Line]:
        if node != SYNC_NODE or minute % 3600 != 13 * 60:
            return []
        at = minute + 2.117
        down = self.failing is not None and self.failing[0] <= at < self.failing[1]
        return (
            sync_failed(at, "Connection timed out", "ConnectException")
            if down
            else sync_ok(at, "INCREMENTAL")
        )


def sync_ok(at: float, kind: str) -> list[Line]:
    logger = "c.a.crowd.directory.DbCachingRemoteDirectory"
    return [
        (
            at,
            "app",
            text.app(
                at,
                "Caesium-1-3",
                "INFO",
                logger,
                f"{kind} synchronisation for directory [ {DIRECTORY_ID} ] starting",
            ),
        ),
        (
            at + 1.8,
            "app",
            text.app(
                at + 1.8,
                "Caesium-1-3",
                "INFO",
                "c.a.c.d.ldap.cache.RemoteDirectoryCacheRefresher",
                "found [ 312 ] remote users in [ 1734 ms ]",
            ),
        ),
        (
            at + 3.9,
            "app",
            text.app(
                at + 3.9,
                "Caesium-1-3",
                "INFO",
                logger,
                f"{kind} synchronisation complete for directory [ {DIRECTORY_ID} ] in [ 3912ms ]",
            ),
        ),
    ]


def ldap_stack(root_message: str, root_type: str) -> str:
    """The cause chain Crowd writes when the LDAP server cannot be reached."""
    head = (
        f"javax.naming.CommunicationException: {LDAP_HOST} [Root exception is java.net.{root_type}: "
        f"{root_message}]"
    )
    return (
        f"com.atlassian.crowd.exception.OperationFailedException: {head}\n"
        "\tat com.atlassian.crowd.directory.SpringLDAPConnector.searchEntitiesWithRequestControls("
        "SpringLDAPConnector.java:467)\n"
        "\tat com.atlassian.crowd.directory.ldap.cache.RemoteDirectoryCacheRefresher.findAllRemoteUsers("
        "RemoteDirectoryCacheRefresher.java:66)\n"
        "\tat com.atlassian.crowd.directory.DbCachingRemoteDirectory.synchroniseCache("
        "DbCachingRemoteDirectory.java:1112)\n"
        f"Caused by: {head}\n"
        "\tat java.naming/com.sun.jndi.ldap.Connection.<init>(Connection.java:252)\n"
        "\tat java.naming/com.sun.jndi.ldap.LdapClient.<init>(LdapClient.java:137)\n"
        f"Caused by: java.net.{root_type}: {root_message}\n"
        "\tat java.base/sun.nio.ch.NioSocketImpl.timedFinishConnect(NioSocketImpl.java:546)\n"
        "\tat java.base/java.net.Socket.connect(Socket.java:633)\n"
    )


def sync_failed(at: float, root_message: str, root_type: str) -> list[Line]:
    logger = "c.a.crowd.directory.DbCachingRemoteDirectory"
    message = f"Error occurred while refreshing the cache for directory [ {DIRECTORY_ID} ]."
    return [
        (
            at,
            "app",
            text.app(
                at,
                "Caesium-1-3",
                "INFO",
                logger,
                f"INCREMENTAL synchronisation for directory [ {DIRECTORY_ID} ] starting",
            ),
        ),
        (
            at + 10.02,
            "app",
            text.app(
                at + 10.02, "Caesium-1-3", "ERROR", logger, message, stack=ldap_stack(root_message, root_type)
            ),
        ),
    ]


class LdapWarning(Effect):
    """One synchronisation interrupted by a connect timeout, then a full one that works."""

    def __init__(self, at: float) -> None:
        super().__init__(at, at + 120, (SYNC_NODE,))

    def lines(self, world: World, node: int, minute: float) -> list[Line]:
        if node != SYNC_NODE or not minute <= self.start < minute + 60:
            return []
        at = self.start
        message = (
            f"Incremental synchronisation for directory [ {DIRECTORY_ID} ] was unexpectedly interrupted, "
            "falling back to a full synchronisation"
        )
        warn = text.app(
            at + 10.0,
            "Caesium-1-3",
            "WARN",
            "c.a.crowd.directory.DbCachingRemoteDirectory",
            message,
            stack=ldap_stack("connect timed out", "SocketTimeoutException"),
        )
        return [(at + 10.0, "app", warn), *sync_ok(at + 11.0, "FULL")]


class WarnStorm(Effect):
    """The warning one node always logs, 50 times a minute: harmless, and no change at all."""

    def __init__(self, t0: float, log_end: float) -> None:
        super().__init__(t0, log_end, (STORM_NODE,))

    def lines(self, world: World, node: int, minute: float) -> list[Line]:
        if node != STORM_NODE:
            return []
        out = []
        for k in range(STORM_PER_MINUTE):
            at = minute + (k + world.random.random()) * 60 / STORM_PER_MINUTE
            message = (
                f"Option 3321 of customfield_10471 not found for issue OPS-{world.random.randint(1, 4000)}"
            )
            out.append(
                (
                    at,
                    "app",
                    text.app(
                        at,
                        f"IssueIndexer:thread-{k % 4 + 1}",
                        "WARN",
                        "c.a.j.issue.customfields.impl.SelectCFType",
                        message,
                    ),
                )
            )
        return out


class SlowGcDecoy(Effect):
    """A single 7.4 s full collection on node3; the requests in flight wait for it."""

    def __init__(self, at: float) -> None:
        super().__init__(at, at + DECOY_GC_MS / 1000, (DECOY_GC_NODE,), ramp=0.0)

    def forced_gc(self, node: int) -> list[tuple[float, float, float]]:
        return [(self.start, DECOY_GC_MS, 2250.0)] if node == DECOY_GC_NODE else []

    def shape(self, world: World, minute: float, batches: list[Requests], reason: int) -> None:
        req = batches[DECOY_GC_NODE]
        caught = (req.t >= self.start) & (req.t < self.until())
        req.ms[caught] += np.rint((self.until() - req.t[caught]) * 1000).astype(np.int64)


class Mistype(Effect):
    """One person types a wrong password three times, then gets it right."""

    def __init__(self, at: float) -> None:
        super().__init__(at, at + 60, ())

    def shape(self, world: World, minute: float, batches: list[Requests], reason: int) -> None:
        if not minute <= self.start < minute + 60:
            return
        who = world.people.names.index(MISTYPER)
        node = int(world.people.home[who])
        if not len(batches[node]):
            node = max(range(len(batches)), key=lambda i: len(batches[i]))
        times = self.start + np.array([0.0, 9.3, 21.7, 38.2])
        tries = make_requests(
            world.np, times, np.full(4, who), np.full(4, FORM), status=np.array([200, 200, 200, 302])
        )
        tries.login[:] = [LOGIN_FAILED, LOGIN_FAILED, LOGIN_FAILED, LOGIN_PASSED]
        tries.anon[:] = [True, True, True, False]
        tries.nbytes[:] = [9_800, 9_800, 9_800, 0]
        batches[node].extend(tries)


def background(
    t0: float, log_end: float, anchor: float, failing: tuple[float, float] | None = None
) -> list[Effect]:
    """The background and the decoys of a scenario whose incident starts at ``anchor``."""
    return [
        DirectorySync(t0, log_end, failing),
        WarnStorm(t0, log_end),
        LdapWarning(t0 + 17 * 60 + 41.3),
        SlowGcDecoy(anchor - 3600 + 12.5),
        Mistype(anchor - 34 * 60 - (anchor % 60) + 5),
    ]
