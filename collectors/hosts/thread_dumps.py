"""Thread dumps on request: N dumps of each product JVM, S seconds apart, taken as the JVM's owner.

jcmd (``Thread.print -l``, with lock details so deadlocks show) is tried first, then jstack; the
JVM's own tools before the ones on the PATH, since attaching needs a matching JDK. The attach API
only lets the process owner (or root) in, hence ``sudo -n -u OWNER`` when the agent logs in as
someone else.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from collectors.hosts.jvm import dump_tools
from collectors.hosts.model import HostErrorKind, JvmProcess, ThreadDump
from collectors.hosts.session import HostSession
from collectors.hosts.target import ThreadDumpRequest

CALL = "thread_dumps"
DUMP_CAP = 32 * 1024 * 1024  # a busy Jira with thousands of threads writes a few MB per dump
DUMP_TIMEOUT_S = 60.0


def _as_owner(session: HostSession, owner: str | None) -> str | None:
    login = session.runner.login_user
    return owner if owner and owner != login and login != "root" else None


def _one_dump(session: HostSession, jvm: JvmProcess, tools: list[str]) -> ThreadDump | None:
    """One dump with the first tool that works; ``tools`` is narrowed to it for the next rounds."""
    as_user = _as_owner(session, jvm.user)
    failures = []
    for tool in list(tools):
        name = "jcmd_threads" if tool.endswith("jcmd") else "jstack"
        taken_at = datetime.now(UTC)
        timeout = min(DUMP_TIMEOUT_S, max(session.options.command_timeout_s, 30.0))
        result = session.run(
            f"{CALL}.{jvm.pid}",
            name,
            program=tool,
            pid=jvm.pid,
            as_user=as_user,
            cap=DUMP_CAP,
            quiet=True,
            timeout_s=timeout,
        )
        if result is not None and b"Full thread dump" in result.stdout:
            tools[:] = [tool]
            text = session.redactor.text(result.stdout.decode("utf-8", "replace"))
            short = tool.rsplit("/", 1)[-1]
            return ThreadDump(
                pid=jvm.pid, taken_at=taken_at, tool=short, text=text, truncated=result.truncated
            )
        no_dump = (HostErrorKind.UNEXPECTED_OUTPUT, "no thread dump in the output")
        kind, message = session.last_failure or no_dump
        failures.append((kind, f"{tool}: {message}"))
        if kind is HostErrorKind.BUDGET_EXCEEDED:
            break
    denied = [f for f in failures if f[0] is HostErrorKind.PERMISSION_DENIED]
    kind, _ = (denied or failures or [(HostErrorKind.NOT_FOUND, "")])[0]
    hint = f" (run as {as_user})" if as_user else ""
    session.fail(
        f"{CALL}.{jvm.pid}",
        kind,
        f"no thread dump of pid {jvm.pid}{hint}: " + "; ".join(m for _, m in failures),
    )
    return None


def take_thread_dumps(
    session: HostSession, jvms: list[JvmProcess], request: ThreadDumpRequest
) -> list[ThreadDump]:
    """``request.count`` rounds over the product JVMs, ``request.interval_s`` apart (start to start)."""
    dumps: list[ThreadDump] = []
    tools = {j.pid: dump_tools(j.java_home) for j in jvms}
    given_up: set[int] = set()
    for round_no in range(request.count):
        started = time.monotonic()
        for jvm in jvms:
            if jvm.pid in given_up:
                continue
            dump = _one_dump(session, jvm, tools[jvm.pid])
            if dump is None:
                given_up.add(jvm.pid)  # one failure says it all: do not repeat it N times
            else:
                dumps.append(dump)
        if round_no + 1 < request.count and len(given_up) < len(jvms):
            wait = request.interval_s - (time.monotonic() - started)
            if wait > session.deadline.remaining():
                session.limit(
                    f"thread dumps: {round_no + 1} of {request.count} taken; the host budget of "
                    f"{session.options.host_budget_s:g} s leaves no time for the rest"
                )
                break
            if wait > 0:
                time.sleep(wait)
    return dumps
