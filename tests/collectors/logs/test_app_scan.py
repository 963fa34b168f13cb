"""The application-log scanner: levels per minute, signatures on continuation lines, exceptions, windows.

Every result is compared with a slow, obvious line-by-line reading of the same text, and run with
Hyperscan and with Python's re, which must agree.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone

import pytest

from collectors.logs.app_scan import AppAccumulator, ChunkScanner
from collectors.logs.context import FileContext
from collectors.logs.matcher import hyperscan
from collectors.logs.model import LogKind
from collectors.logs.patterns import ScanPattern
from collectors.logs.timestamps import MinuteClock

PATTERNS = [
    ScanPattern(
        "db.hikari", r"Connection is not available, request timed out after [0-9]+ms", ("application",)
    ),
    ScanPattern("jvm.heap", r"java\.lang\.OutOfMemoryError: Java heap space", ("application", "catalina")),
    ScanPattern("stuck", r"has been active for [0-9,]+ milliseconds .* and may be stuck", ("catalina",)),
    ScanPattern("jira.start", r"JIRA starting\.\.\.", ("application",), products=("jira",), restart=True),
    ScanPattern(
        "confluence.only", r"Confluence is ready to serve", ("application",), products=("confluence",)
    ),
]
ENGINES = [False, True] if hyperscan is not None else [False]
T0 = datetime(2024, 5, 1, 10, 0, tzinfo=UTC).timestamp()


def _stamp(at: float, offset: str = "+0000") -> str:
    sign = -1 if offset[0] == "-" else 1
    zone = timezone(sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[3:5])))
    moment = datetime.fromtimestamp(at, zone)
    return f"{moment:%Y-%m-%d %H:%M:%S},{moment.microsecond // 1000:03d}{offset}"


def _jira(
    at: float, level: str, text: str, thread: str = "http-nio-8080-exec-5 url: /browse/ABC-1; user: bob"
) -> str:
    return (
        f"{_stamp(at)} {thread} {level:<5} bob 600x1x2 1abc 10.0.0.1 /browse/ABC-1 [c.a.jira.Thing] {text}\n"
    )


def _scan(
    text: str,
    kind: LogKind = LogKind.JIRA_APP,
    use_hs: bool = True,
    since: float | None = None,
    until: float | None = None,
    chunks: int = 1,
) -> AppAccumulator:
    scanner = ChunkScanner(PATTERNS, MinuteClock(UTC), use_hyperscan=use_hs)
    acc = AppAccumulator()
    ctx = FileContext("node1/atlassian-jira.log", "node1", kind, UTC, since, until)
    data = text.encode()
    if chunks == 1:
        scanner.scan(data, ctx, acc)
        return acc
    cuts = sorted(m.start() for m in re.finditer(rb"^20\d\d-", data, re.M))[1:]
    picked = sorted(random.Random(chunks).sample(cuts, min(chunks - 1, len(cuts))))
    for a, b in zip([0, *picked], [*picked, len(data)], strict=True):
        part = ChunkScanner(PATTERNS, MinuteClock(UTC), use_hyperscan=use_hs)
        other = AppAccumulator()
        part.scan(data[a:b], ctx, other)
        acc.merge(other)
    return acc


def _random_log(seed: int, events: int = 3000) -> tuple[str, Counter[tuple[int, str]]]:
    rng = random.Random(seed)
    out, expected = [], Counter()
    at = T0
    for _ in range(events):
        at += rng.expovariate(1 / 0.7)
        if rng.random() < 0.03:
            at -= 0.05  # threads stamp before they queue: small steps back happen
        level = rng.choice(("INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR", "FATAL"))
        thread = rng.choice(
            ("Caesium-1-3", "ThreadPoolAsyncTaskExecutor::Thread 6", "http-nio-8080-exec-9 url: /x; user: y")
        )
        text = rng.choice(("all good", "saw ERROR in a payload", "WARN: a word in the message", "done"))
        out.append(_jira(at, level, text, thread))
        minute = int(at // 60) * 60
        expected[(minute, "total")] += 1
        if level in ("WARN", "ERROR", "FATAL"):
            expected[(minute, level)] += 1
        if rng.random() < 0.05:
            out.append("java.lang.IllegalStateException: boom\n\tat a.b.C.d(C.java:1)\n")
    return "".join(out), expected


def _levels(acc: AppAccumulator) -> Counter[tuple[int, str]]:
    found: Counter[tuple[int, str]] = Counter()
    for minute, (total, warn, error, fatal) in acc.levels.items():
        for name, n in (("total", total), ("WARN", warn), ("ERROR", error), ("FATAL", fatal)):
            if n:
                found[(minute, name)] = n
    return found


@pytest.mark.parametrize("use_hs", ENGINES)
@pytest.mark.parametrize("seed", [1, 2])
def test_levels_per_minute_match_a_line_by_line_count(use_hs: bool, seed: int) -> None:
    text, expected = _random_log(seed)
    found = _levels(_scan(text, use_hs=use_hs))
    # A step back across a minute's edge may move an event to its neighbour minute; nothing is lost.
    assert sum(v for (_, k), v in found.items() if k == "total") == sum(
        v for (_, k), v in expected.items() if k == "total"
    )
    for level in ("WARN", "ERROR", "FATAL"):
        assert sum(v for (_, k), v in found.items() if k == level) == sum(
            v for (_, k), v in expected.items() if k == level
        )
    differing = [key for key in expected if abs(found[key] - expected[key]) > 1]
    assert len(differing) <= len(expected) * 0.05


@pytest.mark.parametrize("use_hs", ENGINES)
def test_chunked_scanning_gives_the_same_levels(use_hs: bool) -> None:
    text, _ = _random_log(5)
    assert _levels(_scan(text, use_hs=use_hs, chunks=7)) == _levels(_scan(text, use_hs=use_hs))


@pytest.mark.parametrize("use_hs", ENGINES)
def test_a_signature_on_a_continuation_line_belongs_to_the_event_that_opened_it(use_hs: bool) -> None:
    text = (
        _jira(T0, "INFO", "before")
        + _jira(T0 + 65, "ERROR", "Could not get a connection")
        + "org.ofbiz.core.entity.GenericEntityException: Unable to establish a connection\n"
        + "\tat org.ofbiz.core.entity.jdbc.ConnectionFactory.getConnection(ConnectionFactory.java:71)\n"
        + "Caused by: java.sql.SQLTransientConnectionException: jira - Connection is not available, request timed out after 30000ms.\n"
        + "\tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:696)\n"
        + _jira(T0 + 130, "INFO", "after")
    )
    acc = _scan(text, use_hs=use_hs)
    hit = acc.hits["db.hikari"]
    assert hit.count == 1 and hit.first == T0 + 65 and hit.nodes == {"node1"}
    (sample,) = hit.samples
    assert sample[3].splitlines()[0].endswith("Could not get a connection")
    assert "Connection is not available" in sample[3].splitlines()[1]
    (root,) = acc.exceptions
    assert root == "java.sql.SQLTransientConnectionException"
    assert acc.exceptions[root].thrown_as == {"org.ofbiz.core.entity.GenericEntityException": 1}


@pytest.mark.parametrize("use_hs", ENGINES)
def test_offsets_are_converted_to_utc(use_hs: bool) -> None:
    line = f"{_stamp(T0, '+0200')} main ERROR      [c.a.X] java.lang.OutOfMemoryError: Java heap space\n"
    acc = _scan(line, use_hs=use_hs)
    assert acc.hits["jvm.heap"].first == T0
    assert acc.levels == {T0: [1, 0, 1, 0]}


@pytest.mark.parametrize("use_hs", ENGINES)
def test_the_window_keeps_only_events_inside_it(use_hs: bool) -> None:
    text = "".join(
        _jira(T0 + i * 60, "ERROR", "java.lang.OutOfMemoryError: Java heap space") for i in range(10)
    )
    acc = _scan(text, use_hs=use_hs, since=T0 + 120, until=T0 + 300)
    assert acc.hits["jvm.heap"].count == 3
    assert sorted(acc.levels) == [T0 + 120, T0 + 180, T0 + 240]


@pytest.mark.parametrize("use_hs", ENGINES)
def test_signatures_apply_to_their_products_and_files_only(use_hs: bool) -> None:
    text = _jira(T0, "INFO", "Confluence is ready to serve") + _jira(T0 + 1, "INFO", "JIRA starting...")
    acc = _scan(text, use_hs=use_hs)
    assert set(acc.hits) == {"jira.start"}
    assert acc.restarts[0][1:3] == ("node1", "jira.start")
    catalina = _scan(
        "01-May-2024 10:30:00.000 WARNING [ContainerBackgroundProcessor[StandardEngine[Catalina]]] "
        'org.apache.catalina.valves.StuckThreadDetectionValve.notifyStuckThreadDetected Thread "http-nio-8080-exec-147" '
        "(id=5169) has been active for 63,774 milliseconds (since 11/6/18 7:42 PM) to serve the same request for "
        "https://x/rest and may be stuck (configured threshold is 60 seconds).\n",
        kind=LogKind.CATALINA,
        use_hs=use_hs,
    )
    assert catalina.hits["stuck"].first == datetime(2024, 5, 1, 10, 30, tzinfo=UTC).timestamp()


def test_samples_are_redacted() -> None:
    text = _jira(
        T0,
        "ERROR",
        "java.lang.OutOfMemoryError: Java heap space while calling https://svc:hunter2@db.example.com/x?password=s3cret",
    )
    sample = _scan(text).hits["jvm.heap"].samples[0][3]
    assert "hunter2" not in sample and "s3cret" not in sample


@pytest.mark.parametrize("use_hs", ENGINES)
def test_garbage_and_binary_lines_never_break_the_scan(use_hs: bool) -> None:
    text = (
        _jira(T0, "WARN", "ok")
        + "\x00\x01\x02 garbage \xff\n" * 5
        + "2024-13-45 99:99:99,999 nonsense\n"
        + _jira(T0 + 1, "ERROR", "ok")
    )
    acc = _scan(text, use_hs=use_hs)
    assert acc.levels[T0][1:] == [1, 1, 0]


@pytest.mark.parametrize("use_hs", ENGINES)
def test_an_impossible_date_on_a_signature_line_is_not_a_crash(use_hs: bool) -> None:
    text = "2024-13-45 99:99:99,999+0000 main ERROR [c.a.X] java.lang.OutOfMemoryError: Java heap space\n"
    acc = _scan(text, use_hs=use_hs)
    assert acc.hits["jvm.heap"].count == 1 and acc.hits["jvm.heap"].first is None


# Reference section 5: each product's application log layout, with the knowledge base's own entries.
PRODUCT_LINES = [
    (
        LogKind.CONFLUENCE_APP,
        "2022-07-12 01:08:59,489 INFO [Catalina-utility-1] [confluence.cluster.hazelcast.HazelcastClusterManager] "
        "startCluster Starting the cluster.\n"
        "2022-07-12 01:09:02,100 ERROR [http-nio-8090-exec-3 url: /wiki/display/X; user: bob] "
        "[confluence.core.ConfluenceActionSupport] execute Something failed\n",
        {"total": 2, "error": 1},
        None,
    ),
    (
        LogKind.BITBUCKET_APP,
        "2022-06-23 16:55:46,897 DEBUG [http-nio-8081-exec-5] @1S969HQx1015x832x0 rpyevr 127.0.0.1 "
        '"POST /j_atl_security_check HTTP/1.1" c.a.s.i.auth.DefaultCaptchaService user1: Cleared 5 failed '
        "authentication attempts after successful challenge\n"
        "2022-06-23 16:55:47,001 WARN  [http-nio-8081-exec-6] @1S969HQx1015x833x0 rpyevr 127.0.0.1 "
        '"GET /rest/api/latest/projects HTTP/1.1" c.a.s.i.r.RestResource slow\n',
        {"total": 2, "warn": 1},
        "auth.bitbucket.captcha_cleared",
    ),
    (
        LogKind.BAMBOO_APP,
        "2018-07-19 01:23:44,249 FATAL [scheduler_Worker-10] [AgentContext] Agent encountered a fatal error: "
        "'The last successful transmission was 11 minutes ago, the heartbeat timeout is 10 minutes, terminating "
        "agent'. Exiting.\njava.util.concurrent.TimeoutException\n\tat a.b.C.d(C.java:1)\n"
        "2023-12-15 08:16:31,968 DEBUG [https-jsse-nio-45927-exec-10 url: /userlogin.action] [BambooAuthenticator] "
        "User 'bamboo_user' with IP address: 192.168.56.1, 10.0.9.6 failed to log in.\n",
        {"total": 2, "fatal": 1},
        "bamboo.agent.heartbeat_timeout",
    ),
]


@pytest.mark.parametrize("use_hs", ENGINES)
@pytest.mark.parametrize(
    ("kind", "text", "levels", "signature"), PRODUCT_LINES, ids=lambda v: getattr(v, "value", None)
)
def test_every_products_layout_with_the_knowledge_base(use_hs, kind, text, levels, signature) -> None:
    from agent.signatures import load_signatures
    from checks.signatures.scan import to_scan_patterns

    scanner = ChunkScanner(to_scan_patterns(load_signatures(None)), MinuteClock(UTC), use_hyperscan=use_hs)
    acc = AppAccumulator()
    stats = scanner.scan(text.encode(), FileContext("f", "n1", kind, UTC), acc)
    rows = [0, 0, 0, 0]
    for row in acc.levels.values():
        rows = [a + b for a, b in zip(rows, row, strict=True)]
    found = {name: n for name, n in zip(("total", "warn", "error", "fatal"), rows, strict=True) if n}
    assert found == levels and stats.events == levels["total"]
    if signature is not None:
        assert signature in acc.hits
        if kind == LogKind.BAMBOO_APP:
            assert "auth.bamboo.failed_login" in acc.hits
            assert set(acc.exceptions) == {"java.util.concurrent.TimeoutException"}
