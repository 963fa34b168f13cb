"""Hand-built log analyses for report tests: what the log engine would hand over, without the engine.

``analysis(minutes, nodes)`` is a realistic day (by default) of three nodes of Jira with Confluence
beside it: every part of LogAnalysis filled, seeded so the numbers are always the same. The report
builds from the model alone, so these are built from the model alone too.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from collectors.logs.model import (
    AccessMinute,
    AccessSummary,
    AuthBurst,
    AuthFailures,
    EndpointStats,
    ExceptionGroup,
    FileProblem,
    GcMinute,
    GcPause,
    GcSummary,
    HeapPoint,
    LevelMinute,
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
from collectors.model import Snapshot
from tests.reports import estate

START = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)  # a day that ends just before the report's run
NODES = ("node1", "node2", "node3")
POOL_LINE = (
    "2025-03-03 14:02:11,123+0000 http-nio-8080-exec-12 ERROR admin 842x1x1 - /rest/api/2/search "
    "[c.a.jira.ofbiz.ConnectionPoolHealthSqlInterceptor] Connection pool is exhausted: "
    "Timeout waiting for idle object"
)
KB_POOL = "https://confluence.atlassian.com/jirakb/connection-pool-exhausted-1234.html"


def _at(minute: int) -> datetime:
    return START + timedelta(minutes=minute)


def _levels(rng: random.Random, minutes: int) -> list[LevelMinute]:
    rows = []
    for m in range(minutes):
        total = 180 + (120 if 480 <= m % 1440 < 1080 else 0) + rng.randint(0, 60)  # busier by day
        error = rng.randint(0, 4) + (60 if 120 <= m < 135 else 0)
        warn = rng.randint(5, 25)
        rows.append(
            LevelMinute(at=_at(m), total=total + error, warn=warn, error=error, fatal=1 if m == 125 else 0)
        )
    return rows


def _gc(rng: random.Random, minutes: int, nodes: tuple[str, ...]) -> list[GcSummary]:
    summaries = []
    for index, node in enumerate(nodes):
        per_minute, heap = [], []
        total_ms = 0.0
        for m in range(minutes):
            pauses = rng.randint(1, 6)
            pause_ms = sum(rng.uniform(5, 60) for _ in range(pauses)) + (
                3200.0 if m == 125 and index == 0 else 0
            )
            total_ms += pause_ms
            per_minute.append(
                GcMinute(
                    at=_at(m), pauses=pauses, pause_ms=round(pause_ms, 1), share=round(pause_ms / 60_000, 5)
                )
            )
        step = max(1, minutes // 300)  # the engine downsamples heap points to a few hundred
        for m in range(0, minutes, step):
            floor = 2000 + (0.5 * m if index == 2 else 0)
            heap.append(HeapPoint(at=_at(m), after_mb=round(floor + rng.uniform(0, 400), 1), total_mb=8192))
        summaries.append(
            GcSummary(
                node=node,
                files=[f"{node}.zip!gc/gc.log.0.current"],
                format="unified",
                collector="G1",
                pauses=sum(p.pauses for p in per_minute),
                full_gcs=1 if index == 0 else 0,
                p50_ms=18.5,
                p95_ms=55.0,
                max_ms=3200.0 if index == 0 else 61.0,
                total_pause_s=round(total_ms / 1000, 3),
                span_s=minutes * 60.0,
                overhead=round(total_ms / (minutes * 60_000), 5),
                longest=[
                    GcPause(at=_at(125), pause_ms=3200.0, kind="Pause Full (G1 Compaction Pause)", full=True)
                ]
                if index == 0
                else [],
                per_minute=per_minute,
                heap_after=heap,
                heap_floor_slope_mb_per_h=30.0 if index == 2 else 0.4,
                safepoints=6100 if index == 0 else 0,
                safepoint_total_s=171.5 if index == 0 else 0.0,
                safepoint_max_ms=3210.0 if index == 0 else None,
            )
        )
    return summaries


def _access(rng: random.Random, minutes: int, product: str, nodes: list[str], scale: int) -> AccessSummary:
    per_minute = []
    for m in range(minutes):
        if product == "confluence" and 600 <= m < 610:
            continue  # no traffic at all for ten minutes: the chart must show zero, not interpolate
        requests = scale + rng.randint(0, scale // 2)
        failed = rng.randint(0, 2) + (requests // 3 if 120 <= m < 135 else 0)
        p50 = rng.uniform(40, 90)
        per_minute.append(
            AccessMinute(
                at=_at(m),
                requests=requests,
                status_4xx=rng.randint(0, 10),
                status_5xx=failed,
                p50_ms=round(p50, 1),
                p95_ms=round(p50 * 6, 1),
                p99_ms=round(p50 * (40 if 120 <= m < 135 else 15), 1),
            )
        )
    requests = sum(m.requests for m in per_minute)
    return AccessSummary(
        product=product,
        nodes=nodes,
        requests=requests,
        status_4xx=sum(m.status_4xx for m in per_minute),
        status_5xx=sum(m.status_5xx for m in per_minute),
        p50_ms=62.0,
        p95_ms=380.0,
        p99_ms=1450.0,
        per_minute=per_minute,
        slowest_endpoints=[
            EndpointStats(
                method="GET",
                endpoint="/rest/api/2/search",
                count=5200,
                mean_ms=820.0,
                p95_ms=4100.0,
                max_ms=29000.0,
                errors_5xx=310,
            ),
            EndpointStats(
                method="GET",
                endpoint="/browse/{key}",
                count=88000,
                mean_ms=140.0,
                p95_ms=610.0,
                max_ms=9000.0,
                errors_5xx=12,
            ),
        ],
        busiest_endpoints=[
            EndpointStats(
                method="GET",
                endpoint="/browse/{key}",
                count=88000,
                mean_ms=140.0,
                p95_ms=610.0,
                max_ms=9000.0,
                errors_5xx=12,
            ),
        ],
        top_users=[
            Talker(name="svc-integration", requests=41000, total_ms=9.1e6, errors_5xx=40),
            Talker(name="alice", requests=3100, total_ms=4.0e5),
        ],
        top_clients=[Talker(name="10.0.4.20", requests=41000, total_ms=9.1e6, errors_5xx=40)],
        notes=[],
    )


def _security(minutes: int) -> SecuritySummary:
    per_minute = [
        MinuteCount(at=_at(m), count=2 + (25 if 300 <= m < 310 else 0)) for m in range(0, minutes, 3)
    ]
    return SecuritySummary(
        failed=sum(m.count for m in per_minute),
        passed=5400,
        per_minute_failed=per_minute,
        by_user=[
            AuthFailures(
                name="svc-backup",
                failed=480,
                passed=0,
                first_at=_at(0),
                last_at=_at(minutes - 1),
                others=["10.0.9.9"],
            )
        ],
        by_address=[
            AuthFailures(
                name="203.0.113.7",
                failed=250,
                first_at=_at(300),
                last_at=_at(309),
                others=["admin", "root", "jira"],
            )
        ],
        bursts=[
            AuthBurst(
                kind="brute-force",
                subject="203.0.113.7",
                start=_at(300),
                end=_at(309),
                failures=250,
                users=["admin", "root", "jira"],
                addresses=["203.0.113.7"],
                nodes=["node1"],
            ),
            AuthBurst(
                kind="stale-password",
                subject="svc-backup",
                start=_at(0),
                end=_at(minutes - 1),
                failures=480,
                users=["svc-backup"],
                addresses=["10.0.9.9"],
                nodes=list(NODES),
            ),
        ],
    )


def analysis(
    minutes: int = 1440, nodes: tuple[str, ...] = NODES, customer: str = estate.CUSTOMER, seed: int = 5
) -> LogAnalysis:
    rng = random.Random(seed)
    files = [
        LogFileSummary(
            path=f"{node}.zip!application-logs/atlassian-jira.log",
            node=node,
            kind=LogKind.JIRA_APP,
            size_bytes=250_000_000,
            lines=1_900_000,
            events=1_200_000,
            unparsed_lines=12,
            first_at=_at(0),
            last_at=_at(minutes - 1),
        )
        for node in nodes
    ]
    files.append(
        LogFileSummary(
            path=f"{nodes[0]}.zip!application-logs/atlassian-jira.log.3.gz",
            node=nodes[0],
            kind=LogKind.JIRA_APP,
            size_bytes=1_048_576,
            lines=8000,
            events=7000,
            problem=FileProblem.TRUNCATED,
            problem_detail="the gzip stream ends early; the first 1.0 MiB was read",
        )
    )
    pool = SignatureHit(
        signature="jira.db.pool-exhausted",
        count=642,
        title="Database connection pool exhausted",
        severity="critical",
        cause="database",
        explanation="Every pooled connection was in use.",
        recommendation="Raise pool-max-size in dbconfig.xml.",
        kb=KB_POOL,
        first_at=_at(120),
        last_at=_at(134),
        nodes=list(nodes[:2]),
        files=[files[0].path, files[1].path],
        samples=[LogSample(at=_at(122), node=nodes[0], file=files[0].path, text=POOL_LINE)],
        per_minute=[MinuteCount(at=_at(m), count=42) for m in range(120, 135)],
    )
    slow = SignatureHit(
        signature="jira.index.slow-replication",
        count=3,
        title="Index replication is slow",
        severity="warning",
        cause="index",
        first_at=_at(700),
        last_at=_at(900),
        nodes=[nodes[-1]],
        files=[files[-2].path],
        samples=[
            LogSample(
                at=_at(700),
                node=nodes[-1],
                file=files[-2].path,
                text="WARN Index replication is behind by 120 seconds",
            )
        ],
        per_minute=[MinuteCount(at=_at(700), count=3)],
    )
    return LogAnalysis(
        customer=customer,
        since=None,
        until=None,
        first_at=_at(0),
        last_at=_at(minutes - 1),
        bucket_s=60,
        engine="hyperscan",
        bytes_read=sum(f.size_bytes for f in files),
        elapsed_s=3.2,
        files=files,
        nodes=list(nodes),
        signatures=[slow, pool],
        levels=_levels(rng, minutes),
        exceptions=[
            ExceptionGroup(
                root_cause="java.sql.SQLTransientConnectionException",
                count=642,
                first_at=_at(120),
                last_at=_at(134),
                nodes=list(nodes[:2]),
                thrown_as=["com.atlassian.jira.exception.DataAccessException"],
                sample="Caused by: java.sql.SQLTransientConnectionException: pool timeout",
            ),
            ExceptionGroup(
                root_cause="java.net.SocketTimeoutException",
                count=17,
                first_at=_at(40),
                last_at=_at(1000),
                nodes=[nodes[-1]],
                thrown_as=["java.io.IOException"],
            ),
        ],
        restarts=[
            RestartEvent(
                at=_at(140), node=nodes[0], signature="jira.startup", text="Starting the JIRA application"
            ),
            RestartEvent(
                at=_at(136),
                node=nodes[0],
                signature="jira.shutdown",
                text="Shutting down the JIRA application",
            ),
        ],
        gc=_gc(rng, minutes, nodes),
        access=[
            _access(rng, minutes, "jira", list(nodes), 400),
            _access(rng, minutes, "confluence", [nodes[0]], 90),
        ],
        security=_security(minutes),
        limits_hit=[
            "node2.zip!application-logs/atlassian-jira.log: 10 000 distinct users seen; "
            "user counts beyond the first are approximate"
        ],
    )


def snapshot(logs: LogAnalysis | None = None) -> Snapshot:
    """The report estate's run with ``logs`` (a realistic day by default) for the report's customer."""
    return estate.snapshot().model_copy(update={"logs": [logs if logs is not None else analysis()]})


SCRIPT = "<script>alert(1)</script>"


def hostile() -> LogAnalysis:
    """A short analysis whose every free text tries to inject markup into the report."""
    base = analysis(minutes=30, nodes=("node1", f"n|2 {SCRIPT}"))
    hit = base.signatures[1].model_copy(
        update={
            "title": f"Pool | exhausted {SCRIPT}",
            "kb": "javascript:alert(1)",
            "samples": [
                LogSample(at=_at(3), node="node1", file="a.log", text=f"ERROR user={SCRIPT} | `x` *y*")
            ],
        }
    )
    access = base.access[0].model_copy(
        update={
            "top_users": [Talker(name=f"{SCRIPT}|evil", requests=5)],
            "slowest_endpoints": [
                EndpointStats(method="GET", endpoint=f"/x/{SCRIPT}", count=1, mean_ms=1.0, max_ms=1.0)
            ],
        }
    )
    return base.model_copy(
        update={
            "signatures": [hit],
            "access": [access],
            "restarts": [RestartEvent(at=_at(5), node="node1", signature="jira.startup", text=SCRIPT)],
            "exceptions": [ExceptionGroup(root_cause=f"x.Y{SCRIPT}", count=1, sample=SCRIPT)],
        }
    )
