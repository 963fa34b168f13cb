"""The machine over SSH: OS, uptime, CPU and load, memory, filesystems, product paths, clock.

The basics are read in one batch (one round trip, one shell on the host), the small /proc files by
one grep; the clock on its own, so its round trip, which bounds the offset's uncertainty, is as
short as it can be.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from collectors.hosts.model import ClockReading, CpuInfo, Filesystem, HostErrorKind, OsInfo, ProductPath
from collectors.hosts.parsers import (
    OutputError,
    file_errors,
    mount_for,
    parse_clock,
    parse_cpu_list,
    parse_df,
    parse_df_inodes,
    parse_loadavg,
    parse_meminfo,
    parse_mounts_of,
    parse_os_release,
    parse_uname,
    parse_uptime,
    split_files,
)
from collectors.hosts.session import Ask, HostSession, RawResult

# Filesystems that hold no product data; kept only when a product path is on one.
PSEUDO_FILESYSTEMS = frozenset(
    {
        "tmpfs",
        "devtmpfs",
        "squashfs",
        "proc",
        "sysfs",
        "cgroup",
        "cgroup2",
        "devpts",
        "mqueue",
        "debugfs",
        "tracefs",
        "securityfs",
        "pstore",
        "efivarfs",
        "bpf",
        "autofs",
        "hugetlbfs",
        "fusectl",
        "configfs",
        "ramfs",
        "nsfs",
        "binfmt_misc",
        "overlay-tmp",
        "shm",
    }
)

# Small system files read by one grep; (call a failure is filed under, file, parser).
_FILES = (
    ("uptime", "/proc/uptime", parse_uptime),
    ("cpu", "/proc/loadavg", parse_loadavg),
    ("memory", "/proc/meminfo", parse_meminfo),
    ("os", "/etc/os-release", parse_os_release),
    ("cpu", "/sys/devices/system/cpu/online", parse_cpu_list),
)
SYSTEM_FILES = [path for _, path, _ in _FILES]


def basic_asks() -> list[Ask]:
    return [
        Ask("os", "uname"),
        Ask("machine", "system_files", {"paths": SYSTEM_FILES}, partial_ok=True, quiet=True),
        Ask("filesystems", "df"),
        Ask("filesystems.inodes", "df_inodes"),
    ]


def path_asks(session: HostSession) -> list[Ask]:
    target = session.target
    sudo = target.sudo_user
    return [Ask(f"paths.{role}", "mount_of", {"paths": [path]}, sudo) for role, path in target.dirs.roles()]


def _machine(
    session: HostSession, result: RawResult | None, failure: tuple[HostErrorKind, str] | None
) -> dict[str, object]:
    """Each system file's parsed value by path; a file that is missing or malformed is recorded."""
    if result is None:
        kind, message = failure or (HostErrorKind.COMMAND_FAILED, "system files not read")
        for call in dict.fromkeys(call for call, _, _ in _FILES):
            session.fail(call, kind, message)
        return {}
    files = split_files(result.stdout.decode("utf-8", "replace"), SYSTEM_FILES)
    problems = file_errors(result.stderr.decode("utf-8", "replace"), SYSTEM_FILES)
    values: dict[str, object] = {}
    for call, path, parse in _FILES:
        if path not in files:
            session.fail(call, HostErrorKind.NOT_FOUND, problems.get(path, f"{path}: empty or not readable"))
            continue
        try:
            values[path] = parse(files[path])
        except (OutputError, ValueError) as exc:
            session.fail(call, HostErrorKind.UNEXPECTED_OUTPUT, f"{path}: {exc}")
    return values


def collect_system(session: HostSession) -> dict[str, Any]:
    """HostSnapshot fields for the machine; a field is None where its command failed (recorded)."""
    uname_out, machine_out, df_out, inodes_out = session.batch(basic_asks())
    machine_failure = session.last_failures[1]
    uname = session.parse("os", "uname", uname_out, parse_uname)
    facts = _machine(session, machine_out, machine_failure)
    values: dict[str, Any] = {}
    pretty = found if isinstance(found := facts.get("/etc/os-release"), str) else None
    if uname is not None or pretty is not None:
        hostname, kernel, arch = uname if isinstance(uname, tuple) else (None, None, None)
        values["os"] = OsInfo(name=pretty, kernel=kernel, architecture=arch, hostname=hostname)
    values["uptime_s"] = facts.get("/proc/uptime")
    count = found if isinstance(found := facts.get("/sys/devices/system/cpu/online"), int) else None
    load = facts.get("/proc/loadavg")
    if count is not None or load is not None:
        one, five, fifteen = load if isinstance(load, tuple) else (None, None, None)
        values["cpu"] = CpuInfo(logical_cpus=count, load_1m=one, load_5m=five, load_15m=fifteen)
    values["memory"] = facts.get("/proc/meminfo")
    values["clock"] = measure_clock(session)
    filesystems = session.parse("filesystems", "df", df_out, parse_df)
    if isinstance(filesystems, list):
        inodes = session.parse("filesystems.inodes", "df_inodes", inodes_out, parse_df_inodes)
        paths = locate_product_paths(session, [f.mount for f in filesystems])
        values["filesystems"] = assign_roles(filesystems, inodes if isinstance(inodes, dict) else {}, paths)
        values["product_paths"] = paths
    return values


def measure_clock(session: HostSession) -> ClockReading | None:
    """The host's clock minus the agent's, with half the round trip as the uncertainty."""
    before = time.time()
    host_time = session.parsed("clock", parse_clock, "clock")
    after = time.time()
    if not isinstance(host_time, datetime):
        return None
    midpoint = (before + after) / 2
    return ClockReading(
        host_time=host_time,
        offset_s=round(host_time.timestamp() - midpoint, 6),
        uncertainty_s=round((after - before) / 2, 6),
    )


def locate_product_paths(session: HostSession, mounts: list[str]) -> list[ProductPath]:
    """Which filesystem holds each configured product directory (stat, so symbolic links are followed)."""
    roles = session.target.dirs.roles()
    results = session.batch(path_asks(session))
    found = []
    for (role, path), result in zip(roles, results, strict=True):
        mount = None
        if result is not None:
            mount = parse_mounts_of(result.stdout.decode("utf-8", "replace")).get(path)
            if mount is None:  # a stat without %m support: fall back to the longest prefix
                mount = mount_for(path, mounts)
        found.append(ProductPath(role=role, path=path, mount=mount))
    return found


def assign_roles(
    filesystems: list[Filesystem],
    inodes: dict[str, tuple[int | None, int | None]],
    paths: list[ProductPath],
) -> list[Filesystem]:
    result = []
    for fs in filesystems:
        roles = sorted({p.role for p in paths if p.mount == fs.mount})
        if fs.fstype in PSEUDO_FILESYSTEMS and not roles:
            continue
        total, used = inodes.get(fs.mount, (None, None))
        result.append(fs.model_copy(update={"roles": roles, "inodes_total": total, "inodes_used": used}))
    return result
