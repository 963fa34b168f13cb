"""What a thread dump holds, whichever format it came in: threads, their frames and locks, deadlocks."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

_LAMBDA_ADDRESS = re.compile(r"/0x[0-9a-f]+")


@dataclass(frozen=True)
class Frame:
    method: str  # fully qualified: org.apache.catalina.startup.Bootstrap.spin
    location: str  # Bootstrap.java:49, Native Method, Unknown Source

    @classmethod
    def of(cls, method: str, location: str) -> Frame:
        """A frame as printed: a lambda's address differs per JVM run, and the plain-text format puts
        the module (``java.base/``, ``app//``) before the class, which jstack puts in the location."""
        method = _LAMBDA_ADDRESS.sub("", method)
        return cls(method.rsplit("/", 1)[-1], location)


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
    virtual: bool = False  # only the plain-text format (Thread.dump_to_file) lists virtual threads

    @property
    def key(self) -> str:
        """What identifies the thread across dumps: products rename threads, the tid stays."""
        return self.tid or f"{self.number}:{self.name}"

    def top(self, depth: int) -> tuple[str, ...]:
        """The top frames as method names (line numbers vary inside a loop; the method does not)."""
        return tuple(f.method for f in self.frames[:depth])


@dataclass(frozen=True)
class ParsedDump:
    printed_at: datetime | None  # as the JVM printed it: jstack the host's local time without a zone,
    # Thread.dump_to_file UTC
    jvm: str | None
    threads: tuple[JavaThread, ...]
    deadlocks: tuple[tuple[str, ...], ...] = field(default_factory=tuple)  # as the JVM reported them


def thread_values(name: str, **known: Any) -> dict[str, Any]:
    """A thread being read, as a dict the reader fills line by line."""
    return {
        "name": name,
        "number": None,
        "daemon": False,
        "tid": None,
        "cpu_ms": None,
        "state": None,
        "state_detail": None,
        "frames": [],
        "waiting_to_lock": None,
        "parked_on": None,
        "locked": [],
        "carrying": None,
        "virtual": False,
        **known,
    }


def add_lock(values: dict[str, Any], what: str, address: str) -> None:
    if what == "waiting to lock":
        values["waiting_to_lock"] = address
    elif what == "parking to wait for":
        values["parked_on"] = address
    elif what == "locked":
        values["locked"].append(address)


def finish(values: dict[str, Any]) -> JavaThread:
    return JavaThread(**{**values, "frames": tuple(values["frames"]), "locked": tuple(values["locked"])})
