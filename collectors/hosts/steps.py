"""Collection steps shared by the SSH and the local collector, and the snapshot they end in."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from collectors.hosts import logs as log_files
from collectors.hosts.config_files import Reader, collect_config_files
from collectors.hosts.log_transfer import LogSource
from collectors.hosts.model import HostErrorKind, HostSnapshot, JvmProcess, LogCollection, ThreadDump
from collectors.hosts.parsers import ListedFile
from collectors.hosts.session import HostSession
from collectors.hosts.thread_dumps import take_thread_dumps

log = logging.getLogger(__name__)
T = TypeVar("T")


def guarded(session: HostSession, call: str, step: Callable[[], T]) -> T | None:
    """Run a step; a defect in it becomes a recorded error and the other steps still run."""
    try:
        return step()
    except Exception as exc:
        log.exception("host step %s failed on %s", call, session.target.name)
        session.fail(call, HostErrorKind.COLLECTOR, f"collector error: {type(exc).__name__}: {exc}")
        return None


def config_files_step(session: HostSession, read: Reader) -> list[Any]:
    target = session.target
    files, failures = collect_config_files(target.product, target.dirs, read, session.redactor.text)
    for path, kind, message in failures:
        session.fail("config_files", kind, f"{path}: {message}")
    return files


def thread_dumps_step(session: HostSession, jvms: list[JvmProcess] | None) -> list[ThreadDump] | None:
    request = session.options.thread_dumps
    if request is None or request.count <= 0:
        return None
    product = [j for j in jvms or [] if j.role == "product"]
    if not product:
        message = "thread dumps requested, but no product JVM was found"
        session.fail("thread_dumps", HostErrorKind.NOT_FOUND, message)
        return None
    return take_thread_dumps(session, product, request)


def logs_step(
    session: HostSession,
    listed: list[ListedFile] | None,
    now: datetime,
    source: LogSource | None,
    fallback: LogSource | None = None,
) -> LogCollection | None:
    """Select by window and fetch into the spool, when a bundle is being written; else only list."""
    if listed is None:
        return None
    options = session.options
    since = log_files.window_start(now, options.log_window_hours)
    files = log_files.select_files(listed, since, session.target)
    spool = options.log_spool
    if spool is None or source is None:
        return log_files.collection(since, options.log_cap_bytes, False, None, files)
    fetched = log_files.fetch_logs(
        files,
        source,
        spool,
        session.target,
        options.log_cap_bytes,
        session.redactor,
        fallback,
        on_failure=lambda path, kind, message: session.fail("logs", kind, message),
    )
    # what the cap left out; a transfer that broke off or a file that shrank is told in the file's own cut
    cut = [f for f in fetched if f.cut and "cap" in f.cut]
    if cut:
        session.limit(
            f"logs: the cap of {options.log_cap_bytes // (1024 * 1024)} MB per host cut {len(cut)} file(s); "
            "see the host's log files for what was left out"
        )
    return log_files.collection(since, options.log_cap_bytes, True, source.method, fetched)


def snapshot(
    session: HostSession, started_at: datetime, values: dict[str, Any], *, method: str, connected: bool
) -> HostSnapshot:
    target = session.target
    limits = [f"{target.customer}/{target.name}: {line}" for line in session.limits_hit]
    result = HostSnapshot(
        customer=target.customer,
        name=target.name,
        address=target.address,
        method=method,
        instance=target.instance,
        node=target.node,
        product=target.product,
        started_at=started_at,
        finished_at=datetime.now(UTC),
        connected=connected,
        commands=session.records,
        errors=session.errors,
        limits_hit=limits,
        **values,
    )
    redacted: HostSnapshot = session.redactor.data(result)
    log.info(
        "%s/%s: collected over %s in %.1f s: %d command(s), %d error(s)%s",
        target.customer,
        target.name,
        method,
        (result.finished_at - started_at).total_seconds(),
        len(session.records),
        len(session.errors),
        "" if connected else ", not connected",
    )
    return redacted
