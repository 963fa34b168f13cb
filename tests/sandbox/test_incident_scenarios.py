"""The incident scenarios: every one writes logs the analyzer reads whole, its truth's impact figures are
the ones counted from the files on disk, the same seed writes the same bytes, the decoys are there, and
each cause class plants what it says where and when it says."""

from __future__ import annotations

import calendar
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from agent.signatures import load_signatures
from checks.incident.model import CauseClass
from checks.signatures.scan import to_scan_patterns
from collectors.logs.engine import analyze_logs
from sandbox.incident_scenarios import SCENARIOS, ImpactTruth, Truth, write_scenario

SCALE = 0.3  # small: every scenario in well under a second
NODES = ("node1", "node2", "node3")
_written: dict[str, tuple[Path, Truth]] = {}


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("scenarios")


def scenario(root: Path, name: str) -> tuple[Path, Truth]:
    """Each scenario written once for the module."""
    if name not in _written:
        _written[name] = (root / name, write_scenario(name, root / name, seed=5, scale=SCALE))
    return _written[name]


@pytest.fixture(scope="module")
def patterns():
    return to_scan_patterns(load_signatures(None))


# -- a reader of our own, to count from the files what the truth says ---------------------------------
_ACCESS = re.compile(
    r'^(\S+) \S+ (\S+) \[(\d\d)/(\w{3})/(\d{4}):(\d\d):(\d\d):(\d\d) \+0000\] "[^"]*" (\d{3}) \S+ (\d+) '
)
_MONTHS = {m: i for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun"), 1)}
_FAILED = re.compile(
    r"^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d),(\d{3})\+0000 .*"
    r"(?:The user '([^']+)' has FAILED authentication|login : '([^']+)' tried to login)"
)


@dataclass
class OnDisk:
    second: np.ndarray
    status: np.ndarray
    ms: np.ndarray
    node: np.ndarray
    who: list[str]  # the user, or the address when the user is "-"
    logins: list[tuple[int, str, int]]  # (epoch ms, user, node) of failed logins


def read_back(folder: Path) -> OnDisk:
    second, status, ms, node, who = [], [], [], [], []
    logins = []
    for i, name in enumerate(NODES):
        for path in sorted((folder / name / "logs").glob("access_log.*")):
            for line in path.read_text().splitlines():
                m = _ACCESS.match(line)
                assert m, f"{path}: {line}"
                address, user, day, month, year, hh, mm, ss, code, took = m.groups()
                moment = (int(year), _MONTHS[month], int(day), int(hh), int(mm), int(ss))
                second.append(calendar.timegm(moment))
                status.append(int(code))
                ms.append(int(took))
                node.append(i)
                who.append(user if user != "-" else address)
        security = folder / name / "log" / "atlassian-jira-security.log"
        seen: set[tuple[int, str]] = set()
        for line in security.read_text().splitlines() if security.exists() else []:
            m = _FAILED.match(line)
            if m:
                *parts, millis, user, missing = m.groups()
                at = calendar.timegm(tuple(int(p) for p in parts)) * 1000 + int(millis)
                if (at, user or missing) not in seen:  # one attempt may write two lines
                    seen.add((at, user or missing))
                    logins.append((at, user or missing, i))
    return OnDisk(np.array(second), np.array(status), np.array(ms), np.array(node), who, logins)


def counted(disk: OnDisk, start: datetime, end: datetime | None) -> ImpactTruth:
    """The figures as incident_truth.py defines them, counted from what was read back."""
    a = start.timestamp()
    b = end.timestamp() if end is not None else disk.second.max() + 1
    during = (disk.second >= a) & (disk.second < b)
    before = (disk.second >= a - 3600) & (disk.second < a)
    p95 = lambda mask: float(np.percentile(disk.ms[mask], 95)) if mask.any() else 0.0  # noqa: E731
    rates = defaultdict(lambda: [0, 0])
    for s, code in zip(disk.second, disk.status, strict=True):
        if a // 60 * 60 <= s < np.ceil(b / 60) * 60:
            rates[s // 60][0] += 1
            rates[s // 60][1] += code >= 500
    errors = {disk.who[k] for k in np.flatnonzero(during & (disk.status >= 500))}
    failed = {user for at, user, _ in disk.logins if a * 1000 <= at < b * 1000}
    affected = []
    for i, name in enumerate(NODES):
        was, now = before & (disk.node == i), during & (disk.node == i)
        hit = False
        for low, high, points, least in ((500, 600, 0.01, 5), (400, 500, 0.02, 10)):
            bad_was = int((was & (disk.status >= low) & (disk.status < high)).sum())
            bad_now = int((now & (disk.status >= low) & (disk.status < high)).sum())
            share_was = bad_was / was.sum() if was.any() else 0.0
            share_now = bad_now / now.sum() if now.any() else 0.0
            hit |= bad_now >= least and share_now >= max(2 * share_was, share_was + points)
        if now.any() and was.any():
            hit |= p95(now) >= max(2 * p95(was), p95(was) + 200)
        mean_was = was.sum() / 60
        whole = range(int(np.ceil(a / 60)), int(b // 60))
        if mean_was > 0 and len(whole):
            per_minute = {m: 0 for m in whole}
            for s in disk.second[now]:
                if s // 60 in per_minute:
                    per_minute[s // 60] += 1
            hit |= min(per_minute.values()) < mean_was / 4
        logins_was = sum(1 for at, _, n in disk.logins if n == i and (a - 3600) * 1000 <= at < a * 1000)
        logins_now = sum(1 for at, _, n in disk.logins if n == i and a * 1000 <= at < b * 1000)
        hit |= logins_now >= 10 and logins_now / max((b - a) / 60, 1 / 60) >= 5 * (logins_was + 1) / 60
        if hit:
            affected.append(name)
    return ImpactTruth(
        requests=int(during.sum()),
        failed_requests=int((during & (disk.status >= 500)).sum()),
        baseline_requests_per_min=float(before.sum() / 60),
        p95_ms_before=p95(before),
        p95_ms_during=p95(during),
        users_with_errors=len(errors),
        users_failed_login=len(failed),
        nodes_affected=tuple(affected),
        peak_error_rate=max((100 * bad / n for n, bad in rates.values()), default=0.0),
    )


# -- every scenario -------------------------------------------------------------------------------
@pytest.mark.parametrize("name", SCENARIOS)
def test_the_analyzer_reads_every_line(root: Path, name: str, patterns) -> None:
    folder, _ = scenario(root, name)
    analysis = analyze_logs([folder], patterns, customer="acme", workers=1)
    assert [f.path for f in analysis.files if f.unparsed_lines or f.problem] == []
    assert sorted(analysis.nodes) == list(NODES)
    for node in NODES:
        kinds = {f.kind.value for f in analysis.files if f.node == node}
        assert {"jira-app", "jira-access", "jira-security", "gc-unified"} <= kinds, node
    assert analysis.bucket_s == 60
    assert analysis.first_at is not None and analysis.first_at >= datetime(2024, 5, 14, 7, tzinfo=UTC)


@pytest.mark.parametrize("name", SCENARIOS)
def test_the_impact_is_what_the_files_hold(root: Path, name: str) -> None:
    folder, truth = scenario(root, name)
    disk = read_back(folder)
    assert truth.impact(truth.start, truth.end) == counted(disk, truth.start, truth.end)


@pytest.mark.parametrize("name", ["jvm-heap-exhausted", "directory-unavailable", "auth-attack", "ongoing"])
def test_the_impact_of_another_window_is_counted_too(root: Path, name: str) -> None:
    folder, truth = scenario(root, name)
    disk = read_back(folder)
    start = truth.start + timedelta(minutes=3, seconds=17)
    end = (truth.end or truth.start + timedelta(minutes=15)) - timedelta(minutes=2, seconds=41)
    assert truth.impact(start, end) == counted(disk, start, end)
    assert truth.impact(truth.start, None) == counted(disk, truth.start, None)


def test_what_the_truth_says(root: Path) -> None:
    causes = set(CauseClass.__args__)  # type: ignore[attr-defined]
    for name in SCENARIOS:
        _, truth = scenario(root, name)
        assert truth.scenario == name
        assert truth.start.tzinfo is UTC and (truth.end is None or truth.end > truth.start)
        assert set(truth.nodes) <= set(NODES)
        if name in causes:
            assert truth.cause == name and truth.end is not None and truth.nodes
            minutes = (truth.end - truth.start).total_seconds() / 60
            assert 15 <= minutes <= 60, name
            assert (
                datetime(2024, 5, 14, 9, tzinfo=UTC) <= truth.start < datetime(2024, 5, 14, 9, 11, tzinfo=UTC)
            )
    assert {"scm-overload", "agents-offline", "host-starvation"}.isdisjoint(SCENARIOS)
    quiet = scenario(root, "quiet")[1]
    assert quiet.cause is None and quiet.nodes == ()
    overlapping = scenario(root, "overlapping")[1]
    assert (overlapping.cause, overlapping.second_cause) == ("db-pool-exhausted", "gc-thrashing")
    assert overlapping.second_start == overlapping.start + timedelta(minutes=20)
    ongoing = scenario(root, "ongoing")[1]
    assert ongoing.cause == "jvm-heap-exhausted" and ongoing.end is None


# -- what each cause plants, where and when ---------------------------------------------------------
def lines_of(folder: Path, node: str, pattern: str) -> list[str]:
    """Lines of a node's files (``pattern`` a glob under the node) that start with a timestamp."""
    out = []
    for path in sorted((folder / node).glob(pattern)):
        out += path.read_text().splitlines()
    return out


def stamped(lines: list[str], text: str) -> list[datetime]:
    """When each event with a line matching ``text`` (a regular expression) was written; continuation
    lines count as their event's."""
    out, at = [], None
    wanted = re.compile(text)
    for line in lines:
        if re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}", line):
            at = datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f").replace(tzinfo=UTC)
        elif re.match(r"\d\d-\w{3}-\d{4} \d\d:\d\d:\d\d\.\d{3}", line):
            at = datetime.strptime(line[:24], "%d-%b-%Y %H:%M:%S.%f").replace(tzinfo=UTC)
        elif line.startswith("[20"):
            at = datetime.strptime(line[1:24], "%Y-%m-%dT%H:%M:%S.%f").replace(tzinfo=UTC)
        if at is not None and wanted.search(line):
            out.append(at)
    return out


PLANTED = {
    "jvm-heap-exhausted": ("log/atlassian-jira.log", r"java\.lang\.OutOfMemoryError: Java heap space"),
    "gc-thrashing": ("logs/atlassian-jira-gc-*.log", r"To-space exhausted"),
    "native-threads-exhausted": (
        "log/atlassian-jira.log",
        r"OutOfMemoryError: unable to create native thread",
    ),
    "fd-exhausted": ("logs/catalina.out", r"Too many open files"),
    "db-pool-exhausted": ("log/atlassian-jira.log", r"pool error Timeout waiting for idle object"),
    "db-unreachable": ("log/atlassian-jira.log", r"Connection to db\.example\.com:5432 refused"),
    "db-slow": ("log/atlassian-jira.log", r"Slow query took ([5-9]\d{3}|\d{5}) ms"),
    "disk-full": ("log/atlassian-jira.log", r"No space left on device"),
    "http-threads-saturated": (
        "logs/catalina.out",
        r"Maximum number of threads \(\[200\]\) created for connector",
    ),
    "stuck-requests": ("logs/catalina.out", r"and may be stuck"),
    "directory-unavailable": ("log/atlassian-jira.log", r"is not functional during authentication of"),
    "auth-attack": ("log/atlassian-jira-security.log", r"The user 'admin' has FAILED authentication"),
    "credential-failure": ("log/atlassian-jira-security.log", r"The user 'svc-jira-sync' has FAILED"),
    "licence-expired": ("log/atlassian-jira.log", r"Health check 'License Expiry' failed"),
    "app-failure": ("log/atlassian-jira.log", r"java\.lang\.NoSuchMethodError"),
    "index-corruption": ("log/atlassian-jira.log", r"CorruptIndexException"),
    "cluster-node-lost": ("log/atlassian-jira.log", r"The node node3 is not replicating"),
    "cache-replication": ("log/atlassian-jira.log", r"\[LOCALQ\] \[VIA-INVALIDATION\] Checked exception"),
    "mail-queue": ("log/atlassian-jira.log", r"Could not connect to SMTP host: smtp\.example\.com"),
    "deploy-or-restart": ("log/atlassian-jira.log", r"Stopping launchers"),
    "host-oom-killer": ("log/atlassian-jira.log", r"Jira starting\.\.\."),
    "proxy-or-network": (
        "log/atlassian-jira.log",
        r"ClientAbortException: java\.io\.IOException: Broken pipe",
    ),
}
# Nodes whose logs show the cause when it is not the nodes it acted on (a lost node says nothing).
SEEN_ON = {"cluster-node-lost": ("node1", "node2")}


@pytest.mark.parametrize("name", sorted(PLANTED))
def test_each_cause_plants_its_lines_where_and_when_it_acted(root: Path, name: str) -> None:
    folder, truth = scenario(root, name)
    where, text = PLANTED[name]
    expected = SEEN_ON.get(name, truth.nodes)
    seen = {node: stamped(lines_of(folder, node, where), text) for node in NODES}
    assert {node for node, times in seen.items() if times} == set(expected)
    first = min(min(times) for times in seen.values() if times)
    assert truth.start - timedelta(minutes=1) <= first <= truth.start + timedelta(minutes=8), first
    assert truth.end is not None
    last = max(max(times) for times in seen.values() if times)
    assert last <= truth.end + timedelta(minutes=5)


def test_a_node_that_vanishes_writes_no_stop_line(root: Path) -> None:
    folder, _ = scenario(root, "host-oom-killer")
    app = lines_of(folder, "node2", "log/atlassian-jira.log")
    assert len(stamped(app, r"Jira starting\.\.\.")) == 2 and stamped(app, "Stopping launchers") == []
    assert len(list((folder / "node2" / "logs").glob("atlassian-jira-gc-*.log"))) == 3
    gc = lines_of(folder, "node2", "logs/atlassian-jira-gc-*.log")
    assert stamped(gc, r"garbage-first heap") == []  # a killed JVM writes no heap summary


def test_a_rolling_restart_takes_one_node_at_a_time(root: Path) -> None:
    folder, truth = scenario(root, "deploy-or-restart")
    stops, starts = [], []
    for node in NODES:
        app = lines_of(folder, node, "log/atlassian-jira.log")
        [stop], [start] = stamped(app, "Stopping launchers"), stamped(app, r"Jira starting\.\.\.")
        assert "Jira Software 9.12.8 build" in "\n".join(app)
        stops.append(stop)
        starts.append(start)
    assert stops[0] == truth.start and all(
        s < b < n for s, b, n in zip(stops, starts, stops[1:], strict=False)
    )
    assert len(stamped(lines_of(folder, "node3", "logs/atlassian-jira-gc-*.log"), "garbage-first heap")) == 1


def test_the_attack_is_fifteen_hundred_guesses_over_every_node(root: Path) -> None:
    folder, _ = scenario(root, "auth-attack")
    per_node = {
        node: sum(
            1
            for line in lines_of(folder, node, "log/atlassian-jira-security.log")
            if " 203.0.113.45 " in line and "The user 'admin' has FAILED" in line
        )
        for node in NODES
    }
    assert sum(per_node.values()) == 1500
    assert all(count > 400 for count in per_node.values()), per_node
    guesses = [
        line
        for node in NODES
        for line in lines_of(folder, node, "logs/access_log.*")
        if "203.0.113.45" in line
    ]
    assert len(guesses) == 1500 and all('"POST /rest/auth/1/session HTTP/1.1" 401 ' in g for g in guesses)


def test_a_directory_outage_locks_out_many_people_from_many_places(root: Path) -> None:
    folder, truth = scenario(root, "directory-unavailable")
    users, addresses = set(), set()
    for node in NODES:
        for line in lines_of(folder, node, "log/atlassian-jira-security.log"):
            m = re.search(r" (\S+) \S+ The user '([^']+)' has FAILED", line)
            if m:
                addresses.add(m.group(1))
                users.add(m.group(2))
    assert len(users) >= 40 and len(addresses) >= 40
    impact = truth.impact(truth.start, truth.end)
    assert impact.users_failed_login >= 40 and impact.nodes_affected == NODES


# -- decoys, determinism, scale ------------------------------------------------------------------
@pytest.mark.parametrize("name", ["quiet", "db-slow"])
def test_the_decoys_are_there(root: Path, name: str) -> None:
    folder, truth = scenario(root, name)
    anchor = truth.start if truth.cause else truth.start + timedelta(minutes=95)
    slow = stamped(
        lines_of(folder, "node3", "logs/atlassian-jira-gc-*.log"), r"Pause Full \(G1 Compaction Pause\)"
    )
    near = [t for t in slow if abs((t - (anchor - timedelta(hours=1))).total_seconds()) < 60]
    assert len(near) == 2  # the start line and the end line of the one pause
    assert any("7412.345ms" in line for line in lines_of(folder, "node3", "logs/atlassian-jira-gc-*.log"))
    security = [line for node in NODES for line in lines_of(folder, node, "log/atlassian-jira-security.log")]
    grace = sorted(line for line in security if "'grace.smith'" in line)
    assert [line.rsplit(" ", 1)[-1] for line in grace if "FAILED" in line] == ["1", "2", "3"]
    assert "PASSED" in grace[-1]
    ldap = stamped(lines_of(folder, "node1", "log/atlassian-jira.log"), "was unexpectedly interrupted")
    assert len(ldap) == 1 and ldap[0] < datetime(2024, 5, 14, 7, 30, tzinfo=UTC)
    storm = stamped(lines_of(folder, "node3", "log/atlassian-jira.log"), "Option 3321 of customfield_10471")
    per_minute = defaultdict(int)
    for at in storm:
        per_minute[at.replace(second=0, microsecond=0)] += 1
    steady = [n for minute, n in per_minute.items() if minute < datetime(2024, 5, 14, 8, 50, tzinfo=UTC)]
    assert set(steady) == {50}
    for node in ("node1", "node2"):
        assert stamped(lines_of(folder, node, "log/atlassian-jira.log"), "Option 3321") == []


def test_the_same_seed_writes_the_same_bytes(tmp_path: Path) -> None:
    first = write_scenario("credential-failure", tmp_path / "a", seed=11, scale=0.1)
    again = write_scenario("credential-failure", tmp_path / "b", seed=11, scale=0.1)
    other = write_scenario("credential-failure", tmp_path / "c", seed=12, scale=0.1)
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file())
    assert all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files)
    assert first == again and first.impact(first.start, first.end) == again.impact(again.start, again.end)
    assert other.start != first.start  # another seed moves the incident
    assert any((tmp_path / "a" / f).read_bytes() != (tmp_path / "c" / f).read_bytes() for f in files)


def test_scale_multiplies_the_traffic(tmp_path: Path) -> None:
    small = write_scenario("quiet", tmp_path / "small", scale=0.2)
    large = write_scenario("quiet", tmp_path / "large", scale=0.8)
    window = (small.start, small.end)
    # the staff's requests grow fourfold; the probes and service accounts stay as they are
    assert 2.0 < large.impact(*window).requests / small.impact(*window).requests < 4.0


def test_an_unknown_scenario_or_scale_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown scenario 'nope'; the scenarios are: jvm-heap-exhausted"):
        write_scenario("nope", tmp_path)
    with pytest.raises(ValueError, match="scale must be above 0"):
        write_scenario("quiet", tmp_path, scale=0)
    assert not any(tmp_path.iterdir())
