"""Log analyses for logs-check tests: healthy by default, so a test states only what matters.

``analysis()`` is four hours of a two-node Jira Data Center's logs (06:00 to 10:00 UTC, ending at
the check factory's ``NOW``): application, access, security and GC logs on both nodes, all read
whole; short GC pauses and a flat heap floor; few 5xx and quick answers; a dozen scattered failed
logins; no signature matched and no restart. Keyword arguments replace whole LogAnalysis fields; the
small builders below make the parts.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from atlas_health.testing.instances import CUSTOMER, NOW
from checks.base import LogsCheck
from checks.context import LogsContext
from checks.finding import Finding
from checks.metadata import Threshold
from collectors.hosts.model import HostSnapshot
from collectors.logs.model import (
    AccessMinute,
    AccessSummary,
    AuthBurst,
    AuthFailures,
    EndpointStats,
    GcMinute,
    GcPause,
    GcSummary,
    HeapPoint,
    LogAnalysis,
    LogFileSummary,
    LogKind,
    LogSample,
    MinuteCount,
    RestartEvent,
    SecuritySummary,
    SignatureHit,
    Talker,
)
from collectors.model import InstanceSnapshot, Snapshot

START = NOW - timedelta(hours=4)
HOURS = 4
NODES = ("node1", "node2")


def at(minutes: float) -> datetime:
    """A moment ``minutes`` after the start of the logs."""
    return START + timedelta(minutes=minutes)


def log_file(
    path: str, node: str = "node1", kind: LogKind = LogKind.JIRA_APP, **overrides: Any
) -> LogFileSummary:
    values: dict[str, Any] = {
        "size_bytes": 50_000_000,
        "lines": 200_000,
        "events": 150_000,
        "unparsed_lines": 0,
        "first_at": START,
        "last_at": NOW - timedelta(minutes=1),
    }
    values.update(overrides)
    return LogFileSummary(path=path, node=node, kind=kind, **values)


def default_files() -> list[LogFileSummary]:
    files = []
    for node in NODES:
        files += [
            log_file(f"{node}.zip!application-logs/atlassian-jira.log", node),
            log_file(
                f"{node}.zip!application-logs/atlassian-jira-security.log",
                node,
                LogKind.JIRA_SECURITY,
                lines=300,
                events=300,
                size_bytes=60_000,
            ),
            log_file(f"{node}.zip!tomcat-logs/catalina.out", node, LogKind.CATALINA, lines=2_000, events=500),
            log_file(
                f"{node}.zip!tomcat-logs/access_log.2026-11-26",
                node,
                LogKind.JIRA_ACCESS,
                lines=50_000,
                events=50_000,
            ),
            log_file(
                f"{node}.zip!application-logs/atlassian-jira-gc-2026-11-26.log",
                node,
                LogKind.GC_UNIFIED,
                lines=6_000,
                events=1_200,
                size_bytes=900_000,
            ),
        ]
    return files


def pause(
    ms: float,
    minutes: float = 60.0,
    kind: str = "Pause Young (Normal) (G1 Evacuation Pause)",
    full: bool = False,
) -> GcPause:
    return GcPause(at=at(minutes), pause_ms=ms, kind=kind, full=full)


def gc_minutes(share: float = 0.004, **spikes: float) -> list[GcMinute]:
    """One bucket per minute over the four hours; ``spikes`` maps "m<minute>" to that bucket's share."""
    found = []
    for minute in range(HOURS * 60):
        value = spikes.get(f"m{minute}", share)
        found.append(GcMinute(at=at(minute), pauses=5, pause_ms=value * 60_000, share=value))
    return found


def heap_points(
    floor_mb: float = 2000.0, slope_mb_per_h: float = 0.0, total_mb: float = 8192.0
) -> list[HeapPoint]:
    """A point every 10 minutes; every third one is a floor, the others carry garbage above it."""
    points = []
    for index in range(HOURS * 6 + 1):
        hours = index / 6
        garbage = 0.0 if index % 3 == 0 else 1500.0
        points.append(
            HeapPoint(
                at=at(index * 10), after_mb=floor_mb + slope_mb_per_h * hours + garbage, total_mb=total_mb
            )
        )
    return points


def gc_summary(node: str = "node1", **overrides: Any) -> GcSummary:
    values: dict[str, Any] = {
        "files": [f"{node}.zip!application-logs/atlassian-jira-gc-2026-11-26.log"],
        "format": "unified",
        "collector": "G1",
        "pauses": 1_200,
        "full_gcs": 0,
        "p50_ms": 25.0,
        "p95_ms": 120.0,
        "max_ms": 400.0,
        "total_pause_s": 57.6,
        "span_s": HOURS * 3600.0,
        "overhead": 57.6 / (HOURS * 3600.0),
        "longest": [pause(400.0 - 20 * i, 15.0 + 20 * i) for i in range(10)],
        "per_minute": gc_minutes(),
        "heap_after": heap_points(),
        "heap_floor_slope_mb_per_h": 1.5,
    }
    values.update(overrides)
    return GcSummary(node=node, **values)


def access_minutes(
    requests: int = 400, status_5xx: int = 0, p95_ms: float = 900.0, **spikes: dict[str, Any]
) -> list[AccessMinute]:
    """One bucket per minute over the four hours; ``spikes`` maps "m<minute>" to that bucket's fields."""
    found = []
    for minute in range(HOURS * 60):
        values: dict[str, Any] = {
            "requests": requests,
            "status_4xx": 4,
            "status_5xx": status_5xx,
            "p50_ms": 80.0,
            "p95_ms": p95_ms,
            "p99_ms": 2_500.0,
        }
        values.update(spikes.get(f"m{minute}", {}))
        found.append(AccessMinute(at=at(minute), **values))
    return found


def endpoint(path: str, method: str = "GET", **overrides: Any) -> EndpointStats:
    values: dict[str, Any] = {
        "count": 5_000,
        "mean_ms": 150.0,
        "p95_ms": 900.0,
        "max_ms": 4_000.0,
        "errors_5xx": 0,
    }
    values.update(overrides)
    return EndpointStats(method=method, endpoint=path, **values)


def access_summary(**overrides: Any) -> AccessSummary:
    values: dict[str, Any] = {
        "product": "jira",
        "nodes": list(NODES),
        "requests": 96_000,
        "status_4xx": 960,
        "status_5xx": 12,
        "p50_ms": 80.0,
        "p95_ms": 900.0,
        "p99_ms": 2_500.0,
        "per_minute": access_minutes(),
        "slowest_endpoints": [
            endpoint("/rest/api/2/search", "POST", p95_ms=1_800.0, count=3_000),
            endpoint("/browse/{key}", p95_ms=1_200.0, count=20_000),
        ],
        "busiest_endpoints": [
            endpoint("/browse/{key}", p95_ms=1_200.0, count=20_000),
            endpoint("/rest/api/2/issue/{id}", p95_ms=300.0, count=15_000),
        ],
        "top_users": [Talker(name="alice", requests=9_000, total_ms=1.2e6)],
        "top_clients": [Talker(name="10.0.0.50", requests=30_000, total_ms=4e6)],
    }
    values.update(overrides)
    return AccessSummary(**values)


def failures(name: str, failed: int, passed: int = 0, **overrides: Any) -> AuthFailures:
    values: dict[str, Any] = {"first_at": at(10), "last_at": at(200)}
    values.update(overrides)
    return AuthFailures(name=name, failed=failed, passed=passed, **values)


def burst(kind: str = "brute-force", subject: str = "203.0.113.9", **overrides: Any) -> AuthBurst:
    values: dict[str, Any] = {
        "start": at(120),
        "end": at(124),
        "failures": 40,
        "users": ["admin", "root", "jira", "test"] if kind == "brute-force" else [subject],
        "addresses": [subject] if kind == "brute-force" else ["10.0.0.77"],
        "nodes": ["node1"],
    }
    values.update(overrides)
    return AuthBurst(kind=kind, subject=subject, **values)


def security(**overrides: Any) -> SecuritySummary:
    values: dict[str, Any] = {
        "failed": 12,
        "passed": 480,
        "per_minute_failed": [MinuteCount(at=at(30 * i), count=1) for i in range(8)],
        "by_user": [failures("bob", 3, 40)],
        "by_address": [failures("10.0.0.23", 3, 120)],
        "bursts": [],
    }
    values.update(overrides)
    return SecuritySummary(**values)


def hit(signature: str = "jira-oom-heap", **overrides: Any) -> SignatureHit:
    values: dict[str, Any] = {
        "count": 3,
        "title": "Java heap space exhausted",
        "severity": "critical",
        "cause": "memory",
        "explanation": "The heap was too small for the load or something leaks; the JVM is unreliable now.",
        "recommendation": "Restart the node, then size the heap and look for a leak.",
        "kb": "https://confluence.atlassian.com/jirakb/jira-server-crashes-with-outofmemory-java-heap-space-error-191069.html",
        "first_at": at(100),
        "last_at": at(102),
        "nodes": ["node1"],
        "files": ["node1.zip!application-logs/atlassian-jira.log"],
        "samples": [
            LogSample(
                at=at(100),
                node="node1",
                file="node1.zip!application-logs/atlassian-jira.log",
                text="2026-11-26 07:40:00,000+0000 http-nio-8080-exec-18 ERROR alice 460x1x1 - "
                "10.0.0.5 /browse/ABC-1 [c.a.velocity.DefaultVelocityManager] "
                "java.lang.OutOfMemoryError: Java heap space",
            )
        ],
        "per_minute": [MinuteCount(at=at(100), count=2), MinuteCount(at=at(102), count=1)],
    }
    values.update(overrides)
    return SignatureHit(signature=signature, **values)


def restart(
    node: str, minutes: float, signature: str = "jira-starting", text: str | None = None
) -> RestartEvent:
    return RestartEvent(
        at=at(minutes),
        node=node,
        signature=signature,
        text=text or "[c.a.jira.startup.JiraStartupLogger] Starting Jira",
    )


def analysis(**overrides: Any) -> LogAnalysis:
    """A healthy analysis; ``overrides`` replace whole LogAnalysis fields."""
    values: dict[str, Any] = {
        "customer": CUSTOMER,
        "since": None,
        "until": None,
        "first_at": START,
        "last_at": NOW - timedelta(minutes=1),
        "bucket_s": 60,
        "engine": "re",
        "bytes_read": 250_000_000,
        "elapsed_s": 1.5,
        "files": default_files(),
        "nodes": list(NODES),
        "gc": [gc_summary(node) for node in NODES],
        "access": [access_summary()],
        "security": security(),
    }
    values.update(overrides)
    return LogAnalysis(**values)


def logs_snapshot(
    *analyses: LogAnalysis, instances: tuple[InstanceSnapshot, ...] = (), hosts: tuple[HostSnapshot, ...] = ()
) -> Snapshot:
    return Snapshot(
        tool_version="test",
        started_at=NOW,
        finished_at=NOW + timedelta(seconds=5),
        instances=list(instances),
        hosts=list(hosts),
        logs=list(analyses),
    )


def run_logs_check(cls: type[LogsCheck], logs: LogAnalysis, **thresholds: Threshold) -> list[Finding]:
    """Run one logs check on one analysis, the way the runner does, minus budgets and skipping."""
    ctx = LogsContext(meta=cls.meta, logs=logs, thresholds=thresholds)
    return list(cls().run(ctx))
