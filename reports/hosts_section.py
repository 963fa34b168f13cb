"""Building the report's host section from a run's hosts and their findings (one customer's)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from checks.finding import Finding, Severity
from checks.runner import CheckOutcome, OutcomeStatus
from checks.thread_dumps.analysis import JvmThreadAnalysis, analyse_dumps
from collectors.hosts.model import HostSnapshot, JvmProcess
from collectors.model import Snapshot
from reports.hosts_model import (
    ReportFilesystem,
    ReportHost,
    ReportHotStack,
    ReportJvm,
    ReportLogFile,
    ReportThreadDumps,
)


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone)


def _percent(part: int | None, whole: int | None) -> float | None:
    if part is None or not whole:
        return None
    return round(100.0 * part / whole, 1)


def _jvm(jvm: JvmProcess) -> ReportJvm:
    return ReportJvm(
        pid=jvm.pid,
        product=jvm.product,
        role=jvm.role,
        user=jvm.user,
        java_version=jvm.java_version,
        xms=jvm.xms,
        xmx=jvm.xmx,
        garbage_collector=jvm.garbage_collector,
        gc_logging=jvm.gc_logging,
        uptime_s=jvm.uptime_s,
        threads=jvm.threads,
        open_files=jvm.open_files,
        max_open_files=jvm.max_open_files.soft if jvm.max_open_files else None,
        max_processes=jvm.max_processes.soft if jvm.max_processes else None,
    )


def _dumps(analysis: JvmThreadAnalysis) -> ReportThreadDumps:
    last = analysis.dumps[-1]
    return ReportThreadDumps(
        pid=analysis.pid,
        dumps=len(analysis.dumps),
        span_s=round(analysis.span_s, 1),
        files=list(analysis.files),
        states=last.states,
        pools=last.pools,
        busy_pools=last.busy_pools,
        db_connection_waits=last.db_connection_waits,
        stuck=[s.name for s in analysis.stuck],
        deadlocks=[list(d.threads) for d in analysis.deadlocks],
        hottest=[
            ReportHotStack(frames=list(h.frames), occurrences=h.occurrences, threads=h.threads)
            for h in analysis.hottest
        ],
    )


def _host(
    host: HostSnapshot, findings: list[Finding], outcomes: list[CheckOutcome], zone: ZoneInfo
) -> ReportHost:
    own = [f for f in findings if f.target == host.name or f.target.startswith(host.name + "/")]
    worst = max((f.severity for f in own), key=lambda s: s.rank, default=None)
    if worst is None:
        ran = any(o.target == host.name and o.status is OutcomeStatus.RAN for o in outcomes)
        worst = Severity.OK if ran else Severity.UNKNOWN
    named = max(own, key=lambda f: f.severity.rank).title if own and worst is not Severity.OK else None
    memory, cpu, os_info = host.memory, host.cpu, host.os
    filesystems = None
    if host.filesystems is not None:
        filesystems = [
            ReportFilesystem(
                mount=f.mount,
                fstype=f.fstype,
                size=f.size,
                available=f.available,
                used_percent=_percent(f.used, f.size),
                inodes_used_percent=_percent(f.inodes_used, f.inodes_total),
                roles=f.roles,
            )
            for f in host.filesystems
        ]
    logs = None
    if host.logs is not None:
        logs = [
            ReportLogFile(
                path=f.path,
                kind=f.kind,
                size=f.size,
                modified=_local(f.modified, zone),
                status=f.status,
                bundle_path=f.bundle_path,
                fetched_bytes=f.fetched_bytes,
                cut=f.cut,
            )
            for f in host.logs.files
        ]
    loads = [cpu.load_1m, cpu.load_5m, cpu.load_15m] if cpu is not None else []
    return ReportHost(
        name=host.name,
        address=host.address,
        method=host.method,
        instance=host.instance,
        node=host.node,
        overall=worst,
        worst_finding=named,
        connected=host.connected,
        collected_at=_local(host.finished_at, zone),
        collection_errors=len(host.errors),
        os=os_info.name if os_info else None,
        kernel=os_info.kernel if os_info else None,
        uptime_s=host.uptime_s,
        cpus=cpu.logical_cpus if cpu else None,
        load=[x for x in loads if x is not None] if cpu is not None else None,
        memory_total=memory.total if memory else None,
        memory_available=memory.available if memory else None,
        swap_total=memory.swap_total if memory else None,
        swap_used=memory.swap_used if memory else None,
        clock_offset_s=host.clock.offset_s if host.clock else None,
        filesystems=filesystems,
        jvms=[_jvm(j) for j in host.jvms] if host.jvms is not None else None,
        oom_kills=len(host.oom_events) if host.oom_events is not None else None,
        thread_dumps=[_dumps(a) for a in analyse_dumps(host.thread_dumps)] if host.thread_dumps else None,
        logs_fetched=bool(host.logs and host.logs.fetched),
        logs=logs,
    )


def build_hosts(
    snapshot: Snapshot, findings: list[Finding], outcomes: list[CheckOutcome], customer: str, zone: ZoneInfo
) -> list[ReportHost]:
    return [_host(h, findings, outcomes, zone) for h in snapshot.hosts if h.customer == customer]
