"""Clues that structured evidence gives, beyond single lines: who failed to log in and from where,
how the GC and the heap behaved, which nodes went silent or restarted, what the hosts, the thread
dumps and the products' REST answers said."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence

from checks.incident.clue import Clue
from checks.incident.model import CauseClass, IncidentEvidence
from checks.incident.scene import Scene, iso
from collectors.hosts.model import HostSnapshot
from collectors.logs.model import AuthCell

GUESSING_MIN = 50  # failures from one address against at most MAX_GUESSED users
MAX_GUESSED = 2
ATTACK_RATE = 15.0  # failed logins a minute from one address: faster than any client retrying
MANY_USERS = 10  # distinct users failing at once: the directory, not the users
MANY_ADDRESSES = 5
FULL_HEAP = 0.9  # heap after GC as a share of the heap: nothing left to free
FULL_DISK = 0.99
FD_NEAR_LIMIT = 0.95
CLOCK_SKEW_S = 5.0


def _names(items: list[str], limit: int = 5) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def login_clues(scene: Scene) -> list[Clue]:
    """auth-attack, directory-unavailable and credential-failure, told apart by who fails from where."""
    clues: list[Clue] = []
    for analysis in scene.analyses:
        security = analysis.security
        if security is None:
            continue
        for burst in security.bursts:
            start, end = burst.start.timestamp(), burst.end.timestamp()
            if not (scene.in_region(start) or scene.in_region(end) or start <= scene.region[0] <= end):
                continue
            text = (
                f"{burst.kind}: {burst.failures:,} failed logins from {_names(burst.addresses)} "
                f"against {_names(burst.users)}, {burst.start:%H:%M}-{burst.end:%H:%M} UTC"
            )
            evidence = [IncidentEvidence(at=burst.start, node=None, source="security log", text=text)]
            nodes = frozenset(burst.nodes)
            minutes = max(1.0, (end - start) / 60 + 1)
            guessing = burst.kind == "password-guessing" and burst.failures / minutes >= ATTACK_RATE
            if burst.kind == "brute-force" or guessing:
                strength = 0.95 if burst.failures >= 100 else 0.75
                label = f"{burst.failures:,} failed logins from {_names(burst.addresses, 3)} ({burst.kind})"
                clues.append(Clue("auth-attack", strength, start, nodes, label, evidence))
            elif burst.kind in ("stale-password", "password-guessing"):
                rate = burst.failures / minutes
                label = (
                    f"{_names(burst.users, 2)} failing steadily to log in from {_names(burst.addresses, 2)} "
                    f"({burst.failures:,} times, {rate:.1f} a minute): a client with an old password"
                )
                # a service account failing all day long is background, not this incident's cause
                background = 1.0 if start < scene.region[0] - 3600 else 0.0
                clues.append(Clue("credential-failure", 0.6, start, nodes, label, evidence, background))
        clues += _cell_clues(scene, security.cells)
    if any(c.cause == "directory-unavailable" for c in clues):
        # When the directory fails, every user fails steadily: their "stale passwords" are its symptom.
        clues = [
            c
            for c in clues
            if not (c.cause == "credential-failure" and c.first is not None and scene.in_region(c.first))
        ]
    return clues


def _cell_clues(scene: Scene, cells: Sequence[AuthCell]) -> list[Clue]:
    failures: Counter[str] = Counter()
    users_of: dict[str, set[str]] = defaultdict(set)
    minutes_of: dict[str, set[int]] = defaultdict(set)
    users: set[str] = set()
    addresses: set[str] = set()
    nodes: set[str] = set()
    first: float | None = None
    for cell in cells:
        at = scene.clocks.epoch(cell.node, cell.at)
        if not scene.in_region(at):
            continue
        failures[cell.address] += cell.failed
        minutes_of[cell.address].add(scene.series.bucket(at) * 60 // scene.series.bucket_s)
        users_of[cell.address].add(cell.user)
        users.add(cell.user)
        addresses.add(cell.address)
        nodes.add(cell.node)
        first = at if first is None else min(first, at)
    total = sum(failures.values())
    if not total:
        return []
    clues: list[Clue] = []
    top, top_failures = failures.most_common(1)[0]
    if top != "-" and top_failures >= GUESSING_MIN and len(users_of[top]) <= MAX_GUESSED:
        rate = top_failures / max(1, len(minutes_of[top]))
        text = (
            f"{top_failures:,} failed logins from {top} against {_names(sorted(users_of[top]))}, "
            f"{rate:.1f} a minute while it lasted"
        )
        evidence = [IncidentEvidence(at=iso(first), node=None, source="security log", text=text)]
        # a guesser tries as fast as it can; a client with an old password retries at its own pace
        cause: CauseClass = "auth-attack" if rate >= ATTACK_RATE else "credential-failure"
        clues.append(
            Clue(cause, 0.8 if cause == "auth-attack" else 0.6, first, frozenset(nodes), text, evidence)
        )
    if len(users) >= MANY_USERS and len(addresses) >= MANY_ADDRESSES and top_failures < 0.5 * total:
        text = (
            f"{len(users):,} different users failed to log in from {len(addresses):,} addresses "
            f"({total:,} failures) on {', '.join(sorted(nodes))}"
        )
        evidence = [IncidentEvidence(at=iso(first), node=None, source="security log", text=text)]
        explains = frozenset({"failed-logins", "401"})
        clues.append(
            Clue("directory-unavailable", 0.45, first, frozenset(nodes), text, evidence, 0.0, explains)
        )
    return clues


def gc_clues(scene: Scene) -> list[Clue]:
    clues: list[Clue] = []
    by_node: dict[str, list[int]] = defaultdict(list)
    for a in scene.anomalies:
        if a.kind == "gc_share":
            by_node[a.node].append(a.at)
    for node, ats in by_node.items():
        shares = scene.series.get("gc_share", node)
        worst = max(shares.get(at, 0.0) for at in ats)
        text = (
            f"{len(ats)} minute(s) with the JVM paused for GC over a quarter of the time on {node}, "
            f"up to {worst:.0%}"
        )
        evidence = [IncidentEvidence(at=iso(min(ats)), node=node, source="gc log", text=text)]
        strength = min(0.85, 0.4 + 0.05 * len(ats))
        clues.append(Clue("gc-thrashing", strength, min(ats), frozenset({node}), text, evidence))
    for analysis in scene.analyses:
        for gc in analysis.gc or []:
            full = [
                p
                for p in gc.heap_after
                if p.total_mb
                and p.after_mb >= FULL_HEAP * p.total_mb
                and scene.in_region(scene.clocks.epoch(gc.node, p.at))
            ]
            if full:
                first = scene.clocks.epoch(gc.node, full[0].at)
                text = (
                    f"heap still {full[0].after_mb:,.0f} of {full[0].total_mb:,.0f} MB after GC on {gc.node} "
                    f"({len(full)} collection(s) freed almost nothing)"
                )
                evidence = [IncidentEvidence(at=iso(first), node=gc.node, source="gc log", text=text)]
                clues.append(
                    Clue(
                        "jvm-heap-exhausted",
                        0.6,
                        first,
                        frozenset({gc.node}),
                        text,
                        evidence,
                        0.0,
                        frozenset({"heap-floor"}),
                    )
                )
    return clues


def restart_clues(scene: Scene) -> list[Clue]:
    """A planned restart stops cleanly first; a process that vanished starts cold with no stop before it."""
    clues: list[Clue] = []
    for analysis in scene.analyses:
        last_stop: dict[str, float] = {}
        for event in analysis.restarts:
            if event.at is None:
                continue
            at = scene.clocks.epoch(event.node, event.at)
            stop = "stopping" in event.signature or "shut_down" in event.signature
            if stop:
                last_stop[event.node] = at
                continue
            if not scene.in_region(at) or "starting" not in event.signature:
                continue
            evidence = [
                IncidentEvidence(at=iso(at), node=event.node, source="application log", text=event.text)
            ]
            stopped = last_stop.get(event.node)
            if stopped is not None and at - stopped < 3600:
                evidence.insert(
                    0,
                    IncidentEvidence(
                        at=iso(stopped), node=event.node, source="application log", text="clean stop"
                    ),
                )
                text = (
                    f"{event.node} stopped cleanly at {iso(stopped):%H:%M} and started again at "
                    f"{iso(at):%H:%M} UTC"
                )
                clues.append(
                    Clue(
                        "deploy-or-restart",
                        0.6,
                        stopped,
                        frozenset({event.node}),
                        text,
                        evidence,
                        0.0,
                        frozenset({"restart", "node-silent"}),
                    )
                )
            else:
                text = (
                    f"{event.node} started at {iso(at):%H:%M} UTC with no stop logged before: "
                    "the process died"
                )
                clues.append(
                    Clue(
                        "host-oom-killer",
                        0.25,
                        at,
                        frozenset({event.node}),
                        text,
                        evidence,
                        0.0,
                        frozenset({"restart"}),
                    )
                )
    return clues


def silence_clues(scene: Scene) -> list[Clue]:
    silent: dict[str, list[int]] = defaultdict(list)
    for a in scene.anomalies:
        if a.kind == "silent":
            silent[a.node].append(a.at)
    clues = []
    for node, ats in silent.items():
        if len(ats) < 3:
            continue
        text = (
            f"{node} logged nothing for {len(ats)} minute(s) from {iso(min(ats)):%H:%M} UTC "
            "while the other nodes went on"
        )
        evidence = [IncidentEvidence(at=iso(min(ats)), node=node, source="logs", text=text)]
        strength = min(0.8, 0.3 + 0.015 * len(ats) * scene.series.bucket_s / 60)
        clues.append(Clue("cluster-node-lost", strength, min(ats), frozenset({node}), text, evidence))
    return clues


def latency_clues(scene: Scene) -> list[Clue]:
    """Slow everywhere with few errors: the shared dependency (the database) is slow, not one node."""
    slow = {a.node for a in scene.anomalies if a.kind == "p95" and a.node != "*"}
    failing = {a.node for a in scene.anomalies if a.kind == "5xx" and a.node != "*"}
    ats = [a.at for a in scene.anomalies if a.kind == "p95"]
    if len(slow) < 2 or failing or not ats:
        return []
    text = f"p95 latency up on {', '.join(sorted(slow))} at once with no rise in server errors"
    evidence = [IncidentEvidence(at=iso(min(ats)), node=None, source="access log", text=text)]
    return [Clue("db-slow", 0.3, min(ats), frozenset(slow), text, evidence)]


def host_clues(scene: Scene) -> list[Clue]:
    clues: list[Clue] = []
    offsets = {}
    for host in scene.hosts:
        if host.customer != scene.customer:
            continue
        node = host.name
        for oom in host.oom_events or []:
            if oom.at is not None and scene.in_region(oom.at.timestamp()):
                victim = oom.process or "a process"
                text = f"the kernel's OOM killer killed {victim} (pid {oom.pid}) on {host.name}"
                evidence = [IncidentEvidence(at=oom.at, node=node, source="host kernel log", text=text)]
                clues.append(
                    Clue("host-oom-killer", 0.9, oom.at.timestamp(), frozenset({node}), text, evidence)
                )
        at = host.finished_at.timestamp()
        for fs in host.filesystems or []:
            if fs.size and fs.used is not None and fs.used >= FULL_DISK * fs.size:
                text = f"{fs.mount} on {host.name} is {fs.used / fs.size:.1%} full"
                evidence = [IncidentEvidence(at=host.finished_at, node=node, source="host", text=text)]
                clues.append(Clue("disk-full", 0.5, at, frozenset({node}), text, evidence))
        for jvm in host.jvms or []:
            limit = jvm.max_open_files.soft if jvm.max_open_files else None
            if jvm.open_files and limit and jvm.open_files >= FD_NEAR_LIMIT * limit:
                text = f"JVM {jvm.pid} on {host.name} has {jvm.open_files:,} of {limit:,} files open"
                evidence = [IncidentEvidence(at=host.finished_at, node=node, source="host", text=text)]
                clues.append(Clue("fd-exhausted", 0.5, at, frozenset({node}), text, evidence))
        if host.clock is not None:
            offsets[node] = host.clock.offset_s
        clues += _dump_clues(host)
    if len(offsets) >= 2 and max(offsets.values()) - min(offsets.values()) > CLOCK_SKEW_S:
        spread = max(offsets.values()) - min(offsets.values())
        each = ", ".join(f"{n} {o:+.1f} s" for n, o in sorted(offsets.items()))
        text = f"host clocks disagree by {spread:.1f} s ({each})"
        evidence = [IncidentEvidence(at=None, node=None, source="host clocks", text=text)]
        clues.append(Clue("clock-skew", 0.4, None, frozenset(offsets), text, evidence))
    return clues


def _dump_clues(host: HostSnapshot) -> list[Clue]:
    from checks.thread_dumps.analysis import analyse_dumps

    clues: list[Clue] = []
    for series in analyse_dumps(host.thread_dumps or []):
        if not series.dumps:
            continue
        taken = series.dumps[0].taken_at
        waits = max(d.db_connection_waits for d in series.dumps)
        if waits >= 5:
            text = f"{waits} threads waiting for a database connection in the thread dumps of {host.name}"
            evidence = [IncidentEvidence(at=taken, node=host.name, source="thread dump", text=text)]
            clues.append(
                Clue("db-pool-exhausted", 0.6, taken.timestamp(), frozenset({host.name}), text, evidence)
            )
        for deadlock in series.deadlocks:
            text = f"deadlock on {host.name} between {', '.join(deadlock.threads[:4])}"
            evidence = [
                IncidentEvidence(at=deadlock.first_seen, node=host.name, source="thread dump", text=text)
            ]
            when = deadlock.first_seen.timestamp()
            clues.append(Clue("stuck-requests", 0.7, when, frozenset({host.name}), text, evidence))
        stuck = [s for s in series.stuck if s.pool.startswith("http")]
        if len(stuck) >= 3:
            top = stuck[0].frames[0] if stuck[0].frames else "?"
            text = (
                f"{len(stuck)} request threads stuck across {len(series.dumps)} dumps on {host.name}, "
                f"in {top}"
            )
            evidence = [IncidentEvidence(at=taken, node=host.name, source="thread dump", text=text)]
            clues.append(
                Clue("stuck-requests", 0.6, taken.timestamp(), frozenset({host.name}), text, evidence)
            )
    return clues


def rest_clues(scene: Scene) -> list[Clue]:
    clues: list[Clue] = []
    for inst in scene.instances:
        if inst.customer != scene.customer:
            continue
        at = inst.finished_at
        for node in inst.cluster.nodes if inst.cluster else []:
            if node.alive is False or (node.state or "").upper() == "OFFLINE":
                text = f"{inst.instance}: cluster node {node.node_id} is {node.state or 'not alive'}"
                evidence = [IncidentEvidence(at=at, node=node.node_id, source="rest", text=text)]
                clues.append(
                    Clue("cluster-node-lost", 0.6, at.timestamp(), frozenset({node.node_id}), text, evidence)
                )
        for lic in inst.licenses or []:
            if lic.expiry is not None and lic.expiry <= at:
                text = f"{inst.instance}: the {lic.application} licence expired on {lic.expiry:%Y-%m-%d}"
                evidence = [IncidentEvidence(at=lic.expiry, node=None, source="rest", text=text)]
                clues.append(
                    Clue("licence-expired", 0.7, lic.expiry.timestamp(), frozenset(), text, evidence)
                )
        for check in inst.health_checks.statuses if inst.health_checks else []:
            cause = _atst_cause(check.name)
            if check.healthy or cause is None:
                continue
            reason = check.failure_reason or "no reason given"
            text = f"{inst.instance}: health check {check.name!r} failed: {reason}"
            evidence = [IncidentEvidence(at=check.time or at, node=check.node_id, source="rest", text=text)]
            when = (check.time or at).timestamp()
            clues.append(
                Clue(cause, 0.5, when, frozenset({check.node_id} if check.node_id else ()), text, evidence)
            )
        if inst.index is not None and inst.index.index_readable is False:
            text = f"{inst.instance}: the search index is not readable"
            evidence = [IncidentEvidence(at=at, node=inst.index.node_id, source="rest", text=text)]
            clues.append(Clue("index-corruption", 0.6, at.timestamp(), frozenset(), text, evidence))
    return clues


# Troubleshooting and Support Tools checks whose failure names a cause class, by words in their name.
_ATST_CAUSES: tuple[tuple[str, CauseClass], ...] = (
    ("licen", "licence-expired"),
    ("cache replication", "cache-replication"),
    ("index", "index-corruption"),
    ("cluster", "cluster-node-lost"),
    ("mail", "mail-queue"),
    ("open files", "fd-exhausted"),
    ("disk", "disk-full"),
    ("database", "db-unreachable"),
)


def _atst_cause(name: str) -> CauseClass | None:
    lowered = name.lower()
    return next((cause for words, cause in _ATST_CAUSES if words in lowered), None)


DETECTORS: tuple[Callable[[Scene], list[Clue]], ...] = (
    login_clues,
    gc_clues,
    restart_clues,
    silence_clues,
    latency_clues,
    host_clues,
    rest_clues,
)
