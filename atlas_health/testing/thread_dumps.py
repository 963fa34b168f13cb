"""Thread dump texts for analysis tests, in HotSpot's own format (jcmd Thread.print -l, JDK 17)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from atlas_health.testing.instances import NOW
from collectors.hosts.model import ThreadDump

HEADER = "{pid}:\n2026-11-26 10:00:00\nFull thread dump OpenJDK 64-Bit Server VM (17.0.10+7 mixed mode, sharing):\n\n"


def thread(
    name: str,
    number: int,
    state: str,
    frames: list[str],
    *,
    tid: str | None = None,
    detail: str = "",
    locks: Sequence[str] = (),
    daemon: bool = True,
) -> str:
    tid = tid or f"0x00007f00000{number:05x}"
    head = (
        f'"{name}" #{number} {"daemon " if daemon else ""}prio=5 os_prio=0 cpu=12.50ms elapsed=100.00s '
        f"tid={tid} nid=0x{number:x} waiting on condition  [0x00007f0000000000]\n"
    )
    body = f"   java.lang.Thread.State: {state}{f' ({detail})' if detail else ''}\n"
    for index, frame in enumerate(frames):
        body += f"\tat {frame}(Source.java:{10 + index})\n"
        if index == 0:
            body += "".join(f"\t{lock}\n" for lock in locks)
    return head + body + "\n   Locked ownable synchronizers:\n\t- None\n\n"


def idle_http(number: int) -> str:
    return thread(
        f"http-nio-8080-exec-{number}",
        number,
        "WAITING",
        [
            "jdk.internal.misc.Unsafe.park",
            "java.util.concurrent.locks.LockSupport.park",
            "java.util.concurrent.LinkedBlockingQueue.take",
            "org.apache.tomcat.util.threads.TaskQueue.take",
            "java.util.concurrent.ThreadPoolExecutor.getTask",
            "java.util.concurrent.ThreadPoolExecutor.runWorker",
        ],
        detail="parking",
    )


def busy_http(number: int, top: str) -> str:
    return thread(
        f"http-nio-8080-exec-{number}",
        number,
        "RUNNABLE",
        [
            top,
            "com.atlassian.jira.issue.search.SearchService.search",
            "com.atlassian.jira.rest.v2.search.SearchResource.search",
            "org.apache.catalina.core.StandardWrapperValve.invoke",
        ],
    )


def db_wait(number: int) -> str:
    return thread(
        f"http-nio-8080-exec-{number}",
        number,
        "TIMED_WAITING",
        [
            "jdk.internal.misc.Unsafe.park",
            "java.util.concurrent.locks.LockSupport.parkNanos",
            "org.apache.commons.pool2.impl.LinkedBlockingDeque.pollFirst",
            "org.apache.commons.pool2.impl.GenericObjectPool.borrowObject",
            "org.apache.commons.dbcp2.PoolingDataSource.getConnection",
            "com.atlassian.jira.ofbiz.DefaultOfBizConnectionFactory.getConnection",
        ],
        detail="parking",
    )


def caesium(number: int) -> str:
    return thread(
        f"Caesium-1-{number}",
        100 + number,
        "WAITING",
        [
            "jdk.internal.misc.Unsafe.park",
            "java.util.concurrent.locks.LockSupport.park",
            "com.atlassian.scheduler.caesium.impl.SchedulerQueueImpl.take",
            "com.atlassian.scheduler.caesium.impl.SchedulerQueueWorker.run",
        ],
        detail="parking",
    )


def deadlocked_pair(with_jvm_report: bool) -> tuple[str, str]:
    a = thread(
        "cache-loader-a",
        40,
        "BLOCKED",
        ["com.acme.Cache.reload", "com.acme.Cache.get"],
        detail="on object monitor",
        locks=[
            "- waiting to lock <0x00000000aaaa0002> (a java.lang.Object)",
            "- locked <0x00000000aaaa0001> (a java.lang.Object)",
        ],
    )
    b = thread(
        "cache-loader-b",
        41,
        "BLOCKED",
        ["com.acme.Index.update", "com.acme.Index.run"],
        detail="on object monitor",
        locks=[
            "- waiting to lock <0x00000000aaaa0001> (a java.lang.Object)",
            "- locked <0x00000000aaaa0002> (a java.lang.Object)",
        ],
    )
    report = ""
    if with_jvm_report:
        report = (
            "Found one Java-level deadlock:\n=============================\n"
            '"cache-loader-a":\n  waiting to lock monitor 0x00007f1 (object 0x00000000aaaa0002, a java.lang.Object),\n'
            '  which is held by "cache-loader-b"\n\n'
            '"cache-loader-b":\n  waiting to lock monitor 0x00007f2 (object 0x00000000aaaa0001, a java.lang.Object),\n'
            '  which is held by "cache-loader-a"\n\n'
            "Java stack information for the threads listed above:\n===================================================\n"
            '"cache-loader-a":\n\tat com.acme.Cache.reload(Cache.java:10)\n\nFound 1 deadlock.\n'
        )
    return a + b, report


def vm_threads() -> str:
    return (
        '"VM Thread" os_prio=0 cpu=10.00ms elapsed=100.00s tid=0x00007f0000100000 nid=0x10 runnable  \n\n'
        '"GC Thread#0" os_prio=0 cpu=5.00ms elapsed=100.00s tid=0x00007f0000100001 nid=0x11 runnable  \n\n'
        "JNI global refs: 10, weak refs: 0\n\n"
    )


def dump_text(*threads: str, report: str = "", pid: int = 4242) -> str:
    return HEADER.format(pid=pid) + "".join(threads) + vm_threads() + "\n" + report


def series(*texts: str, pid: int = 4242, interval_s: float = 10.0) -> list[ThreadDump]:
    return [
        ThreadDump(pid=pid, taken_at=NOW + timedelta(seconds=i * interval_s), tool="jcmd", text=t)
        for i, t in enumerate(texts)
    ]
