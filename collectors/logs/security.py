"""Jira's atlassian-jira-security.log: who failed to log in, from where, and whether it looks like an attack.

A line has eight columns, ``timestamp thread username requestId ASESSIONID ip url message`` (one line)::

    2023-06-09 05:10:21,968+0000 http-nio-8080-exec-14 admin 310x2803x1 zokxj2 x.x.x.x
        /rest/gadget/1.0/login The user 'admin' has PASSED authentication.

Thread names may contain spaces (Jira 9.5+ writes ``http-nio-8080-exec-11 url: /jira/login.jsp``), so
the columns are found from the request id (``\\d+x\\d+x\\d+``) outwards: the username before it, then
the session id, the address (``-``, or a list ``client, proxy``: the first one counts) and the url.
The login outcome is read from the message, and the user is the one named there (the username column
says ``anonymous`` for a failed login). Outcomes:

- ``The user 'u' has PASSED authentication.`` -> passed;
- ``The user 'u' has FAILED authentication.  Failure count equals 1`` -> failed;
- ``login : 'u' tried to login but they do not have USE permission or weren't found. ...`` -> failed;
- ``The user 'u' is required to answer a CAPTCHA elevated security check. ...`` -> failed.

Jira writes two of these lines for one attempt (``tried to login`` then ``has FAILED``, same request id,
milliseconds apart): two failure lines of different kinds for the same request id and user within
``SAME_ATTEMPT_S`` count as one attempt. Failures of the same kind are always counted (some logs
repeat a request id). Per-user and per-address tables are
capped (``MAX_USERS``, ``MAX_ADDRESSES``; the smallest are pruned when twice as many are held, and
``limits()`` says so), as are the failure cells kept for burst detection (``MAX_CELLS``), which the
summary also hands on (``SecuritySummary.cells``, in buckets). Failed and passed logins per minute are
counted per node, exactly (``SecuritySummary.per_node``); the all-node failures per minute are their sum.
"""

from __future__ import annotations

import re
import sys
from datetime import tzinfo
from typing import TYPE_CHECKING

from collectors.logs.context import ChunkStats, FileContext
from collectors.logs.security_bursts import UNKNOWN_ADDRESS, Cell, find_bursts
from collectors.logs.timestamps import MinuteClock, bucket_of, to_datetime

if TYPE_CHECKING:
    from collectors.logs.model import AuthCell, AuthFailures, MinuteCount, NodeLogins, SecuritySummary

MAX_USERS = 2000
MAX_ADDRESSES = 2000
MAX_OTHERS = 50  # addresses kept per user, users kept per address
MAX_CELLS = 50_000  # (minute, user, address, node) failure cells for burst detection
TOP = 20  # rows of by_user and by_address
LISTED_OTHERS = 10  # names in AuthFailures.others
MAX_SERIES_POINTS = 5000
RECENT_ATTEMPTS = 256  # request ids remembered per file to count an attempt's two lines once
SAME_ATTEMPT_S = 2.0

# Matched where their literal start was found (cheaper than searching the line with one pattern).
_OUTCOME = re.compile(
    rb"The user '(.*?)' (?:has (PASSED|FAILED) authentication|is required to answer a CAPTCHA)"
)
_TRIED = re.compile(rb"login : '(.*?)' tried to login")
_REQUEST_ID = re.compile(rb"\d+x\d+x\d+")
_CLOCKS: dict[tzinfo, tuple[MinuteClock, dict[bytes, int]]] = {}  # per process: clock, minute cache

# [failed, passed, first, last, {other: [failed, passed]}]; first/last are of failures when there are
# any, else of passes.
Row = list


class SecurityAccumulator:
    def __init__(self) -> None:
        self.failed = 0
        self.passed = 0
        self.node_minutes: dict[str, dict[int, list[int]]] = {}  # node -> minute -> [failed, passed]
        self.users: dict[str, Row] = {}
        self.addresses: dict[str, Row] = {}
        self.fail_cells: dict[Cell, int] = {}
        self.pass_cells: dict[tuple[int, str], int] = {}
        self.pruned = {"users": 0, "addresses": 0, "others": 0, "cells": 0}
        # Per file being read: (request id, user) -> (time, message kind) of its last failure line.
        self._recent: dict[str, dict[tuple[bytes, str], tuple[float, bytes]]] = {}

    # -- reading -----------------------------------------------------------------------------------
    def feed(self, chunk: bytes, ctx: FileContext) -> ChunkStats:
        stats = ChunkStats()
        clock, minutes = _CLOCKS.get(ctx.tz) or _CLOCKS.setdefault(ctx.tz, (MinuteClock(ctx.tz), {}))
        recent = self._recent.setdefault(ctx.path, {})
        lines = chunk.split(b"\n")
        if lines and not lines[-1]:
            lines.pop()
        stats.lines = len(lines)
        events = unparsed = 0
        since, until = ctx.since, ctx.until
        first = last = None
        for raw in lines:
            line = raw.rstrip()
            if not line:
                continue
            if line[4:5] != b"-" or line[10:11] != b" " or line[13:14] != b":" or not line[:4].isdigit():
                if line[:1] not in (b" ", b"\t") and not line.startswith(b"Caused by"):
                    unparsed += 1  # neither an event nor a stack-trace continuation
                continue
            offset = line[23:28] if line[23:24] in (b"+", b"-") else b""
            start = 29 if offset else 24
            try:
                key = line[:16] + offset
                base = minutes.get(key)
                if base is None:
                    base = minutes[key] = clock.iso_minute(line[:16], offset or None)
                epoch = base + float(line[17:19] + b"." + line[20:23])
            except (ValueError, IndexError, OverflowError):
                unparsed += 1
                continue
            events += 1
            if (since is not None and epoch < since) or (until is not None and epoch >= until):
                continue
            if first is None or epoch < first:
                first = epoch
            if last is None or epoch > last:
                last = epoch
            at = line.find(b"The user '", start)
            m = _OUTCOME.match(line, at) if at >= 0 else None
            if m is None:
                at = line.find(b"login : '", start)
                m = _TRIED.match(line, at) if at >= 0 else None
            if m is not None:
                self._outcome(line, start, m, epoch, ctx.node, recent)
        stats.events = events
        stats.unparsed = unparsed
        if first is not None and last is not None:
            stats.saw(first)
            stats.saw(last)
        return stats

    def _outcome(
        self, line: bytes, start: int, m: re.Match[bytes], epoch: float, node: str, recent: dict
    ) -> None:
        user = sys.intern(m.group(1).decode("utf-8", "replace"))
        outcome = m.group(2) if m.re is _OUTCOME else b"login"
        failed = outcome != b"PASSED"
        request_id, address = _columns(line[start : m.start()])
        if failed and request_id is not None:
            key = (request_id, user)
            kind = outcome or b"CAPTCHA"  # FAILED, CAPTCHA or login
            seen = recent.pop(key, None)
            recent[key] = (epoch, kind)
            if len(recent) > RECENT_ATTEMPTS:
                del recent[next(iter(recent))]
            if seen is not None and seen[1] != kind and abs(epoch - seen[0]) <= SAME_ATTEMPT_S:
                return  # the same attempt's second line
        minute = int(epoch // 60) * 60
        series = self.node_minutes.get(node)
        if series is None:
            series = self.node_minutes[node] = {}
        counts = series.get(minute)
        if counts is None:
            counts = series[minute] = [0, 0]
        counts[0 if failed else 1] += 1
        if failed:
            self.failed += 1
            cell = (minute, user, address, node)
            self.fail_cells[cell] = self.fail_cells.get(cell, 0) + 1
            if len(self.fail_cells) > 2 * MAX_CELLS:
                self._prune_cells()
        else:
            self.passed += 1
            cell2 = (minute, user)
            self.pass_cells[cell2] = self.pass_cells.get(cell2, 0) + 1
            if len(self.pass_cells) > 2 * MAX_CELLS:
                self._prune_cells()
        if self._book(self.users, user, address, epoch, failed) and len(self.users) > 2 * MAX_USERS:
            self.pruned["users"] += _prune(self.users, MAX_USERS)
        new_address = self._book(self.addresses, address, user, epoch, failed)
        if new_address and len(self.addresses) > 2 * MAX_ADDRESSES:
            self.pruned["addresses"] += _prune(self.addresses, MAX_ADDRESSES)

    def _book(self, table: dict[str, Row], key: str, other: str, epoch: float, failed: bool) -> bool:
        """Count one outcome; True when a new key was added."""
        row = table.get(key)
        added = row is None
        if row is None:
            row = table[key] = [0, 0, epoch, epoch, {}]
        if failed:
            if not row[0]:
                row[2] = row[3] = epoch  # the first failure: first/last follow failures from now on
            row[0] += 1
        else:
            row[1] += 1
        if failed or not row[0]:
            if epoch < row[2]:
                row[2] = epoch
            if epoch > row[3]:
                row[3] = epoch
        pair = row[4].get(other)
        if pair is None:
            pair = row[4][other] = [0, 0]
        pair[0 if failed else 1] += 1
        if len(row[4]) > 2 * MAX_OTHERS:
            self.pruned["others"] += _prune(row[4], MAX_OTHERS)
        return added

    def end_file(self, ctx: FileContext) -> ChunkStats:
        self._recent.pop(ctx.path, None)
        return ChunkStats()

    # -- merging -----------------------------------------------------------------------------------
    def merge(self, other: SecurityAccumulator) -> None:
        self.failed += other.failed
        self.passed += other.passed
        for node, their_minutes in other.node_minutes.items():
            my_minutes = self.node_minutes.get(node)
            if my_minutes is None:
                self.node_minutes[node] = their_minutes
                continue
            for minute, (failed, passed) in their_minutes.items():
                pair = my_minutes.get(minute)
                if pair is None:
                    my_minutes[minute] = [failed, passed]
                else:
                    pair[0] += failed
                    pair[1] += passed
        for table, theirs, cap, name in (
            (self.users, other.users, MAX_USERS, "users"),
            (self.addresses, other.addresses, MAX_ADDRESSES, "addresses"),
        ):
            for key, row in theirs.items():
                found = table.get(key)
                if found is None:
                    table[key] = row
                else:
                    _merge_row(found, row, self.pruned)
            if len(table) > 2 * cap:
                self.pruned[name] += _prune(table, cap)
        for cell, n in other.fail_cells.items():
            self.fail_cells[cell] = self.fail_cells.get(cell, 0) + n
        for cell2, n in other.pass_cells.items():
            self.pass_cells[cell2] = self.pass_cells.get(cell2, 0) + n
        if len(self.fail_cells) > 2 * MAX_CELLS or len(self.pass_cells) > 2 * MAX_CELLS:
            self._prune_cells()
        for key, n in other.pruned.items():
            self.pruned[key] += n
        self._recent.update(other._recent)

    def _prune_cells(self) -> None:
        """Keep the failure cells of the users and addresses that fail most, and the passes of users
        that fail: the cells of one-off failures cannot make a burst on their own."""
        users: dict[str, int] = {}
        addresses: dict[str, int] = {}
        for (_, user, address, _), n in self.fail_cells.items():
            users[user] = users.get(user, 0) + n
            addresses[address] = addresses.get(address, 0) + n
        if len(self.fail_cells) > MAX_CELLS:
            ranked = sorted(
                self.fail_cells.items(),
                key=lambda kv: (-max(users[kv[0][1]], addresses[kv[0][2]]), kv[0]),
            )
            self.pruned["cells"] += len(ranked) - MAX_CELLS
            self.fail_cells = dict(ranked[:MAX_CELLS])
        passes = {cell: n for cell, n in self.pass_cells.items() if cell[1] in users}
        if len(passes) > MAX_CELLS:
            passes = dict(sorted(passes.items(), key=lambda kv: (-users[kv[0][1]], kv[0]))[:MAX_CELLS])
        self.pass_cells = passes

    # -- the result --------------------------------------------------------------------------------
    @property
    def minutes(self) -> dict[int, int]:
        """Failures per minute, all nodes together."""
        total: dict[int, int] = {}
        for series in self.node_minutes.values():
            for minute, (failed, _) in series.items():
                if failed:
                    total[minute] = total.get(minute, 0) + failed
        return total

    def summary(self, bucket_s: int) -> SecuritySummary:
        # the report model loads in the main process only: workers need no pydantic
        from collectors.logs.model import AuthBurst, SecuritySummary

        return SecuritySummary(
            failed=self.failed,
            passed=self.passed,
            per_minute_failed=_series(self.minutes, bucket_s),
            per_node=_per_node(self.node_minutes, bucket_s),
            cells=_cells(self.fail_cells, bucket_s),
            by_user=_top(self.users),
            by_address=_top(self.addresses),
            bursts=[
                AuthBurst(
                    kind=b.kind,
                    subject=b.subject,
                    start=to_datetime(b.start),
                    end=to_datetime(b.end),
                    failures=b.failures,
                    users=b.users,
                    addresses=b.addresses,
                    nodes=b.nodes,
                )
                for b in find_bursts(self.fail_cells, self.pass_cells)
            ],
        )

    def limits(self) -> list[str]:
        notes = []
        if self.pruned["users"]:
            notes.append(
                f"security log: {self.pruned['users']} users with few failed logins were dropped "
                f"from the per-user counts (over {2 * MAX_USERS} users)"
            )
        if self.pruned["addresses"]:
            notes.append(
                f"security log: {self.pruned['addresses']} addresses with few failed logins were "
                f"dropped from the per-address counts (over {2 * MAX_ADDRESSES} addresses)"
            )
        if self.pruned["others"]:
            notes.append(
                f"security log: users per address and addresses per user are the top {MAX_OTHERS}; "
                f"{self.pruned['others']} rare pairs were dropped"
            )
        # pruned as they came, and past the cap now (the summary hands on the busiest MAX_CELLS)
        dropped = self.pruned["cells"] + max(0, len(self.fail_cells) - MAX_CELLS)
        if dropped:
            notes.append(
                f"security log: burst detection kept the {MAX_CELLS} busiest minute cells; "
                f"{dropped} cells of rare failures were dropped"
            )
        return notes


def _columns(prefix: bytes) -> tuple[bytes | None, str]:
    """(request id, first client address) from the columns before the message."""
    tokens = prefix.split()
    for k in range(len(tokens) - 1, -1, -1):
        if _REQUEST_ID.fullmatch(tokens[k]):
            after = tokens[k + 1 :]
            if after and after[-1][:1] == b"/":
                after = after[:-1]  # the url
            if len(after) >= 2:
                after = after[1:]  # the session id
            elif after and b"." not in after[0] and b":" not in after[0]:
                after = []  # a lone session id, no address
            first = b"".join(after).split(b",")[0].strip()
            return tokens[k], sys.intern(first.decode("utf-8", "replace")) if first else UNKNOWN_ADDRESS
    return None, UNKNOWN_ADDRESS


def _merge_row(mine: Row, theirs: Row, pruned: dict[str, int]) -> None:
    if theirs[0] and not mine[0]:
        mine[2], mine[3] = theirs[2], theirs[3]  # failures' times replace passes' times
    elif theirs[0] or not mine[0]:
        mine[2], mine[3] = min(mine[2], theirs[2]), max(mine[3], theirs[3])
    mine[0] += theirs[0]
    mine[1] += theirs[1]
    for name, (f, p) in theirs[4].items():
        pair = mine[4].get(name)
        if pair is None:
            mine[4][name] = [f, p]
        else:
            pair[0] += f
            pair[1] += p
    if len(mine[4]) > 2 * MAX_OTHERS:
        pruned["others"] += _prune(mine[4], MAX_OTHERS)


def _prune(table: dict, keep: int) -> int:
    """Keep the ``keep`` entries with most failures (then passes); return how many were dropped."""
    ranked = sorted(table.items(), key=lambda kv: (-kv[1][0], -kv[1][1], kv[0]))
    for key, _ in ranked[keep:]:
        del table[key]
    return max(0, len(ranked) - keep)


def _top(table: dict[str, Row]) -> list[AuthFailures]:
    from collectors.logs.model import AuthFailures

    failing = (item for item in table.items() if item[1][0])
    rows = sorted(failing, key=lambda kv: (-kv[1][0], -kv[1][1], kv[0]))[:TOP]
    return [
        AuthFailures(
            name=name,
            failed=row[0],
            passed=row[1],
            first_at=to_datetime(row[2]),
            last_at=to_datetime(row[3]),
            others=[o for o, _ in sorted(row[4].items(), key=lambda kv: (-kv[1][0], -kv[1][1], kv[0]))][
                :LISTED_OTHERS
            ],
        )
        for name, row in rows
    ]


def _per_node(node_minutes: dict[str, dict[int, list[int]]], bucket_s: int) -> list[NodeLogins]:
    """Each node's failed and passed logins per bucket (buckets without any are left out)."""
    from collectors.logs.model import LoginMinute, NodeLogins

    out = []
    for node, minutes in sorted(node_minutes.items()):
        rolled: dict[int, list[int]] = {}
        for minute, (failed, passed) in minutes.items():
            counts = rolled.setdefault(bucket_of(minute, bucket_s), [0, 0])
            counts[0] += failed
            counts[1] += passed
        series = [LoginMinute(at=to_datetime(k), failed=f, passed=p) for k, (f, p) in sorted(rolled.items())]
        if series:
            out.append(NodeLogins(node=node, per_minute=series))
    return out


def _cells(fail_cells: dict[Cell, int], bucket_s: int) -> list[AuthCell]:
    """The failure cells burst detection kept, in buckets: the busiest ``MAX_CELLS``, in time order."""
    from collectors.logs.model import AuthCell

    rolled: dict[Cell, int] = {}
    for (minute, user, address, node), n in fail_cells.items():
        key = (bucket_of(minute, bucket_s), user, address, node)
        rolled[key] = rolled.get(key, 0) + n
    kept = sorted(rolled.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_CELLS]
    return [
        AuthCell(at=to_datetime(at), user=user, address=address, node=node, failed=n)
        for (at, user, address, node), n in sorted(kept)
    ]


def _series(minutes: dict[int, int], bucket_s: int) -> list[MinuteCount]:
    from collectors.logs.model import MinuteCount

    rolled: dict[int, int] = {}
    for minute, n in minutes.items():
        key = bucket_of(minute, bucket_s)
        rolled[key] = rolled.get(key, 0) + n
    if not rolled:
        return []
    keys = sorted(rolled)
    if (keys[-1] - keys[0]) // bucket_s < MAX_SERIES_POINTS:  # charts read gaps as zero: fill them
        keys = list(range(keys[0], keys[-1] + bucket_s, bucket_s))
    return [MinuteCount(at=to_datetime(k), count=rolled.get(k, 0)) for k in keys]
