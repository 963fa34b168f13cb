"""What a series of thread dumps of one JVM says: states and pools, stuck threads, deadlocks, hot stacks.

- **Pools** by thread name: Tomcat's request threads (``http-nio-8080-exec-N``,
  ``https-jsse-nio-8443-exec-N``), Caesium and other schedulers, Lucene and indexing, Hazelcast and
  cluster messaging, the JVM's own; threads waiting for a database connection are found by stack.
- **Idle** threads wait for work (a pool's queue, a selector, accept); they are never "stuck".
- **Stuck**: the same thread, not idle, with the same top frames (methods, not line numbers) in every
  dump of a series of at least two.
- **Deadlocks**: what the JVM reported, and cycles in the "waiting to lock" / "locked" graph for dumps
  taken without lock details.
- **Hottest stacks**: the busy top-of-stack shapes most threads share, across all dumps.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from checks.thread_dumps.parse import JavaThread, ParsedDump, parse_dump
from collectors.hosts.model import ThreadDump

STUCK_DEPTH = 8  # frames compared across dumps
HOT_DEPTH = 5
POOLS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("http", re.compile(r"^(?:https?|ajp)-[\w.-]*?-exec-\d+", re.I)),
    (
        "scheduler",
        re.compile(
            r"^(?:Caesium-\d+-\d+|scheduler_Worker-\d+|.*QuartzScheduler|Timer-\d+|"
            r"pool-\d+-thread-\d+-scheduler)",
            re.I,
        ),
    ),
    ("indexing", re.compile(r"lucene|index", re.I)),
    ("cluster", re.compile(r"hazelcast|^hz\.|cluster|localq|ehcache|jgroups|replicat", re.I)),
)
# The JVM's own Java threads, by the start of their names: releases rename them (the reaper is
# "process reaper (pid N)" in JDK 22+ and recent 17u updates, renamed for each child it waits on;
# compiler threads gained "C1 "/"C2 "), so no exact names.
JVM_THREAD_NAMES = re.compile(
    r"^(?:Reference Handler|Finalizer\b|Signal Dispatcher|Service Thread|Attach Listener|Common-Cleaner|"
    r"Notification Thread|Monitor Deflation Thread|Sweeper thread|Low Memory Detector|"
    r"Surrogate Locker Thread|(?:C[12] |JVMCI )?CompilerThread\d*|process reaper\b|JFR |"
    r"VirtualThread-un(?:blocker|parker)|(?:Read|Write)-Poller|VM |G1 |GC |Concurrent |ZGC |Shenandoah)"
)
# The JVM's own threads, by what they run: their names may change again, their entry points hardly.
JVM_FRAMES = frozenset(
    {
        "java.lang.ref.Reference$ReferenceHandler.run",
        "java.lang.ref.Finalizer$FinalizerThread.run",
        "jdk.internal.ref.CleanerImpl.run",
        "java.lang.ProcessHandleImpl.waitForProcessExit0",  # the process reaper, JDK 9+
        "java.lang.UNIXProcess.waitForProcessExit",  # the process reaper, JDK 8
        "jdk.jfr.internal.PlatformRecorder.periodicTask",
        "sun.nio.ch.Poller.pollerLoop",
    }
)
# Frames that mean "waiting for work": a thread showing one of them is idle, whatever its state.
IDLE_FRAMES = frozenset(
    {
        "java.util.concurrent.ThreadPoolExecutor.getTask",
        "org.apache.tomcat.util.threads.TaskQueue.take",
        "org.apache.tomcat.util.threads.TaskQueue.poll",
        "java.util.concurrent.ScheduledThreadPoolExecutor$DelayedWorkQueue.take",
        "java.lang.ref.ReferenceQueue.remove",
        "java.lang.ref.Reference.waitForReferencePendingList",
        "sun.nio.ch.EPoll.wait",
        "sun.nio.ch.EPollArrayWrapper.epollWait",
        "sun.nio.ch.KQueue.poll",
        "sun.nio.ch.Net.accept",
        "sun.nio.ch.ServerSocketChannelImpl.accept0",
        "java.net.PlainSocketImpl.socketAccept",
        "java.net.ServerSocket.accept",
        "java.util.TimerThread.mainLoop",
        "org.apache.catalina.core.StandardServer.await",
        "com.atlassian.scheduler.caesium.impl.SchedulerQueueImpl.take",
        "java.util.concurrent.ForkJoinPool.awaitWork",
    }
)
# Frames of a thread waiting to borrow a database connection from the pool.
DB_POOL_FRAMES = re.compile(
    r"^(?:org\.apache\.commons\.dbcp2?\.\w+\.(?:getConnection|borrowObject)|"
    r"org\.apache\.commons\.pool2?\.impl\.\w+\.borrowObject|"
    r"com\.zaxxer\.hikari\.pool\.HikariPool\.getConnection|"
    r"org\.apache\.tomcat\.jdbc\.pool\.ConnectionPool\.borrowConnection)$"
)


def is_jvm_internal(thread: JavaThread) -> bool:
    """The JVM's own threads: never stuck, never a hot stack, whatever their state."""
    if thread.number is None and thread.state is None and not thread.frames:
        return True  # HotSpot's native threads (VM, GC; compiler on JDK 6) print no number, state or frame
    if JVM_THREAD_NAMES.match(thread.name):
        return True
    return any(f.method in JVM_FRAMES for f in thread.frames)


def pool_of(thread: JavaThread) -> str:
    if is_jvm_internal(thread):
        return "jvm"
    for name, pattern in POOLS:
        if pattern.search(thread.name):
            return name
    return "virtual" if thread.virtual else "other"


def waits_for_db_connection(thread: JavaThread) -> bool:
    return thread.state in ("WAITING", "TIMED_WAITING") and any(
        DB_POOL_FRAMES.match(f.method) for f in thread.frames
    )


def is_idle(thread: JavaThread) -> bool:
    if not thread.frames:
        return True
    if any(f.method in IDLE_FRAMES for f in thread.frames):
        return True
    if thread.state in ("WAITING", "TIMED_WAITING"):
        # a waiting request thread, virtual thread (one per task, never pooled) or database-pool waiter
        # is waiting for something, not for work
        return pool_of(thread) not in ("http", "virtual") and not waits_for_db_connection(thread)
    return False


@dataclass(frozen=True)
class DumpSummary:
    taken_at: datetime
    threads: int
    states: dict[str, int]
    pools: dict[str, int]
    busy_pools: dict[str, int]  # threads of each pool that are not idle
    db_connection_waits: int
    db_waiters: tuple[str, ...] = ()  # the names of the threads waiting for a connection
    db_wait_frames: tuple[str, ...] = ()  # the first waiter's top frames: which pool, asked from where


@dataclass(frozen=True)
class StuckThread:
    name: str
    pool: str
    state: str | None
    frames: tuple[str, ...]  # top frames, method names
    dumps: int
    seconds: float  # from the first dump to the last


@dataclass(frozen=True)
class Deadlock:
    threads: tuple[str, ...]
    source: str  # "jvm" (the JVM said so) or "locks" (a cycle in the lock graph)
    first_seen: datetime
    stacks: tuple[tuple[str, ...], ...] = ()  # each thread's top frames (methods) in that dump, in order
    file: str | None = None  # the file of the dump it was first seen in, when read from files


@dataclass(frozen=True)
class HotStack:
    frames: tuple[str, ...]
    occurrences: int  # across all dumps
    threads: int  # distinct threads
    state: str | None


@dataclass(frozen=True)
class JvmThreadAnalysis:
    pid: int  # 0: not known (a jstack file says no pid)
    dumps: tuple[DumpSummary, ...]
    stuck: tuple[StuckThread, ...]
    deadlocks: tuple[Deadlock, ...]
    hottest: tuple[HotStack, ...]
    files: tuple[str, ...] = ()  # the files the dumps were read from, when given to analyze

    @property
    def source(self) -> str:
        """Which dumps these are, for evidence: the JVM, and the files they came from."""
        jvm = f"pid {self.pid}" if self.pid else "one JVM"
        return f"{jvm}, {', '.join(self.files)}" if self.files else jvm

    @property
    def key(self) -> str:
        """What tells this series' findings from another's on the same host: the files, when read from
        files (taken dumps keep the keys, and so the fingerprints, they always had)."""
        return f":{','.join(self.files)}" if self.files else ""

    @property
    def span_s(self) -> float:
        if len(self.dumps) < 2:
            return 0.0
        return (self.dumps[-1].taken_at - self.dumps[0].taken_at).total_seconds()


def _state(thread: JavaThread) -> str:
    if thread.state:
        return thread.state
    if thread.carrying is not None:
        return "CARRIER"  # JDK 21+ prints no state for a carrier with a virtual thread mounted
    return "JVM INTERNAL" if is_jvm_internal(thread) else "NOT PRINTED"  # JDK 21's plain text has none


def _summary(dump: ThreadDump, parsed: ParsedDump) -> DumpSummary:
    threads = parsed.threads
    waiters = [t for t in threads if waits_for_db_connection(t)]
    return DumpSummary(
        taken_at=dump.taken_at,
        threads=len(threads),
        states=dict(Counter(_state(t) for t in threads).most_common()),
        pools=dict(Counter(pool_of(t) for t in threads).most_common()),
        busy_pools=dict(
            Counter(p for t in threads if (p := pool_of(t)) != "jvm" and not is_idle(t)).most_common()
        ),
        db_connection_waits=len(waiters),
        db_waiters=tuple(t.name for t in waiters),
        db_wait_frames=waiters[0].top(STUCK_DEPTH) if waiters else (),
    )


def lock_cycles(threads: Iterable[JavaThread]) -> list[tuple[str, ...]]:
    """Deadlocks as cycles of "thread waits for a monitor that another thread holds"."""
    threads = list(threads)
    holder = {address: t for t in threads for address in t.locked}
    cycles: list[tuple[str, ...]] = []
    seen: set[frozenset[str]] = set()
    for start in threads:
        path: list[JavaThread] = []
        current: JavaThread | None = start
        while current is not None and current.waiting_to_lock and current not in path:
            path.append(current)
            current = holder.get(current.waiting_to_lock)
            if current is start:
                names = frozenset(t.name for t in path)
                if names not in seen:
                    seen.add(names)
                    cycles.append(tuple(t.name for t in path))
                break
    return cycles


def _deadlocks(dumps: Sequence[tuple[ThreadDump, ParsedDump]]) -> list[Deadlock]:
    found: dict[frozenset[str], Deadlock] = {}
    for dump, parsed in dumps:
        reported = [(c, "jvm") for c in parsed.deadlocks]
        reported += [(c, "locks") for c in lock_cycles(parsed.threads)]
        for cycle, source in reported:
            key = frozenset(cycle)
            if key not in found:
                by_name = {t.name: t for t in parsed.threads}
                stacks = tuple(by_name[n].top(HOT_DEPTH) if n in by_name else () for n in cycle)
                found[key] = Deadlock(tuple(cycle), source, dump.taken_at, stacks, dump.file)
    return list(found.values())


def _stuck(dumps: Sequence[tuple[ThreadDump, ParsedDump]], deadlocked: set[str]) -> list[StuckThread]:
    if len(dumps) < 2:
        return []
    series: dict[str, list[JavaThread]] = {}
    for _, parsed in dumps:
        for thread in parsed.threads:
            series.setdefault(thread.key, []).append(thread)
    span = (dumps[-1][0].taken_at - dumps[0][0].taken_at).total_seconds()
    stuck = []
    for seen in series.values():
        first = seen[0]
        if len(seen) < len(dumps) or first.name in deadlocked or pool_of(first) == "jvm":
            continue
        if any(is_idle(t) for t in seen):
            continue
        tops = {t.top(STUCK_DEPTH) for t in seen}
        states = {(t.state, t.carrying) for t in seen}  # a carrier is stuck only with the same virtual thread
        if len(tops) == 1 and len(states) == 1:
            stuck.append(
                StuckThread(first.name, pool_of(first), first.state, first.top(STUCK_DEPTH), len(seen), span)
            )
    return sorted(stuck, key=lambda s: (s.pool != "http", s.name))


def _hottest(dumps: Sequence[tuple[ThreadDump, ParsedDump]], limit: int = 5) -> list[HotStack]:
    counts: Counter[tuple[str, ...]] = Counter()
    names: dict[tuple[str, ...], set[str]] = {}
    states: dict[tuple[str, ...], str | None] = {}
    for _, parsed in dumps:
        for thread in parsed.threads:
            if is_idle(thread) or pool_of(thread) == "jvm" or thread.carrying is not None:
                continue  # a carrier's own frames (Continuation.run) say nothing of the task it runs
            top = thread.top(HOT_DEPTH)
            counts[top] += 1
            names.setdefault(top, set()).add(thread.key)
            states.setdefault(top, thread.state)
    return [
        HotStack(frames=top, occurrences=n, threads=len(names[top]), state=states[top])
        for top, n in counts.most_common(limit)
        if len(names[top]) > 1 or n > 1
    ]


def analyse_series(dumps: Sequence[ThreadDump]) -> JvmThreadAnalysis:
    """One JVM's dumps (in the order taken) -> the analysis."""
    ordered = sorted(dumps, key=lambda d: d.taken_at)
    parsed = [(d, parse_dump(d.text)) for d in ordered]
    deadlocks = _deadlocks(parsed)
    deadlocked = {name for d in deadlocks for name in d.threads}
    return JvmThreadAnalysis(
        pid=ordered[0].pid if ordered else 0,
        dumps=tuple(_summary(d, p) for d, p in parsed),
        stuck=tuple(_stuck(parsed, deadlocked)),
        deadlocks=tuple(deadlocks),
        hottest=tuple(_hottest(parsed)),
        files=tuple(dict.fromkeys(d.file for d in ordered if d.file is not None)),
    )


def analyse_dumps(dumps: Iterable[ThreadDump]) -> list[JvmThreadAnalysis]:
    """Every JVM's series, by pid; dumps read from a file that names no pid (jstack's) are a series of
    their own file, since nothing says which other file holds the same JVM."""
    by_jvm: dict[tuple[int, str], list[ThreadDump]] = {}
    for dump in dumps:
        key = (dump.pid, dump.file if dump.pid == 0 and dump.file else "")
        by_jvm.setdefault(key, []).append(dump)
    return [analyse_series(series) for _, series in sorted(by_jvm.items())]
