"""atlassian-jira-security.log: login outcomes per user and address, as Jira writes them.

Lines from reference/atlassian.md 4.4 and 5.2 (KB "How to analyze the atlassian-jira-security.log
file" and the Japanese community FAQ, addresses replaced by documentation ranges) and the Jira 9.5+
Log4j2 layout, where the thread column carries the url (``http-nio-8080-exec-11 url: /jira/login.jsp``).
"""

from __future__ import annotations

import pickle
import random
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from collectors.logs import security
from collectors.logs.context import ChunkStats, FileContext
from collectors.logs.model import LogKind, SecuritySummary
from collectors.logs.security import SecurityAccumulator

KB_PASSED = (
    b"2023-06-09 05:10:21,968+0000 http-nio-8080-exec-14 admin 310x2803x1 zokxj2 192.0.2.10 "
    b"/rest/gadget/1.0/login The user 'admin' has PASSED authentication.\n"
)
# One failed attempt, two lines with the same request id, 17 ms apart (the FAQ's example).
FAQ_FAILED = (
    b"2023-06-09 05:11:11,664+0000 http-nio-8080-exec-17 anonymous 311x2831x1 1qvu69a 192.0.2.20 /login.jsp "
    b"login : 'admin' tried to login but they do not have USE permission or weren't found. "
    b"Deleting remember me cookie.\n"
    b"2023-06-09 05:11:11,681+0000 http-nio-8080-exec-17 anonymous 311x2831x1 1qvu69a 192.0.2.20 /login.jsp "
    b"The user 'admin' has FAILED authentication.  Failure count equals 1\n"
)
CAPTCHA = (
    b"2023-06-09 05:12:00,000+0000 http-nio-8080-exec-3 anonymous 312x2900x1 1qvu69a 192.0.2.20 "
    b"/rest/gadget/1.0/login The user 'myuser' has FAILED authentication. Failure count equals 3\n"
)
JIRA_95 = (
    b"2026-09-02 00:20:04,060+0000 http-nio-8080-exec-11 url: /jira/login.jsp pnovak 20x318x1 0k70cem "
    b"10.20.9.52 /login.jsp The user 'pnovak' has PASSED authentication.\n"
    b"2026-09-25 13:16:05,000+0000 http-nio-8080-exec-12 url: /jira/login.jsp anonymous 1054x153x1 scswrbt "
    b"192.0.2.91 /login.jsp The user 'admin' is required to answer a CAPTCHA elevated security check. "
    b"Failure count equals 4\n"
)


def ctx(
    tz=UTC, since: float | None = None, until: float | None = None, node: str = "node1", path: str = "sec.log"
):
    return FileContext(path, node, LogKind.JIRA_SECURITY, tz, since, until)


def read(
    data: bytes, context: FileContext | None = None, bucket_s: int = 60
) -> tuple[SecuritySummary, ChunkStats]:
    acc = SecurityAccumulator()
    context = context or ctx()
    stats = acc.feed(data, context)
    stats.merge(acc.end_file(context))
    return acc.summary(bucket_s), stats


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def line(
    when: str,
    user: str,
    address: str,
    outcome: str,
    request: str = "1x1x1",
    thread: str = "http-nio-8080-exec-1",
) -> bytes:
    column = "anonymous" if outcome != "PASSED" else user
    return (
        f"{when} {thread} {column} {request} abc123 {address} /login.jsp The user '{user}' has {outcome} "
        f"authentication.{'  Failure count equals 1' if outcome == 'FAILED' else ''}\n"
    ).encode()


def test_the_reference_lines() -> None:
    summary, stats = read(KB_PASSED + FAQ_FAILED + CAPTCHA)
    assert (stats.lines, stats.events, stats.unparsed) == (4, 4, 0)
    assert (summary.failed, summary.passed) == (2, 1)  # the FAQ's two lines are one attempt
    admin = next(u for u in summary.by_user if u.name == "admin")
    assert (admin.failed, admin.passed, admin.others) == (1, 1, ["192.0.2.20", "192.0.2.10"])
    assert admin.first_at == admin.last_at == at("2023-06-09T05:11:11.664+00:00")  # failures' times
    assert [(a.name, a.failed, a.others) for a in summary.by_address] == [
        ("192.0.2.20", 2, ["admin", "myuser"])
    ]
    assert [(m.at.strftime("%H:%M"), m.count) for m in summary.per_minute_failed] == [
        ("05:11", 1),
        ("05:12", 1),
    ]


def test_jira_9_5_layout_with_the_url_in_the_thread_column() -> None:
    summary, stats = read(JIRA_95)
    assert stats.unparsed == 0
    assert (summary.failed, summary.passed) == (1, 1)  # a CAPTCHA challenge is a failed attempt
    assert [(u.name, u.others) for u in summary.by_user] == [("admin", ["192.0.2.91"])]


@pytest.mark.parametrize(
    ("columns", "address"),
    [
        (b"Catalina-utility-1 anonymous 1x2x3 abc -", "-"),
        (b"ThreadPoolAsyncTaskExecutor::Thread 6 anonymous 1x2x3 abc 198.51.100.7", "198.51.100.7"),
        (b"http-nio-8080-exec-1 anonymous 1x2x3 abc 198.51.100.7,10.0.0.1", "198.51.100.7"),
        (b"http-nio-8080-exec-1 anonymous 1x2x3 abc 198.51.100.7, 10.0.0.1", "198.51.100.7"),
        (b"http-nio-8080-exec-1 anonymous 1x2x3 abc 0:0:0:0:0:0:0:1", "0:0:0:0:0:0:0:1"),
        (b"http-nio-8080-exec-1 anonymous 1x2x3 198.51.100.7", "198.51.100.7"),  # no session id
        (b"http-nio-8080-exec-1 anonymous 1x2x3 abc", "-"),  # a session id, no address
        (b"some thread without a request id", "-"),
    ],
)
def test_addresses_dashes_lists_and_thread_names_with_spaces(columns: bytes, address: str) -> None:
    data = (
        b"2024-05-01 10:00:00,000+0000 "
        + columns
        + b" /login.jsp The user 'bob' has FAILED authentication.\n"
    )
    summary, _ = read(data)
    assert summary.failed == 1
    assert [(a.name, a.others) for a in summary.by_address] == [(address, ["bob"])]


def test_offsets_and_none() -> None:
    data = (
        b"2024-05-01 12:00:00,000+0200 t anonymous 1x1x1 s 192.0.2.1 /login.jsp The user 'bob' has FAILED authentication.\n"
        b"2024-05-01 12:01:00,000 t anonymous 1x2x1 s 192.0.2.1 /login.jsp The user 'bob' has FAILED authentication.\n"
    )
    summary, stats = read(data, ctx(tz=ZoneInfo("Europe/Berlin")))  # CEST: +0200 in May
    assert stats.first == at("2024-05-01T10:00:00+00:00").timestamp()
    assert stats.last == at("2024-05-01T10:01:00+00:00").timestamp()
    assert [m.count for m in summary.per_minute_failed] == [1, 1]


def test_user_names_with_quotes_and_non_ascii() -> None:
    data = line("2024-05-01 10:00:00,000+0000", "o'brien", "192.0.2.1", "FAILED") + line(
        "2024-05-01 10:00:01,000+0000", "jürgen", "192.0.2.1", "PASSED"
    )
    summary, _ = read(data)
    assert [u.name for u in summary.by_user] == ["o'brien"]
    assert summary.passed == 1


def test_repeated_failures_with_a_reused_request_id_all_count() -> None:
    data = b"".join(
        line(f"2024-05-01 10:0{i}:00,000+0000", "svc", "192.0.2.5", "FAILED", request="310x2803x1")
        for i in range(5)
    )
    summary, _ = read(data)
    assert summary.failed == 5


def test_sessions_and_other_lines_are_events_not_logins() -> None:
    data = (
        b"2024-05-01 10:00:00,000+0000 http-nio-8080-exec-1 admin 600x1x1 abc 192.0.2.1 /secure/Dashboard.jspa "
        b"HttpSession created [abc]\n"
        b"2024-05-01 10:00:05,000+0000 http-nio-8080-exec-2 admin 600x2x1 abc 192.0.2.1 /logout "
        b"The user 'admin' has been logged out\n" + KB_PASSED
    )
    summary, stats = read(data)
    assert (stats.events, stats.unparsed) == (3, 0)
    assert (summary.failed, summary.passed) == (0, 1)
    assert summary.by_user == [] and summary.bursts == []  # only users who failed are listed


def test_garbage_binary_cut_and_continuation_lines() -> None:
    data = (
        b"\x00\x01\xfe\xffbinary\n"
        b"2023-06-09 05:10:21,968+0000 http-nio-8080-exec-14 admin 310x2803x1 zokxj2 192.0.2.10 /rest/gad\n"  # cut
        b"21,968+0000 http-nio-8080-exec-14 admin 310x2803x1 zokxj2 192.0.2.10 /rest/gadget/1.0/login\n"  # cut
        b"2023-13-45 99:10:21,968+0000 t admin 1x1x1 s 192.0.2.1 /x The user 'x' has FAILED authentication.\n"
        b"\tat com.atlassian.seraph.auth.DefaultAuthenticator.login(DefaultAuthenticator.java:1)\n"
        b"\n" + KB_PASSED
    )
    summary, stats = read(data)
    assert stats.lines == 7
    assert (stats.events, stats.unparsed) == (2, 3)  # binary, cut at the start, impossible date
    assert (summary.failed, summary.passed) == (0, 1)


def test_random_damage_never_raises() -> None:
    rng = random.Random(3)
    sample = KB_PASSED + FAQ_FAILED + CAPTCHA + JIRA_95
    for _ in range(300):
        cut = bytearray(sample)
        for _ in range(rng.randint(1, 20)):
            cut[rng.randrange(len(cut))] = rng.randrange(256)
        _, stats = read(bytes(cut))
        assert 0 <= stats.unparsed <= stats.lines


def test_the_window_cuts_events_but_not_lines() -> None:
    data = b"".join(
        line(f"2024-05-01 10:{m:02d}:00,000+0000", "bob", "192.0.2.1", "FAILED", f"{m}x1x1")
        for m in range(10)
    )
    since, until = at("2024-05-01T10:03:00+00:00").timestamp(), at("2024-05-01T10:06:00+00:00").timestamp()
    summary, stats = read(data, ctx(since=since, until=until))
    assert (stats.lines, stats.events) == (10, 10)
    assert summary.failed == 3 and (stats.first, stats.last) == (since, since + 120)


def test_failures_per_bucket_fill_the_gaps() -> None:
    data = line("2024-05-01 10:00:10,000+0000", "a", "192.0.2.1", "FAILED") + line(
        "2024-05-01 10:12:00,000+0000", "b", "192.0.2.1", "FAILED"
    )
    summary, _ = read(data, bucket_s=300)
    assert [(m.at.strftime("%H:%M"), m.count) for m in summary.per_minute_failed] == [
        ("10:00", 1),
        ("10:05", 0),
        ("10:10", 1),
    ]


def _mixed_log(seed: int) -> bytes:
    rng = random.Random(seed)
    out = []
    for i in range(400):
        minute, second = divmod(i * 7, 60)
        user = rng.choice(["alice", "bob", "carol", "svc-ci", "o'brien"])
        outcome = rng.choice(["PASSED", "FAILED", "FAILED"])
        out.append(
            line(
                f"2024-05-01 1{minute // 60}:{minute % 60:02d}:{second:02d},000+0000",
                user,
                f"192.0.2.{rng.randint(1, 9)}",
                outcome,
                request=f"{i}x{i}x1",
                thread="http-nio exec 1",
            )
        )
        if outcome == "FAILED" and rng.random() < 0.3:  # the attempt's second line
            out.append(
                out[-1].replace(
                    b"The user '" + user.encode() + b"' has FAILED authentication.  Failure count equals 1",
                    b"login : '" + user.encode() + b"' tried to login but they do not have USE permission",
                )
            )
    return b"".join(out)


def test_chunk_boundaries_anywhere_give_the_same_summary() -> None:
    data = _mixed_log(1)
    whole = SecurityAccumulator()
    whole.feed(data, ctx())
    whole.end_file(ctx())
    lines = data.splitlines(keepends=True)
    for seed in range(20):
        rng, acc, i = random.Random(seed), SecurityAccumulator(), 0
        while i < len(lines):
            n = rng.randint(1, 9)
            acc.feed(b"".join(lines[i : i + n]), ctx())
            i += n
        acc.end_file(ctx())
        assert acc.summary(60) == whole.summary(60)


def test_merge_equals_one_accumulator_and_pickles() -> None:
    first_log, second_log = _mixed_log(2), _mixed_log(3)
    single = SecurityAccumulator()
    for data, node in ((first_log, "node1"), (second_log, "node2")):
        single.feed(data, ctx(node=node, path=node))
        single.end_file(ctx(node=node, path=node))
    parts = []
    for data, node in ((first_log, "node1"), (second_log, "node2")):
        acc = SecurityAccumulator()
        acc.feed(data, ctx(node=node, path=node))
        acc.end_file(ctx(node=node, path=node))
        parts.append(pickle.loads(pickle.dumps(acc)))
    parts[1].merge(parts[0])
    assert parts[1].summary(60) == single.summary(60)
    assert single.summary(60).failed > 300


def test_tables_are_capped_and_say_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(security, "MAX_USERS", 10)
    monkeypatch.setattr(security, "MAX_ADDRESSES", 10)
    monkeypatch.setattr(security, "MAX_OTHERS", 3)
    data = b"".join(
        line(
            f"2024-05-01 10:{i // 60:02d}:{i % 60:02d},000+0000",
            f"user{i}",
            f"192.0.2.{i % 50}",
            "FAILED",
            request=f"{i}x1x1",
        )
        * (1 + (i == 7) * 5)
        for i in range(100)
    )
    acc = SecurityAccumulator()
    acc.feed(data, ctx())
    acc.end_file(ctx())
    summary = acc.summary(60)
    assert summary.failed == 105
    assert summary.by_user[0].name == "user7" and summary.by_user[0].failed == 6  # the top survives pruning
    assert len(acc.users) <= 20 and len(acc.addresses) <= 20
    limits = acc.limits()
    assert any("users with few failed logins were dropped" in n for n in limits)
    assert any("addresses with few failed logins" in n for n in limits)
    assert SecurityAccumulator().limits() == []


def test_the_failure_cells_handed_on_are_capped_like_burst_detections(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(security, "MAX_CELLS", 5)
    busy = b"".join(
        line(f"2024-05-01 10:00:{i:02d},000+0000", "admin", "203.0.113.50", "FAILED", request=f"{i}x9x1")
        for i in range(10)
    )
    rare = b"".join(
        line(f"2024-05-01 10:{i:02d}:30,000+0000", f"user{i}", f"192.0.2.{i}", "FAILED", request=f"{i}x1x1")
        for i in range(1, 30)
    )
    acc = SecurityAccumulator()
    acc.feed(busy + rare, ctx())
    acc.end_file(ctx())
    summary = acc.summary(60)
    assert summary.failed == 39  # the counts stay exact
    assert len(summary.cells) <= 5
    assert (summary.cells[0].user, summary.cells[0].address, summary.cells[0].failed) == (
        "admin",
        "203.0.113.50",
        10,
    )
    assert sum(m.failed for n in summary.per_node for m in n.per_minute) == 39
    assert any("burst detection kept the 5 busiest minute cells" in n for n in acc.limits())
    few = SecurityAccumulator()  # past the cap, short of twice it: nothing pruned as it came, still said
    few.feed(b"".join(rare.splitlines(keepends=True)[:8]), ctx())
    assert len(few.summary(60).cells) == 5
    assert any("3 cells of rare failures were dropped" in n for n in few.limits())
