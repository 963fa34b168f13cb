"""Seeded, realistic logs of a three-node Jira Data Center cluster, with known problems planted in them.

Tests use it to check that analysis finds exactly what was planted (and where, and when), the demo
uses it to show a log section, and benchmarks/logscan.py uses it at gigabyte scale. Output is either
folders of plain files (one per node) or one Atlassian-style support zip per node.
"""

from __future__ import annotations

import gzip
import random
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sandbox import log_lines as lines

START = datetime(2024, 5, 1, 8, 0, tzinfo=UTC).timestamp()
NODES = ("node1", "node2", "node3")


@dataclass(frozen=True)
class Plant:
    """A problem planted in the logs: what a correct analysis must report, and where and when."""

    # oom, heap-dump, db-pool, long-gc, critical-gc, stuck-thread, restart, brute-force, stale-password, 5xx
    what: str
    node: str
    at: float
    count: int = 1


@dataclass
class EstatePlan:
    start: float = START
    hours: float = 6.0
    nodes: tuple[str, ...] = NODES
    app_bytes: int = 2_000_000  # per node
    access_bytes: int = 4_000_000
    security_events: int = 400
    gc_pauses: int = 600
    seed: int = 7
    plants: list[Plant] = field(default_factory=list)

    def at(self, hours: float) -> float:
        return self.start + hours * 3600


def default_plants(plan: EstatePlan) -> list[Plant]:
    """The incident the demo and the tests tell: node1 runs out of heap and restarts, node2's database
    pool runs dry while its users get 5xx, node3 stalls in long GC pauses, and the login page is under
    a brute-force attack while a CI service account keeps failing with an old password."""
    n1, n2, n3 = (*plan.nodes, "node2", "node3")[:3]
    return [
        Plant("long-gc", n3, plan.at(1.0)),
        Plant("critical-gc", n3, plan.at(1.5)),
        Plant("oom", n1, plan.at(2.0)),
        Plant("heap-dump", n1, plan.at(2.0) + 1),
        Plant("restart", n1, plan.at(2.1)),
        Plant("stuck-thread", n1, plan.at(2.5)),
        Plant("db-pool", n2, plan.at(3.0), count=40),
        Plant("5xx", n2, plan.at(3.0)),
        Plant("brute-force", n1, plan.at(4.0), count=30),
        Plant("stale-password", n1, plan.at(0.5), count=40),
    ]


def _times(rng: random.Random, start: float, span: float, count: int) -> Iterator[float]:
    step = span / max(count, 1)
    for i in range(count):
        yield start + i * step + rng.random() * step * 0.9


def _planted_app(plant: Plant) -> list[tuple[float, str]]:
    t = plant.at
    if plant.what == "oom":
        return [
            (
                t,
                (
                    f"{lines.iso(t)} http-nio-8080-exec-18 url: /secure/Dashboard.jspa; user: alice ERROR alice 720x9x3 "
                    "1abcq 10.0.0.7 /secure/Dashboard.jspa [c.atlassian.velocity.DefaultVelocityManager] "
                    "MethodInvocationException occurred getting value for $gadget.render\n"
                    "java.lang.OutOfMemoryError: Java heap space\n"
                    "\tat java.base/java.util.Arrays.copyOf(Arrays.java:3537)\n"
                    "\tat com.atlassian.gadgets.renderer.GadgetRenderer.render(GadgetRenderer.java:88)\n"
                ),
            )
        ]
    if plant.what == "restart":
        return [
            (
                t,
                (
                    f"{lines.iso(t)} localhost-startStop-1 INFO      [c.a.jira.startup.JiraStartupLogger] \n\n"
                    "    ****************\n    JIRA starting...\n    ****************\n\n"
                ),
            )
        ]
    if plant.what == "db-pool":
        return [
            (
                t + i * 15,
                (
                    f"{lines.iso(t + i * 15)} http-nio-8080-exec-{40 + i} url: /rest/api/2/search; user: bob ERROR bob "
                    f"780x{i}x9 1abcq 10.0.1.{i % 200 + 1} /rest/api/2/search [c.a.jira.ofbiz.ConnectionPoolHealthSqlInterceptor] "
                    "Could not get a database connection\n"
                    "org.ofbiz.core.entity.GenericEntityException: Unable to esablish a connection with the database\n"
                    "\tat org.ofbiz.core.entity.jdbc.ConnectionFactory.getConnection(ConnectionFactory.java:71)\n"
                    "Caused by: java.sql.SQLTransientConnectionException: jira - Connection is not available, "
                    "request timed out after 30000ms.\n"
                    "\tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:696)\n"
                ),
            )
            for i in range(plant.count)
        ]
    return []


def _planted_catalina(plant: Plant) -> list[tuple[float, str]]:
    t = plant.at
    if plant.what == "heap-dump":
        return [
            (
                t - 1,
                f"{lines.tomcat(t - 1)} SEVERE [http-nio-8080-exec-18] org.apache.catalina.core.StandardWrapperValve"
                ".invoke Servlet.service() for servlet [action] threw exception\n"
                "java.lang.OutOfMemoryError: Java heap space\n",
            ),
            (
                t,
                "Dumping heap to /var/atlassian/application-data/jira/java_pid4242.hprof ...\n"
                "Heap dump file created [8377081490 bytes in 78.130 secs]\n",
            ),
        ]
    if plant.what == "restart":
        return [
            (
                t,
                f"{lines.tomcat(t)} INFO [main] org.apache.catalina.startup.Catalina.start "
                "Server startup in [84213] milliseconds\n",
            )
        ]
    if plant.what == "stuck-thread":
        return [
            (
                t,
                (
                    f"{lines.tomcat(t)} WARNING [ContainerBackgroundProcessor[StandardEngine[Catalina]]] "
                    "org.apache.catalina.valves.StuckThreadDetectionValve.notifyStuckThreadDetected Thread "
                    '"http-nio-8080-exec-147" (id=5169) has been active for 123,774 milliseconds (since 5/1/24 10:28 AM) '
                    "to serve the same request for https://jira.example.com/rest/api/2/search and may be stuck "
                    "(configured threshold for this StuckThreadDetectionValve is 120 seconds). There is/are 3 thread(s) "
                    "in total that are monitored by this Valve and may be stuck.\n"
                ),
            )
        ]
    return []


def _merge(
    rng: random.Random,
    plan: EstatePlan,
    budget: int,
    make: Callable[[float], str],
    planted: list[tuple[float, str]],
    out: Callable[[str], object],  # a file's write returns a count, which is ignored
) -> None:
    """Background lines until ``budget`` bytes, with the planted lines at their times."""
    planted = sorted(planted)
    written, index = 0, 0
    average = max(len(make(plan.start)), 1)
    count = max(budget // average, 1)
    for at in _times(rng, plan.start, plan.hours * 3600, count):
        while index < len(planted) and planted[index][0] <= at:
            out(planted[index][1])
            index += 1
        text = make(at)
        out(text)
        written += len(text)
        if written >= budget and index >= len(planted):
            break
    for _, text in planted[index:]:
        out(text)


def _gc_log(rng: random.Random, plan: EstatePlan, plants: list[Plant]) -> str:
    long = {p.what: p.at for p in plants}
    parts = [f"{lines.gc_stamp(plan.start, 0.5)} Using G1\n"]
    special = sorted(
        (at, 8500.0 if what == "long-gc" else 35500.0)
        for what, at in long.items()
        if what in ("long-gc", "critical-gc")
    )
    number = 0
    for at in _times(rng, plan.start, plan.hours * 3600, plan.gc_pauses):
        while special and special[0][0] <= at:
            when, millis = special.pop(0)
            parts.append(lines.gc_pause_line(when, when - plan.start + 60, number, millis, full=True))
            number += 1
        parts.append(lines.gc_pause_line(at, at - plan.start + 60, number, rng.uniform(5, 180)))
        number += 1
    return "".join(parts)


def _security_log(rng: random.Random, plan: EstatePlan, plants: list[Plant]) -> str:
    events: list[tuple[float, str]] = []
    for at in _times(rng, plan.start, plan.hours * 3600, plan.security_events):
        events.append(
            (at, lines.security_line(at, rng.choice(lines.USERS[:8]), f"10.0.2.{rng.randint(1, 50)}", True))
        )
    for plant in plants:
        if plant.what == "brute-force":
            for i in range(plant.count):
                user = lines.USERS[i % 8] if i % 3 else f"user{i}"
                events.append(
                    (plant.at + i * 8, lines.security_line(plant.at + i * 8, user, "203.0.113.7", False))
                )
        elif plant.what == "stale-password":
            for i in range(plant.count):
                at = plant.at + i * 120
                events.append((at, lines.security_line(at, "svc-jenkins", "10.0.5.5", False, i % 5 + 1)))
    return "".join(text for _, text in sorted(events))


def write_node(folder: Path, node: str, plan: EstatePlan, plants: list[Plant]) -> None:
    """One node's logs as a Jira install lays them out: log/ for the application, logs/ for Tomcat."""
    rng = random.Random(f"{plan.seed}-{node}")
    mine = [p for p in plants if p.node == node]
    app_dir, tomcat_dir = folder / "log", folder / "logs"
    app_dir.mkdir(parents=True, exist_ok=True)
    tomcat_dir.mkdir(parents=True, exist_ok=True)
    planted_app = [item for p in mine for item in _planted_app(p)]
    # Rotated: the older half in atlassian-jira.log.1, the newer in atlassian-jira.log.
    half = plan.start + plan.hours * 1800
    with (
        (app_dir / "atlassian-jira.log.1").open("w") as older,
        (app_dir / "atlassian-jira.log").open("w") as newer,
    ):

        def out(text: str) -> None:
            (older if _when(text) < half else newer).write(text)

        _merge(rng, plan, plan.app_bytes, lambda at: lines.app_line(rng, at, node), planted_app, out)
    incident = next((p for p in plants if p.what == "5xx" and p.node == node), None)

    def access(at: float) -> str:
        bad = incident is not None and incident.at <= at < incident.at + 600
        return lines.access_line(rng, at, slow=6.0 if bad else 1.0, error_rate=0.3 if bad else 0.002)

    day = datetime.fromtimestamp(plan.start, UTC).strftime("%Y-%m-%d")
    with (tomcat_dir / f"access_log.{day}").open("w") as handle:
        _merge(rng, plan, plan.access_bytes, access, [], handle.write)
    catalina = sorted(item for p in mine for item in _planted_catalina(p))
    with (tomcat_dir / "catalina.out").open("w") as handle:
        handle.write(
            f"{lines.tomcat(plan.start)} INFO [main] org.apache.catalina.startup.Catalina.start "
            "Server startup in [61234] milliseconds\n"
        )
        for _, text in catalina:
            handle.write(text)
    (tomcat_dir / f"atlassian-jira-gc-{day}_08-00-00.log.0.current").write_text(_gc_log(rng, plan, mine))
    if any(p.what in ("brute-force", "stale-password") for p in mine):
        (app_dir / "atlassian-jira-security.log").write_text(_security_log(rng, plan, mine))


def _when(text: str) -> float:
    """The time of a generated line (all start with the ISO stamp)."""
    return datetime.strptime(text[:19], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC).timestamp()


def write_folders(root: Path, plan: EstatePlan | None = None) -> list[Plant]:
    """root/<node>/{log,logs}/...; returns the plants."""
    plan = plan or EstatePlan()
    plants = plan.plants or default_plants(plan)
    for node in plan.nodes:
        write_node(root / node, node, plan, plants)
    return plants


def write_support_zips(
    root: Path, plan: EstatePlan | None = None, gzip_rotated: bool = True
) -> tuple[list[Path], list[Plant]]:
    """One ATST-style support zip per node (application-logs/, tomcat-logs/, application-properties/)."""
    plan = plan or EstatePlan()
    plants = plan.plants or default_plants(plan)
    zips = []
    for node in plan.nodes:
        staging = root / f".{node}"
        write_node(staging, node, plan, plants)
        path = root / f"Jira_{node}_support_2024-05-01-14-00-00.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(
                "application-properties/application.xml",
                f"<application><node-id>{node}</node-id><version>9.12.4</version></application>\n",
            )
            archive.writestr("healthchecks/healthcheck-results.json", '{"statuses": []}\n')
            for file in sorted(staging.rglob("*")):
                if not file.is_file():
                    continue
                folder = "application-logs" if file.parent.name == "log" else "tomcat-logs"
                if file.name.startswith("access_log"):
                    folder = "tomcat-access-logs"
                name = f"{folder}/{file.name}"
                data = file.read_bytes()
                if gzip_rotated and file.name.endswith(".1"):
                    archive.writestr(name + ".gz", gzip.compress(data, 1))
                else:
                    archive.writestr(name, data)
                file.unlink()
        zips.append(path)
    return zips, plants
