"""Collect the agent's own machine with psutil: the same HostSnapshot as over SSH, without a shell
for what psutil reads directly. The kernel log and thread dumps still go through the fixed commands
(run locally), since psutil has no way to them.
"""

from __future__ import annotations

import contextlib
import os
import platform
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil

from collectors.hosts.config_files import Reader
from collectors.hosts.jvm import is_java, jvm_from_args
from collectors.hosts.kernel import collect_oom_events
from collectors.hosts.local_runner import LocalRunner
from collectors.hosts.log_transfer import ExecSource, LocalSource
from collectors.hosts.logs import log_dirs
from collectors.hosts.model import (
    ClockReading,
    CpuInfo,
    Filesystem,
    HostErrorKind,
    HostSnapshot,
    JvmProcess,
    Limit,
    MemoryInfo,
    OsInfo,
    ProductPath,
)
from collectors.hosts.parsers import ListedFile, mount_for, parse_java_release, parse_os_release
from collectors.hosts.session import HostSession
from collectors.hosts.steps import config_files_step, guarded, logs_step, snapshot, thread_dumps_step
from collectors.hosts.system import PSEUDO_FILESYSTEMS
from collectors.hosts.target import HostCollectOptions, HostTarget
from collectors.redaction import Redactor

_ATTRS = ["pid", "username", "cmdline", "create_time", "num_threads", "memory_info"]


def collect_local(target: HostTarget, options: HostCollectOptions) -> HostSnapshot:
    started_at = datetime.now(UTC)
    session = HostSession(target, options, LocalRunner(), Redactor(target.known_secrets))
    values: dict[str, Any] = {}
    now = datetime.now(UTC)
    values["os"] = guarded(session, "os", _os)
    boot = datetime.fromtimestamp(psutil.boot_time(), UTC)
    values["uptime_s"] = round((now - boot).total_seconds(), 3)
    values["cpu"] = guarded(session, "cpu", _cpu)
    values["memory"] = guarded(session, "memory", _memory)
    # the agent's own clock: no offset to measure
    values["clock"] = ClockReading(host_time=now, offset_s=0.0, uncertainty_s=0.0)
    filesystems = guarded(session, "filesystems", _filesystems)
    if filesystems is not None:
        paths = _product_paths(session, [f.mount for f in filesystems])
        values["product_paths"] = paths
        values["filesystems"] = [
            fs.model_copy(update={"roles": sorted({p.role for p in paths if p.mount == fs.mount})})
            for fs in filesystems
        ]
    jvms = guarded(session, "jvms", lambda: _jvms(session, now))
    values["jvms"] = jvms
    values["oom_events"] = guarded(session, "oom_events", lambda: collect_oom_events(session, boot, now))
    read = _reader(session)
    values["config_files"] = guarded(session, "config_files", lambda: config_files_step(session, read))
    values["thread_dumps"] = guarded(session, "thread_dumps", lambda: thread_dumps_step(session, jvms))
    listed = guarded(session, "logs", lambda: _list_logs(session))
    source = ExecSource(session, target.sudo_user) if target.sudo_user else LocalSource()
    values["logs"] = guarded(session, "logs", lambda: logs_step(session, listed, now, source))
    return snapshot(session, started_at, values, method="local", connected=True)


def _os() -> OsInfo:
    uname = platform.uname()
    pretty = None
    with contextlib.suppress(OSError):
        pretty = parse_os_release(Path("/etc/os-release").read_text(encoding="utf-8", errors="replace"))
    return OsInfo(
        name=pretty or f"{uname.system} {uname.release}",
        kernel=uname.release,
        architecture=uname.machine,
        hostname=uname.node,
    )


def _cpu() -> CpuInfo:
    one, five, fifteen = (round(load, 2) for load in psutil.getloadavg())
    return CpuInfo(logical_cpus=psutil.cpu_count(), load_1m=one, load_5m=five, load_15m=fifteen)


def _memory() -> MemoryInfo:
    memory = psutil.virtual_memory()  # "available", not "free": what can be had without swapping
    swap = psutil.swap_memory()
    return MemoryInfo(
        total=memory.total, available=memory.available, swap_total=swap.total, swap_used=swap.used
    )


def _filesystems() -> list[Filesystem]:
    found: dict[str, Filesystem] = {}
    for part in psutil.disk_partitions(all=False):
        if part.mountpoint in found or part.fstype in PSEUDO_FILESYSTEMS:
            continue
        try:
            usage = psutil.disk_usage(part.mountpoint)
            stats = os.statvfs(part.mountpoint)
        except OSError:
            continue
        found[part.mountpoint] = Filesystem(
            mount=part.mountpoint,
            device=part.device,
            fstype=part.fstype,
            size=usage.total,
            used=usage.used,
            available=usage.free,  # psutil's free excludes root's reserve, like df's "Available"
            inodes_total=stats.f_files,
            inodes_used=stats.f_files - stats.f_ffree,
        )
    return list(found.values())


def _mount_of(path: str) -> str | None:
    current = os.path.realpath(path)
    if not os.path.exists(current):
        return None
    while not os.path.ismount(current):
        current = os.path.dirname(current)
    return current


def _product_paths(session: HostSession, mounts: list[str]) -> list[ProductPath]:
    paths = []
    for role, path in session.target.dirs.roles():
        mount = _mount_of(path)
        if mount is None:
            session.fail(f"paths.{role}", HostErrorKind.NOT_FOUND, f"{path}: no such directory")
        elif mount not in mounts:
            mount = mount_for(mount, mounts) or mount
        paths.append(ProductPath(role=role, path=path, mount=mount))
    return paths


def _jvms(session: HostSession, now: datetime) -> list[JvmProcess]:
    target = session.target
    jvms: list[JvmProcess] = []
    threads_by_user: Counter[str] = Counter()
    procs = list(psutil.process_iter(_ATTRS, ad_value=None))
    for proc in procs:
        info = proc.info
        if info.get("username") and info.get("num_threads"):
            threads_by_user[info["username"]] += info["num_threads"]
    for proc in procs:
        info = proc.info
        args = info.get("cmdline") or []
        if not is_java(args):
            continue
        jvm = jvm_from_args(
            info["pid"], args, host_product=target.product, dirs=target.dirs, user=info.get("username")
        )
        created = info.get("create_time")
        memory = info.get("memory_info")
        update: dict[str, Any] = {
            "started_at": datetime.fromtimestamp(created, UTC) if created else None,
            "uptime_s": round(now.timestamp() - created, 3) if created else None,
            "rss": memory.rss if memory else None,
            "threads": info.get("num_threads"),
        }
        if jvm.role == "product":
            update.update(_process_details(session, proc, jvm))
            if jvm.user:
                update["user_threads"] = threads_by_user.get(jvm.user, 0)
        jvms.append(jvm.model_copy(update=update))
    return jvms


def _limit(pair: tuple[int, int]) -> Limit:
    soft, hard = pair
    return Limit(
        soft=None if soft == psutil.RLIM_INFINITY else soft,
        hard=None if hard == psutil.RLIM_INFINITY else hard,
    )


def _process_details(session: HostSession, proc: psutil.Process, jvm: JvmProcess) -> dict[str, Any]:
    update: dict[str, Any] = {}
    pid = jvm.pid
    try:
        with proc.oneshot():
            update["open_files"] = proc.num_fds()
            update["max_open_files"] = _limit(proc.rlimit(psutil.RLIMIT_NOFILE))
            update["max_processes"] = _limit(proc.rlimit(psutil.RLIMIT_NPROC))
            if jvm.executable is None:
                exe = proc.exe()
                update["executable"] = exe
                update["java_home"] = str(Path(exe).parent.parent) if exe else None
    except psutil.AccessDenied:
        session.fail(
            f"jvm.{pid}.limits",
            HostErrorKind.PERMISSION_DENIED,
            f"pid {pid} belongs to {jvm.user}: its open files and limits need that user or root",
        )
    except psutil.NoSuchProcess:
        session.fail(f"jvm.{pid}.limits", HostErrorKind.NOT_FOUND, f"pid {pid} ended during collection")
    java_home = update.get("java_home") or jvm.java_home
    if java_home:
        for name in ("release", "../release"):
            release = Path(java_home, name)
            with contextlib.suppress(OSError):
                version, vendor = parse_java_release(release.read_text(encoding="utf-8", errors="replace"))
                update["java_version"], update["java_vendor"] = version, vendor
                break
        else:
            message = f"no release file in {java_home}"
            session.fail(f"jvm.{pid}.java_version", HostErrorKind.NOT_FOUND, message)
    return update


def _reader(session: HostSession) -> Reader:
    cap = session.options.config_file_cap_bytes

    def read(path: str) -> tuple[bytes | None, bool, tuple[HostErrorKind, str] | None]:
        sudo = session.target.sudo_user
        if sudo:
            result = session.run("config_files", "read_file", path=path, as_user=sudo, cap=cap, quiet=True)
            if result is None:
                return None, False, session.last_failure
            return result.stdout, result.truncated, None
        try:
            with open(path, "rb") as handle:
                data = handle.read(cap + 1)
        except FileNotFoundError:
            return None, False, (HostErrorKind.NOT_FOUND, "no such file")
        except OSError as exc:
            return None, False, (_os_error_kind(exc), exc.strerror or str(exc))
        return data[:cap], len(data) > cap, None

    return read


def _list_logs(session: HostSession) -> list[ListedFile]:
    files = []
    for folder in log_dirs(session.target):
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    with contextlib.suppress(OSError):
                        if entry.is_file():
                            stat = entry.stat()
                            modified = datetime.fromtimestamp(stat.st_mtime, UTC)
                            files.append(ListedFile(entry.path, stat.st_size, modified))
        except FileNotFoundError:
            continue  # products differ in where they log
        except OSError as exc:
            session.fail("logs", _os_error_kind(exc), f"{folder}: {exc.strerror or exc}")
    return files


def _os_error_kind(exc: OSError) -> HostErrorKind:
    if isinstance(exc, PermissionError):
        return HostErrorKind.PERMISSION_DENIED
    return HostErrorKind.COMMAND_FAILED
