"""Failed logins that come together: brute force, password spraying, password guessing, services with a
stale password.

Worked out once, at the end, from per-minute failure cells ``(minute, user, address, node) -> count``
and per-minute passes ``(minute, user) -> count`` of all nodes together (a load balancer spreads one
attack over every node). Times are to the minute: a burst's start and end are the minutes of its first
and last failure. The checks decide the severity; these thresholds only decide what is a burst:

- ``brute-force`` (subject: the address): one address fails for at least ``BRUTE_MIN_USERS`` different
  users with at least ``BRUTE_MIN_FAILURES`` failures within ``BRUTE_WINDOW_S``;
- ``brute-force`` (subject: the user): one user fails at least ``SPRAY_MIN_FAILURES`` times from at
  least ``SPRAY_MIN_ADDRESSES`` addresses within ``BRUTE_WINDOW_S`` (a distributed guess at one account);
- ``password-guessing`` (subject: the address): one address fails at least ``GUESS_MIN_FAILURES`` times
  within ``BRUTE_WINDOW_S`` against at most ``GUESS_MAX_USERS`` users (one account, or a few: fewer than
  brute force needs, so that no number of accounts falls between the two). The most common attack of
  all: a script guessing the admin password from one place. At three failures a minute it is faster than
  any person who mistypes, and than a service retrying an old password every few minutes;
- ``stale-password`` (subject: the user): one user fails at least ``STALE_MIN_FAILURES`` times, in at
  least ``STALE_MIN_MINUTES`` different minutes spread over at least ``STALE_MIN_SPAN_S``, never more
  than ``STALE_MAX_GAP_S`` apart, from at most ``STALE_MAX_ADDRESSES`` addresses, with at most
  ``STALE_MAX_PASSED_SHARE`` as many passes as failures in that time, and never as fast as password
  guessing from any one known address: an integration or service account still sending an old
  password. A person who mistypes and then gets in is not one; a guess at the account is reported as
  password guessing (or brute force) instead.

Windows that qualify and overlap are joined into one burst. Unknown addresses (``-``) are never the
subject of a brute-force or password-guessing burst; a proxy that hides client addresses makes every
user look as if they came from one place, which the check should keep in mind.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

BRUTE_WINDOW_S = 600
BRUTE_MIN_USERS = 5
BRUTE_MIN_FAILURES = 10
SPRAY_MIN_ADDRESSES = 5
SPRAY_MIN_FAILURES = 20
GUESS_MIN_FAILURES = 30
GUESS_MAX_USERS = BRUTE_MIN_USERS - 1
STALE_MIN_FAILURES = 10
STALE_MIN_MINUTES = 5
STALE_MIN_SPAN_S = 1800
STALE_MAX_GAP_S = 3600
STALE_MAX_ADDRESSES = 2
STALE_MAX_PASSED_SHARE = 0.1
MAX_BURSTS = 50  # the bursts with most failures; a long attack is one burst, not many
MAX_NAMES = 20  # users or addresses listed per burst

UNKNOWN_ADDRESS = "-"

Cell = tuple[int, str, str, str]  # (minute, user, address, node)
Row = tuple[int, str, str, str, int]  # a cell and its failures
NameColumn = Literal[1, 2]  # the user or the address of a row


@dataclass
class Burst:
    kind: str
    subject: str
    start: int
    end: int
    failures: int
    users: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    nodes: list[str] = field(default_factory=list)


def find_bursts(fails: Mapping[Cell, int], passes: Mapping[tuple[int, str], int]) -> list[Burst]:
    by_address: dict[str, list[Row]] = {}
    by_user: dict[str, list[Row]] = {}
    for (minute, user, address, node), n in fails.items():
        row = (minute, user, address, node, n)
        by_user.setdefault(user, []).append(row)
        if address != UNKNOWN_ADDRESS:
            by_address.setdefault(address, []).append(row)
    bursts: list[Burst] = []
    for address, rows in by_address.items():
        rows.sort()
        for start, end in _windows(rows, 1, BRUTE_MIN_FAILURES, BRUTE_MIN_USERS):
            bursts.append(_burst("brute-force", address, rows, start, end))
        for start, end in _windows(rows, 1, GUESS_MIN_FAILURES, 1, GUESS_MAX_USERS):
            bursts.append(_burst("password-guessing", address, rows, start, end))
    for user, rows in by_user.items():
        rows.sort()
        for start, end in _windows(rows, 2, SPRAY_MIN_FAILURES, SPRAY_MIN_ADDRESSES):
            bursts.append(_burst("brute-force", user, rows, start, end))
        bursts.extend(_stale(user, rows, passes))
    bursts.sort(key=lambda b: (-b.failures, b.start, b.kind, b.subject))
    return sorted(bursts[:MAX_BURSTS], key=lambda b: (b.start, b.kind, b.subject))


def _windows(
    rows: list[Row], other: NameColumn, min_failures: int, min_distinct: int, max_distinct: int | None = None
) -> list[tuple[int, int]]:
    """Minute ranges where a window shorter than BRUTE_WINDOW_S holds enough failures and enough (and, with
    ``max_distinct``, not too many) distinct ``row[other]`` (users of an address, or addresses of a user);
    overlapping ones joined."""
    minutes: list[tuple[int, dict[str, int]]] = []
    for row in rows:
        if not minutes or minutes[-1][0] != row[0]:
            minutes.append((row[0], {}))
        names = minutes[-1][1]
        names[row[other]] = names.get(row[other], 0) + row[4]
    ranges: list[tuple[int, int]] = []
    counts: dict[str, int] = {}
    total = left = 0
    for minute, names in minutes:
        for name, n in names.items():
            counts[name] = counts.get(name, 0) + n
            total += n
        while minute - minutes[left][0] >= BRUTE_WINDOW_S:
            for name, n in minutes[left][1].items():
                counts[name] -= n
                total -= n
                if not counts[name]:
                    del counts[name]
            left += 1
        distinct = len(counts)
        if (
            total >= min_failures
            and distinct >= min_distinct
            and (max_distinct is None or distinct <= max_distinct)
        ):
            start = minutes[left][0]
            if ranges and start <= ranges[-1][1]:
                ranges[-1] = (ranges[-1][0], minute)
            else:
                ranges.append((start, minute))
    return ranges


def _stale(user: str, rows: list[Row], passes: Mapping[tuple[int, str], int]) -> Iterable[Burst]:
    episode: list[Row] = []
    for row in [*rows, None]:
        if row is not None and (not episode or row[0] - episode[-1][0] <= STALE_MAX_GAP_S):
            episode.append(row)
            continue
        if episode:
            found = _stale_episode(user, episode, passes)
            if found is not None:
                yield found
        episode = [row] if row is not None else []


def _stale_episode(user: str, rows: list[Row], passes: Mapping[tuple[int, str], int]) -> Burst | None:
    start, end = rows[0][0], rows[-1][0]
    failures = sum(r[4] for r in rows)
    if (
        failures < STALE_MIN_FAILURES
        or end - start < STALE_MIN_SPAN_S
        or len({r[0] for r in rows}) < STALE_MIN_MINUTES
        or len({r[2] for r in rows}) > STALE_MAX_ADDRESSES
    ):
        return None
    passed = sum(passes.get((minute, user), 0) for minute in range(start, end + 60, 60))
    if passed > STALE_MAX_PASSED_SHARE * failures:
        return None
    by_address: dict[str, list[Row]] = {}
    for row in rows:
        if row[2] != UNKNOWN_ADDRESS:
            by_address.setdefault(row[2], []).append(row)
    if any(_windows(known, 2, GUESS_MIN_FAILURES, 1) for known in by_address.values()):
        return None  # as fast as guessing from one address: an attack, reported by its address
    return _burst("stale-password", user, rows, start, end)


def _burst(kind: str, subject: str, rows: list[Row], start: int, end: int) -> Burst:
    inside = [r for r in rows if start <= r[0] <= end]
    return Burst(
        kind=kind,
        subject=subject,
        start=start,
        end=end,
        failures=sum(r[4] for r in inside),
        users=_most(inside, 1),
        addresses=_most(inside, 2),
        nodes=sorted({r[3] for r in inside}),
    )


def _most(rows: list[Row], column: NameColumn) -> list[str]:
    counts: dict[str, int] = {}
    for r in rows:
        counts[r[column]] = counts.get(r[column], 0) + r[4]
    return [name for name, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))][:MAX_NAMES]
