"""Cause classes of the cluster, the apps and what surrounds Jira: an app failing, a corrupt index, a
node lost, cache replication broken, the mail server unreachable, a planned rolling restart, and the
network between the load balancer and the nodes dropping connections.
"""

from __future__ import annotations

from sandbox import incident_lines as text
from sandbox.incident_causes_jvm import START_S, restart
from sandbox.incident_effects import (
    Cause,
    Degrade,
    Effect,
    Event,
    Line,
    Lines,
    Run,
    World,
    every,
    failed_request,
)
from sandbox.incident_traffic import IS_STATIC, Requests, tagged

MIN = 60.0
EVERY_NODE = (0, 1, 2)
NODE_NAMES = ("node1", "node2", "node3")
ADDRESSES = ("10.0.0.11", "10.0.0.12", "10.0.0.13")
HOME = "/var/atlassian/application-data/jira"
APP_KEY = "com.example.jira.timesheets"


def app_failure(start: float, duration: float = 35 * MIN) -> Cause:
    """An update of the timesheets app breaks it on every node: its REST resources throw
    ``NoSuchMethodError`` (500 on its endpoints) and its issue-event listener throws on every update,
    until the update is rolled back."""
    end = start + duration
    missing = (
        "java.lang.NoSuchMethodError: 'com.atlassian.jira.issue.worklog.Worklog "
        "com.atlassian.jira.issue.worklog.WorklogManager.getById(java.lang.Long)'\n"
        f"\tat {APP_KEY}.service.WorklogService.load(WorklogService.java:212)\n"
        f"\tat {APP_KEY}.rest.WorklogResource.getWorklogs(WorklogResource.java:88)\n"
        "\tat java.base/jdk.internal.reflect.DirectMethodHandleAccessor.invoke(DirectMethodHandleAccessor."
        "java:103)\n"
    )
    listener = (
        "public void "
        f"{APP_KEY}.listener.IssueEventListener.onIssueEvent(com.atlassian.jira.event.issue.IssueEvent)"
    )

    def rest_error(world: World, node: int, req: Requests, i: int) -> Event:
        message = (
            "Uncaught exception thrown by REST service: 'com.atlassian.jira.issue.worklog.Worklog "
            "com.atlassian.jira.issue.worklog.WorklogManager.getById(java.lang.Long)'"
        )
        return "ERROR", "c.a.p.r.c.error.DefaultThrowableMapper", message, missing

    def lines(world: World, node: int, minute: float, effect: Effect) -> list[Line]:
        out: list[Line] = []
        update = start - 20 + node * 1.5
        for at, old, new in ((update, "4.2.1", "4.3.0"), (end + node * 1.5, "4.3.0", "4.2.1")):
            if minute <= at < minute + 60:
                out.append(
                    (
                        at,
                        "app",
                        text.app(
                            at,
                            "ClusterMessageHandlerServiceThread:thread-1",
                            "INFO",
                            "c.a.plugin.manager.DefaultPluginManager",
                            f"Updating plugin '{APP_KEY}' from version '{old}' to version '{new}'",
                        ),
                    )
                )
        for at in every(world, minute, start, end, 3.0):
            message = (
                "There was an exception thrown trying to dispatch event "
                "'com.atlassian.jira.event.issue.IssueEvent' "
                "from the invoker "
                f"'SingleParameterMethodListenerInvoker{{method={listener}, "
                f"listener={APP_KEY}.listener.IssueEventListener@5d1c2a3b}}'."
            )
            out.append(
                (
                    at,
                    "app",
                    text.app(
                        at,
                        "AtlassianEvent::thread-3",
                        "ERROR",
                        "c.a.event.internal.AsynchronousAbleEventDispatcher",
                        message,
                        stack=missing,
                    ),
                )
            )
        return out

    effects: list[Effect] = [
        Degrade(
            start,
            end,
            EVERY_NODE,
            targets=tagged("timesheets"),
            fail=0.95,
            fail_ms=(20, 120),
            ramp=10,
            make_event=rest_error,
        ),
        Lines(start - 60, end + 60, EVERY_NODE, lines),
    ]
    return Cause(effects, end, EVERY_NODE)


def index_corruption(start: float, node: int = 1, duration: float = 35 * MIN) -> Cause:
    """node2's local Lucene index is corrupt (a segment fails its checksum): its searches and boards
    fail, its indexing fails, the other nodes report its index replication falling behind; fixed when
    the index is restored from a snapshot."""
    end = start + duration
    path = f"{HOME}/caches/indexesV2/issues/_7kq.cfs"
    corrupt = (
        "org.apache.lucene.index.CorruptIndexException: checksum failed (hardware problem?) : "
        "expected=5c0a1f3b actual=9e4d0c11 "
        f'(resource=BufferedChecksumIndexInput(MMapIndexInput(path="{path}") [slice=_7kq_Lucene84_0.doc]))'
    )
    search_stack = (
        f"com.atlassian.jira.issue.search.SearchException: {corrupt}\n"
        "\tat com.atlassian.jira.issue.search.providers.LuceneSearchProvider.search(LuceneSearchProvider."
        "java:412)\n"
        "\tat com.atlassian.jira.bc.issue.search.DefaultSearchService.search(DefaultSearchService.java:146)\n"
        f"Caused by: {corrupt}\n"
        "\tat org.apache.lucene.codecs.CodecUtil.checkFooter(CodecUtil.java:450)\n"
        "\tat org.apache.lucene.codecs.lucene84.Lucene84PostingsReader.<init>(Lucene84PostingsReader."
        "java:82)\n"
    )
    me = NODE_NAMES[node]
    others = tuple(i for i in EVERY_NODE if i != node)

    def lines(world: World, n: int, minute: float, effect: Effect) -> list[Line]:
        out: list[Line] = []
        if n == node:
            for at in every(world, minute, start, end, 4.0):
                out.append(
                    (
                        at,
                        "app",
                        text.app(
                            at,
                            "IssueIndexer:thread-2",
                            "ERROR",
                            "c.a.jira.index.AccumulatingResultBuilder",
                            f"Indexing failed for issue ABC-{world.random.randint(1, 9999)}",
                            stack=(
                                f"{corrupt}\n\tat "
                                "org.apache.lucene.index.IndexWriter.updateDocuments(IndexWriter.java:1538)\n"
                            ),
                        ),
                    )
                )
            if minute <= end - 30 < minute + 60:
                out.append(
                    (
                        end - 30,
                        "app",
                        text.app(
                            end - 30,
                            "Caesium-1-1",
                            "INFO",
                            "c.a.j.index.ha.DefaultIndexRecoveryManager",
                            "[INDEX-FIXER] Restoring index with 120720 issues",
                        ),
                    )
                )
            if minute <= end - 2 < minute + 60:
                out.append(
                    (
                        end - 2,
                        "app",
                        text.app(
                            end - 2,
                            "Caesium-1-1",
                            "INFO",
                            "c.a.j.index.ha.DefaultIndexRecoveryManager",
                            "[INDEX-FIXER] Index restored from snapshot IndexSnapshot_10422.tar.sz",
                        ),
                    )
                )
        else:
            for k in range(int(duration // (5 * MIN)) + 1):
                at = start + 2 * MIN + k * 5 * MIN + 12.4 + n
                if minute <= at < minute + 60 and at < end:
                    out.append(
                        (
                            at,
                            "app",
                            text.app(
                                at,
                                "Caesium-1-2",
                                "WARN",
                                "c.a.t.healthcheck.concurrent.SupportHealthCheckProcess",
                                "lambda$getCompletedStatuses$0 Health check 'Cluster Index Replication' "
                                f"failed with severity 'critical': Index replication for cluster node '{me}' "
                                f"is behind by {int(at - start)} seconds.",
                                user="ServiceRunner",
                            ),
                        )
                    )
        return out

    effects: list[Effect] = [
        Degrade(
            start,
            end,
            (node,),
            targets=tagged("search", "board"),
            fail=0.9,
            fail_ms=(20, 200),
            ramp=10,
            make_event=failed_request(search_stack),
        ),
        Lines(start, end + 60, (node, *others), lines),
    ]
    return Cause(effects, end, (node,))


def _localq(world: World, at: float, sender: int, peer: int, failures: int, root: str) -> Line:
    suffix = (sender * 7 + peer) * 0x2F1B3C5D % 16**8
    queue = f"queue_{NODE_NAMES[peer]}_{world.random.randint(0, 9)}_{suffix:08x}"
    user = world.people.names[world.random.randrange(world.people.staff)]
    message = (
        "[LOCALQ] [VIA-INVALIDATION] Checked exception: RecoverableFailure occurred when processing: "
        "LocalQCacheOp"
        "{cacheName='com.atlassian.jira.crowd.embedded.ofbiz.EagerOfBizUserCache.userCache', "
        f"action=REMOVE, key={user}, "
        "value == null ? true, replicatePutsViaCopy=false, "
        f"creationTimeInMillis={int(at * 1000) - 2113}}} from cache replication queue: "
        f"[queueId={queue}, queuePath={HOME}/localq/{queue}], failuresCount: {failures}. Will retry "
        "indefinitely."
    )
    stack = (
        f"com.atlassian.jira.cluster.distribution.localq.LocalQCacheOpSender$RecoverableFailure: {root}\n"
        "\tat com.atlassian.jira.cluster.distribution.localq.rmi.LocalQCacheOpRMISender.send("
        "LocalQCacheOpRMISender.java:88)\n"
        "\tat com.atlassian.jira.cluster.distribution.localq.LocalQCacheOpReader.run(LocalQCacheOpReader."
        "java:96)\n"
        f"Caused by: {root}\n"
        "\tat java.rmi/sun.rmi.transport.tcp.TCPEndpoint.newSocket(TCPEndpoint.java:626)\n"
    )
    thread = f"localq-reader-{world.random.randint(0, 9)}"
    return (
        at,
        "app",
        text.app(at, thread, "WARN", "c.a.j.c.distribution.localq.LocalQCacheOpReader", message, stack=stack),
    )


def _replication_check(at: float, peer: int) -> Line:
    message = (
        "lambda$getCompletedStatuses$0 Health check 'Cluster Cache Replication' failed with severity "
        "'critical': "
        f"The node {NODE_NAMES[peer]} is not replicating."
    )
    return (
        at,
        "app",
        text.app(
            at,
            "Caesium-1-2",
            "WARN",
            "c.a.t.healthcheck.concurrent.SupportHealthCheckProcess",
            message,
            user="ServiceRunner",
        ),
    )


def cluster_node_lost(start: float, node: int = 2, duration: float = 35 * MIN) -> Cause:
    """node3's host drops off the network: its logs stop mid-stream, the load balancer sends its users
    to the others, the others cannot replicate to it and mark it offline after five minutes of no
    heartbeat; its host comes back 35 minutes later and Jira starts cold."""
    back = start + duration
    runs = [Run(stop=start, clean=False), Run(start=back, ready=back + START_S)]
    root = (
        f"java.rmi.ConnectIOException: Exception creating connection to: {ADDRESSES[node]}; nested exception "
        "is: \n\tjava.net.NoRouteToHostException: No route to host"
    )
    peers = tuple(i for i in EVERY_NODE if i != node)

    def lines(world: World, n: int, minute: float, effect: Effect) -> list[Line]:
        out: list[Line] = []
        for at in every(world, minute, start + 5, back + START_S, 4.0):
            out.append(_localq(world, at, n, node, int((at - start) // 5) + 1, root))
        marked = start + 5 * MIN + 3.1 + n
        if minute <= marked < minute + 60:
            out.append(
                (
                    marked,
                    "app",
                    text.app(
                        marked,
                        "Caesium-1-3",
                        "WARN",
                        "c.a.jira.cluster.DefaultClusterManager",
                        f"Node {NODE_NAMES[node]} has not sent a heartbeat for 300 seconds; it is now marked "
                        "as offline",
                    ),
                )
            )
        for k in range(int(duration // (5 * MIN)) + 1):
            at = start + 3 * MIN + k * 5 * MIN + 14.2 + n
            if minute <= at < minute + 60 and at < back:
                out.append(_replication_check(at, node))
        return out

    effects: list[Effect] = [Lines(start, back + START_S, peers, lines)]
    return Cause(effects, back + START_S + MIN, (node,), {node: runs})


def cache_replication(start: float, duration: float = 40 * MIN) -> Cause:
    """A firewall change blocks the cache replication port (RMI, 40001) between the nodes: every node's
    replication queues to the others fill up and retry, the health check reports the nodes not
    replicating, users see stale permissions and names until the rule is reverted."""
    end = start + duration

    def lines(world: World, n: int, minute: float, effect: Effect) -> list[Line]:
        out: list[Line] = []
        for peer in EVERY_NODE:
            if peer == n:
                continue
            root = (
                f"java.rmi.ConnectException: Connection refused to host: {ADDRESSES[peer]}; nested exception "
                "is: \n\tjava.net.ConnectException: Connection refused"
            )
            for at in every(world, minute, start, end, 3.0):
                out.append(_localq(world, at, n, peer, int((at - start) // 6) + 1, root))
            stats = minute + 30.5 + peer
            if start <= stats < end:
                size = int((stats - start) * 1.6 * world.scale) + 40
                out.append(
                    (
                        stats,
                        "app",
                        text.app(
                            stats,
                            "localq-stats",
                            "WARN",
                            "c.a.j.c.distribution.localq.LocalQCacheManager",
                            f"[LOCALQ] Cache replication queue stats per node: {NODE_NAMES[peer]} total "
                            f"stats: queue size: {size}, sent: 0, droppedOnOverflow: 0",
                        ),
                    )
                )
        for k in range(int(duration // (5 * MIN)) + 1):
            at = start + 2 * MIN + k * 5 * MIN + 14.2 + n
            if minute <= at < minute + 60 and at < end:
                out.append(_replication_check(at, (n + 1) % 3))
        return out

    return Cause([Lines(start, end, EVERY_NODE, lines)], end, EVERY_NODE)


def mail_queue(start: float, duration: float = 45 * MIN) -> Cause:
    """The SMTP server cannot be reached: every node's mail queue job fails each minute and the queue
    grows; users notice only that notifications stop."""
    end = start + duration
    stack = (
        "com.atlassian.mail.MailException: javax.mail.MessagingException: Could not connect to SMTP host: "
        "smtp.example.com, port: 25;\n"
        "  nested exception is:\n"
        "\tjava.net.ConnectException: Connection timed out\n"
        "\tat com.atlassian.mail.server.impl.SMTPMailServerImpl.sendWithMessageId(SMTPMailServerImpl."
        "java:226)\n"
        "\tat com.atlassian.mail.queue.SingleMailQueueItem.send(SingleMailQueueItem.java:44)\n"
        "\tat com.atlassian.mail.queue.MailQueueImpl.sendBuffer(MailQueueImpl.java:118)\n"
        "Caused by: javax.mail.MessagingException: Could not connect to SMTP host: smtp.example.com, port: "
        "25;\n"
        "  nested exception is:\n"
        "\tjava.net.ConnectException: Connection timed out\n"
        "\tat com.sun.mail.smtp.SMTPTransport.openServer(SMTPTransport.java:2209)\n"
        "Caused by: java.net.ConnectException: Connection timed out\n"
        "\tat java.base/sun.nio.ch.Net.connect0(Native Method)\n"
    )

    def lines(world: World, n: int, minute: float, effect: Effect) -> list[Line]:
        at = minute + 7.0 + 2.3 * n
        if not start <= at < end:
            return []
        waiting = int((at - start) / 60 * 14 * world.scale) + 3
        user = world.people.names[world.random.randrange(world.people.staff)]
        message = (
            f"Error occurred in sending e-mail: Email: To: {user}@example.com Subject: "
            f"(ABC-{world.random.randint(1, 9999)}) updated"
        )
        return [
            (
                at + 30.1,
                "app",
                text.app(
                    at + 30.1, "Caesium-1-2", "ERROR", "c.a.mail.queue.MailQueueImpl", message, stack=stack
                ),
            ),
            (
                at + 30.2,
                "app",
                text.app(
                    at + 30.2,
                    "Caesium-1-2",
                    "WARN",
                    "c.a.j.service.services.mail.MailQueueService",
                    f"Mail queue has {waiting} items waiting to be sent; sending failed",
                ),
            ),
        ]

    return Cause([Lines(start, end, EVERY_NODE, lines)], end, EVERY_NODE)


def deploy_or_restart(start: float, to_version: str = "9.12.8") -> Cause:
    """A planned rolling upgrade: each node in turn stops cleanly, starts on the new version and
    serves again before the next one goes; no error before or after."""
    runs: dict[int, list[Run]] = {}
    last = start
    for node in EVERY_NODE:
        stop = start + node * 6 * MIN
        runs[node] = restart(stop, down=45.0)
        runs[node][1].version = to_version
        last = runs[node][1].ready or stop
    return Cause([], last + MIN, EVERY_NODE, runs)


class ClientAborts(Degrade):
    """The network between the load balancer and the nodes drops packets: responses crawl, the load
    balancer gives up after 60 s and closes the connection, Tomcat logs the partial response and Jira
    a ``ClientAbortException``."""

    def __init__(self, start: float, end: float) -> None:
        stack = (
            "org.apache.catalina.connector.ClientAbortException: java.io.IOException: Broken pipe\n"
            "\tat org.apache.catalina.connector.OutputBuffer.realWriteBytes(OutputBuffer.java:353)\n"
            "\tat org.apache.catalina.connector.OutputBuffer.flushByteBuffer(OutputBuffer.java:784)\n"
            "Caused by: java.io.IOException: Broken pipe\n"
            "\tat java.base/sun.nio.ch.FileDispatcherImpl.write0(Native Method)\n"
        )

        def abort(world: World, node: int, req: Requests, i: int) -> Event:
            return (
                "WARN",
                "c.a.j.web.filters.steps.ChainedFilterStepRunner",
                "The client aborted the request before it completed",
                stack,
            )

        super().__init__(
            start,
            end,
            EVERY_NODE,
            targets=~IS_STATIC,
            fail=0.12,
            status=200,
            fail_ms=(60_000, 60_400),
            slow=2.5,
            ramp=2 * MIN,
            make_event=abort,
        )


def proxy_or_network(start: float, duration: float = 25 * MIN) -> Cause:
    end = start + duration
    return Cause([ClientAborts(start, end)], end, EVERY_NODE)
