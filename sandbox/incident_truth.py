"""What a scenario planted, and the impact figures counted from the very records it wrote.

Every request written to an access log is kept as a few numbers (its second, duration, status and
node: 11 bytes), the user or client address only for the requests that got a 5xx, and every failed
login written to a security log as (millisecond, user, node); so ``Truth.impact`` can count any
window exactly, at a gigabyte of logs too, without reading them back.

How each figure is counted, for a window ``[start, end)`` (``end`` None: to the end of the logs):

- ``requests``, ``failed_requests``: access-log lines whose time (``%t``, the second the request came
  in) is in the window; failed means status 500 to 599.
- ``baseline_requests_per_min``: lines in the hour before ``start``, divided by 60.
- ``p95_ms_before``, ``p95_ms_during``: the 95th percentile of ``%D`` over the hour before and over
  the window (NumPy's default, linear interpolation); 0.0 when there is no request.
- ``users_with_errors``: distinct users that got a 5xx in the window; for a line whose user is ``-``,
  its client address stands for the user.
- ``users_failed_login``: distinct users named in the security log's failed logins in the window.
- ``peak_error_rate``: the highest share of 5xx, in %, over the clock minutes the window overlaps,
  each minute counted whole (all its lines, all nodes together), as a per-minute series shows it.
- ``nodes_affected``: the nodes that, in the window against their own hour before, show any of: a
  5xx share at least twice as high and one point higher (and at least 5 of them); a 4xx share at
  least twice as high and two points higher (at least 10); a p95 at least twice as high and 200 ms
  higher; a whole clock minute inside the window with under a quarter of their mean requests per
  minute before (down or restarting); at least 10 failed logins at five times their rate before
  (counted with one more failure before, so that none before does not divide by zero).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np


@dataclass(frozen=True)
class ImpactTruth:
    requests: int
    failed_requests: int
    baseline_requests_per_min: float
    p95_ms_before: float
    p95_ms_during: float
    users_with_errors: int
    users_failed_login: int
    nodes_affected: tuple[str, ...]
    peak_error_rate: float


class RecordBook:
    """Collects the records while a scenario is written; ``freeze`` makes them one set of arrays."""

    def __init__(self, origin: int, nodes: tuple[str, ...]) -> None:
        self.origin = origin
        self.nodes = nodes
        self._requests: list[tuple[np.ndarray, ...]] = []
        self._errors: list[tuple[np.ndarray, np.ndarray]] = []
        self._logins: list[tuple[int, int, int]] = []
        self.keys: dict[str, int] = {}

    def key(self, name: str) -> int:
        found = self.keys.get(name)
        if found is None:
            found = self.keys[name] = len(self.keys)
        return found

    def add_requests(
        self, node: int, second: np.ndarray, status: np.ndarray, ms: np.ndarray, who: list[str]
    ) -> None:
        """``who``: for each request with a 5xx, in order, the user or (when anonymous) the address."""
        offset = (second - self.origin).astype(np.int32)
        self._requests.append(
            (offset, ms.astype(np.int32), status.astype(np.int16), np.full(len(second), node, dtype=np.int8))
        )
        if who:
            bad = status >= 500
            self._errors.append((offset[bad], np.array([self.key(w) for w in who], dtype=np.int32)))

    def add_failed_login(self, millis: int, user: str, node: int) -> None:
        self._logins.append((millis, self.key(user), node))

    def freeze(self, end: float) -> ImpactRecords:
        def cat(parts: list[np.ndarray], dtype: type) -> np.ndarray:
            return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)

        columns = list(zip(*self._requests, strict=True)) if self._requests else [[], [], [], []]
        errors = list(zip(*self._errors, strict=True)) if self._errors else [[], []]
        logins = np.array(self._logins, dtype=np.int64).reshape(-1, 3)
        return ImpactRecords(
            origin=self.origin,
            end=end,
            nodes=self.nodes,
            second=cat(list(columns[0]), np.int32),
            ms=cat(list(columns[1]), np.int32),
            status=cat(list(columns[2]), np.int16),
            node=cat(list(columns[3]), np.int8),
            error_second=cat(list(errors[0]), np.int32),
            error_key=cat(list(errors[1]), np.int32),
            login_ms=logins[:, 0],
            login_key=logins[:, 1],
            login_node=logins[:, 2],
        )


@dataclass(frozen=True, eq=False)
class ImpactRecords:
    origin: int  # epoch second that offsets count from
    end: float  # the end of the logs
    nodes: tuple[str, ...]
    second: np.ndarray
    ms: np.ndarray
    status: np.ndarray
    node: np.ndarray
    error_second: np.ndarray
    error_key: np.ndarray
    login_ms: np.ndarray  # epoch milliseconds
    login_key: np.ndarray
    login_node: np.ndarray

    def impact(self, start: datetime, end: datetime | None) -> ImpactTruth:
        a = _epoch(start) - self.origin
        b = (_epoch(end) if end is not None else self.end) - self.origin
        during = (self.second >= a) & (self.second < b)
        before = (self.second >= a - 3600) & (self.second < a)
        failed = during & (self.status >= 500)
        overlapping = (self.second >= a // 60 * 60) & (self.second < np.ceil(b / 60) * 60)
        minutes = self.second[overlapping] // 60
        peak = 0.0
        if len(minutes):
            per_minute = np.bincount(minutes - minutes.min())
            bad = np.bincount(minutes - minutes.min(), weights=(self.status[overlapping] >= 500))
            seen = per_minute > 0
            peak = float((100 * bad[seen] / per_minute[seen]).max())
        errors = (self.error_second >= a) & (self.error_second < b)
        login_a, login_b = (a + self.origin) * 1000, (b + self.origin) * 1000
        logins = (self.login_ms >= login_a) & (self.login_ms < login_b)
        return ImpactTruth(
            requests=int(during.sum()),
            failed_requests=int(failed.sum()),
            baseline_requests_per_min=float(before.sum() / 60),
            p95_ms_before=_p95(self.ms[before]),
            p95_ms_during=_p95(self.ms[during]),
            users_with_errors=len(np.unique(self.error_key[errors])),
            users_failed_login=len(np.unique(self.login_key[logins])),
            nodes_affected=self._affected(a, b, before, during, login_a, login_b),
            peak_error_rate=peak,
        )

    def _affected(
        self, a: float, b: float, before: np.ndarray, during: np.ndarray, login_a: float, login_b: float
    ) -> tuple[str, ...]:
        out = []
        for i, name in enumerate(self.nodes):
            mine = self.node == i
            was, now = before & mine, during & mine
            n_was, n_now = int(was.sum()), int(now.sum())
            hit = False
            for low, high, points, least in ((500, 600, 0.01, 5), (400, 500, 0.02, 10)):
                bad_was = int((was & (self.status >= low) & (self.status < high)).sum())
                bad_now = int((now & (self.status >= low) & (self.status < high)).sum())
                share_was = bad_was / n_was if n_was else 0.0
                share_now = bad_now / n_now if n_now else 0.0
                if bad_now >= least and share_now >= max(2 * share_was, share_was + points):
                    hit = True
            p95_was, p95_now = _p95(self.ms[was]), _p95(self.ms[now])
            if n_now and n_was and p95_now >= max(2 * p95_was, p95_was + 200):
                hit = True
            mean_was = n_was / 60
            first, last = int(np.ceil(a / 60)), int(b // 60)  # whole clock minutes inside the window
            if mean_was > 0 and last > first:
                whole = self.second[now & (self.second >= first * 60) & (self.second < last * 60)]
                counts = np.bincount(whole // 60 - first, minlength=last - first)
                if counts.min() < mean_was / 4:
                    hit = True
            node_logins = self.login_node == i
            failed_was = int(
                (node_logins & (self.login_ms >= login_a - 3_600_000) & (self.login_ms < login_a)).sum()
            )
            failed_now = int((node_logins & (self.login_ms >= login_a) & (self.login_ms < login_b)).sum())
            minutes = max((b - a) / 60, 1 / 60)
            if failed_now >= 10 and failed_now / minutes >= 5 * (failed_was + 1) / 60:
                hit = True
            if hit:
                out.append(name)
        return tuple(out)


def _p95(values: np.ndarray) -> float:
    return float(np.percentile(values, 95)) if len(values) else 0.0


def _epoch(at: datetime) -> float:
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).timestamp()


@dataclass(frozen=True)
class Truth:
    """What a scenario planted: the cause class (None for ``quiet``), when it acted and where."""

    scenario: str
    cause: str | None
    start: datetime
    end: datetime | None  # None: still going when the logs end
    nodes: tuple[str, ...]
    second_cause: str | None = None  # for "overlapping": the later problem
    second_start: datetime | None = None
    records: ImpactRecords | None = field(default=None, repr=False, compare=False)

    def impact(self, start: datetime, end: datetime | None) -> ImpactTruth:
        """The impact figures over any window, counted from the records the scenario wrote."""
        if self.records is None:
            raise ValueError(f"scenario {self.scenario!r} kept no records")
        return self.records.impact(start, end)
