"""Collect one host over SSH: connect once, run the fixed commands, fetch logs, close."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from collectors.hosts import logs as log_files
from collectors.hosts.config_files import Reader
from collectors.hosts.jvm import discover_jvms
from collectors.hosts.kernel import collect_oom_events
from collectors.hosts.log_transfer import ExecSource, LogSource, SftpSource
from collectors.hosts.model import HostErrorKind, HostSnapshot
from collectors.hosts.parsers import ListedFile, parse_file_listing
from collectors.hosts.session import HostSession
from collectors.hosts.ssh import ConnectFailure, SshConnection, connect
from collectors.hosts.steps import config_files_step, guarded, logs_step, snapshot, thread_dumps_step
from collectors.hosts.system import collect_system
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
        error = failure.error.model_copy(update={"message": redactor.text(failure.error.message),
                                                 "at": datetime.now(UTC)})
        session.errors.append(error)
        return snapshot(session, started_at, {}, method="ssh", connected=False)
    session = HostSession(target, options, connection, redactor)
    try:
        values = _gather(session, connection)
    finally:
        connection.close()
    return snapshot(session, started_at, values, method="ssh", connected=True)


def _gather(session: HostSession, connection: SshConnection) -> dict[str, Any]:
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


def _reader(session: HostSession) -> Reader:
    def read(path: str) -> tuple[bytes | None, bool, tuple[HostErrorKind, str] | None]:
        cap = session.options.config_file_cap_bytes
        result = session.run("config_files", "read_file", path=path, as_user=session.target.sudo_user,
                             cap=cap, quiet=True)
        if result is None:
            return None, False, session.last_failure
        return result.stdout, result.truncated, None

    return read


def _list_logs(session: HostSession) -> list[ListedFile] | None:
    dirs = log_files.log_dirs(session.target)
    if not dirs:
        return []
    result = session.run("logs", "list_logs", paths=dirs, as_user=session.target.sudo_user,
                         partial_ok=True, quiet=True)
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

    login_user = None

    def execute(self, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        raise EOFError("not connected")
