"""Collect one host over SSH: connect once, run the fixed commands, fetch logs, close."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, NoReturn

from collectors.hosts import logs as log_files
from collectors.hosts.commands import Command
from collectors.hosts.config_files import Reader, config_paths
from collectors.hosts.jvm import discover_jvms
from collectors.hosts.kernel import collect_oom_events
from collectors.hosts.log_transfer import ExecSource, LogSource, SftpSource
from collectors.hosts.model import HostErrorKind, HostSnapshot
from collectors.hosts.parsers import ListedFile, file_errors, parse_file_listing, split_files
from collectors.hosts.session import Ask, HostSession, Sink
from collectors.hosts.ssh import ConnectFailure, SshConnection, connect
from collectors.hosts.steps import config_files_step, guarded, logs_step, snapshot, thread_dumps_step
from collectors.hosts.system import basic_asks, collect_system, path_asks
from collectors.hosts.target import HostCollectOptions, HostTarget
from collectors.redaction import Redactor


def collect_remote(target: HostTarget, options: HostCollectOptions) -> HostSnapshot:
    """What one SSH host showed. Never raises for anything the host or the network does."""
    assert target.ssh is not None, "an SSH host needs its endpoint"
    started_at = datetime.now(UTC)
    redactor = Redactor(target.known_secrets)
    try:
        connection = connect(target.ssh, options, target.jump)
    except ConnectFailure as failure:
        session = HostSession(target, options, _Closed(), redactor)
        error = failure.error.model_copy(
            update={"message": redactor.text(failure.error.message), "at": datetime.now(UTC)}
        )
        session.errors.append(error)
        return snapshot(session, started_at, {}, method="ssh", connected=False)
    session = HostSession(target, options, connection, redactor)
    try:
        values = _gather(session, connection)
    finally:
        connection.close()
    return snapshot(session, started_at, values, method="ssh", connected=True)


def first_round(session: HostSession) -> list[Ask]:
    """The commands every host gets whatever it shows, run together in one batch up front."""
    target = session.target
    config = config_ask(session)
    configs = [config] if config is not None else []
    dirs = log_files.log_dirs(target)
    logs = [Ask("logs", "list_logs", {"paths": dirs}, target.sudo_user)] if dirs else []
    processes, kernel = Ask("jvms", "processes"), Ask("oom_events", "dmesg")
    return [*basic_asks(), *path_asks(session), processes, kernel, *configs, *logs]


def _gather(session: HostSession, connection: SshConnection) -> dict[str, Any]:
    guarded(session, "prefetch", lambda: session.prefetch(first_round(session)))
    values: dict[str, Any] = guarded(session, "system", lambda: collect_system(session)) or {}
    clock = values.get("clock")
    host_now = clock.host_time if clock is not None else datetime.now(UTC)
    jvms = guarded(session, "jvms", lambda: discover_jvms(session, host_now))
    values["jvms"] = jvms
    uptime = values.get("uptime_s")
    boot = host_now - timedelta(seconds=uptime) if uptime is not None else None
    values["oom_events"] = guarded(session, "oom_events", lambda: collect_oom_events(session, boot, host_now))
    read = _reader(session)
    values["config_files"] = guarded(session, "config_files", lambda: config_files_step(session, read))
    values["thread_dumps"] = guarded(session, "thread_dumps", lambda: thread_dumps_step(session, jvms))
    listed = guarded(session, "logs", lambda: _list_logs(session))
    values["logs"] = guarded(
        session, "logs", lambda: logs_step(session, listed, host_now, *_log_sources(session, connection))
    )
    return values


def config_ask(session: HostSession) -> Ask | None:
    target = session.target
    paths = [path for _, path in config_paths(target.product, target.dirs)]
    if not paths:
        return None
    return Ask("config_files", "read_files", {"paths": paths}, target.sudo_user, quiet=True, partial_ok=True)


def _reader(session: HostSession) -> Reader:
    """Reads the product's configuration files with one command; the reader hands out what came back."""
    ask = config_ask(session)
    paths = list(listed) if ask is not None and isinstance(listed := ask.args["paths"], list) else []
    [result] = session.batch([ask]) if ask is not None else [None]
    failure = session.last_failures[0] if ask is not None else None
    texts = split_files(result.stdout.decode("utf-8", "replace"), paths) if result is not None else {}
    problems = file_errors(result.stderr.decode("utf-8", "replace"), paths) if result is not None else {}
    cap = session.options.config_file_cap_bytes

    def read(path: str) -> tuple[bytes | None, bool, tuple[HostErrorKind, str] | None]:
        if path in texts:
            data = texts[path].encode("utf-8")
            return data[:cap], len(data) > cap, None
        if path in problems:
            denied = "permission denied" in problems[path].lower()
            kind = HostErrorKind.PERMISSION_DENIED if denied else HostErrorKind.NOT_FOUND
            return None, False, (kind, problems[path])
        if failure is not None:  # the command as a whole: timed out, sudo refused, ...
            return None, False, failure
        return b"", False, None  # read, and empty

    return read


def _list_logs(session: HostSession) -> list[ListedFile] | None:
    dirs = log_files.log_dirs(session.target)
    if not dirs:
        return []
    result = session.run(
        "logs", "list_logs", paths=dirs, as_user=session.target.sudo_user, partial_ok=True, quiet=True
    )
    failure = session.last_failure
    if result is None:
        if failure is None or failure[0] is HostErrorKind.NOT_FOUND:
            return []  # none of the usual folders exists here, or they hold no files
        session.fail("logs", *failure)
        return None
    if failure is not None and failure[0] is not HostErrorKind.NOT_FOUND:
        session.fail("logs", *failure)  # e.g. one folder not readable: the others were listed
    return parse_file_listing(result.stdout.decode("utf-8", "replace"))


def _log_sources(
    session: HostSession, connection: SshConnection
) -> tuple[LogSource | None, LogSource | None]:
    """SFTP where the server has it (falling back to the sudo user over exec); exec otherwise."""
    if session.options.log_spool is None:
        return None, None
    exec_source = ExecSource(session, session.target.sudo_user)
    sftp = connection.sftp(session.options.command_timeout_s)
    if sftp is None:
        return exec_source, None
    return SftpSource(sftp), (exec_source if session.target.sudo_user else None)


class _Closed:
    """The runner of a host that could not be reached: nothing runs."""

    login_user: str | None = None

    def execute(
        self,
        cmd: Command,
        args: Mapping[str, object],
        *,
        as_user: str | None,
        timeout_s: float,
        cap: int,
        sink: Sink | None = None,
    ) -> NoReturn:
        raise EOFError("not connected")

    def run_line(self, line: str, *, timeout_s: float, cap: int, sink: Sink | None = None) -> NoReturn:
        raise EOFError("not connected")
