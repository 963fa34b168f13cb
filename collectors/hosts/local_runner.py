"""Running listed commands on the agent's own machine, for what psutil cannot read (kernel log, jcmd).

Same contract as over SSH: the fixed list, a timeout that ends the process, stdout capped and read
together with stderr. Running as a JVM's owner needs no sudo when the agent is root: the child is
started with that user's id instead.
"""

from __future__ import annotations

import contextlib
import getpass
import io
import os
import pwd
import signal
import subprocess
import threading
from collections.abc import Mapping

from collectors.hosts.commands import Command
from collectors.hosts.session import STDERR_CAP, CappedBuffer, RawResult, Sink


class LocalRunner:
    def __init__(self) -> None:
        self.login_user: str | None = getpass.getuser()

    def execute(
        self,
        cmd: Command,
        args: Mapping[str, object],
        *,
        as_user: str | None,
        timeout_s: float,
        cap: int,
        sink: Sink | None = None,
    ) -> RawResult:
        run_as = None
        if as_user is not None and os.geteuid() == 0:
            run_as, as_user = as_user, None  # root starts the child as the user directly
        return self.run_line(
            cmd.line(args, as_user=as_user), timeout_s=timeout_s, cap=cap, sink=sink, run_as=run_as
        )

    def run_line(
        self, line: str, *, timeout_s: float, cap: int, sink: Sink | None = None, run_as: str | None = None
    ) -> RawResult:
        """Run a line already rendered from the command list (one command, or a batch of them)."""
        env = {**os.environ, "LC_ALL": "C"}
        if run_as is not None:
            env["HOME"] = pwd.getpwnam(run_as).pw_dir
        process = subprocess.Popen(
            ["/bin/sh", "-c", line],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            user=run_as,
            env=env,
            start_new_session=True,  # its own process group, so a timeout ends all of it
        )
        out, err = CappedBuffer(cap), CappedBuffer(STDERR_CAP)
        sent = [0]

        def pump_out() -> None:
            stdout = process.stdout
            assert isinstance(stdout, io.BufferedReader)  # a pipe, buffered: Popen's default
            for chunk in iter(lambda: stdout.read1(65536), b""):
                if sink is None:
                    out.feed(chunk)
                else:
                    room = cap - sent[0]
                    if room > 0:
                        sink(chunk[:room])
                    sent[0] += len(chunk)
                    out.total = sent[0]
                if out.total > cap:
                    _kill(process)
                    break

        def pump_err() -> None:
            stderr = process.stderr
            assert isinstance(stderr, io.BufferedReader)
            for chunk in iter(lambda: stderr.read1(65536), b""):
                err.feed(chunk)

        readers = [threading.Thread(target=pump, daemon=True) for pump in (pump_out, pump_err)]
        for reader in readers:
            reader.start()
        timed_out = False
        try:
            process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            timed_out = True
            _kill(process)
            process.wait()
        for reader in readers:
            reader.join(5)
        truncated = out.total > cap
        return RawResult(
            exit_status=None if timed_out or truncated else process.returncode,
            stdout=out.value() if sink is None else b"",
            stderr=err.value(),
            stdout_total=out.total,
            truncated=truncated,
            timed_out=timed_out,
        )


def _kill(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
