"""The product's log files: listed, chosen by a time window, fetched into the bundle within a size cap.

Newest first, so what is left out when the cap is reached is the oldest: a plain file that does not
fit is fetched from its end (its newest lines), starting at a line boundary; a gzipped one that
does not fit is stopped at the cap. Every file listed is recorded with what happened to it, and what
was cut is said in a sentence. The analysis of the lines is not done here.
"""

from __future__ import annotations

import logging
import posixpath
import re
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from collectors.hosts.log_transfer import LineFilter, LogSource, RedactingWriter
from collectors.hosts.model import HostErrorKind, LogCollection, LogFile
from collectors.hosts.parsers import ListedFile
from collectors.hosts.target import HostTarget
from collectors.redaction import Redactor

MAX_LISTED = 500
_LOG_NAME = re.compile(r"(\.log|\.out|\.txt|access_log)", re.I)
_MB = 1024 * 1024
log = logging.getLogger(__name__)


def log_dirs(target: HostTarget) -> list[str]:
    """Where the product and its Tomcat write logs (missing folders are fine: products differ)."""
    dirs = target.dirs
    found: list[str] = []
    if dirs.home:
        found += [posixpath.join(dirs.home, "log"), posixpath.join(dirs.home, "logs")]
    if dirs.install:
        found += [posixpath.join(dirs.install, "logs"), posixpath.join(dirs.install, "apache-tomcat", "logs")]
    found += list(dirs.logs)
    return list(dict.fromkeys(p.rstrip("/") or "/" for p in found))


def log_kind(name: str) -> str:
    lowered = name.lower()
    if "security" in lowered:
        return "security"
    if "access" in lowered:
        return "access"
    if "gc" in re.split(r"[^a-z]+", lowered):
        return "gc"
    if lowered.startswith(("catalina", "localhost", "manager", "host-manager")):
        return "catalina"
    if lowered.startswith("atlassian-"):
        return "application"
    return "other"


def is_log(path: str) -> bool:
    return bool(_LOG_NAME.search(posixpath.basename(path)))


def _bundle_name(target: HostTarget, path: str) -> str:
    """logs/<customer>/<host>/<folder with / as _>/<file, without .gz>: unique per remote path."""
    folder = posixpath.dirname(path).strip("/").replace("/", "_") or "root"
    name = posixpath.basename(path)
    if name.endswith(".gz"):
        name = name[:-3]
    return f"logs/{target.customer}/{target.name}/{folder}/{name}"


def _size(n: int) -> str:
    return f"{n / _MB:.1f} MB" if n >= _MB else f"{n} bytes"


def select_files(listed: list[ListedFile], since: datetime, target: HostTarget) -> list[LogFile]:
    """Log files, newest first; those last written before the window are marked skipped."""
    files = []
    for item in sorted((f for f in listed if is_log(f.path)), key=lambda f: f.modified, reverse=True):
        name = posixpath.basename(item.path)
        entry = LogFile(
            path=item.path,
            kind=log_kind(name),
            size=item.size,
            modified=item.modified,
            compressed=name.endswith(".gz"),
        )
        if item.modified < since:
            entry = entry.model_copy(update={"status": "skipped", "cut": "last written before the window"})
        files.append(entry)
    return files[:MAX_LISTED]


def fetch_logs(
    files: list[LogFile],
    source: LogSource,
    spool: Path,
    target: HostTarget,
    cap: int,
    redactor: Redactor,
    fallback: LogSource | None = None,
    on_failure: Callable[[str, HostErrorKind, str], None] = lambda *_: None,
) -> list[LogFile]:
    """Fetch the files in the window into ``spool`` (laid out as the bundle's logs/ folder)."""
    left = cap
    done = []
    lines = LineFilter(redactor, target.known_secrets)
    for entry in files:
        if entry.status == "skipped":
            done.append(entry)
            continue
        if left <= 0:
            done.append(
                entry.model_copy(
                    update={
                        "status": "skipped",
                        "cut": f"not fetched: the cap of {_size(cap)} per host was reached",
                    }
                )
            )
            continue
        if entry.compressed and entry.size > left:
            done.append(
                entry.model_copy(
                    update={
                        "status": "skipped",
                        "cut": f"not fetched: {_size(entry.size)} compressed, more than the {_size(left)} "
                        "left of the cap",
                    }
                )
            )
            continue
        start = 0 if entry.compressed or entry.size <= left else entry.size - left
        result = _fetch_one(entry, start, left, source, fallback, spool, target, lines, on_failure)
        left -= result.fetched_bytes
        done.append(result)
    return done


def _fetch_one(
    entry: LogFile,
    start: int,
    room: int,
    source: LogSource,
    fallback: LogSource | None,
    spool: Path,
    target: HostTarget,
    lines: LineFilter,
    on_failure: Callable[[str, HostErrorKind, str], None],
) -> LogFile:
    relative = _bundle_name(target, entry.path)
    local = spool / relative.removeprefix("logs/")
    failure = None
    writer = None
    started = time.monotonic()
    for candidate in (source, fallback):
        if candidate is None:
            continue
        writer = RedactingWriter(local, room, lines, gzip=entry.compressed, skip_partial=start > 0)
        try:
            failure = candidate.read(entry.path, start, entry.size - start, writer.feed)
        finally:
            writer.close()
        if failure is None or failure[0] is not HostErrorKind.PERMISSION_DENIED:
            break  # only a refusal is worth another way in (the sudo user, over exec)
    assert writer is not None
    if failure is not None and writer.written == 0:
        local.unlink(missing_ok=True)
        on_failure(entry.path, *failure)
        return entry.model_copy(update={"status": "failed", "cut": f"not fetched: {failure[1]}"})
    cuts = []
    if start > 0:
        cuts.append(f"the first {_size(start)} left out (the cap of the host's logs), from a whole line on")
    if writer.full:
        cuts.append(f"stopped after {_size(writer.written)}: the cap of the host's logs was reached")
    expected = entry.size - start
    if failure is not None:
        cuts.append(f"transfer broke off after {_size(writer.received)}: {failure[1]}")
    elif writer.received < expected and not writer.full:
        cuts.append(f"{_size(expected - writer.received)} fewer than listed: the file shrank (rotated?)")
    log.debug(
        "%s/%s: fetched %s in %.0f ms, %d bytes kept%s",
        target.customer,
        target.name,
        entry.path,
        (time.monotonic() - started) * 1000,
        writer.written,
        f" ({'; '.join(cuts)})" if cuts else "",
    )
    return entry.model_copy(
        update={
            "status": "partial" if cuts else "fetched",
            "bundle_path": relative,
            "fetched_bytes": writer.written,
            "cut": "; ".join(cuts) or None,
        }
    )


def collection(
    since: datetime, cap: int, fetched: bool, method: str | None, files: list[LogFile]
) -> LogCollection:
    return LogCollection(since=since, cap_bytes=cap, fetched=fetched, method=method, files=files)


def window_start(now: datetime, hours: float) -> datetime:
    return now - timedelta(hours=hours)
