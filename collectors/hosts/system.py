"""The machine over SSH: OS, uptime, CPU and load, memory, filesystems, product paths, clock."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from collectors.hosts.model import ClockReading, CpuInfo, Filesystem, OsInfo, ProductPath
from collectors.hosts.parsers import (
    mount_for,
    parse_clock,
    parse_df,
    parse_df_inodes,
    parse_int,
    parse_loadavg,
    parse_meminfo,
    parse_mounts_of,
    parse_os_release,
    parse_uname,
    parse_uptime,
)
from collectors.hosts.session import HostSession

# Filesystems that hold no product data; kept only when a product path is on one.
PSEUDO_FILESYSTEMS = frozenset(
    {"tmpfs", "devtmpfs", "squashfs", "proc", "sysfs", "cgroup", "cgroup2", "devpts", "mqueue", "debugfs",
     "tracefs", "securityfs", "pstore", "efivarfs", "bpf", "autofs", "hugetlbfs", "fusectl", "configfs",
     "ramfs", "nsfs", "binfmt_misc", "overlay-tmp", "shm"}
)


def collect_system(session: HostSession) -> dict[str, Any]:
    """HostSnapshot fields for the machine; a field is None where its command failed (recorded)."""
    values: dict[str, Any] = {}
    uname = session.parsed("os", parse_uname, "uname")
    pretty = session.parsed("os", parse_os_release, "os_release")
    if uname is not None or pretty is not None:
        hostname, kernel, arch = uname if isinstance(uname, tuple) else (None, None, None)
        values["os"] = OsInfo(name=pretty, kernel=kernel, architecture=arch, hostname=hostname)  # type: ignore[arg-type]
    values["uptime_s"] = session.parsed("uptime", parse_uptime, "uptime")
    count = session.parsed("cpu", lambda t: parse_int(t, "getconf"), "cpu_count")
    load = session.parsed("cpu", parse_loadavg, "loadavg")
    if count is not None or load is not None:
        one, five, fifteen = load if isinstance(load, tuple) else (None, None, None)
        values["cpu"] = CpuInfo(logical_cpus=count, load_1m=one, load_5m=five, load_15m=fifteen)  # type: ignore[arg-type]
    values["memory"] = session.parsed("memory", parse_meminfo, "meminfo")
    values["clock"] = measure_clock(session)
    filesystems = session.parsed("filesystems", parse_df, "df")
    if isinstance(filesystems, list):
        inodes = session.parsed("filesystems.inodes", parse_df_inodes, "df_inodes")
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
    found = []
    sudo = session.target.sudo_user
    for role, path in session.target.dirs.roles():
        text = session.text(f"paths.{role}", "mount_of", as_user=sudo, paths=[path])
        mount = parse_mounts_of(text).get(path) if text is not None else None
        if text is not None and mount is None:  # a stat without %m support: fall back to the prefix
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

