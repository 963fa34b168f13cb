"""Three-node Jira Data Center incidents, one for each cause class the logs can show, with realistic
baseline traffic and decoys, and the truth the incident tests compare against.

``write_scenario(name, folder)`` writes ``folder/node1``, ``node2`` and ``node3`` as a Jira install
lays its logs out (``log/atlassian-jira.log``, ``log/atlassian-jira-security.log``,
``logs/access_log.YYYY-MM-DD``, ``logs/atlassian-jira-gc-<JVM start>.log``, and ``logs/catalina.out``
when Tomcat had something to say), the way ``atlas-health analyze`` reads folders, and returns a
``Truth``: the cause class, when it acted and where, and ``Truth.impact(start, end)``, the impact
figures over any window counted from the records the scenario wrote (incident_truth.py says how).

The timeline: logs from 07:00 UTC on 14 May 2024; two hours of baseline (about 22 requests a minute
per node at 07:00 rising to about 48 by 10:00, a few hundred staff, ~0.2 % 5xx, the everyday INFO and
WARN of a healthy node); the incident, starting between 09:00 and 09:10 (the seed decides) and lasting
20 to 60 minutes; then 30 to 50 minutes of recovery, unless the incident is still going when the logs
end. Every scenario holds the same background and decoys (incident_decoys.py): a 7.4 s full GC on node3
an hour before, grace.smith mistyping her password three times 34 minutes before, an LDAP
synchronisation interrupted by a connect timeout 17 minutes into the logs, and node3's 50 indexing
warnings a minute, all day.

Scenarios, and what each plants (node1..node3 are nodes 0..2):

- ``jvm-heap-exhausted``: a huge export on node1; heap floor to the top in ~6 min, failed young pauses,
  back-to-back full GCs of 6-22 s, ``OutOfMemoryError: Java heap space`` from minute 7 (application log,
  catalina.out with the heap dump), 35 % 5xx and 4x latency on node1; clean restart at minute 26.
- ``gc-thrashing``: a background re-index on node2; full GCs of 2-6 s with 1-3 s between (GC overhead
  over 50 %), no OOM, 7x latency on node2 for 30 min.
- ``native-threads-exhausted``: node1, ``OutOfMemoryError: unable to create native thread`` (app log,
  catalina.out), 45 % of its database requests fail fast; restart at minute 22.
- ``fd-exhausted``: node2, ``Socket accept failed`` / ``Too many open files`` (catalina.out), index files
  ``(Too many open files)``, ATST's open-files check; half its requests fail; restart at minute 22.
- ``db-pool-exhausted``: every node, ``Cannot get a connection, pool error Timeout waiting for idle
  object`` after a 30 s wait on 30 % of database requests, the rest 3x slower, ``Dangerous use of
  multiple connections`` warnings; 30 min.
- ``db-unreachable``: every node, PostgreSQL ``Connection to db.example.com:5432 refused`` with root
  ``java.net.ConnectException: Connection refused``, 92 % of database requests fail fast; 25 min.
- ``db-slow``: every node 7x slower, ``Slow query took N ms`` warnings, 0.6 % statement timeouts; 35 min.
- ``disk-full``: the shared home, ``No space left on device`` on attachment uploads (all fail) and 20 %
  of issue creations, index snapshots fail; 40 min.
- ``http-threads-saturated``: node1, catalina.out ``Maximum number of threads ([200]) created for
  connector``, board requests hold the threads, 14x latency, 15 % 503; 25 min.
- ``stuck-requests``: node2, the timesheets app hangs on a remote call: StuckThreadDetectionValve
  warnings (and completions) in catalina.out, requests of 125-600 s, the node 3x slower; 30 min.
- ``directory-unavailable``: LDAP unreachable for 45 min: every directory user's login fails after the
  10 s connect timeout on every node (many users, many addresses, people retrying), 401s for REST
  logins and the LDAP service account, ``Directory ... is not functional`` with
  ``CommunicationException ... Connection timed out`` per failed login, the hourly sync fails.
- ``auth-attack``: 203.0.113.45 guesses ``admin``'s password 1,500 times in 30 min (401 on
  ``/rest/auth/1/session``), round robin over the three nodes.
- ``credential-failure``: the svc-jira-sync integration keeps a changed password: 401 and a retry on
  each of its three calls a minute, for 45 min, on every node.
- ``licence-expired``: creates and edits refused (403) on every node, ATST ``License Expiry`` failing
  every 5 min, until a new licence is applied after 40 min.
- ``app-failure``: an update of the timesheets app: ``NoSuchMethodError`` on its REST resources (95 % of
  them 500) and from its event listener, on every node; rolled back after 35 min.
- ``index-corruption``: node2's index: ``CorruptIndexException`` on its searches and boards (90 % 500)
  and indexing; the others report ``Index replication for cluster node 'node2' is behind``; 35 min.
- ``cluster-node-lost``: node3 drops off the network; its logs stop without a stop line, the others log
  LOCALQ replication failures (``No route to host``), mark it offline after 5 min and report it not
  replicating; it comes back with a cold start after 35 min.
- ``cache-replication``: the RMI port blocked between the nodes: every node's LOCALQ queues to the
  others fail (``Connection refused``) and grow; ATST ``The node ... is not replicating``; 40 min.
- ``mail-queue``: ``Could not connect to SMTP host: smtp.example.com, port: 25`` every minute on every
  node, the mail queue growing; 45 min; no user-facing errors.
- ``deploy-or-restart``: a planned rolling upgrade to 9.12.8: each node in turn ``Stopping launchers``,
  a gap of ~3 min, the ``Jira starting...`` banner; no error.
- ``host-oom-killer``: node2's JVM vanishes twice (no stop line, no heap summary in its GC log), then a
  cold start each time.
- ``proxy-or-network``: every node, 12 % of requests cut at 60 s by the load balancer
  (``ClientAbortException: java.io.IOException: Broken pipe``), the rest 2.5x slower; 25 min.
- ``quiet``: two ordinary hours with the decoys: no cause (the truth's window is the whole span).
- ``overlapping``: ``db-pool-exhausted`` (30 min, the cause) and, from its 20th minute, ``gc-thrashing`` on
  node2 (25 min, the second cause).
- ``ongoing``: ``jvm-heap-exhausted`` on node1 with the logs collected 20 minutes in, before any restart.

Cause classes left out, because a Jira cluster's logs cannot show them: ``scm-overload`` (Bitbucket),
``agents-offline`` (Bamboo), ``host-starvation`` (needs host metrics), and ``clock-skew`` (needs the
clock offsets host collection measures; a skewed node's logs look healthy on their own).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sandbox import incident_causes_auth as auth
from sandbox import incident_causes_cluster as cluster
from sandbox import incident_causes_db as db
from sandbox import incident_causes_jvm as jvm
from sandbox.incident_decoys import background
from sandbox.incident_effects import Cause
from sandbox.incident_engine import NODES, Plan, Simulation
from sandbox.incident_truth import ImpactTruth, Truth

__all__ = ["SCENARIOS", "ImpactTruth", "Truth", "write_scenario"]

T0 = datetime(2024, 5, 14, 7, 0, tzinfo=UTC).timestamp()
BASELINE_S = 2 * 3600
MIN = 60.0

CAUSES: dict[str, Callable[[float], Cause]] = {
    "jvm-heap-exhausted": jvm.heap_exhausted,
    "gc-thrashing": jvm.gc_thrashing,
    "native-threads-exhausted": jvm.native_threads,
    "fd-exhausted": jvm.fd_exhausted,
    "db-pool-exhausted": db.db_pool,
    "db-unreachable": db.db_unreachable,
    "db-slow": db.db_slow,
    "disk-full": db.disk_full,
    "http-threads-saturated": jvm.http_threads,
    "stuck-requests": jvm.stuck_requests,
    "directory-unavailable": auth.directory_unavailable,
    "auth-attack": auth.auth_attack,
    "credential-failure": auth.credential_failure,
    "licence-expired": auth.licence_expired,
    "app-failure": cluster.app_failure,
    "index-corruption": cluster.index_corruption,
    "cluster-node-lost": cluster.cluster_node_lost,
    "cache-replication": cluster.cache_replication,
    "mail-queue": cluster.mail_queue,
    "deploy-or-restart": cluster.deploy_or_restart,
    "host-oom-killer": jvm.host_oom_killer,
    "proxy-or-network": cluster.proxy_or_network,
}
SCENARIOS: tuple[str, ...] = (*CAUSES, "quiet", "overlapping", "ongoing")
ONGOING_FOR_S = 20 * MIN
OVERLAP_AFTER_S = 20 * MIN


def write_scenario(name: str, folder: Path, *, seed: int = 1, scale: float = 1.0) -> Truth:
    """Write the scenario's three node folders under ``folder``; return its truth."""
    if name not in SCENARIOS:
        raise ValueError(f"unknown scenario {name!r}; the scenarios are: {', '.join(SCENARIOS)}")
    if not 0 < scale <= 10_000:
        raise ValueError(f"scale must be above 0 and at most 10000, not {scale}")
    plan = _plan(name, seed)
    records = Simulation(plan, Path(folder), seed, scale).run()
    return Truth(
        scenario=name,
        cause=plan.cause,
        start=_dt(plan.start),
        end=None if plan.end is None else _dt(plan.end),
        nodes=plan.nodes,
        second_cause=plan.second_cause,
        second_start=None if plan.second_start is None else _dt(plan.second_start),
        records=records,
    )


def _plan(name: str, seed: int) -> Plan:
    rng = random.Random(f"{seed}-{name}-timeline")
    start = T0 + BASELINE_S + rng.randint(0, 9) * MIN + rng.randint(0, 59) + 0.25
    recovery = rng.randint(30, 50) * MIN
    if name == "quiet":
        log_end = T0 + BASELINE_S
        return Plan(name, None, T0, T0, log_end, log_end, (), background(T0, log_end, T0 + 95 * MIN))
    second_cause = second_start = None
    if name == "overlapping":
        first, second_start = db.db_pool(start), start + OVERLAP_AFTER_S
        second = jvm.gc_thrashing(second_start, duration=25 * MIN)
        cause_name, second_cause = "db-pool-exhausted", "gc-thrashing"
        cause = Cause(first.effects + second.effects, max(first.end or 0, second.end or 0), first.nodes)
    elif name == "ongoing":
        cause_name, cause = "jvm-heap-exhausted", jvm.heap_exhausted(start, restart_at=None)
    else:
        cause_name, cause = name, CAUSES[name](start)
    end = cause.end
    log_end = start + ONGOING_FOR_S if end is None else _minute_up(end + recovery)
    failing = (start, end or log_end) if name == "directory-unavailable" else None
    return Plan(
        name=name,
        cause=cause_name,
        t0=T0,
        start=start,
        end=end,
        log_end=log_end,
        nodes=tuple(NODES[i] for i in cause.nodes),
        effects=cause.effects + background(T0, log_end, start, failing),
        runs=cause.runs,
        second_cause=second_cause,
        second_start=second_start,
    )


def _minute_up(at: float) -> float:
    return math.ceil(at / 60) * 60


def _dt(at: float) -> datetime:
    return datetime.fromtimestamp(at, UTC)
