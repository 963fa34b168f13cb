"""Cause classes of one node's JVM and Tomcat: heap exhausted, GC thrashing, native threads, file
descriptors, HTTP threads saturated, stuck requests, and the host's OOM killer.

Each builder takes the incident's start (epoch seconds) and returns what it plants (a ``Cause``).
"""

from __future__ import annotations

import numpy as np

from sandbox import incident_lines as text
from sandbox.incident_effects import Cause, Degrade, Effect, Line, Lines, Run, World, every, failed_request
from sandbox.incident_gc import Pressure
from sandbox.incident_traffic import ENDPOINTS, NEEDS_DB, Requests, tagged

MIN = 60.0
ALL = np.ones(len(ENDPOINTS), dtype=bool)
START_S = 150.0  # from a JVM's start to Jira serving requests
HOME = "/var/atlassian/application-data/jira"


def restart(stop: float, *, clean: bool = True, down: float = 40.0) -> list[Run]:
    """The node's run before the logs stops at ``stop``; a new one starts ``down`` seconds later."""
    return [Run(stop=stop, clean=clean), Run(start=stop + down, ready=stop + down + START_S)]


OOM_HEAP = (
    "java.lang.OutOfMemoryError: Java heap space\n"
    "\tat java.base/java.util.Arrays.copyOf(Arrays.java:3537)\n"
    "\tat java.base/java.lang.AbstractStringBuilder.ensureCapacityInternal(AbstractStringBuilder.java:228)\n"
    "\tat com.atlassian.jira.issue.search.providers.LuceneSearchProvider.search(LuceneSearchProvider."
    "java:412)\n"
    "\tat com.atlassian.jira.bc.issue.search.DefaultSearchService.search(DefaultSearchService.java:146)\n"
)


def heap_exhausted(start: float, node: int = 0, *, restart_at: float | None = 26 * MIN) -> Cause:
    """A huge export fills node1's heap: the floor climbs to the top in about six minutes, young
    pauses fail, full collections follow one another, ``OutOfMemoryError: Java heap space`` from the
    seventh minute, 5xx and latency on that node; an administrator restarts it (``restart_at``, None:
    the logs end first)."""
    stop = None if restart_at is None else start + restart_at
    heap = Pressure(
        floor_mb=8150, rise_mb_s=14.0, full_gap_s=(3.0, 12.0), full_ms=(6_000, 22_000), young_factor=3
    )

    def oom_lines(world: World, n: int, minute: float, effect: Effect) -> list[Line]:
        out: list[Line] = []
        if minute <= start < minute + 60:
            url = "/sr/jira.issueviews:searchrequest-excel-all-fields/temp/SearchRequest.xls"
            out.append(
                (
                    start + 1.2,
                    "app",
                    text.app(
                        start + 1.2,
                        text.request_thread(77, url, "report.bot"),
                        "INFO",
                        "c.a.j.i.views.util.SearchRequestViewBodyWriterUtil",
                        "Exporting 182340 issues of filter 10412 with all fields",
                        user="report.bot",
                        reqid=f"{int(start % 86400 // 60)}x9911x3",
                        session="1k2j3h4",
                        ip="10.20.4.17",
                        url=url.split("?")[0],
                    ),
                )
            )
        for at in every(world, minute, start + 7 * MIN, effect.until(), 1.5):
            out.append(
                (
                    at,
                    "app",
                    text.app(
                        at,
                        "Caesium-1-1",
                        "ERROR",
                        "c.a.scheduler.core.JobLauncher",
                        "Scheduled job with ID 'com.atlassian.jira.service.JiraService:10001' failed",
                        stack=OOM_HEAP,
                    ),
                )
            )
        first = start + 7 * MIN + 3.2
        if minute <= first < minute + 60:
            dump = (
                "java.lang.OutOfMemoryError: Java heap space\n"
                f"Dumping heap to {HOME}/java_pid{4242 + n}.hprof ...\n"
                "Heap dump file created [8254390272 bytes in 61.223 secs]\n"
            )
            out.append(
                (
                    first,
                    "catalina",
                    text.catalina(
                        first,
                        "SEVERE",
                        "http-nio-8080-exec-31",
                        "org.apache.catalina.core.StandardWrapperValve.invoke",
                        "Servlet.service() for servlet [action] in context with path [] threw exception",
                        dump,
                    ),
                )
            )
        return out

    effects: list[Effect] = [
        Degrade(start, stop, (node,), targets=ALL, fail=0.0, slow=4.0, ramp=5 * MIN, pressure=heap),
        Degrade(
            start + 7 * MIN,
            stop,
            (node,),
            targets=NEEDS_DB,
            fail=0.35,
            fail_ms=(8_000, 40_000),
            ramp=2 * MIN,
            make_event=failed_request(OOM_HEAP),
        ),
        Lines(start, stop, (node,), oom_lines),
    ]
    if stop is None:
        return Cause(effects, None, (node,))
    runs = restart(stop)
    return Cause(effects, runs[1].ready + MIN if runs[1].ready else stop, (node,), {node: runs})


def gc_thrashing(start: float, node: int = 1, duration: float = 30 * MIN) -> Cause:
    """A full background re-index on node2 keeps its heap nearly full: full collections back to back
    (GC overhead over 50 %), no OutOfMemoryError, every request on the node slow, until it finishes."""
    end = start + duration
    thrash = Pressure(
        floor_mb=7900, rise_mb_s=60.0, full_gap_s=(1.0, 3.0), full_ms=(2_000, 6_000), young_factor=2
    )
    logger = "c.a.j.util.index.CompositeIndexLifecycleManager"

    def reindex(world: World, n: int, minute: float, effect: Effect) -> list[Line]:
        out: list[Line] = []
        if minute <= start - 20 < minute + 60:
            out.append(
                (
                    start - 20,
                    "app",
                    text.app(
                        start - 20,
                        "Caesium-1-2",
                        "INFO",
                        logger,
                        "Background re-index of all issues started by admin",
                    ),
                )
            )
        for at in every(world, minute, start, end, 0.5):
            pct = int(100 * (at - start) / duration)
            out.append(
                (
                    at,
                    "app",
                    text.app(at, "IssueIndexer:thread-1", "INFO", logger, f"Re-indexing is {pct}% complete"),
                )
            )
        if minute <= end - 1 < minute + 60:
            out.append(
                (
                    end - 1,
                    "app",
                    text.app(
                        end - 1,
                        "Caesium-1-2",
                        "INFO",
                        logger,
                        f"Background re-index finished in {int(duration) + 20} seconds",
                    ),
                )
            )
        return out

    effects: list[Effect] = [
        Degrade(start, end, (node,), targets=ALL, fail=0.0, slow=7.0, ramp=2 * MIN, pressure=thrash),
        Lines(start - 60, end + 60, (node,), reindex),
    ]
    return Cause(effects, end, (node,))


NATIVE = (
    "java.lang.OutOfMemoryError: unable to create native thread: possibly out of memory or process/resource "
    "limits reached\n"
    "\tat java.base/java.lang.Thread.start0(Native Method)\n"
    "\tat java.base/java.lang.Thread.start(Thread.java:809)\n"
    "\tat java.base/java.util.concurrent.ThreadPoolExecutor.addWorker(ThreadPoolExecutor.java:945)\n"
    "\tat java.base/java.util.concurrent.ThreadPoolExecutor.execute(ThreadPoolExecutor.java:1353)\n"
    "\tat com.example.jira.connector.RemoteLinkRefresher.refreshAsync(RemoteLinkRefresher.java:58)\n"
)


def native_threads(start: float, node: int = 0) -> Cause:
    """An app leaks a thread per request on node1 until the user's process limit is reached: every new
    thread fails with ``unable to create native thread``, requests fail fast; restarted after 22 min."""
    stop = start + 22 * MIN

    def lines(world: World, n: int, minute: float, effect: Effect) -> list[Line]:
        out: list[Line] = []
        for at in every(world, minute, start, stop, 2.0):
            out.append(
                (
                    at,
                    "catalina",
                    f'Exception in thread "http-nio-8080-exec-{world.random.randint(150, 200)}" {NATIVE}',
                )
            )
        for at in every(world, minute, start, stop, 1.0):
            out.append(
                (
                    at,
                    "app",
                    text.app(
                        at,
                        "Caesium-1-4",
                        "ERROR",
                        "c.a.scheduler.core.JobLauncher",
                        "Scheduled job with ID 'com.atlassian.jira.service.JiraService:10000' failed",
                        stack=NATIVE,
                    ),
                )
            )
        return out

    effects: list[Effect] = [
        Degrade(
            start,
            stop,
            (node,),
            targets=NEEDS_DB,
            fail=0.45,
            fail_ms=(3, 120),
            ramp=30,
            make_event=failed_request(NATIVE),
        ),
        Lines(start, stop, (node,), lines),
    ]
    runs = restart(stop)
    return Cause(effects, (runs[1].ready or stop) + MIN, (node,), {node: runs})


def _fd_stack(world: World) -> str:
    segment = f"_{world.random.randint(100, 999):x}"
    path = f"{HOME}/caches/indexesV2/issues/{segment}.cfs"
    return (
        f"com.atlassian.jira.util.RuntimeIOException: java.io.FileNotFoundException: {path} (Too many open "
        "files)\n"
        "\tat com.atlassian.jira.index.DefaultIndexEngine$FlushPolicy$1.perform(DefaultIndexEngine.java:79)\n"
        "\tat com.atlassian.jira.issue.search.providers.LuceneSearchProvider.search(LuceneSearchProvider."
        "java:398)\n"
        f"Caused by: java.io.FileNotFoundException: {path} (Too many open files)\n"
        "\tat java.base/java.io.RandomAccessFile.open0(Native Method)\n"
        "\tat java.base/java.io.RandomAccessFile.open(RandomAccessFile.java:344)\n"
    )


def fd_exhausted(start: float, node: int = 1) -> Cause:
    """node2 runs out of file descriptors: Tomcat cannot accept connections (``Socket accept failed``,
    ``Too many open files``), index files and database sockets cannot be opened; restarted after 22 min."""
    stop = start + 22 * MIN
    accept = (
        "java.io.IOException: Too many open files\n"
        "\tat java.base/sun.nio.ch.Net.accept(Native Method)\n"
        "\tat java.base/sun.nio.ch.ServerSocketChannelImpl.implAccept(ServerSocketChannelImpl.java:425)\n"
        "\tat org.apache.tomcat.util.net.NioEndpoint.serverSocketAccept(NioEndpoint.java:548)\n"
    )
    database = (
        "org.postgresql.util.PSQLException: The connection attempt failed.\n"
        "\tat org.postgresql.core.v3.ConnectionFactoryImpl.openConnectionImpl(ConnectionFactoryImpl."
        "java:354)\n"
        "Caused by: java.net.SocketException: Too many open files\n"
        "\tat java.base/sun.nio.ch.Net.socket0(Native Method)\n"
    )

    def lines(world: World, n: int, minute: float, effect: Effect) -> list[Line]:
        out: list[Line] = []
        for at in every(world, minute, start, stop, 12.0):
            out.append(
                (
                    at,
                    "catalina",
                    text.catalina(
                        at,
                        "SEVERE",
                        "http-nio-8080-Acceptor",
                        "org.apache.tomcat.util.net.Acceptor.run",
                        "Socket accept failed",
                        accept,
                    ),
                )
            )
        for at in every(world, minute, start, stop, 1.0):
            out.append(
                (
                    at,
                    "app",
                    text.app(
                        at,
                        "Caesium-1-3",
                        "ERROR",
                        "c.a.jira.ofbiz.ConnectionPoolHealthSqlInterceptor",
                        "Unable to open a new database connection",
                        stack=database,
                    ),
                )
            )
        check = start + 2 * MIN + 5.2
        if minute <= check < minute + 60:
            out.append(
                (
                    check,
                    "app",
                    text.app(
                        check,
                        "Caesium-1-2",
                        "WARN",
                        "c.a.t.healthcheck.concurrent.SupportHealthCheckProcess",
                        "lambda$getCompletedStatuses$0 Health check 'Open files limit' failed with severity "
                        "'major': There are '4090' open files out of the maximum '4096'. This is critically "
                        "close to the limit, and should be fixed immediately.",
                        user="ServiceRunner",
                    ),
                )
            )
        return out

    effects: list[Effect] = [
        Degrade(
            start,
            stop,
            (node,),
            targets=NEEDS_DB,
            fail=0.5,
            fail_ms=(2, 90),
            ramp=60,
            make_event=failed_request(_fd_stack),
        ),
        Lines(start, stop, (node,), lines),
    ]
    runs = restart(stop)
    return Cause(effects, (runs[1].ready or stop) + MIN, (node,), {node: runs})


def http_threads(start: float, node: int = 0, duration: float = 25 * MIN) -> Cause:
    """A board gadget's slow requests hold all 200 of node1's HTTP threads: Tomcat logs that the pool
    is at its maximum, requests queue (latency up more than tenfold), and a share get 503."""
    end = start + duration
    message = "Maximum number of threads ([200]) created for connector with address [null] and port [8080]"

    def lines(world: World, n: int, minute: float, effect: Effect) -> list[Line]:
        out: list[Line] = []
        for at in (start + 41.6, start + 13 * MIN + 7.3):
            if minute <= at < minute + 60:
                out.append(
                    (
                        at,
                        "catalina",
                        text.catalina(
                            at,
                            "INFO",
                            "http-nio-8080-Acceptor",
                            "org.apache.tomcat.util.net.AbstractEndpoint.countUpOrAwaitConnection",
                            message,
                        ),
                    )
                )
        return out

    effects: list[Effect] = [
        Degrade(start, end, (node,), targets=tagged("board"), fail=0.0, slow=80.0, ramp=60),
        Degrade(
            start,
            end,
            (node,),
            targets=ALL,
            fail=0.15,
            status=503,
            fail_ms=(20_000, 60_000),
            slow=14.0,
            ramp=2 * MIN,
        ),
        Lines(start, end, (node,), lines),
    ]
    return Cause(effects, end, (node,))


class StuckRequests(Degrade):
    """Requests to the timesheets app on one node hang on a remote call; Tomcat's stuck-thread valve
    reports each after 120 s, and its completion."""

    def __init__(self, start: float, end: float, node: int) -> None:
        stack = (
            "java.net.SocketTimeoutException: Read timed out\n"
            "\tat java.base/sun.nio.ch.NioSocketImpl.timedRead(NioSocketImpl.java:288)\n"
            "\tat com.example.jira.timesheets.hr.HrSystemClient.fetchAbsences(HrSystemClient.java:141)\n"
            "\tat com.example.jira.timesheets.rest.WorklogResource.getWorklogs(WorklogResource.java:88)\n"
        )
        super().__init__(
            start,
            end,
            (node,),
            targets=tagged("timesheets"),
            fail=0.7,
            fail_ms=(125_000, 600_000),
            ramp=60,
            make_event=failed_request(stack),
        )
        self.stuck: list[tuple[float, float, str, int]] = []  # (start, end, thread, id)

    def shape(self, world: World, minute: float, batches: list[Requests], reason: int) -> None:
        super().shape(world, minute, batches, reason)
        req = batches[self.nodes[0]]
        for j in np.flatnonzero(req.reason == reason):
            t = float(req.t[j])
            self.stuck.append(
                (
                    t,
                    t + float(req.ms[j]) / 1000,
                    f"http-nio-8080-exec-{world.random.randint(1, 200)}",
                    world.random.randint(200, 900),
                )
            )

    def lines(self, world: World, node: int, minute: float) -> list[Line]:
        if node != self.nodes[0]:
            return []
        out: list[Line] = []
        source = "org.apache.catalina.valves.StuckThreadDetectionValve"
        for t, done, thread, tid in self.stuck:
            seen = t + 120 + (tid % 10)
            if minute <= seen < minute + 60 and seen < done:
                active = sum(1 for a, b, _, _ in self.stuck if a + 120 <= seen < b)
                since = text.iso(t)[:16]
                message = (
                    f'Thread "{thread}" (id={tid}) has been active for {int((seen - t) * 1000):,} '
                    f"milliseconds (since {since}) "
                    "to serve the same request for "
                    "https://jira.example.com/rest/timesheets/1.0/worklogs?period=week&user=current "
                    "and may be stuck (configured threshold for this StuckThreadDetectionValve is 120 "
                    "seconds). "
                    f"There is/are {active} thread(s) in total that are monitored by this Valve and may be "
                    "stuck."
                )
                out.append(
                    (
                        seen,
                        "catalina",
                        text.catalina(
                            seen,
                            "WARNING",
                            "Catalina-utility-2",
                            f"{source}.notifyStuckThreadDetected",
                            message,
                        ),
                    )
                )
            if minute <= done < minute + 60:
                left = sum(1 for a, b, _, _ in self.stuck if a + 120 <= done < b) - 1
                message = (
                    f'Thread "{thread}" (id={tid}) was previously reported to be stuck but has completed '
                    "after "
                    f"{int((done - t) * 1000):,} milliseconds. There is/are still {max(left, 0)} thread(s) "
                    "that are monitored by this Valve and may be stuck."
                )
                out.append(
                    (
                        done + 5,
                        "catalina",
                        text.catalina(
                            done + 5,
                            "WARNING",
                            "Catalina-utility-2",
                            f"{source}.notifyStuckThreadCompleted",
                            message,
                        ),
                    )
                )
        return out


def stuck_requests(start: float, node: int = 1, duration: float = 30 * MIN) -> Cause:
    """The timesheets app on node2 calls an HR system that stopped answering, without a timeout: its
    requests hang for minutes (stuck-thread warnings), the node's other requests slow down."""
    end = start + duration
    effects: list[Effect] = [
        StuckRequests(start, end, node),
        Degrade(start + MIN, end, (node,), targets=ALL, fail=0.0, slow=3.0, ramp=4 * MIN),
    ]
    return Cause(effects, end + 10 * MIN, (node,))


def host_oom_killer(start: float, node: int = 1) -> Cause:
    """The kernel's OOM killer ends node2's JVM twice (another process on the host takes the memory):
    its logs stop mid-stream with no stop line, and a cold start follows each time."""
    first = restart(start, clean=False, down=75.0)
    again = start + 21 * MIN
    first[1].stop, first[1].clean = again, False
    runs = [*first, Run(start=again + 70, ready=again + 70 + START_S)]
    return Cause([], again + 70 + START_S + MIN, (node,), {node: runs})
