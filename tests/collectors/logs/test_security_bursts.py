"""Bursts of failed logins: brute force from one place, guessing at one account from many, one place
guessing one account's password, and a service account steadily failing with an old password; each with a
near miss that is not a burst."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime, timedelta
from pathlib import Path

from collectors.logs.context import FileContext
from collectors.logs.model import LogKind, SecuritySummary
from collectors.logs.security import SecurityAccumulator
from collectors.logs.security_bursts import (
    BRUTE_MIN_FAILURES,
    BRUTE_MIN_USERS,
    BRUTE_WINDOW_S,
    GUESS_MAX_USERS,
    GUESS_MIN_FAILURES,
    STALE_MIN_FAILURES,
    STALE_MIN_SPAN_S,
)
from sandbox.log_estate import EstatePlan, default_plants, write_folders

T0 = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
_requests = iter(range(1, 10**9))


def attempt(seconds: float, user: str, address: str, passed: bool = False) -> bytes:
    """One login attempt as Jira logs it (a failure gets both of its lines)."""
    moment = T0 + timedelta(seconds=seconds)
    stamp = f"{moment:%Y-%m-%d %H:%M:%S},{moment.microsecond // 1000:03d}+0000"
    request = f"{600 + int(seconds) // 60}x{next(_requests)}x1"
    head = f"{stamp} http-nio-8080-exec-7 {user if passed else 'anonymous'} {request} 1qvu69a {address} /login.jsp"
    if passed:
        return f"{head} The user '{user}' has PASSED authentication.\n".encode()
    return (
        f"{head} login : '{user}' tried to login but they do not have USE permission or weren't found. "
        f"Deleting remember me cookie.\n{head} The user '{user}' has FAILED authentication.  Failure count equals 1\n"
    ).encode()


def analyse(*logs: tuple[str, bytes]) -> SecuritySummary:
    acc = SecurityAccumulator()
    for node, data in logs:
        context = FileContext(f"{node}/atlassian-jira-security.log", node, LogKind.JIRA_SECURITY, UTC)
        acc.feed(data, context)
        acc.end_file(context)
    return acc.summary(60)


def kinds(summary: SecuritySummary) -> list[tuple[str, str]]:
    return [(b.kind, b.subject) for b in summary.bursts]


def test_one_address_failing_for_many_users_is_brute_force() -> None:
    users = ["admin", "alice", "bob", "carol", "dave", "erin"]
    data = b"".join(attempt(i * 25, users[i % 6], "203.0.113.7") for i in range(12))  # 12 in 4.6 minutes
    summary = analyse(("node1", data))
    assert kinds(summary) == [("brute-force", "203.0.113.7")]
    [burst] = summary.bursts
    assert burst.failures == 12 and sorted(burst.users) == sorted(users)
    assert burst.addresses == ["203.0.113.7"] and burst.nodes == ["node1"]
    assert (burst.start, burst.end) == (T0, T0 + timedelta(minutes=4))  # to the minute


def test_near_miss_too_few_users() -> None:
    users = ["admin", "alice", "bob", "carol"]  # one short of BRUTE_MIN_USERS
    assert len(users) == BRUTE_MIN_USERS - 1
    data = b"".join(attempt(i * 20, users[i % 4], "203.0.113.7") for i in range(20))
    assert analyse(("node1", data)).bursts == []


def test_near_miss_enough_failures_but_spread_too_thin() -> None:
    users = ["admin", "alice", "bob", "carol", "dave", "erin"]
    spacing = BRUTE_WINDOW_S / (BRUTE_MIN_FAILURES - 1) + 10  # never 10 failures within 10 minutes
    data = b"".join(attempt(i * spacing, users[i % 6], "203.0.113.7") for i in range(30))
    summary = analyse(("node1", data))
    assert summary.failed == 30 and summary.bursts == []


def test_one_account_guessed_from_many_addresses_is_brute_force_on_the_user() -> None:
    data = b"".join(attempt(i * 20, "admin", f"198.51.100.{i % 6 + 1}") for i in range(24))
    summary = analyse(("node1", data))
    assert kinds(summary) == [("brute-force", "admin")]
    assert len(summary.bursts[0].addresses) == 6
    near = b"".join(attempt(i * 20, "admin", f"198.51.100.{i % 4 + 1}") for i in range(24))  # 4 addresses
    assert analyse(("node1", near)).bursts == []


def test_an_attack_spread_over_nodes_is_one_burst_after_merging() -> None:
    users = ["admin", "alice", "bob", "carol", "dave", "erin"]
    node1 = b"".join(attempt(i * 30, users[i % 6], "203.0.113.7") for i in range(0, 12, 2))
    node2 = b"".join(attempt(i * 30, users[i % 6], "203.0.113.7") for i in range(1, 12, 2))
    assert analyse(("node1", node1)).bursts == [] and analyse(("node2", node2)).bursts == []  # 6 each

    first, second = SecurityAccumulator(), SecurityAccumulator()
    for acc, node, data in ((first, "node1", node1), (second, "node2", node2)):
        context = FileContext(node, node, LogKind.JIRA_SECURITY, UTC)
        acc.feed(data, context)
        acc.end_file(context)
    merged = pickle.loads(pickle.dumps(second))
    merged.merge(pickle.loads(pickle.dumps(first)))
    summary = merged.summary(60)
    assert kinds(summary) == [("brute-force", "203.0.113.7")]
    assert summary.bursts[0].nodes == ["node1", "node2"] and summary.bursts[0].failures == 12
    assert summary == analyse(("node1", node1), ("node2", node2))


def test_a_service_failing_steadily_from_one_address_has_a_stale_password() -> None:
    data = b"".join(attempt(i * 120, "svc-jenkins", "10.0.5.5") for i in range(20))  # every 2 min, 38 min
    summary = analyse(("node1", data))
    assert kinds(summary) == [("stale-password", "svc-jenkins")]
    [burst] = summary.bursts
    assert burst.failures == 20 and burst.addresses == ["10.0.5.5"] and burst.users == ["svc-jenkins"]
    assert burst.end - burst.start == timedelta(minutes=38)


def test_near_miss_a_person_who_mistypes_and_then_gets_in() -> None:
    data = b"".join(
        attempt(i * 200, "alice", "10.0.0.8") + attempt(i * 200 + 30, "alice", "10.0.0.8", passed=True)
        for i in range(15)
    )  # 15 failures over 47 minutes, each followed by a successful login
    summary = analyse(("node1", data))
    assert summary.failed == 15 and summary.bursts == []


def test_near_miss_stale_but_too_short_or_from_too_many_places() -> None:
    short = STALE_MIN_SPAN_S - 120
    too_short = b"".join(attempt(i * short / 14, "svc-jira", "10.0.5.5") for i in range(15))
    assert analyse(("node1", too_short)).bursts == []
    roaming = b"".join(
        attempt(i * 180, "svc-jira", f"10.0.5.{i % 3 + 1}") for i in range(STALE_MIN_FAILURES + 5)
    )
    assert analyse(("node1", roaming)).bursts == []
    gap = b"".join(attempt(i * 120 + (i >= 8) * 7200, "svc-jira", "10.0.5.5") for i in range(16))
    assert analyse(("node1", gap)).bursts == []  # two runs of 8, two hours apart: neither is enough


def test_the_simulated_estates_planted_attacks_are_found_and_nothing_else(tmp_path: Path) -> None:
    plan = EstatePlan(app_bytes=2_000, access_bytes=2_000, gc_pauses=10)
    write_folders(tmp_path, plan)
    logs = [
        (node, (tmp_path / node / "log" / "atlassian-jira-security.log").read_bytes())
        for node in plan.nodes
        if (tmp_path / node / "log" / "atlassian-jira-security.log").exists()
    ]
    summary = analyse(*logs)
    planted = {p.what: p for p in default_plants(plan) if p.what in ("brute-force", "stale-password")}
    assert kinds(summary) == [("stale-password", "svc-jenkins"), ("brute-force", "203.0.113.7")]
    stale, brute = summary.bursts
    assert stale.failures == planted["stale-password"].count and stale.nodes == [
        planted["stale-password"].node
    ]
    assert brute.failures == planted["brute-force"].count
    assert abs(brute.start.timestamp() - planted["brute-force"].at) < 60


def merged(*logs: tuple[str, bytes]) -> SecuritySummary:
    """Each node's log read by its own accumulator, pickled and merged, as the engine's workers do."""
    total = SecurityAccumulator()
    for node, data in logs:
        acc = SecurityAccumulator()
        context = FileContext(f"{node}/atlassian-jira-security.log", node, LogKind.JIRA_SECURITY, UTC)
        acc.feed(data, context)
        acc.end_file(context)
        total.merge(pickle.loads(pickle.dumps(acc)))
    return total.summary(60)


def test_one_address_guessing_the_admin_password_1500_times_is_password_guessing() -> None:
    """Behind a load balancer: the guesses spread over three nodes, among ordinary logins, a person who
    mistypes three times and then gets in, and a build server with an old password."""
    nodes: dict[str, list[bytes]] = {"node1": [], "node2": [], "node3": []}
    names = sorted(nodes)
    for i in range(1500):  # one guess every 2 s for 50 minutes
        nodes[names[i % 3]].append(attempt(600 + i * 2, "admin", "203.0.113.50"))
    for i in range(300):  # the day's ordinary logins
        nodes[names[i % 3]].append(attempt(i * 20, f"user{i % 40}", f"10.0.3.{i % 60 + 1}", passed=True))
    for i in range(3):
        nodes["node2"].append(attempt(1200 + i * 15, "alice", "10.0.0.8"))
    nodes["node2"].append(attempt(1250, "alice", "10.0.0.8", passed=True))
    for i in range(40):  # every 2 minutes for 80 minutes
        nodes["node1"].append(attempt(i * 120, "svc-jenkins", "10.0.5.5"))
    logs = [(node, b"".join(sorted(lines))) for node, lines in nodes.items()]
    summary = merged(*logs)
    assert kinds(summary) == [("stale-password", "svc-jenkins"), ("password-guessing", "203.0.113.50")]
    guess = summary.bursts[1]
    assert guess.failures == 1500 and guess.users == ["admin"] and guess.addresses == ["203.0.113.50"]
    assert guess.nodes == ["node1", "node2", "node3"]
    assert (guess.start, guess.end) == (T0 + timedelta(minutes=10), T0 + timedelta(minutes=59))
    assert summary.bursts[0].failures == 40
    assert summary == analyse(*logs)  # merged or read by one accumulator: the same


def test_near_misses_of_password_guessing() -> None:
    # a person mistyping three times, then getting in
    typo = b"".join(attempt(i * 10, "alice", "10.0.0.8") for i in range(3))
    assert analyse(("node1", typo + attempt(40, "alice", "10.0.0.8", passed=True))).bursts == []
    # one short of the threshold within the window, however long it goes on at that pace
    spacing = BRUTE_WINDOW_S / (GUESS_MIN_FAILURES - 1) + 1
    slow = b"".join(attempt(i * spacing, "admin", "203.0.113.50") for i in range(GUESS_MIN_FAILURES))
    assert "password-guessing" not in [b.kind for b in analyse(("node1", slow)).bursts]
    fast = b"".join(attempt(i * 10, "admin", "203.0.113.50") for i in range(GUESS_MIN_FAILURES))
    assert kinds(analyse(("node1", fast))) == [("password-guessing", "203.0.113.50")]
    # the unknown address is never a subject: a proxy that hides its clients is not one attacker
    hidden = b"".join(attempt(i * 2, "admin", "-") for i in range(1500))
    assert "password-guessing" not in [b.kind for b in analyse(("node1", hidden)).bursts]


def test_a_few_accounts_guessed_from_one_address_are_password_guessing_five_are_brute_force() -> None:
    few = [f"admin{i}" for i in range(GUESS_MAX_USERS)]
    data = b"".join(attempt(i * 5, few[i % len(few)], "203.0.113.50") for i in range(60))
    [burst] = analyse(("node1", data)).bursts
    assert (burst.kind, burst.subject, sorted(burst.users)) == ("password-guessing", "203.0.113.50", few)
    many = [f"admin{i}" for i in range(BRUTE_MIN_USERS)]
    data = b"".join(attempt(i * 5, many[i % len(many)], "203.0.113.50") for i in range(60))
    assert kinds(analyse(("node1", data))) == [("brute-force", "203.0.113.50")]


def test_a_stale_password_retried_steadily_stays_stale_password() -> None:
    """A service retrying its old password twice a minute for three hours: steady, below the rate of a
    guess, so it is a stale password and not an attack."""
    data = b"".join(attempt(i * 30, "svc-confluence", "10.0.5.9") for i in range(360))
    summary = analyse(("node1", data))
    assert kinds(summary) == [("stale-password", "svc-confluence")]
    assert summary.bursts[0].failures == 360
