"""The plain-text thread dump of JDK 21+ (``jcmd PID Thread.dump_to_file -format=text FILE``, or
HotSpotDiagnosticMXBean.dumpThreads): the only dump that lists virtual threads that are not mounted.

It starts with the pid, an ISO instant (UTC) and the runtime version, then a block per thread::

    #1 "main"                                              JDK 21: no state, frames without "at"
          java.base/java.lang.Thread.sleep(Thread.java:509)
    #32 "" virtual TIMED_WAITING 2026-12-06T02:29:41.2Z    JDK 25: state, time, "at", lock lines
        at java.base/java.lang.VirtualThread.parkNanos(VirtualThread.java:784)
        - locked <java.lang.Object@6bd4118a>
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from checks.thread_dumps.model import Frame, JavaThread, ParsedDump, add_lock, finish, thread_values

_HEADER = re.compile(
    r'^#(?P<number>\d+) "(?P<name>.*)"(?P<virtual> virtual)?(?: (?P<state>[A-Z_]+)(?: \S+)?)?$', re.M
)
_FRAME = re.compile(r"^\s+(?:at )?(?P<method>[^\s(]+)\((?P<location>.*)\)$")
_LOCK = re.compile(
    r"^\s+- (?P<what>waiting to lock|waiting on|locked|parking to wait for|waiting to re-lock in wait\(\))"
    r" <(?P<address>[^>]+)>"
)
_INSTANT = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?Z$")


def is_plain_text(text: str) -> bool:
    return "Full thread dump" not in text and _HEADER.search(text) is not None


def _instant(match: re.Match[str]) -> datetime:
    fraction = (match.group(2) or "0")[:6].ljust(6, "0")  # the JVM prints nanoseconds
    return datetime.strptime(f"{match.group(1)}.{fraction}", "%Y-%m-%dT%H:%M:%S.%f").replace(tzinfo=UTC)


def parse_plain_text(text: str) -> ParsedDump:
    printed_at: datetime | None = None
    jvm: str | None = None
    threads: list[JavaThread] = []
    current: dict[str, Any] | None = None
    for line in text.splitlines():
        if header := _HEADER.match(line):
            if current is not None:
                threads.append(finish(current))
            current = thread_values(
                header.group("name"),
                number=int(header.group("number")),
                state=header.group("state"),
                virtual=header.group("virtual") is not None,
            )
        elif current is None:
            if printed_at is None and (instant := _INSTANT.match(line.strip())):
                printed_at = _instant(instant)
            elif printed_at is not None and jvm is None and line.strip():
                jvm = line.strip()  # the runtime version follows the instant
        elif frame := _FRAME.match(line):
            current["frames"].append(Frame.of(frame.group("method"), frame.group("location")))
        elif lock := _LOCK.match(line):
            add_lock(current, lock.group("what"), lock.group("address"))
    if current is not None:
        threads.append(finish(current))
    return ParsedDump(printed_at=printed_at, jvm=jvm, threads=tuple(threads))
