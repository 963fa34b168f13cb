"""The per-node series of the log analysis: what happened on each node, bucket by bucket.

A three-node estate is written line by line (the sandbox's realistic lines, with a database-pool storm
of different sizes on two nodes, 401s and anonymous 5xx in the access logs, and failed logins on every
node); each per-node figure of the analysis must equal the count taken straight from the lines written,
the nodes must add up to the all-node figures, and reading the files in small byte ranges must give the
same series as reading them whole.
"""

from __future__ import annotations

import random
import re
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

import pytest

from collectors.logs import engine
from collectors.logs.engine import analyze_logs
from collectors.logs.histogram import Histogram
from collectors.logs.model import LogAnalysis
from collectors.logs.patterns import ScanPattern
from collectors.logs.sources import discover
from sandbox import log_lines as lines

T0 = datetime(2024, 5, 1, 8, 0, tzinfo=UTC).timestamp()
NODES = ("node1", "node2", "node3")
HIKARI = "Connection is not available, request timed out after"
PATTERNS = [ScanPattern("db.hikari", HIKARI + r" [0-9]+ms", ("application",))]
STORMS = {"node1": 12, "node2": 45}  # database-pool errors per node; none on node3
ROOT = "java.sql.SQLTransientConnectionException"

_EVENT = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3})\+0000 .*? (INFO|WARN|ERROR|FATAL) ")
_ACCESS = re.compile(
    r'^(\S+) \S+ (\S+) \[(\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d) \+0000\] "[^"]*" (\d{3}) \d+ (\d+) '
)
_SECURITY = re.compile(
    r"^(\S+ \S+)\+0000 \S+ \S+ \S+ \S+ (\S+) \S+ The user '([^']*)' has (PASSED|FAILED) authentication"
)


def _storm_event(at: float, i: int) -> str:
    return (
        f"{lines.iso(at)} http-nio-8080-exec-{40 + i} url: /rest/api/2/search; user: bob ERROR bob 780x{i}x9 "
        "1abcq 10.0.1.9 /rest/api/2/search [c.a.jira.ofbiz.ConnectionPoolHealthSqlInterceptor] Could not get "
        "a database connection\n"
        "org.ofbiz.core.entity.GenericEntityException: Unable to esablish a connection with the database\n"
        "\tat org.ofbiz.core.entity.jdbc.ConnectionFactory.getConnection(ConnectionFactory.java:71)\n"
        f"Caused by: {ROOT}: jira - {HIKARI} 30000ms.\n"
        "\tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:696)\n"
    )


def _fatal(at: float) -> str:
    return f"{lines.iso(at)} main FATAL      [c.a.jira.startup.JiraStartupChecklist] Startup check failed\n"


def _access(rng: random.Random, at: float, i: int) -> str:
    """Mostly the sandbox's lines; every 9th an anonymous request, every 13th refused with a 401."""
    if i % 9 == 0:
        status = rng.choice((200, 500, 503))
        return (
            f'198.51.100.{i % 5} {i}x1x1 - [{lines.clf(at)}] "GET /rest/api/2/serverInfo HTTP/1.1" {status} '
            f'90 {rng.randint(1, 400)} "-" "curl/8.5.0" "-"\n'
        )
    if i % 13 == 0:
        return (
            f'10.0.7.{i % 7} {i}x2x1 - [{lines.clf(at)}] "POST /rest/auth/1/session HTTP/1.1" 401 120 '
            f'{rng.randint(5, 60)} "-" "python-requests/2.31" "-"\n'
        )
    return lines.access_line(rng, at, error_rate=0.03)


def _write_node(folder: Path, node: str, seed: int) -> None:
    rng = random.Random(seed)
    app: list[tuple[float, str]] = [(t, lines.app_line(rng, t, node)) for t in _times(rng, 2400, 7200)]
    storm_start = T0 + 3600 + 600 * NODES.index(node)
    app += [
        (storm_start + i * 11.5, _storm_event(storm_start + i * 11.5, i)) for i in range(STORMS.get(node, 0))
    ]
    app += [(T0 + 1800 + 60 * k + 7, _fatal(T0 + 1800 + 60 * k + 7)) for k in range(NODES.index(node) + 1)]
    (folder / "log").mkdir(parents=True)
    (folder / "logs").mkdir()
    (folder / "log" / "atlassian-jira.log").write_text("".join(text for _, text in sorted(app)))
    access = [_access(rng, t, i) for i, t in enumerate(_times(rng, 3000, 7200))]
    (folder / "logs" / "access_log.2024-05-01").write_text("".join(access))
    logins = []
    for i, t in enumerate(_times(rng, 300, 7200)):
        failed = i % 4 == 0 or (node == "node2" and 3000 < t - T0 < 3300)
        user = "svc-ci" if failed and i % 8 == 0 else lines.USERS[i % 8]
        logins.append(lines.security_line(t, user, f"10.0.2.{i % 6 + 1}", not failed))
    (folder / "log" / "atlassian-jira-security.log").write_text("".join(logins))


def _times(rng: random.Random, count: int, span: float) -> list[float]:
    step = span / count
    return [T0 + i * step + rng.random() * step * 0.9 for i in range(count)]


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("nodes")
    for seed, node in enumerate(NODES):
        _write_node(root / node, node, seed)
    return root


@pytest.fixture(scope="module")
def whole(estate: Path) -> LogAnalysis:
    return analyze_logs([estate], PATTERNS, customer="c", workers=1)


def _epoch(text: str) -> float:
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S,%f").replace(tzinfo=UTC).timestamp()


def _minute(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch // 60 * 60, UTC)


def _events(path: Path) -> list[tuple[float, str, str]]:
    """(time, level, the event's whole text) of every event of an application log, read plainly."""
    out: list[tuple[float, str, str]] = []
    for line in path.read_text().splitlines(keepends=True):
        match = _EVENT.match(line)
        if match:
            out.append((_epoch(match.group(1)), match.group(2), line))
        elif out:
            out[-1] = (out[-1][0], out[-1][1], out[-1][2] + line)
    return out


def test_each_nodes_levels_are_the_lines_of_its_log(estate: Path, whole: LogAnalysis) -> None:
    assert whole.bucket_s == 60
    found = {
        n.node: {(m.at, m.total, m.warn, m.error, m.fatal) for m in n.per_minute} for n in whole.node_levels
    }
    for node in NODES:
        counts: dict[datetime, Counter[str]] = defaultdict(Counter)
        for at, level, _ in _events(estate / node / "log" / "atlassian-jira.log"):
            counts[_minute(at)]["total"] += 1
            counts[_minute(at)][level] += 1
        expected = {(m, c["total"], c["WARN"], c["ERROR"], c["FATAL"]) for m, c in counts.items()}
        assert found[node] == expected
    assert sum(m.fatal for n in whole.node_levels for m in n.per_minute) == 1 + 2 + 3
    summed: dict[datetime, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for n in whole.node_levels:
        for m in n.per_minute:
            for i, count in enumerate((m.total, m.warn, m.error, m.fatal)):
                summed[m.at][i] += count
    assert {m.at: [m.total, m.warn, m.error, m.fatal] for m in whole.levels} == summed


def _by_node(counts: list) -> dict[str, tuple[int, datetime | None, datetime | None, dict[datetime, int]]]:
    return {c.node: (c.count, c.first_at, c.last_at, {m.at: m.count for m in c.per_minute}) for c in counts}


def _expected_hits(
    estate: Path, needle: str
) -> dict[str, tuple[int, datetime, datetime, dict[datetime, int]]]:
    out = {}
    for node in NODES:
        times = [
            at for at, _, text in _events(estate / node / "log" / "atlassian-jira.log") if needle in text
        ]
        if times:
            per_minute = Counter(_minute(at) for at in times)
            first, last = (datetime.fromtimestamp(t, UTC) for t in (min(times), max(times)))
            out[node] = (len(times), first, last, dict(per_minute))
    return out


def test_a_signature_and_an_exception_are_counted_node_by_node(estate: Path, whole: LogAnalysis) -> None:
    [hit] = [s for s in whole.signatures if s.signature == "db.hikari"]
    expected = _expected_hits(estate, HIKARI)
    assert set(expected) == {"node1", "node2"} and expected["node2"][0] == STORMS["node2"]
    assert _by_node(hit.by_node) == expected
    assert hit.count == sum(c.count for c in hit.by_node) == sum(STORMS.values())
    assert (hit.first_at, hit.last_at) == (expected["node1"][1], expected["node2"][2])
    [pool] = [e for e in whole.exceptions if e.root_cause == ROOT]
    assert _by_node(pool.by_node) == expected
    [missing] = [e for e in whole.exceptions if e.root_cause.endswith("IssueNotFoundException")]
    assert _by_node(missing.by_node) == _expected_hits(estate, "IssueNotFoundException")
    assert len(missing.by_node) == 3


def _percentiles(durations: list[int]) -> tuple[float | None, ...]:
    hist = Histogram()
    for ms in durations:
        hist.add(ms)
    return tuple(None if p is None else round(p, 1) for p in hist.percentiles(50, 95, 99))


def test_each_nodes_access_series_and_who_got_server_errors(estate: Path, whole: LogAnalysis) -> None:
    [jira] = whole.access or []
    found = {
        n.node: {
            m.at: (m.requests, m.status_4xx, m.status_5xx, m.status_401, m.p50_ms, m.p95_ms, m.p99_ms)
            for m in n.per_minute
        }
        for n in jira.per_node
    }
    errors: Counter[tuple[datetime, str, str]] = Counter()
    for node in NODES:
        rows: dict[datetime, list] = defaultdict(lambda: [0, 0, 0, 0, []])
        for line in (estate / node / "logs" / "access_log.2024-05-01").read_text().splitlines():
            match = _ACCESS.match(line)
            assert match, line
            address, user, stamp, status, ms = match.groups()
            at = datetime.strptime(stamp, "%d/%b/%Y:%H:%M:%S").replace(tzinfo=UTC, second=0)
            code = int(status)
            row = rows[at]
            row[0] += 1
            row[1] += 400 <= code < 500
            row[2] += code >= 500
            row[3] += code == 401
            row[4].append(int(ms))
            if code >= 500:
                errors[(at, address if user == "-" else user, node)] += 1
        expected = {at: (*row[:4], *_percentiles(row[4])) for at, row in rows.items()}
        assert found[node] == expected
    assert (
        sum(m.status_401 for m in jira.per_minute)
        == sum(v[3] for n in found.values() for v in n.values())
        > 0
    )
    assert {(e.at, e.user, e.node): e.errors for e in jira.error_users} == errors
    assert any(e.user.startswith("198.51.100.") for e in jira.error_users)  # anonymous: the client address
    assert jira.status_5xx == sum(errors.values())
    # the product-wide series is the nodes' added up, its percentiles from their histograms merged
    for minute in jira.per_minute:
        share = [n[minute.at] for n in found.values() if minute.at in n]
        assert minute.requests == sum(s[0] for s in share)
        assert minute.status_401 == sum(s[3] for s in share)


def test_each_nodes_logins_and_the_failure_cells(estate: Path, whole: LogAnalysis) -> None:
    security = whole.security
    assert security is not None
    cells: Counter[tuple[datetime, str, str, str]] = Counter()
    for node in NODES:
        logins: dict[datetime, list[int]] = defaultdict(lambda: [0, 0])
        for line in (estate / node / "log" / "atlassian-jira-security.log").read_text().splitlines():
            match = _SECURITY.match(line)
            assert match, line
            stamp, address, user, outcome = match.groups()
            at = _minute(_epoch(stamp))
            logins[at][0 if outcome == "FAILED" else 1] += 1
            if outcome == "FAILED":
                cells[(at, user, address, node)] += 1
        [mine] = [n for n in security.per_node if n.node == node]
        assert {m.at: [m.failed, m.passed] for m in mine.per_minute} == logins
    assert {(c.at, c.user, c.address, c.node): c.failed for c in security.cells} == cells
    assert security.failed == sum(cells.values())
    per_minute: Counter[datetime] = Counter()
    for (at, *_), n in cells.items():
        per_minute[at] += n
    assert {m.at: m.count for m in security.per_minute_failed if m.count} == per_minute


def _node_series(analysis: LogAnalysis) -> dict:
    data = analysis.model_dump(mode="json")
    security = data["security"]
    return {
        "node_levels": data["node_levels"],
        "signatures": [(s["signature"], s["by_node"]) for s in data["signatures"]],
        "exceptions": sorted((e["root_cause"], e["by_node"]) for e in data["exceptions"]),
        "access": [(a["per_node"], a["error_users"]) for a in data["access"]],
        "security": (security["per_node"], security["cells"]),
    }


def test_byte_ranges_give_the_same_node_series_as_whole_files(estate: Path, whole: LogAnalysis) -> None:
    tasks, _ = engine.plan(discover([estate]), range_bytes=16_000)
    assert {t.kind.family for t in tasks if t.start} == {"application", "access"}  # read in many ranges
    split = analyze_logs([estate], PATTERNS, customer="c", workers=1, range_bytes=16_000)
    assert _node_series(split) == _node_series(whole)
    assert len(split.node_levels) == 3 and split.levels == whole.levels


def test_a_wider_bucket_rolls_every_node_series_alike(tmp_path: Path) -> None:
    """Two days of logs: buckets of five minutes, each node's series rolled up the same way."""
    rng = random.Random(3)
    for node in ("node1", "node2"):
        (tmp_path / node / "log").mkdir(parents=True)
        events = [lines.app_line(rng, t, node) for t in _times(rng, 600, 2 * 86400)]
        (tmp_path / node / "log" / "atlassian-jira.log").write_text("".join(events))
    analysis = analyze_logs([tmp_path], PATTERNS, customer="c", workers=1)
    assert analysis.bucket_s == 300
    for n in analysis.node_levels:
        assert all(m.at.timestamp() % 300 == 0 for m in n.per_minute)
        expected = Counter(
            datetime.fromtimestamp(at // 300 * 300, UTC)
            for at, _, _ in _events(tmp_path / n.node / "log" / "atlassian-jira.log")
        )
        assert {m.at: m.total for m in n.per_minute} == expected
