"""Generating a scenario minute by minute: the traffic, what the effects make of it, each node's
lifecycle (starts, clean stops, a JVM that vanishes), and every line of every file, streamed.

Memory stays flat: a minute's requests are NumPy columns, written and then reduced to the compact
records ``Truth.impact`` counts from (incident_truth.py); files keep only the few minutes of lines
not yet in time order (incident_output.py).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sandbox import incident_lines as text
from sandbox.incident_effects import Effect, Run, World
from sandbox.incident_gc import NORMAL_FLOOR_MB, GcRun, Pressure
from sandbox.incident_output import NodeFiles, Stream
from sandbox.incident_traffic import (
    ENDPOINTS,
    FORM,
    LOGIN_FAILED,
    NO_LOGIN,
    Requests,
    Spans,
    Traffic,
    make_people,
)
from sandbox.incident_truth import ImpactRecords, RecordBook

NODES = ("node1", "node2", "node3")


@dataclass
class Plan:
    """A scenario's timeline and what it plants."""

    name: str
    cause: str | None
    t0: float  # the first minute of the logs
    start: float
    end: float | None
    log_end: float
    nodes: tuple[str, ...]  # where the cause acted
    effects: list[Effect] = field(default_factory=list)
    runs: dict[int, list[Run]] = field(default_factory=dict)
    second_cause: str | None = None
    second_start: float | None = None


def _clip(span: tuple[float, float], a: float, b: float) -> tuple[float, float] | None:
    lo, hi = max(span[0], a), min(span[1], b)
    return (lo, hi) if hi > lo else None


class Simulation:
    def __init__(self, plan: Plan, folder: Path, seed: int, scale: float) -> None:
        self.plan = plan
        self.scale = scale
        self.people = make_people(scale, len(NODES))
        self.traffic = Traffic(self.people, len(NODES), scale, _day_start(plan.t0), seed)
        self.world = World(
            people=self.people,
            traffic=self.traffic,
            nodes=NODES,
            random=random.Random(f"{seed}-{plan.name}-effects"),
            np=np.random.default_rng([seed, 202]),
            scale=scale,
            log_end=plan.log_end,
        )
        self.rng = [random.Random(f"{seed}-{node}") for node in NODES]
        self.nprng = [np.random.default_rng([seed, 303, i]) for i in range(len(NODES))]
        self.files = [NodeFiles(folder / node) for node in NODES]
        self.book = RecordBook(int(plan.t0), NODES)
        self.counter = [int(self.rng[i].randint(100_000, 900_000)) for i in range(len(NODES))]
        self.failures: dict[str, int] = {}
        self.gc: list[tuple[Run, GcRun, Stream] | None] = [None] * len(NODES)
        self.runs = {i: plan.runs.get(i) or [Run()] for i in range(len(NODES))}
        for i in range(len(NODES)):
            self._lifecycle_lines(i)

    # -- timeline ------------------------------------------------------------------------------------
    def runs_of(self, node: int) -> list[Run]:
        return self.runs[node]

    def _spans(self, node: int, a: float, b: float, serving: bool) -> Spans:
        out = []
        for run in self.runs_of(node):
            span = _clip(run.serving() if serving else run.alive(), a, min(b, self.plan.log_end))
            if span:
                out.append(span)
        return out

    def _alive_at(self, node: int, at: float) -> bool:
        return at < self.plan.log_end and any(a <= at < b for a, b in (r.alive() for r in self.runs_of(node)))

    def _emit(self, stream: Stream, node: int, at: float, line: str) -> None:
        if self._alive_at(node, at):
            stream.add(at, line)

    def _lifecycle_lines(self, node: int) -> None:
        files = self.files[node]
        for run in self.runs_of(node):
            if run.start is not None and run.ready is not None:
                for at, line in text.jira_starting(run.start, run.ready, NODES[node], run.version):
                    self._emit(files.app, node, at, line)
                for at, line in text.tomcat_starting(run.start, run.ready):
                    self._emit(files.catalina, node, at, line)
            if run.stop is not None and run.clean:
                for at, line in text.jira_stopping(run.stop):
                    self._emit(files.app, node, at, line)
                for at, line in text.tomcat_stopping(run.stop):
                    self._emit(files.catalina, node, at, line)

    # -- the minutes ---------------------------------------------------------------------------------
    def run(self) -> ImpactRecords:
        plan = self.plan
        minute = plan.t0
        while minute < plan.log_end:
            for files in self.files:
                files.flush(minute)
            serving = [self._spans(i, minute, minute + 60, True) for i in range(len(NODES))]
            alive = [self._spans(i, minute, minute + 60, False) for i in range(len(NODES))]
            batches = self.traffic.minute(minute, serving, alive)
            for k, effect in enumerate(plan.effects):
                effect.shape(self.world, minute, batches, k + 1)
            for i, req in enumerate(batches):
                req.sort()
                req.take(self._logged(i, req))
            counts = self._failure_counts(batches)
            for i in range(len(NODES)):
                self._write_minute(i, minute, batches[i], counts[i], alive[i], serving[i])
            minute += 60
        for files in self.files:
            files.close()
        return self.book.freeze(plan.log_end)

    def _logged(self, node: int, req: Requests) -> np.ndarray:
        """The requests whose line gets written: they end while their JVM still runs and before the
        logs were collected."""
        done = req.t + req.ms / 1000
        keep = np.zeros(len(req), dtype=bool)
        for run in self.runs_of(node):
            lo, hi = run.alive()
            keep |= (req.t >= lo) & (req.t < hi) & (done < min(hi, self.plan.log_end))
        return keep

    def _failure_counts(self, batches: list[Requests]) -> list[np.ndarray]:
        """Jira keeps each user's failed-login count in the database, for the whole cluster: count in
        time order over every node; a passed login resets it."""
        out = [np.zeros(len(b), dtype=np.int64) for b in batches]
        order = sorted(
            (float(b.t[j]), i, int(j))
            for i, b in enumerate(batches)
            for j in np.flatnonzero(b.login != NO_LOGIN)
        )
        for _, i, j in order:
            name = self.people.names[int(batches[i].who[j])]
            if batches[i].login[j] == LOGIN_FAILED:
                self.failures[name] = self.failures.get(name, 0) + 1
                out[i][j] = self.failures[name]
            else:
                self.failures[name] = 0
        return out

    def _write_minute(
        self, i: int, minute: float, req: Requests, counts: np.ndarray, alive: Spans, serving: Spans
    ) -> None:
        files, rng, people = self.files[i], self.rng[i], self.people
        prefix = text.clf_minute(minute)
        minute_of_day = int(minute % 86400 // 60)
        who, ep, status = req.who.tolist(), req.ep.tolist(), req.status.tolist()
        ms, nbytes, numbers = req.ms.tolist(), req.nbytes.tolist(), req.n.tolist()
        anon, login, reason = req.anon.tolist(), req.login.tolist(), req.reason.tolist()
        times = req.t.tolist()
        errors: list[str] = []
        for j in range(len(times)):
            w, e = who[j], ENDPOINTS[ep[j]]
            user = "-" if anon[j] else people.names[w]
            address = people.addresses[w]
            static = e.kind == "static"
            self.counter[i] += 1
            reqid = "-" if static else f"{minute_of_day}x{self.counter[i]}x{1 + self.counter[i] % 7}"
            session = "-" if user == "-" else people.sessions[w]
            path = e.path.replace("{n}", str(numbers[j]))
            size = nbytes[j] or "-"
            second = int(times[j] - minute)
            done = times[j] + ms[j] / 1000
            referer = "-" if w >= people.staff else "https://jira.example.com/secure/Dashboard.jspa"
            files.access_for(done).add(
                done,
                f'{address} {reqid} {user} [{prefix}{second:02d} +0000] "{e.method} {path} HTTP/1.1" '
                f"{status[j]} "
                f'{size} {ms[j]} "{referer}" "{people.agents[w]}" "{session}"\n',
            )
            if status[j] >= 500:
                errors.append(user if user != "-" else address)
            exec_n = rng.randint(1, 200)
            if login[j] != NO_LOGIN:
                failed = login[j] == LOGIN_FAILED
                # a failure ends the request; a success lets it go on
                at_ms = int(times[j] * 1000) + (ms[j] if failed else min(ms[j], 80))
                name = people.names[w]
                if failed and reason[j] and self.plan.effects[reason[j] - 1].user_not_found and ep[j] == FORM:
                    # a user the directory cannot look up: Jira writes this line before the failure
                    files.security.add(
                        at_ms / 1000,
                        text.security(
                            at_ms / 1000,
                            exec_n,
                            "anonymous",
                            reqid,
                            session,
                            address,
                            e.path,
                            text.not_found(name),
                        ),
                    )
                files.security.add(
                    at_ms / 1000,
                    text.security(
                        at_ms / 1000,
                        exec_n,
                        "anonymous" if failed else name,
                        reqid,
                        session,
                        address,
                        path.split("?", 1)[0],
                        text.login_message(name, not failed, int(counts[j])),
                    ),
                )
                if failed:
                    self.book.add_failed_login(at_ms, name, i)
            event = None
            if reason[j]:
                event = self.plan.effects[reason[j] - 1].event(self.world, i, req, j)
            elif status[j] >= 500:
                logger, message, stack = rng.choice(text.BASELINE_ERRORS)
                event = ("ERROR", logger, message.format(url=path), stack.format(n=numbers[j]))
            if event is not None:
                level, logger, message, stack = event
                files.app.add(
                    done,
                    text.app(
                        done,
                        text.request_thread(exec_n, path, people.names[w] if not anon[j] else "anonymous"),
                        level,
                        logger,
                        message,
                        user="anonymous" if anon[j] else people.names[w],
                        reqid=reqid,
                        session=session,
                        ip=address,
                        url=path.split("?", 1)[0],
                        stack=stack,
                    ),
                )
        self.book.add_requests(i, np.floor(req.t).astype(np.int64), req.status, req.ms, errors)
        self._chatter(i, minute, len(req), serving)
        for effect in self.plan.effects:
            for at, where, line in effect.lines(self.world, i, minute):
                self._emit(files.app if where == "app" else files.catalina, i, at, line)
        self._gc(i, minute, alive, len(req))

    def _chatter(self, i: int, minute: float, requests: int, serving: Spans) -> None:
        rng = self.rng[i]
        total = sum(b - a for a, b in serving)
        if total <= 0:
            return
        count = int(self.nprng[i].poisson((3 + 0.12 * requests) * total / 60))
        for _ in range(count):
            offset = rng.random() * total
            for a, b in serving:
                if offset < b - a:
                    at = a + offset
                    self.files[i].app.add(at, text.chatter(rng, at, NODES[i]))
                    break
                offset -= b - a

    def _gc(self, i: int, minute: float, alive: Spans, requests: int) -> None:
        for a, b in alive:
            run = next(r for r in self.runs_of(i) if r.alive()[0] <= a < r.alive()[1])
            current = self.gc[i]
            if current is None or current[0] is not run:
                current = self._start_gc(i, run)
            _, gc, stream = current
            pressure = self._pressure(i, (a + b) / 2)
            alloc = 8 + 1.1 * requests * 60 / max(b - a, 1.0)
            for at, block in gc.until(b, alloc, pressure, a):
                if at < self.plan.log_end:
                    stream.add(at, block)
            stop = run.alive()[1]
            if run.stop is not None and run.clean and b == stop and stop < self.plan.log_end:
                stream.add(*gc.shutdown(stop - 0.5))

    def _start_gc(self, i: int, run: Run) -> tuple[Run, GcRun, Stream]:
        rng = self.rng[i]
        if run.start is None:  # started days before the logs: its file is named after that start
            jvm_start = self.plan.t0 - 3 * 86400 - 3600 * (i + 1) - rng.randint(0, 3000)
            gc = GcRun(rng, jvm_start, 41_000 + 1_700 * i, NORMAL_FLOOR_MB + rng.uniform(0, 1200))
            stream = self.files[i].new_gc(jvm_start)
        else:
            gc = GcRun(rng, run.start, 0, 600.0)
            stream = self.files[i].new_gc(run.start)
            stream.add(*gc.startup())
        for effect in self.plan.effects:
            for at, millis, after in effect.forced_gc(i):
                if run.alive()[0] <= at < run.alive()[1]:
                    gc.force_full(at, millis, after)
        current = (run, gc, stream)
        self.gc[i] = current
        return current

    def _pressure(self, node: int, at: float) -> Pressure | None:
        for effect in self.plan.effects:
            found = effect.pressure(node, at)
            if found is not None:
                return found
        return None


def _day_start(t0: float) -> float:
    return t0 - t0 % 86400
