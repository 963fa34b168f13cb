"""Parsing HotSpot thread dumps (jcmd Thread.print, jstack, kill -3 output). Pure text in, data out.

Handles the header forms of JDK 6 to 25: ``"name" daemon prio=10 tid=.. nid=.. state`` (JDK 6 and 7
have no ``#N``), ``"name" #12 daemon prio=5 os_prio=0 tid=..`` (8), ``cpu=.. elapsed=..`` (11+),
``#12 [nid]`` (19+) and ``allocated=.. defined_classes=..`` (``-e``); the frames and lock lines below
each header; the carrier threads of JDK 21+ that print ``Carrying virtual thread #N`` instead of a
state; and the JVM's own "Found one Java-level deadlock" sections. ``split_dumps`` cuts a file holding
several dumps (jstack or ``jcmd Thread.print`` appended in a loop, kill -3 into a console log) at
each dump's ``Full thread dump`` line, with jcmd's ``PID:`` line and the timestamp above it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

_HEADER = re.compile(r'^"(?P<name>.*)"(?P<rest> (?:#\d+|\[\d+\]|daemon|prio=|os_prio=|cpu=|tid=).*)$')
_NUMBER = re.compile(r"\s#(\d+)\b")
_TID = re.compile(r"\btid=(0x[0-9a-f]+)")
_CPU = re.compile(r"\bcpu=([\d.]+)ms")
_STATE = re.compile(r"^\s+java\.lang\.Thread\.State: (?P<state>[A-Z_]+)(?: \((?P<detail>[^)]*)\))?")
_FRAME = re.compile(r"^\s+at (?P<method>[^\s(]+)\((?P<location>[^)]*)\)")
_LOCK = re.compile(
    r"^\s+- (?P<what>waiting to lock|waiting on|locked|parking to wait for|waiting to re-lock in wait\(\))"
    r"\s+<(?P<address>0x[0-9a-f]+)>(?: \(a (?P<cls>[^)]+)\))?"
)
_TIMESTAMP = re.compile(r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})$")
_LAMBDA_ADDRESS = re.compile(r"/0x[0-9a-f]+")
_DEADLOCK_NAME = re.compile(r'^"(?P<name>.*)":$')
_CARRYING = re.compile(r"^\s+Carrying virtual thread #(\d+)")
# What jcmd (its "PID:" line) and jstack (the timestamp) print above "Full thread dump".
_PREAMBLE = re.compile(r"^(?:\d+:|\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})$")


@dataclass(frozen=True)
class Frame:
    method: str  # fully qualified: org.apache.catalina.startup.Bootstrap.spin
    location: str  # Bootstrap.java:49, Native Method, Unknown Source


@dataclass(frozen=True)
class JavaThread:
    name: str
    number: int | None  # "#12"; None for the JVM's own threads (GC, VM) and every thread of JDK 6 and 7
    daemon: bool
    tid: str | None
    state: str | None  # RUNNABLE, BLOCKED, WAITING, TIMED_WAITING, NEW, TERMINATED
    state_detail: str | None  # sleeping, on object monitor, parking
    cpu_ms: float | None
    frames: tuple[Frame, ...] = ()
    waiting_to_lock: str | None = None  # monitor address it is blocked on
    parked_on: str | None = None
    locked: tuple[str, ...] = ()  # monitor addresses it holds
    carrying: int | None = None  # JDK 21+: the virtual thread mounted on this carrier (it has no state)

    @property
    def key(self) -> str:
        """What identifies the thread across dumps: products rename threads, the tid stays."""
        return self.tid or f"{self.number}:{self.name}"

    def top(self, depth: int) -> tuple[str, ...]:
        """The top frames as method names (line numbers vary inside a loop; the method does not)."""
        return tuple(f.method for f in self.frames[:depth])


@dataclass(frozen=True)
class ParsedDump:
    printed_at: datetime | None  # as the JVM printed it: the host's local time, no zone
    jvm: str | None
    threads: tuple[JavaThread, ...]
    deadlocks: tuple[tuple[str, ...], ...] = field(default_factory=tuple)  # as the JVM reported them


def _header(line: str) -> dict[str, Any] | None:
    match = _HEADER.match(line)
    if not match:
        return None
    rest = match.group("rest")
    number = _NUMBER.search(rest)
    tid = _TID.search(rest)
    cpu = _CPU.search(rest)
    return {
        "name": match.group("name"),
        "number": int(number.group(1)) if number else None,
        "daemon": " daemon " in f"{rest} ",
        "tid": tid.group(1) if tid else None,
        "cpu_ms": float(cpu.group(1)) if cpu else None,
        "state": None,
        "state_detail": None,
        "frames": [],
        "waiting_to_lock": None,
        "parked_on": None,
        "locked": [],
        "carrying": None,
    }


def _thread(values: dict[str, Any]) -> JavaThread:
    return JavaThread(**{**values, "frames": tuple(values["frames"]), "locked": tuple(values["locked"])})


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
    lines = text.splitlines()
    taken_at = None
    jvm = None
    threads: list[JavaThread] = []
    current: dict[str, Any] | None = None
    for line in lines:
        if line.startswith("Found one Java-level deadlock"):
            break  # the rest repeats threads in another form
        if taken_at is None and (stamp := _TIMESTAMP.match(line.strip())):
            taken_at = datetime.strptime(stamp.group(1), "%Y-%m-%d %H:%M:%S")
            continue
        if line.startswith("Full thread dump"):
            jvm = line.removeprefix("Full thread dump").strip().rstrip(":")
            continue
        header = _header(line)
        if header is not None:
            if current is not None:
                threads.append(_thread(current))
            current = header
            continue
        if current is None:
            continue
        if carrying := _CARRYING.match(line):
            current["carrying"] = int(carrying.group(1))
        elif state := _STATE.match(line):
            current["state"], current["state_detail"] = state.group("state"), state.group("detail")
        elif frame := _FRAME.match(line):
            method = _LAMBDA_ADDRESS.sub("", frame.group("method"))  # the address differs per JVM run
            current["frames"].append(Frame(method, frame.group("location")))
        elif lock := _LOCK.match(line):
            what, address = lock.group("what"), lock.group("address")
            if what == "waiting to lock":
                current["waiting_to_lock"] = address
            elif what == "parking to wait for":
                current["parked_on"] = address
            elif what == "locked":
                current["locked"].append(address)
    if current is not None:
        threads.append(_thread(current))
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


def parse_dumps(text: str) -> list[ParsedDump]:
    """Every dump in a text (one jstack or jcmd output, or several appended), in order."""
    return [parse_dump(part) for part in split_dumps(text)]
