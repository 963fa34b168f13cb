"""Host snapshots for host-check tests: healthy by default, so a test states only what matters.

``host()`` is a Jira node reached over SSH: enough memory and disk, no swap used, one Jira JVM on
Java 17 with an 8 GiB heap, GC logging, open files and threads far from their limits, no OOM kill,
its clock 10 ms off the agent's. Keyword arguments replace whole HostSnapshot fields; ``jvm()``
builds the JVM. All times hang off ``NOW``, the collection time a check sees as ``ctx.now``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from atlas_health.testing.instances import CUSTOMER, NOW
from checks.base import HostCheck
from checks.context import HostContext
from checks.finding import Finding
from checks.metadata import Threshold
from collectors.hosts.model import (
    ClockReading,
    CommandRecord,
    CpuInfo,
    Filesystem,
    HostSnapshot,
    JvmProcess,
    Limit,
    MemoryInfo,
    OsInfo,
    ProductPath,
)
from collectors.model import InstanceSnapshot

GIB = 1024**3


def jvm(pid: int = 4242, **overrides: Any) -> JvmProcess:
    values: dict[str, Any] = {
        "user": "jira",
        "product": "jira",
        "role": "product",
        "main": "org.apache.catalina.startup.Bootstrap",
        "arguments": ["-Xms8g", "-Xmx8g", "-XX:+UseG1GC", "-Xlog:gc*:file=/opt/jira/logs/gc-%t.log"],
        "executable": "/opt/jira/jre/bin/java",
        "java_home": "/opt/jira/jre",
        "java_version": "17.0.10",
        "java_vendor": "Eclipse Adoptium",
        "xms": 8 * GIB,
        "xmx": 8 * GIB,
        "garbage_collector": "G1",
        "gc_logging": True,
        "gc_log_option": "-Xlog:gc*:file=/opt/jira/logs/gc-%t.log",
        "started_at": NOW - timedelta(days=3),
        "uptime_s": 3 * 86400.0,
        "rss": 9 * GIB,
        "threads": 380,
        "open_files": 800,
        "max_open_files": Limit(soft=16384, hard=16384),
        "max_processes": Limit(soft=8192, hard=8192),
        "user_threads": 400,
    }
    values.update(overrides)
    return JvmProcess(pid=pid, **values)


def filesystem(
    mount: str, size_gib: float, available_gib: float, roles: list[str], **overrides: Any
) -> Filesystem:
    size = int(size_gib * GIB)
    available = int(available_gib * GIB)
    values: dict[str, Any] = {
        "device": f"/dev/mapper/{mount.strip('/').replace('/', '-') or 'root'}",
        "fstype": "ext4",
        "size": size,
        "used": size - available,
        "available": available,
        "inodes_total": 10_000_000,
        "inodes_used": 1_000_000,
        "roles": roles,
    }
    values.update(overrides)
    return Filesystem(mount=mount, **values)


def host(name: str = "jira-node1", **overrides: Any) -> HostSnapshot:
    values: dict[str, Any] = {
        "customer": CUSTOMER,
        "name": name,
        "address": "10.0.0.11:22",
        "method": "ssh",
        "instance": "jira-prod",
        "node": "node1",
        "product": "jira",
        "started_at": NOW,
        "finished_at": NOW + timedelta(seconds=3),
        "connected": True,
        "commands": [
            CommandRecord(
                call="memory",
                command="cat /proc/meminfo",
                started_at=NOW,
                elapsed_ms=12.0,
                exit_status=0,
                stdout_bytes=1400,
            ),
            CommandRecord(
                call="filesystems",
                command="env LC_ALL=C df -P -T -B1",
                started_at=NOW,
                elapsed_ms=15.0,
                exit_status=0,
                stdout_bytes=600,
            ),
        ],
        "os": OsInfo(
            name="Ubuntu 22.04.4 LTS", kernel="5.15.0-105-generic", architecture="x86_64", hostname=name
        ),
        "uptime_s": 40 * 86400.0,
        "cpu": CpuInfo(logical_cpus=8, load_1m=1.2, load_5m=1.0, load_15m=0.9),
        "memory": MemoryInfo(total=32 * GIB, available=14 * GIB, swap_total=2 * GIB, swap_used=0),
        "filesystems": [
            filesystem("/", 50, 30, ["install"]),
            filesystem("/var/atlassian", 500, 300, ["home", "logs"]),
        ],
        "product_paths": [
            ProductPath(role="install", path="/opt/atlassian/jira", mount="/"),
            ProductPath(role="home", path="/var/atlassian/application-data/jira", mount="/var/atlassian"),
        ],
        "jvms": [jvm()],
        "oom_events": [],
        "clock": ClockReading(host_time=NOW, offset_s=0.010, uncertainty_s=0.002),
    }
    values.update(overrides)
    return HostSnapshot(**values)


def run_host_check(
    cls: type[HostCheck],
    subject: HostSnapshot,
    *,
    peers: tuple[HostSnapshot, ...] = (),
    instances: tuple[InstanceSnapshot, ...] = (),
    **thresholds: Threshold,
) -> list[Finding]:
    """Run one host check on one host, the way the runner does, minus budgets and skipping."""
    ctx = HostContext(meta=cls.meta, host=subject, peers=peers, instances=instances, thresholds=thresholds)
    return list(cls().run(ctx))
