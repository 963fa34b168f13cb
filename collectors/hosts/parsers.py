"""Parsers of the fixed commands' output (Linux, GNU coreutils/procps). Pure functions of text.

A parser raises ``OutputError`` when the text is not what the command prints; the collector records
that as an ``unexpected_output`` error instead of guessing.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from collectors.hosts.model import Filesystem, Limit, MemoryInfo, OomEvent


class OutputError(ValueError):
    """The output does not have the shape the command prints."""


def _first_line(text: str, what: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    if not line:
        raise OutputError(f"{what}: empty output")
    return line


def parse_uname(text: str) -> tuple[str, str, str]:
    """``uname -snrm`` -> (hostname, kernel release, architecture)."""
    parts = _first_line(text, "uname").split()
    if len(parts) < 4:
        raise OutputError(f"uname: expected 4 fields, got {len(parts)}")
    return parts[1], parts[2], parts[-1]


def parse_os_release(text: str) -> str | None:
    values: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            values[key.strip()] = value.strip().strip("\"'")
    fallback = " ".join(filter(None, (values.get("NAME"), values.get("VERSION"))))
    return values.get("PRETTY_NAME") or fallback or None


def split_files(text: str, paths: Sequence[str]) -> dict[str, str]:
    """``grep -a -H '' -- PATHS`` -> path -> content; a file that printed nothing is absent."""
    ordered = sorted(paths, key=len, reverse=True)  # /a/b before /a when both are asked for
    found: dict[str, list[str]] = {}
    for line in text.splitlines(keepends=True):
        path = next((p for p in ordered if line.startswith(p + ":")), None)
        if path is not None:
            found.setdefault(path, []).append(line[len(path) + 1 :])
    return {path: "".join(lines) for path, lines in found.items()}


def file_errors(stderr: str, paths: Sequence[str]) -> dict[str, str]:
    """The lines grep wrote about files it could not read, by file: "grep: /x: Permission denied"."""
    errors: dict[str, str] = {}
    for line in stderr.splitlines():
        for path in sorted(paths, key=len, reverse=True):
            if f"{path}:" in line:
                errors.setdefault(path, line.strip())
                break
    return errors


def parse_cpu_list(text: str) -> int:
    """/sys/devices/system/cpu/online ("0-7", "0,2-5") -> how many CPUs are online."""
    count = 0
    for part in text.strip().split(","):
        low, _, high = part.partition("-")
        if not low.isdigit() or (high and not high.isdigit()):
            raise OutputError(f"cpu list: unexpected {text.strip()!r}")
        count += int(high) - int(low) + 1 if high else 1
    return count


def parse_uptime(text: str) -> float:
    try:
        return float(_first_line(text, "uptime").split()[0])
    except ValueError:
        raise OutputError("uptime: not a number of seconds") from None


def parse_loadavg(text: str) -> tuple[float, float, float]:
    parts = _first_line(text, "loadavg").split()
    try:
        return float(parts[0]), float(parts[1]), float(parts[2])
    except (ValueError, IndexError):
        raise OutputError("loadavg: expected three load averages") from None


def parse_meminfo(text: str) -> MemoryInfo:
    kb: dict[str, int] = {}
    for line in text.splitlines():
        match = re.match(r"^(\w+(?:\(\w+\))?):\s+(\d+)(?:\s*kB)?", line)
        if match:
            kb[match.group(1)] = int(match.group(2))
    if "MemTotal" not in kb:
        raise OutputError("meminfo: no MemTotal")
    available = kb.get("MemAvailable")
    if available is None:  # kernels before 3.14: the usual approximation
        available = kb.get("MemFree", 0) + kb.get("Buffers", 0) + kb.get("Cached", 0)
    swap_total = kb.get("SwapTotal", 0)
    return MemoryInfo(
        total=kb["MemTotal"] * 1024,
        available=available * 1024,
        swap_total=swap_total * 1024,
        swap_used=max(0, swap_total - kb.get("SwapFree", swap_total)) * 1024,
    )


def parse_clock(text: str) -> datetime:
    try:
        return datetime.fromtimestamp(float(_first_line(text, "date")), UTC)
    except ValueError:
        raise OutputError("date: not seconds since the epoch (is it GNU date?)") from None


def _df_rows(text: str, columns: int, what: str) -> list[list[str]]:
    lines = text.splitlines()
    if not lines or not lines[0].startswith("Filesystem"):
        raise OutputError(f"{what}: no header line")
    rows = []
    for line in lines[1:]:
        parts = line.split()
        if len(parts) < columns:
            continue
        # the mount point is last and may contain spaces
        rows.append([*parts[: columns - 1], " ".join(parts[columns - 1 :])])
    return rows


def _number(value: str) -> int | None:
    return int(value) if value.isdigit() else None


def parse_df(text: str) -> list[Filesystem]:
    """``df -P -T -B1``: device, type, size, used, available, capacity, mount."""
    return [
        Filesystem(
            device=row[0],
            fstype=row[1],
            size=_number(row[2]),
            used=_number(row[3]),
            available=_number(row[4]),
            mount=row[6],
        )
        for row in _df_rows(text, 7, "df")
    ]


def parse_df_inodes(text: str) -> dict[str, tuple[int | None, int | None]]:
    """``df -P -i``: mount -> (inodes, inodes used); "-" where the filesystem has no inode table."""
    return {row[5]: (_number(row[1]), _number(row[2])) for row in _df_rows(text, 6, "df -i")}


def parse_mounts_of(text: str) -> dict[str, str]:
    """``stat --printf '%n\\t%m\\n'``: path -> mount point."""
    found = {}
    for line in text.splitlines():
        path, sep, mount = line.partition("\t")
        if sep and path and mount:
            found[path] = mount
    return found


def mount_for(path: str, mounts: list[str]) -> str | None:
    """The mount point holding ``path`` by longest prefix (symbolic links not followed)."""
    best = None
    for mount in mounts:
        inside = path == mount or path.startswith(mount.rstrip("/") + "/")
        if inside and (best is None or len(mount) > len(best)):
            best = mount
    return best


@dataclass(frozen=True)
class ProcessRow:
    pid: int
    user: str
    elapsed_s: int | None
    rss_kb: int | None
    threads: int | None
    args: str


def parse_processes(text: str) -> list[ProcessRow]:
    """``ps -e -ww -o pid=,user:32=,etimes=,rss=,nlwp=,args=``."""
    rows = []
    for line in text.splitlines():
        parts = line.split(None, 5)
        if len(parts) < 6 or not parts[0].isdigit():
            continue
        rows.append(
            ProcessRow(
                pid=int(parts[0]),
                user=parts[1],
                elapsed_s=_number(parts[2]),
                rss_kb=_number(parts[3]),
                threads=_number(parts[4]),
                args=parts[5],
            )
        )
    if not rows and text.strip():
        raise OutputError("ps: no process lines")
    return rows


def parse_cmdline(data: bytes) -> list[str]:
    """/proc/PID/cmdline: NUL-separated arguments, exactly as the process was started."""
    return [a.decode("utf-8", "replace") for a in data.split(b"\0") if a]


_LIMIT = re.compile(r"^(Max [a-z ]+?)\s{2,}(\S+)\s+(\S+)")


def parse_limits(text: str) -> dict[str, Limit]:
    """/proc/PID/limits -> {"Max open files": Limit(soft, hard), ...}; None is unlimited."""
    limits = {}
    for line in text.splitlines():
        match = _LIMIT.match(line)
        if match:
            soft, hard = (None if v == "unlimited" else _number(v) for v in match.group(2, 3))
            limits[match.group(1)] = Limit(soft=soft, hard=hard)
    if not limits:
        raise OutputError("limits: no 'Max ...' lines")
    return limits


def parse_java_release(text: str) -> tuple[str | None, str | None]:
    """A JDK's ``release`` file -> (JAVA_VERSION, IMPLEMENTOR)."""
    values = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            values[key.strip()] = value.strip().strip('"')
    return values.get("JAVA_VERSION"), values.get("IMPLEMENTOR")


def count_by_user(text: str) -> Counter[str]:
    """``ps -e -L -o user=``: one line per thread -> threads per user."""
    return Counter(line.strip() for line in text.splitlines() if line.strip())


@dataclass(frozen=True)
class ListedFile:
    path: str
    size: int
    modified: datetime


def parse_file_listing(text: str) -> list[ListedFile]:
    """``find ... -printf '%s\\t%T@\\t%p\\n'`` -> files."""
    files = []
    for line in text.splitlines():
        parts = line.split("\t", 2)
        if len(parts) != 3:
            continue
        try:
            files.append(ListedFile(parts[2], int(parts[0]), datetime.fromtimestamp(float(parts[1]), UTC)))
        except ValueError:
            continue
    return files


# --- the kernel's OOM killer ----------------------------------------------------------------------

_KILLED = re.compile(r"Killed process (\d+) \(([^)]*)\)(?:.*?anon-rss:(\d+)kB)?")
_ISO = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[+-]\d{2}:?\d{2}|Z)?)")
_UPTIME = re.compile(r"\[\s*(\d+\.\d+)\]")
_SYSLOG = re.compile(r"^([A-Z][a-z]{2})\s+(\d{1,2}) (\d{2}:\d{2}:\d{2})")


def _when(line: str, boot: datetime | None, now: datetime) -> datetime | None:
    iso = _ISO.match(line)
    if iso:
        text = iso.group(1).replace("Z", "+00:00")
        text = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text)
        moment = datetime.fromisoformat(text)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    since_boot = _UPTIME.search(line)
    if since_boot and boot is not None:
        return boot + timedelta(seconds=float(since_boot.group(1)))
    syslog = _SYSLOG.match(line)
    if syslog:  # no year, no zone: the host's year, taken as UTC
        try:
            moment = datetime.strptime(f"{now.year} {' '.join(syslog.groups())}", "%Y %b %d %H:%M:%S")
        except ValueError:
            return None
        moment = moment.replace(tzinfo=UTC)
        return moment.replace(year=now.year - 1) if moment > now + timedelta(days=1) else moment
    return None


def parse_oom_events(text: str, boot: datetime | None, now: datetime) -> list[OomEvent]:
    """Kernel log lines (dmesg, journalctl -k, kern.log) -> the processes the OOM killer ended."""
    events = []
    seen: set[tuple[int, str]] = set()
    for line in text.splitlines():
        match = _KILLED.search(line)
        if not match:
            continue
        at = _when(line, boot, now)
        key = (int(match.group(1)), at.isoformat() if at else line)
        if key in seen:  # the same kill seen twice (dmesg and a log file)
            continue
        seen.add(key)
        events.append(
            OomEvent(
                at=at,
                pid=int(match.group(1)),
                process=match.group(2),
                rss_kb=int(match.group(3)) if match.group(3) else None,
                line=line.strip()[:500],
            )
        )
    return events
