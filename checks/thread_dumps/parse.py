"""Parsing HotSpot thread dumps (jcmd Thread.print, jstack, kill -3 output). Pure text in, data out.

Handles the header forms of JDK 6 to 25: ``"name" daemon prio=10 tid=.. nid=.. state`` (JDK 6 and 7
have no ``#N``), ``"name" #12 daemon prio=5 os_prio=0 tid=..`` (8), ``cpu=.. elapsed=..`` (11+),
``#12 [nid]`` (19+) and ``allocated=.. defined_classes=..`` (``-e``); the frames and lock lines below
each header; the carrier threads of JDK 21+ that print ``Carrying virtual thread #N`` instead of a
state; and the JVM's own "Found one Java-level deadlock" sections. ``split_dumps`` cuts a file holding
several dumps (jstack or ``jcmd Thread.print`` appended in a loop, kill -3 into a console log) at
each dump's ``Full thread dump`` line, with jcmd's ``PID:`` line and the timestamp above it. The
plain-text dump of JDK 21+ (``Thread.dump_to_file``) is read by ``plain_text``.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from checks.thread_dumps.model import Frame, JavaThread, ParsedDump, add_lock, finish, thread_values
from checks.thread_dumps.plain_text import is_plain_text, parse_plain_text

__all__ = ["Frame", "JavaThread", "ParsedDump", "dump_pid", "parse_dump", "parse_dumps", "split_dumps"]

_HEADER = re.compile(r'^"(?P<name>.*)"(?P<rest> (?:#\d+|\[\d+\]|daemon|prio=|os_prio=|cpu=|tid=).*)$')
_NUMBER = re.compile(r"\s#(\d+)\b")
_TID = re.compile(r"\btid=(0x[0-9a-f]+)")
_CPU = re.compile(r"\bcpu=([\d.]+)ms")
_STATE = re.compile(r"^\s+java\.lang\.Thread\.State: (?P<state>[A-Z_]+)(?: \((?P<detail>[^)]*)\))?")
_FRAME = re.compile(r"^\s+at (?P<method>[^\s(]+)\((?P<location>[^)]*)\)")
_LOCK = re.compile(
    r"^\s+- (?P<what>waiting to lock|waiting on|locked|parking to wait for|waiting to re-lock in wait\(\))"
    r"\s+<(?P<address>[^>]+)>(?: \(a (?P<cls>[^)]+)\))?"  # 0x.. in jstack, Class@hash in plain text
)
_TIMESTAMP = re.compile(r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})$")
_DEADLOCK_NAME = re.compile(r'^"(?P<name>.*)":$')
_CARRYING = re.compile(r"^\s+Carrying virtual thread #(\d+)")
# What jcmd (its "PID:" line) and jstack (the timestamp) print above "Full thread dump".
_PREAMBLE = re.compile(r"^(?:\d+:|\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})$")


def _header(line: str) -> dict[str, Any] | None:
    match = _HEADER.match(line)
    if not match:
        return None
    rest = match.group("rest")
    number = _NUMBER.search(rest)
    tid = _TID.search(rest)
    cpu = _CPU.search(rest)
    return thread_values(
        match.group("name"),
        number=int(number.group(1)) if number else None,
        daemon=" daemon " in f"{rest} ",
        tid=tid.group(1) if tid else None,
        cpu_ms=float(cpu.group(1)) if cpu else None,
    )


def _deadlocks(lines: list[str]) -> tuple[tuple[str, ...], ...]:
    """The JVM's "Found one Java-level deadlock" sections: the names in each cycle."""
    cycles = []
    current: list[str] | None = None
    for line in lines:
        if line.startswith("Found one Java-level deadlock"):
            current = []
            continue
        if current is None:
            continue
        if line.startswith("Java stack information") or line.startswith("Found "):
            if current:
                cycles.append(tuple(dict.fromkeys(current)))
            current = None
            continue
        match = _DEADLOCK_NAME.match(line)
        if match:
            current.append(match.group("name"))
    if current:
        cycles.append(tuple(dict.fromkeys(current)))
    return tuple(cycles)


def parse_dump(text: str) -> ParsedDump:
    """One dump: jstack or jcmd Thread.print output, or the plain text of Thread.dump_to_file."""
    if is_plain_text(text):
        return parse_plain_text(text)
    lines = text.splitlines()
    taken_at = None
    jvm = None
    threads: list[JavaThread] = []
    current: dict[str, Any] | None = None
    for line in lines:
        if line.startswith(("Found one Java-level deadlock", "JNI global ref")):
            break  # the threads end here: what follows repeats them, or is the console's next log line
        if taken_at is None and (stamp := _TIMESTAMP.match(line.strip())):
            taken_at = datetime.strptime(stamp.group(1), "%Y-%m-%d %H:%M:%S")
            continue
        if line.startswith("Full thread dump"):
            jvm = line.removeprefix("Full thread dump").strip().rstrip(":")
            continue
        header = _header(line)
        if header is not None:
            if current is not None:
                threads.append(finish(current))
            current = header
            continue
        if current is None:
            continue
        if carrying := _CARRYING.match(line):
            current["carrying"] = int(carrying.group(1))
        elif state := _STATE.match(line):
            current["state"], current["state_detail"] = state.group("state"), state.group("detail")
        elif frame := _FRAME.match(line):
            current["frames"].append(Frame.of(frame.group("method"), frame.group("location")))
        elif lock := _LOCK.match(line):
            add_lock(current, lock.group("what"), lock.group("address"))
    if current is not None:
        threads.append(finish(current))
    return ParsedDump(printed_at=taken_at, jvm=jvm, threads=tuple(threads), deadlocks=_deadlocks(lines))


def split_dumps(text: str) -> list[str]:
    """The dumps in a text, in order: each from its preamble (jcmd's PID line, the timestamp) on."""
    lines = text.splitlines(keepends=True)
    starts: list[int] = []
    for index, line in enumerate(lines):
        if not line.startswith("Full thread dump"):
            continue
        start = index
        floor = starts[-1] + 1 if starts else 0
        while start > floor and index - start < 2 and _PREAMBLE.match(lines[start - 1].strip()):
            start -= 1
        starts.append(start)
    if len(starts) < 2:
        return [text]
    starts[0] = 0  # whatever came before the first dump stays with it, as parse_dump always read it
    return ["".join(lines[a:b]) for a, b in zip(starts, [*starts[1:], len(lines)], strict=True)]


_JCMD_PID = re.compile(r"^(\d+):\s*$", re.M)
_PLAIN_PID = re.compile(r"\A\s*(\d+)\s*\n\d{4}-\d\d-\d\dT")


def dump_pid(text: str) -> int | None:
    """The pid a dump names: jcmd's "PID:" line above "Full thread dump", or the first line of
    Thread.dump_to_file's plain text; jstack and kill -3 name none."""
    match = _PLAIN_PID.match(text)
    if match is None:
        head = text.split("Full thread dump", 1)[0] if "Full thread dump" in text else ""
        match = _JCMD_PID.search(head)
    return int(match.group(1)) if match else None


def parse_dumps(text: str) -> list[ParsedDump]:
    """Every dump in a text (one jstack or jcmd output, or several appended), in order."""
    return [parse_dump(part) for part in split_dumps(text)]
