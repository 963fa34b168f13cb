"""Running the fixed commands on one host, with budgets, records and failures as data.

A ``Runner`` executes a rendered command somewhere (over SSH, or on the agent's own machine); the
``HostSession`` in front of it is what collectors use: it enforces the host's time budget, records
every command, and turns every failure into a classified ``HostError`` so a collector step only
says what it wanted and what the output means.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from collectors.hosts.commands import Command, CommandError, command
from collectors.hosts.model import CommandRecord, HostError, HostErrorKind
from collectors.hosts.parsers import OutputError
from collectors.hosts.target import HostCollectOptions, HostTarget
from collectors.redaction import Redactor

STDERR_CAP = 64 * 1024
Sink = Callable[[bytes], None]


@dataclass
class RawResult:
    exit_status: int | None
    stdout: bytes = b""
    stderr: bytes = b""
    stdout_total: int = 0  # bytes received on stdout, including any beyond the cap
    truncated: bool = False
    timed_out: bool = False


class Runner(Protocol):
    """Executes one command from the list and returns what it printed (stdout to ``sink`` if given)."""

    login_user: str | None

    def execute(
        self,
        cmd: Command,
        args: Mapping[str, object],
        *,
        as_user: str | None,
        timeout_s: float,
        cap: int,
        sink: Sink | None = None,
    ) -> RawResult: ...


class CappedBuffer:
    """Keeps the first ``cap`` bytes and counts the rest."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.total = 0
        self._parts: list[bytes] = []
        self._kept = 0

    def feed(self, data: bytes) -> None:
        self.total += len(data)
        room = self.cap - self._kept
        if room > 0:
            piece = data[:room]
            self._parts.append(piece)
            self._kept += len(piece)

    @property
    def over(self) -> bool:
        return self.total > self.cap

    def value(self) -> bytes:
        return b"".join(self._parts)


@dataclass
class Deadline:
    budget_s: float
    started: float = field(default_factory=time.monotonic)

    def remaining(self) -> float:
        return self.budget_s - (time.monotonic() - self.started)

    def expired(self) -> bool:
        return self.remaining() <= 0


def one_line(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


_DENIED = ("permission denied", "operation not permitted", "password is required")


def classify(result: RawResult) -> tuple[HostErrorKind, str]:
    """Why a command failed, from its exit status and what it said on stderr."""
    stderr = result.stderr.decode("utf-8", "replace")
    said = one_line(stderr.strip().splitlines()[0]) if stderr.strip() else ""
    if result.timed_out:
        return HostErrorKind.COMMAND_TIMEOUT, "no answer within the command timeout"
    lowered = stderr.lower()
    if any(words in lowered for words in _DENIED):
        return HostErrorKind.PERMISSION_DENIED, said or "permission denied"
    if result.exit_status == 127 or "not found" in lowered or "no such file" in lowered:
        return HostErrorKind.NOT_FOUND, said or "not found"
    return HostErrorKind.COMMAND_FAILED, said or f"exit status {result.exit_status}"


class HostSession:
    """One host's commands within one run. Never raises for anything the host does."""

    def __init__(
        self, target: HostTarget, options: HostCollectOptions, runner: Runner, redactor: Redactor
    ) -> None:
        self.target = target
        self.options = options
        self.runner = runner
        self.redactor = redactor
        self.deadline = Deadline(options.host_budget_s)
        self.records: list[CommandRecord] = []
        self.errors: list[HostError] = []
        self.limits_hit: list[str] = []
        self.last_failure: tuple[HostErrorKind, str] | None = None

    def fail(self, call: str, kind: HostErrorKind, message: str) -> None:
        text = self.redactor.text(one_line(message))
        self.errors.append(HostError(call=call, kind=kind, message=text, at=datetime.now(UTC)))

    def limit(self, sentence: str) -> None:
        self.limits_hit.append(self.redactor.text(sentence))

    def run(
        self,
        call: str,
        name: str,
        *,
        as_user: str | None = None,
        cap: int | None = None,
        sink: Sink | None = None,
        quiet: bool = False,
        partial_ok: bool = False,
        ok_exit: tuple[int, ...] = (0,),
        timeout_s: float | None = None,
        **args: object,
    ) -> RawResult | None:
        """Run a listed command; None (and an error recorded under ``call``) when it did not succeed.

        ``quiet`` leaves the error unrecorded, for a caller that tries alternatives and records the
        outcome itself (``last_failure`` then says what went wrong). ``partial_ok`` keeps the output
        of a command that failed for some of its arguments (several paths) and printed the rest.
        A command whose output hit the cap returns what was kept, with the cut in ``limits_hit``.
        """
        self.last_failure = None
        remaining = self.deadline.remaining()
        if remaining <= 0:
            self._failed(call, HostErrorKind.BUDGET_EXCEEDED,
                         f"not run: the host budget of {self.options.host_budget_s:g} s was used up", quiet)
            return None
        try:
            cmd = command(name)
        except CommandError as exc:  # a defect of ours: never run anything off the list
            self._failed(call, HostErrorKind.COLLECTOR, str(exc), quiet)
            return None
        limit = min(timeout_s or self.options.command_timeout_s, max(remaining, 1.0))
        cap = cap or self.options.output_cap_bytes
        started_at, started = datetime.now(UTC), time.perf_counter()
        try:
            shown = cmd.render(as_user=as_user, **args)
            result = self.runner.execute(cmd, args, as_user=as_user, timeout_s=limit, cap=cap, sink=sink)
        except CommandError as exc:
            self._failed(call, HostErrorKind.COLLECTOR, str(exc), quiet)
            return None
        except (OSError, EOFError) as exc:  # the connection dropped under us
            result = RawResult(exit_status=None, stderr=f"connection lost: {exc}".encode())
            shown = name
        self.records.append(
            CommandRecord(
                call=call,
                command=self.redactor.text(shown),
                started_at=started_at,
                elapsed_ms=round((time.perf_counter() - started) * 1000, 3),
                exit_status=result.exit_status,
                stdout_bytes=result.stdout_total,
                truncated=result.truncated,
                timed_out=result.timed_out,
            )
        )
        if result.truncated:
            if sink is None:
                sent = result.stdout_total
                self.limit(f"{call}: output cut at the cap of {cap} bytes ({sent}+ bytes sent)")
            return result
        if result.exit_status in ok_exit:
            return result
        if partial_ok and result.stdout:
            kind, message = classify(result)
            self._failed(call, kind, message, quiet)
            return result
        kind, message = classify(result)
        if result.timed_out:
            message = f"{name}: no answer within {limit:g} s"
        self._failed(call, kind, message, quiet)
        return None

    def _failed(self, call: str, kind: HostErrorKind, message: str, quiet: bool) -> None:
        self.last_failure = (kind, message)
        if not quiet:
            self.fail(call, kind, message)

    def text(self, call: str, name: str, **kwargs: object) -> str | None:
        """A command's stdout as text, or None when it failed (recorded)."""
        result = self.run(call, name, **kwargs)  # type: ignore[arg-type]
        return None if result is None else result.stdout.decode("utf-8", "replace")

    def parsed(self, call: str, parse: Callable[[str], object], name: str, **kwargs: object) -> object | None:
        """``parse(stdout)``, or None with an unexpected_output error when the output is not as expected."""
        text = self.text(call, name, **kwargs)
        if text is None:
            return None
        try:
            return parse(text)
        except (OutputError, ValueError) as exc:
            self.fail(call, HostErrorKind.UNEXPECTED_OUTPUT, f"{name}: {exc}")
            return None
