"""The access-log accumulator as the engine uses it: chunks cut at any line end, files and nodes merged,
pickled between processes; and what its summaries say (series, percentiles, endpoints, talkers, notes)."""

from __future__ import annotations

import math
import pickle
import random
from datetime import UTC, datetime, timedelta, timezone

import pytest

from collectors.logs import access_aggregate, access_fold
from collectors.logs.access import SAMPLE_LINES, AccessAccumulator
from collectors.logs.context import ChunkStats, FileContext
from collectors.logs.model import AccessSummary, LogKind
from tests.collectors.logs.test_access_lines import (
    BITBUCKET,
    BITBUCKET_CLONE,
    BITBUCKET_IN,
    CONFLUENCE,
    CONFLUENCE_711,
    CONFLUENCE_HELM,
    CONFLUENCE_PLASO,
    JIRA,
    JIRA_KB,
    STASH_SSH,
)

START = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
STATIC = "/s/d41d8cd98f00b204e9800998ecf8427e-CDN/-1h7a9b/910000/1s3wq7r/9.12.0/_/download/batch/jira.webresources:global-static/jira.webresources:global-static.css"


def ctx(
    kind: LogKind = LogKind.JIRA_ACCESS,
    path: str = "access_log.2024-05-01",
    node: str = "node1",
    since: datetime | None = None,
    until: datetime | None = None,
) -> FileContext:
    return FileContext(
        path, node, kind, UTC, since.timestamp() if since else None, until.timestamp() if until else None
    )


def feed(
    acc: AccessAccumulator, data: bytes, context: FileContext, chunk_lines: int | None = None
) -> ChunkStats:
    """Feed ``data`` whole, or ``chunk_lines`` lines at a time, then end the file; the file's stats."""
    stats = ChunkStats()
    lines = data.splitlines(keepends=True)
    step = chunk_lines or len(lines) or 1
    for i in range(0, len(lines), step):
        stats.merge(acc.feed(b"".join(lines[i : i + step]), context))
    stats.merge(acc.end_file(context))
    return stats


def jira_line(
    at: datetime,
    path: str,
    status: int = 200,
    ms: int = 50,
    user: str = "jdoe",
    address: str = "10.0.0.1",
    method: str = "GET",
) -> bytes:
    return (
        f'{address} {at.hour * 60 + at.minute}x1x1 {user} [{at:%d/%b/%Y:%H:%M:%S %z}] "{method} {path} '
        f'HTTP/1.1" {status} 512 {ms} "https://jira.example.com/" "Mozilla/5.0 (X11; Linux x86_64)" "1x9aq"\n'
    ).encode()


def jira_log(
    n: int, seed: int = 1, start: datetime = START, per_second: float = 5.0
) -> tuple[bytes, list[int]]:
    """``n`` varied Jira lines (users, ids, statuses, static resources, queries) and their durations."""
    rng = random.Random(seed)
    out, durations, at = [], [], start
    for _ in range(n):
        at += timedelta(seconds=rng.expovariate(per_second))
        r = rng.random()
        if r < 0.3:
            path, ms = STATIC, rng.randrange(0, 6)
        elif r < 0.6:
            path, ms = (
                f"/browse/{rng.choice(['ABC', 'OPS'])}-{rng.randrange(1, 5000)}",
                int(rng.lognormvariate(5, 1)),
            )
        elif r < 0.8:
            path, ms = (
                f"/rest/api/2/search?jql=project%3DABC&startAt={rng.randrange(0, 500)}",
                int(rng.lognormvariate(6, 1)),
            )
        else:
            path, ms = (
                f"/secure/attachment/{rng.randrange(10000, 99999)}/a.png",
                int(rng.lognormvariate(3, 1)),
            )
        status = rng.choice([200] * 90 + [304] * 5 + [404] * 3 + [500, 503])
        user = f"user{int(rng.paretovariate(1.5)) % 40}"
        out.append(jira_line(at, path, status, ms, user, f"10.0.{int(user[4:]) % 7}.{int(user[4:])}"))
        durations.append(ms)
    return b"".join(out), durations


def bitbucket_log(n: int, seed: int = 1) -> bytes:
    """``n`` requests as Bitbucket writes them: an i@ line, then the o@ line with status and duration."""
    rng = random.Random(seed)
    out, at = [], START
    for number in range(n):
        at += timedelta(seconds=rng.expovariate(3))
        stamp = f"{at:%Y-%m-%d %H:%M:%S},{at.microsecond // 1000:03d}"
        user = f"user{rng.randrange(30)}"
        if rng.random() < 0.4:
            request, labels = (
                f"POST /scm/prj/repo{rng.randrange(50)}.git/git-upload-pack HTTP/1.1",
                rng.choice(["clone, cache:hit", "fetch, protocol:2", "push"]),
            )
        else:
            request, labels = (
                f"GET /rest/api/1.0/projects/PRJ/repos/r{rng.randrange(50)}/commits?limit=25 HTTP/1.1",
                "-",
            )
        head = f'10.0.0.{rng.randrange(1, 40)},172.16.3.45 | https | %s@1X{number}x1 | {user} | {stamp} | "{request}" | "" "git/2.43.0"'
        out.append(head % "i" + " | - | - | - | - | - | - |\n")
        out.append(
            head % "o" + f" | {rng.choice([200] * 19 + [500])} | 512 | 99999 | {labels} | "
            f"{int(rng.lognormvariate(5, 1))} | 9xk2pa |\n"
        )
    return "".join(out).encode()


def confluence_log(n: int, seed: int = 1) -> bytes:
    rng = random.Random(seed)
    out, at = [], START
    for _ in range(n):
        at += timedelta(seconds=rng.expovariate(3))
        path = rng.choice(
            [
                STATIC,
                f"/display/DOC/Release+Notes+{rng.randrange(200)}",
                f"/rest/api/content/{rng.randrange(10**5)}",
            ]
        )
        out.append(
            f"[{at:%d/%b/%Y:%H:%M:%S %z}] user{rng.randrange(30)} http-nio-8090-exec-{rng.randrange(1, 50)} "
            f"10.0.0.{rng.randrange(1, 40)} GET {path} HTTP/1.1 {rng.choice([200, 200, 304, 404])} "
            f"{rng.randrange(0, 900)}ms 7881 http://localhost/ Mozilla/5.0 (X11; Linux x86_64)\n"
        )
    return "".join(out).encode()


def nearest_rank(values: list[int], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(len(ordered) * q / 100)) - 1]


def only(acc: AccessAccumulator, bucket_s: int = 60) -> AccessSummary:
    (summary,) = acc.summaries(bucket_s)
    return summary


# -- what each layout's lines become


def test_jira_reference_lines():
    acc = AccessAccumulator()
    stats = feed(acc, JIRA_KB + b"\n" + JIRA + b"\n", ctx())
    assert (stats.lines, stats.events, stats.unparsed) == (2, 2, 0)
    assert stats.first == datetime(2015, 4, 17, 18, 27, 43, tzinfo=UTC).timestamp()
    assert stats.last == stats.first + 1
    s = only(acc)
    assert (s.product, s.nodes, s.requests, s.status_4xx, s.status_5xx) == ("jira", ["node1"], 2, 0, 0)
    assert [(e.method, e.endpoint, e.count, e.max_ms) for e in s.busiest_endpoints] == [
        ("GET", "/rest/api/2/issue/{key}", 1, 87.0),
        ("GET", "/rest/…", 1, 91.0),
    ]
    assert [(t.name, t.requests, t.total_ms) for t in s.top_users] == [("userX", 1, 91.0), ("jdoe", 1, 87.0)]
    assert [t.name for t in s.top_clients] == ["10.x.x.x", "10.20.30.40"]
    assert [(m.at, m.requests) for m in s.per_minute] == [(datetime(2015, 4, 17, 18, 27, tzinfo=UTC), 2)]


@pytest.mark.parametrize(
    ("kind", "data", "endpoints", "users", "clients"),
    [
        (
            LogKind.CONFLUENCE_ACCESS,
            CONFLUENCE + b"\n" + CONFLUENCE_PLASO + b"\n",
            ["/index.action", "/wiki/index.action"],
            ["user", "admin"],
            ["192.168.192.1", "192.168.1.10"],
        ),
        (
            LogKind.CONFLUENCE_ACCESS,
            CONFLUENCE_711 + b"\n",
            ["/index.action"],
            ["testuser"],
            ["192.168.1.15"],
        ),
        (
            LogKind.CONFLUENCE_ACCESS,
            CONFLUENCE_HELM + b"\n",
            ["/wiki/display/{space}/{title}"],
            ["admin"],
            ["10.0.0.1"],
        ),
        (
            LogKind.BITBUCKET_ACCESS,
            BITBUCKET_IN + b"\n" + BITBUCKET + b"\n" + BITBUCKET_CLONE + b"\n" + STASH_SSH + b"\n",
            ["git clone (cache:hit)", "git push", "/status"],
            ["jdoe", "atlaseye_user", "-"],
            ["10.0.0.7", "172.16.3.7", "172.24.12.153"],
        ),
    ],
)
def test_other_layouts(kind, data, endpoints, users, clients):
    acc = AccessAccumulator()
    stats = feed(acc, data, ctx(kind))
    assert stats.unparsed == 0
    s = only(acc)
    assert s.product == kind.product
    assert s.requests == len(endpoints)  # Bitbucket's i@ line is read, not counted as a request
    assert sorted(e.endpoint for e in s.busiest_endpoints) == sorted(endpoints)
    assert [t.name for t in s.top_users] == users
    assert [t.name for t in s.top_clients] == clients  # X-Forwarded-For: its first entry is the client


def test_garbage_binary_and_cut_lines_are_counted_unparsed():
    good, _ = jira_log(20)
    bad = [
        b"\x00" * 300,
        b"\xff\xfe\x00garbage \x01\x02",
        b"",
        b"just some words in a line",
        good.splitlines()[3][:60],
        good.splitlines()[4][:150],
    ]
    data = b"\n".join(good.splitlines()[:10] + bad + good.splitlines()[10:]) + b"\n"
    acc = AccessAccumulator()
    stats = feed(acc, data, ctx())
    assert (stats.lines, stats.events, stats.unparsed) == (26, 20, 6)
    assert only(acc).requests == 20


def test_not_an_access_log():
    acc = AccessAccumulator()
    stats = acc.feed(b"2024-05-01 10:00:00,000 INFO [main] started\n", ctx(LogKind.JIRA_APP))
    assert (stats.lines, stats.unparsed, stats.events) == (1, 1, 0)
    assert "not an access log" in stats.notes[0]
    assert acc.summaries(60) == []


# -- the numbers


def test_counts_statuses_and_5xx_attribution():
    lines = [
        jira_line(START, "/browse/ABC-1", 200, 10),
        jira_line(START, "/browse/ABC-2", 404, 10),
        jira_line(START, "/browse/ABC-3", 500, 10, user="bob", address="10.9.9.9"),
        jira_line(
            START + timedelta(minutes=1),
            "/rest/api/2/search?jql=x",
            503,
            2000,
            user="bob",
            address="10.9.9.9",
        ),
    ]
    acc = AccessAccumulator()
    feed(acc, b"".join(lines), ctx())
    s = only(acc)
    assert (s.requests, s.status_4xx, s.status_5xx) == (4, 1, 2)
    assert [(m.requests, m.status_4xx, m.status_5xx) for m in s.per_minute] == [(3, 1, 1), (1, 0, 1)]
    errors = {e.endpoint: e.errors_5xx for e in s.busiest_endpoints}
    assert errors == {"/browse/{key}": 1, "/rest/api/2/search": 1}
    assert [(t.name, t.requests, t.errors_5xx) for t in s.top_users] == [("bob", 2, 2), ("jdoe", 2, 0)]
    assert s.top_clients[0].name == "10.9.9.9"
    assert s.top_clients[0].total_ms == 2010.0


def test_percentiles_are_close_to_the_sorted_values():
    data, durations = jira_log(20000, seed=3, per_second=1000)  # 20 s: all in one minute
    acc = AccessAccumulator()
    feed(acc, data, ctx())
    s = only(acc)
    for q, value in ((50, s.p50_ms), (95, s.p95_ms), (99, s.p99_ms)):
        assert value == pytest.approx(nearest_rank(durations, q), rel=0.05), q
    (minute,) = s.per_minute
    assert (minute.p95_ms, minute.requests) == (s.p95_ms, 20000)
    search = [d for line, d in zip(data.splitlines(), durations, strict=True) if b"/search" in line]
    (endpoint,) = [e for e in s.busiest_endpoints if e.endpoint == "/rest/api/2/search"]
    assert endpoint.count == len(search)
    assert endpoint.p95_ms == pytest.approx(nearest_rank(search, 95), rel=0.05)
    assert endpoint.mean_ms == pytest.approx(sum(search) / len(search), abs=0.1)
    assert endpoint.max_ms == max(search)
    assert s.slowest_endpoints[0].endpoint == "/rest/api/2/search"


def test_the_window_skips_events_but_counts_their_lines():
    data, _ = jira_log(3000, seed=4, per_second=2)  # 25 minutes
    since, until = START + timedelta(minutes=5), START + timedelta(minutes=10, seconds=30)
    inside = [
        line
        for line in data.splitlines()
        if since <= datetime.strptime(line.split(b"[")[1][:26].decode(), "%d/%b/%Y:%H:%M:%S %z") < until
    ]
    acc = AccessAccumulator()
    stats = feed(acc, data, ctx(since=since, until=until), chunk_lines=700)
    assert (stats.lines, stats.events, stats.unparsed) == (3000, len(inside), 0)
    assert since.timestamp() <= stats.first and stats.last < until.timestamp()
    s = only(acc)
    assert s.requests == len(inside)
    assert [m.at for m in s.per_minute] == [START + timedelta(minutes=m) for m in range(5, 11)]


def test_a_repeated_hour_at_a_daylight_saving_change_stays_an_hour_apart():
    first = datetime(2024, 10, 27, 2, 30, tzinfo=timezone(timedelta(hours=2)))
    again = datetime(2024, 10, 27, 2, 30, tzinfo=timezone(timedelta(hours=1)))  # the same local time, later
    acc = AccessAccumulator()
    stats = feed(acc, jira_line(first, "/browse/A-1") * 3 + jira_line(again, "/browse/A-1") * 2, ctx())
    assert (stats.first, stats.last) == (first.timestamp(), again.timestamp())
    assert [(m.at, m.requests) for m in only(acc).per_minute] == [
        (datetime(2024, 10, 27, 0, 30, tzinfo=UTC), 3),
        (datetime(2024, 10, 27, 1, 30, tzinfo=UTC), 2),
    ]


def test_microsecond_durations_are_recognised_and_converted():
    data, durations = jira_log(6000, seed=5)
    micro = b"".join(  # the same lines, %D in µs as Tomcat 10 writes it
        line.replace(b" 512 %d " % d, b" 512 %d " % (d * 1000 + 137), 1)
        for line, d in zip(data.splitlines(keepends=True), durations, strict=True)
    )
    acc = AccessAccumulator()
    stats = feed(acc, micro, ctx(path="access_log.tomcat10"))
    s = only(acc)
    assert any("microseconds" in note for note in s.notes) and any("microseconds" in n for n in stats.notes)
    assert s.p95_ms == pytest.approx(nearest_rank(durations, 95), rel=0.05)
    plain = AccessAccumulator()
    feed(plain, data, ctx())
    assert only(plain).notes == []
    assert only(plain).p95_ms == s.p95_ms


# -- the engine's use: chunks, merges, pickles


@pytest.mark.parametrize("kind", [LogKind.JIRA_ACCESS, LogKind.CONFLUENCE_ACCESS, LogKind.BITBUCKET_ACCESS])
def test_chunk_boundaries_anywhere_give_the_same_results(kind):
    data = {  # long enough to decide the file's layout before it ends
        LogKind.JIRA_ACCESS: lambda: jira_log(SAMPLE_LINES + 2500, seed=6)[0],
        LogKind.CONFLUENCE_ACCESS: lambda: confluence_log(SAMPLE_LINES + 2500, seed=6),
        LogKind.BITBUCKET_ACCESS: lambda: bitbucket_log(4000, seed=6),
    }[kind]()
    data += b"\x00\x00 garbage\n" + jira_log(50, seed=7, start=START + timedelta(hours=3))[0]
    whole = AccessAccumulator()
    expected = feed(whole, data, ctx(kind))
    # the garbage line, and for Bitbucket the Jira lines too (Confluence's reader takes Jira's Tomcat layout)
    assert expected.unparsed == (51 if kind == LogKind.BITBUCKET_ACCESS else 1)
    lines = data.splitlines(keepends=True)
    rng = random.Random(8)
    for _ in range(3):
        cuts = sorted(rng.sample(range(1, len(lines)), 40))
        acc = AccessAccumulator()
        stats = ChunkStats()
        for start, end in zip([0, *cuts], [*cuts, len(lines)], strict=True):
            stats.merge(acc.feed(b"".join(lines[start:end]), ctx(kind)))
        stats.merge(acc.end_file(ctx(kind)))
        assert (stats.lines, stats.events, stats.unparsed, stats.first, stats.last) == (
            expected.lines,
            expected.events,
            expected.unparsed,
            expected.first,
            expected.last,
        )
        assert acc.summaries(60) == whole.summaries(60)


def test_a_short_file_is_read_when_it_ends():
    data, _ = jira_log(100)
    acc = AccessAccumulator()
    assert acc.feed(data, ctx()).lines == 0  # waits to decide the file's layout and time unit
    assert acc.end_file(ctx()).events == 100
    assert only(acc).requests == 100


def test_merging_accumulators_equals_feeding_one():
    node1, _ = jira_log(4000, seed=9)
    node2, _ = jira_log(3000, seed=10)
    confluence = CONFLUENCE + b"\n" + CONFLUENCE_PLASO + b"\n"
    one = AccessAccumulator()
    feed(one, node1, ctx(node="node1"))
    feed(one, node2, ctx(node="node2"))
    feed(one, confluence, ctx(LogKind.CONFLUENCE_ACCESS, "conf_access_log.2024-05-01.log"))
    a, b, c = AccessAccumulator(), AccessAccumulator(), AccessAccumulator()
    feed(a, node1, ctx(node="node1"))
    feed(b, node2, ctx(node="node2"))
    feed(c, confluence, ctx(LogKind.CONFLUENCE_ACCESS, "conf_access_log.2024-05-01.log"))
    a.merge(pickle.loads(pickle.dumps(b)))
    a.merge(c)
    assert a.summaries(60) == one.summaries(60)
    assert [s.product for s in a.summaries(60)] == ["confluence", "jira"]
    assert only_jira(a).nodes == ["node1", "node2"]


def only_jira(acc: AccessAccumulator) -> AccessSummary:
    return next(s for s in acc.summaries(60) if s.product == "jira")


def test_pickling_keeps_the_aggregates_and_feeding_goes_on():
    first, _ = jira_log(3000, seed=11)
    second, _ = jira_log(3000, seed=12, start=START + timedelta(hours=1))
    direct = AccessAccumulator()
    feed(direct, first, ctx(path="a"))
    feed(direct, second, ctx(path="b"))
    acc = AccessAccumulator()
    feed(acc, first, ctx(path="a"))
    acc = pickle.loads(pickle.dumps(acc))
    feed(acc, second, ctx(path="b"))
    assert acc.summaries(60) == direct.summaries(60)
    assert len(pickle.dumps(acc)) < 200_000  # aggregates, not lines


# -- bounded memory, redaction


def test_query_strings_and_secrets_are_never_stored():
    lines = [
        jira_line(START, "/rest/api/2/issue/ABC-1?os_password=hunter2&token=s3cr3tt0ken"),
        jira_line(START, "/plugins/servlet/login;jsessionid=SESSIONSECRET42"),
        jira_line(START, "/rest/password=hunter2/x"),
    ]  # a secret the templating cannot see as one
    acc = AccessAccumulator()
    feed(acc, b"".join(lines), ctx())
    stored = pickle.dumps(acc) + only(acc).model_dump_json().encode()
    for secret in (b"hunter2", b"s3cr3tt0ken", b"SESSIONSECRET42"):
        assert secret not in stored
    assert "/rest/password=***" in [e.endpoint for e in only(acc).busiest_endpoints]


def test_caps_drop_the_least_used_and_say_so(monkeypatch):
    # A small cap instead of 5000 users, so that the test feeds hundreds of lines, not tens of thousands.
    monkeypatch.setattr(access_aggregate, "MAX_TALKERS", 10)
    lines = [jira_line(START, "/browse/A-1", user="heavy", address="10.0.0.1")] * 50
    lines += [jira_line(START, "/browse/A-1", user=f"u{i}", address=f"10.1.0.{i}") for i in range(200)]
    acc = AccessAccumulator()
    feed(acc, b"".join(lines), ctx())
    s = only(acc)
    assert s.requests == 250  # the series keep every request
    assert s.top_users[0].name == "heavy" and s.top_users[0].requests == 50
    assert len(acc.products["jira"].talkers) <= 20
    assert any("pairs of user and client address" in note for note in s.notes)
    assert acc.limits() == [note for note in s.notes if "dropped" in note]


def test_a_long_span_widens_the_stored_buckets():
    lines = [jira_line(START + timedelta(hours=h), "/browse/A-1") for h in range(0, 24 * 40, 2)]  # 40 days
    acc = AccessAccumulator()
    feed(acc, b"".join(lines), ctx())
    product = acc.products["jira"]
    assert product.res > 60 and len(product.series["node1"]) <= 1441
    s = only(acc, bucket_s=60)
    assert any(f"buckets of {product.res} s" in note for note in s.notes)
    assert sum(m.requests for m in s.per_minute) == len(lines)
    assert only(acc, bucket_s=86400).notes == []


def test_who_got_server_errors_is_capped_keeping_the_busiest_and_says_so(monkeypatch):
    monkeypatch.setattr(access_aggregate, "MAX_ERROR_USERS", 5)
    monkeypatch.setattr(access_fold, "MAX_STAGED_ERRORS", 3)  # flushed to the product as the file is read
    lines = [jira_line(START, "/browse/A-1", status=500, user="heavy")] * 40
    lines += [
        jira_line(START + timedelta(seconds=i), "/browse/A-1", status=503, user=f"u{i}") for i in range(30)
    ]
    lines += [jira_line(START, "/browse/A-1", status=500, user="-", address="198.51.100.4")] * 20
    acc = AccessAccumulator()
    feed(acc, b"".join(lines), ctx(), chunk_lines=7)
    s = only(acc)
    assert s.status_5xx == 90  # the series keep every request
    assert len(s.error_users) <= 5
    assert [(e.user, e.errors) for e in s.error_users[:2]] == [("198.51.100.4", 20), ("heavy", 40)]
    assert any("who got server errors" in note and "approximate" in note for note in acc.limits())
    assert [n for n in s.notes if "who got server errors" in n] == [
        n for n in acc.limits() if "server errors" in n
    ]
