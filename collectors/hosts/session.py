"""Running the fixed commands on one host, with budgets, records and failures as data.

A ``Runner`` executes a rendered command somewhere (over SSH, or on the agent's own machine); the
``HostSession`` in front of it is what collectors use: it enforces the host's time budget, records
every command, and turns every failure into a classified ``HostError`` so a collector step only
says what it wanted and what the output means.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol, TypeVar

from collectors.hosts.batch import new_marker, script, split
from collectors.hosts.commands import COMMANDS, Command, CommandError, command
from collectors.hosts.model import CommandRecord, HostError, HostErrorKind
from collectors.hosts.parsers import OutputError
from collectors.hosts.target import HostCollectOptions, HostTarget
from collectors.redaction import Redactor

STDERR_CAP = 64 * 1024
log = logging.getLogger(__name__)
Sink = Callable[[bytes], None]
T = TypeVar("T")


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

    def run_line(self, line: str, *, timeout_s: float, cap: int, sink: Sink | None = None) -> RawResult: ...


@dataclass(frozen=True)
class Ask:
    """One command of a batch, and how its outcome is judged (as ``HostSession.run`` does)."""

    call: str
    name: str
    args: Mapping[str, object] = field(default_factory=dict)
    as_user: str | None = None
    ok_exit: tuple[int, ...] = (0,)
    quiet: bool = False
    partial_ok: bool = False

    @property
    def key(self) -> tuple[object, ...]:
        """What makes two asks the same command on the host (a prefetched one is not run again)."""
        args = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in self.args.items()))
        return self.name, args, self.as_user


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
_TIMEOUT_EXITS = (124, 137)  # coreutils timeout ended the command (TERM, then KILL after -k)


def classify(result: RawResult) -> tuple[HostErrorKind, str]:
    """Why a command failed, from its exit status and what it said on stderr."""
    stderr = result.stderr.decode("utf-8", "replace")
    said = one_line(stderr.strip().splitlines()[0]) if stderr.strip() else ""
    if result.timed_out or (result.exit_status in _TIMEOUT_EXITS and not said):
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
        self.last_failures: list[tuple[HostErrorKind, str] | None] = []  # per command of the last batch
        self._prefetched: dict[tuple[object, ...], tuple[RawResult, float]] = {}

    def fail(self, call: str, kind: HostErrorKind, message: str) -> None:
        text = self.redactor.text(one_line(message))
        log.info("%s/%s: %s failed (%s): %s", self.target.customer, self.target.name, call, kind.value, text)
        self.errors.append(HostError(call=call, kind=kind, message=text, at=datetime.now(UTC)))

    def limit(self, sentence: str) -> None:
        text = self.redactor.text(sentence)
        log.warning("%s/%s: %s", self.target.customer, self.target.name, text)
        self.limits_hit.append(text)

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
        return self._run(Ask(call, name, args, as_user, ok_exit, quiet, partial_ok), cap, sink, timeout_s)

    def _run(
        self, ask: Ask, cap: int | None = None, sink: Sink | None = None, timeout_s: float | None = None
    ) -> RawResult | None:
        self.last_failure = None
        if sink is None and ask.key in self._prefetched:
            result, waited = self._prefetched.pop(ask.key)
            return self._conclude(ask, result, waited, cap or self.options.output_cap_bytes, report_cut=True)
        limit = self._limit(ask, timeout_s)
        if limit is None:
            return None
        cap = cap or self.options.output_cap_bytes
        started_at, started = datetime.now(UTC), time.perf_counter()
        try:
            cmd = command(ask.name)
            shown = cmd.line(ask.args, as_user=ask.as_user)
            result = self.runner.execute(
                cmd, ask.args, as_user=ask.as_user, timeout_s=limit, cap=cap, sink=sink
            )
        except CommandError as exc:  # a defect of ours: never run anything off the list
            self._failed(ask.call, HostErrorKind.COLLECTOR, str(exc), ask.quiet)
            return None
        except (OSError, EOFError) as exc:  # the connection dropped under us
            result, shown = RawResult(exit_status=None, stderr=f"connection lost: {exc}".encode()), ask.name
        self._record(ask.call, shown, started_at, started, result)
        return self._conclude(ask, result, limit, cap, report_cut=sink is None)

    def batch(self, asks: list[Ask], timeout_s: float | None = None) -> list[RawResult | None]:
        """Several listed commands in one shell on the host (see collectors.hosts.batch), each judged
        as ``run`` would judge it alone. One round trip and one process start instead of many.
        ``last_failures`` then holds each command's failure (or None), quiet ones included."""
        results: list[RawResult | None] = []
        failures: list[tuple[HostErrorKind, str] | None] = []
        fresh = [ask for ask in asks if ask.key not in self._prefetched]
        ran = iter(self._execute(fresh, timeout_s) if len(fresh) > 1 else [])
        for ask in asks:
            self.last_failure = None
            if ask.key in self._prefetched:
                raw, limit = self._prefetched.pop(ask.key)
                cap = self.options.output_cap_bytes
                results.append(self._conclude(ask, raw, limit, cap, report_cut=True))
            elif len(fresh) == 1:  # alone: an ordinary run, without the batch's markers
                results.append(self._run(ask, timeout_s=timeout_s))
            else:
                ran_raw, waited = next(ran)
                results.append(
                    None
                    if ran_raw is None
                    else self._conclude(ask, ran_raw, waited, self.options.output_cap_bytes, report_cut=True)
                )
            failures.append(self.last_failure)
        self.last_failures = failures
        return results

    def prefetch(self, asks: list[Ask], timeout_s: float | None = None) -> None:
        """Run ``asks`` now, in one batch, and keep their raw outputs: a step that asks for the same
        command later gets it from here, judged then with its own flags, without another round trip."""
        fresh = [ask for ask in asks if ask.key not in self._prefetched]
        for ask, (raw, limit) in zip(fresh, self._execute(fresh, timeout_s), strict=True):
            if raw is not None:
                self._prefetched[ask.key] = (raw, limit)

    def _execute(self, asks: list[Ask], timeout_s: float | None) -> list[tuple[RawResult | None, float]]:
        """Run ``asks`` as one batch and record each; (None, 0) for those that could not be run
        (the reason recorded: no time left, or a defect of ours)."""
        if not asks:
            return []
        # Each command that can hang ends itself after the command timeout (coreutils timeout, exit
        # 124), so one hung NFS read costs its own timeout and the batch goes on; the batch as a whole
        # gets one command timeout more than all of those together.
        each = self.options.command_timeout_s
        hanging = sum(1 for ask in asks if ask.name in COMMANDS and COMMANDS[ask.name].may_hang)
        limit = self._limit(asks[0], timeout_s or each * (hanging + 1))
        if limit is None:
            for ask in asks[1:]:
                self._limit(ask, timeout_s)
            return [(None, 0.0)] * len(asks)
        lines: list[str] = []
        try:
            for ask in asks:
                lines.append(command(ask.name).line(ask.args, as_user=ask.as_user, timeout_s=each))
        except CommandError as exc:
            self._failed(asks[len(lines)].call, HostErrorKind.COLLECTOR, str(exc), asks[len(lines)].quiet)
            return [(None, 0.0)] * len(asks)
        marker = new_marker()
        started_at, started = datetime.now(UTC), time.perf_counter()
        try:
            cap = self.options.output_cap_bytes
            raw = self.runner.run_line(script(lines, marker), timeout_s=limit, cap=cap)
        except (OSError, EOFError) as exc:
            raw = RawResult(exit_status=None, stderr=f"connection lost: {exc}".encode())
        executed: list[tuple[RawResult | None, float]] = []
        parts = split(raw.stdout, raw.stderr, marker, len(asks))
        for ask, line, part in zip(asks, lines, parts, strict=True):
            unfinished = part.exit_status is None
            result = RawResult(
                exit_status=part.exit_status,
                stdout=part.stdout,
                stderr=part.stderr or (raw.stderr if unfinished else b""),  # a lost connection says so
                stdout_total=len(part.stdout),
                truncated=unfinished and raw.truncated,
                timed_out=unfinished and raw.timed_out,
            )
            self._record(ask.call, line, started_at, started, result)
            executed.append((result, limit))
        return executed

    def _limit(self, ask: Ask, timeout_s: float | None) -> float | None:
        """The command's timeout within what is left of the host's budget; None: no time left."""
        remaining = self.deadline.remaining()
        if remaining <= 0:
            message = f"not run: the host budget of {self.options.host_budget_s:g} s was used up"
            self._failed(ask.call, HostErrorKind.BUDGET_EXCEEDED, message, ask.quiet)
            return None
        return min(timeout_s or self.options.command_timeout_s, max(remaining, 1.0))

    def _record(self, call: str, shown: str, started_at: datetime, started: float, result: RawResult) -> None:
        record = CommandRecord(
            call=call,
            command=self.redactor.text(shown),
            started_at=started_at,
            elapsed_ms=round((time.perf_counter() - started) * 1000, 3),
            exit_status=result.exit_status,
            stdout_bytes=result.stdout_total,
            truncated=result.truncated,
            timed_out=result.timed_out,
        )
        self.records.append(record)
        where = f"{self.target.customer}/{self.target.name}"
        # ended by our wait, or on the host by its timeout wrapper; a cut output is told once, as a
        # limit of the run (see ``limit``)
        timed_out = result.timed_out or result.exit_status in _TIMEOUT_EXITS
        status = "no exit status" if result.exit_status is None else f"exit {result.exit_status}"
        log.log(
            logging.WARNING if timed_out else logging.DEBUG,
            "%s: %s: `%s` %s%s after %.0f ms, %d bytes out%s",
            where,
            call,
            record.command,
            "timed out, " if timed_out else "",
            status,
            record.elapsed_ms,
            record.stdout_bytes,
            " (cut at the cap)" if result.truncated else "",
        )

    def _conclude(
        self, ask: Ask, result: RawResult, limit: float, cap: int, report_cut: bool
    ) -> RawResult | None:
        if result.truncated:
            if report_cut:
                sent = result.stdout_total
                self.limit(f"{ask.call}: output cut at the cap of {cap} bytes ({sent}+ bytes sent)")
            return result
        if result.exit_status in ask.ok_exit:
            return result
        kind, message = classify(result)
        if result.timed_out:
            message = f"{ask.name}: no answer within {limit:g} s"
        elif kind is HostErrorKind.COMMAND_TIMEOUT:  # ended on the host by its own timeout wrapper
            message = f"{ask.name}: no answer within {self.options.command_timeout_s:g} s"
        self._failed(ask.call, kind, message, ask.quiet)
        return result if ask.partial_ok and result.stdout else None

    def _failed(self, call: str, kind: HostErrorKind, message: str, quiet: bool) -> None:
        self.last_failure = (kind, message)
        if quiet:  # the caller tries another way, or records the outcome itself
            where = f"{self.target.customer}/{self.target.name}"
            log.debug("%s: %s: %s: %s", where, call, kind.value, self.redactor.text(one_line(message)))
        else:
            self.fail(call, kind, message)

    def text(self, call: str, name: str, **kwargs: object) -> str | None:
        """A command's stdout as text, or None when it failed (recorded)."""
        result = self.run(call, name, **kwargs)  # type: ignore[arg-type]  # run's options and command args, mixed
        return None if result is None else result.stdout.decode("utf-8", "replace")

    def parsed(self, call: str, parse: Callable[[str], object], name: str, **kwargs: object) -> object | None:
        """``parse(stdout)``, or None with an unexpected_output error when the output is not as expected."""
        return self.parse(call, name, self.run(call, name, **kwargs), parse)  # type: ignore[arg-type]  # as in text()

    def parse(self, call: str, name: str, result: RawResult | None, parse: Callable[[str], T]) -> T | None:
        """``parse`` of a result's stdout (from ``run`` or ``batch``); None when it failed or is malformed."""
        if result is None:
            return None
        try:
            return parse(result.stdout.decode("utf-8", "replace"))
        except (OutputError, ValueError) as exc:
            self.fail(call, HostErrorKind.UNEXPECTED_OUTPUT, f"{name}: {exc}")
            return None
