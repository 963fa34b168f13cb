"""Who uses the simulated Jira cluster, what they ask for, and how much: the baseline traffic of the
incident scenarios, one node and one minute at a time, as NumPy columns.

People: a few hundred staff in the directory (LDAP), each with a desk or VPN address and a node the
load balancer keeps them on (sticky sessions); three service accounts (Jenkins in LDAP, an issue-sync
integration in Jira's internal directory, Confluence over an application link); the load balancer's
health probe on ``/status`` every ten seconds; and, when a scenario needs one, an attacker.

Traffic follows the morning: about 22 requests a minute per node at 07:00 UTC rising to about 48 by
10:00, with Poisson noise, plus the probes and the service accounts. ``scale`` multiplies the staff's
requests (and, by its square root, their number); probes and service accounts stay as they are.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

# Login outcomes written to the security log (column ``login``)
NO_LOGIN, LOGIN_PASSED, LOGIN_FAILED = 0, 1, 2
STATIC, FORM_LOGIN, REST_LOGIN, API, PAGE = "static", "form-login", "rest-login", "api", "page"


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # "{n}" is replaced by a number per request
    median_ms: float
    median_bytes: int
    weight: float  # share of the staff's requests
    kind: str  # STATIC, FORM_LOGIN, REST_LOGIN, API or PAGE
    db: bool = True  # needs the database (everything but static resources and /status)
    tags: frozenset[str] = frozenset()  # what scenarios aim at: search, create, attach, timesheets, board


def _ep(method: str, path: str, ms: float, size: int, weight: float, kind: str, *tags: str) -> Endpoint:
    return Endpoint(method, path, ms, size, weight, kind, kind != STATIC, frozenset(tags))


BATCH = "/s/d41d8cd98f00b204e9800998ecf8427e-CDN/-1ksgz1/9120004/1dlckms/{n}/_/download/batch"
ENDPOINTS: tuple[Endpoint, ...] = (
    _ep("GET", "/browse/ABC-{n}", 180, 48_000, 14, PAGE, "view"),
    _ep("GET", "/rest/api/2/issue/ABC-{n}", 60, 9_000, 10, API, "view"),
    _ep(
        "GET",
        "/rest/api/2/search?jql=project%3DABC%20AND%20status%3DOpen&maxResults=50",
        260,
        60_000,
        7,
        API,
        "search",
    ),
    _ep("POST", "/rest/api/2/search", 310, 80_000, 4, API, "search"),
    _ep(
        "GET",
        "/issues/?jql=assignee%3DcurrentUser()%20ORDER%20BY%20updated%20DESC",
        420,
        70_000,
        3,
        PAGE,
        "search",
    ),
    _ep("GET", "/secure/Dashboard.jspa", 240, 52_000, 6, PAGE),
    _ep("GET", "/rest/gadget/1.0/issueTable/jql?jql=filter%3D1{n}&num=10", 280, 15_000, 4, API, "search"),
    _ep(
        "GET",
        BATCH + "/jira.webresources:global-static/jira.webresources:global-static.js",
        4,
        210_000,
        12,
        STATIC,
    ),
    _ep(
        "GET",
        BATCH + "/jira.filter.deletion.warning:styles/jira.filter.deletion.warning:styles.css",
        3,
        9_000,
        8,
        STATIC,
    ),
    _ep("GET", "/secure/projectavatar?pid=10{n}&size=small", 6, 1_200, 5, STATIC),
    _ep("GET", "/rest/api/2/issue/ABC-{n}/comment", 80, 12_000, 4, API, "view"),
    _ep("PUT", "/rest/api/2/issue/ABC-{n}", 240, 300, 3, API, "edit"),
    _ep("POST", "/rest/api/2/issue", 360, 600, 1.5, API, "create"),
    _ep("POST", "/secure/QuickCreateIssue.jspa?decorator=none", 420, 3_000, 1.5, PAGE, "create"),
    _ep(
        "GET", "/rest/greenhopper/1.0/xboard/work/allData.json?rapidViewId={n}", 650, 180_000, 4, API, "board"
    ),
    _ep("GET", "/rest/timesheets/1.0/worklogs?period=week&user=current", 120, 4_000, 3, API, "timesheets"),
    _ep("POST", "/rest/timesheets/1.0/worklogs", 150, 800, 1, API, "timesheets", "edit"),
    _ep(
        "POST",
        "/secure/AttachTemporaryFile.jspa?filename=report-{n}.pdf&atl_token=B3WY-Q4VP",
        380,
        400,
        1,
        PAGE,
        "attach",
    ),
    _ep("GET", "/secure/attachment/2{n}/screenshot.png", 35, 250_000, 2, STATIC, "attachment"),
    _ep("GET", "/rest/api/2/user/picker?query=a&maxResults=10", 45, 2_000, 2, API),
    _ep("POST", "/login.jsp", 160, 0, 0, FORM_LOGIN, "login"),
    _ep("POST", "/rest/auth/1/session", 140, 300, 0, REST_LOGIN, "login"),
    _ep("GET", "/status", 3, 20, 0, STATIC),
)
EP = {f"{e.method} {e.path}": i for i, e in enumerate(ENDPOINTS)}
FORM, REST_SESSION, STATUS = EP["POST /login.jsp"], EP["POST /rest/auth/1/session"], EP["GET /status"]
SEARCH_GET = EP["GET /rest/api/2/search?jql=project%3DABC%20AND%20status%3DOpen&maxResults=50"]
ISSUE_GET = EP["GET /rest/api/2/issue/ABC-{n}"]
MEDIAN_MS = np.array([e.median_ms for e in ENDPOINTS])
MEDIAN_BYTES = np.array([e.median_bytes for e in ENDPOINTS])
IS_STATIC = np.array([e.kind == STATIC for e in ENDPOINTS])
NEEDS_DB = np.array([e.db for e in ENDPOINTS])
_STAFF_CDF = np.cumsum([e.weight for e in ENDPOINTS]) / sum(e.weight for e in ENDPOINTS)


def tagged(*tags: str) -> np.ndarray:
    """A mask over ENDPOINTS: the endpoints carrying any of ``tags``."""
    return np.array([bool(e.tags & set(tags)) for e in ENDPOINTS])


_FIRST = (
    "alice",
    "bob",
    "carol",
    "dave",
    "erin",
    "frank",
    "grace",
    "heidi",
    "ivan",
    "judy",
    "mallory",
    "nina",
    "oscar",
    "peggy",
    "rupert",
    "sybil",
    "trent",
    "ursula",
    "victor",
    "wendy",
    "xavier",
    "yvonne",
    "zoe",
    "arjun",
    "bea",
    "chen",
    "dmitri",
    "elif",
    "fatima",
    "goran",
    "hana",
    "ines",
    "jonas",
    "kofi",
    "lena",
)
_LAST = (
    "smith",
    "jones",
    "garcia",
    "muller",
    "rossi",
    "dubois",
    "novak",
    "kowalski",
    "tanaka",
    "silva",
    "okafor",
    "larsen",
    "nguyen",
    "haddad",
    "ivanova",
    "berg",
    "costa",
    "walsh",
    "meyer",
    "sato",
)
_BROWSERS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 "
    "Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 "
    "Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
)
ATTACKER_ADDRESS = "203.0.113.45"


@dataclass
class People:
    """Everyone who sends requests; index ``who`` into these lists."""

    names: list[str]  # the user as the access log shows it, "-" when anonymous
    addresses: list[str]
    agents: list[str]
    sessions: list[str]  # the session id column, "-" when anonymous
    ldap: np.ndarray  # bool: authenticates against the LDAP directory
    staff: int  # people 0..staff-1 are staff
    home: np.ndarray  # the node index the load balancer keeps each member of staff on
    weight: np.ndarray  # how busy each member of staff is
    index: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, address: str, agent: str, ldap: bool) -> int:
        self.names.append(name)
        self.addresses.append(address)
        self.agents.append(agent)
        self.sessions.append("-" if name == "-" else _token(len(self.names) * 7919))
        self.ldap = np.append(self.ldap, ldap)
        self.index[f"{name}@{address}"] = len(self.names) - 1
        return len(self.names) - 1

    def of(self, name: str, address: str) -> int:
        return self.index[f"{name}@{address}"]


def _token(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    n = n * 2654435761 % 36**7
    for _ in range(7):
        n, d = divmod(n, 36)
        out += digits[d]
    return out


def make_people(scale: float, nodes: int) -> People:
    count = min(20_000, max(60, round(300 * math.sqrt(max(scale, 0.01)))))
    names, addresses, agents = [], [], []
    for i in range(count):
        first, last = _FIRST[i % len(_FIRST)], _LAST[(i // len(_FIRST)) % len(_LAST)]
        cycle = i // (len(_FIRST) * len(_LAST))
        names.append(f"{first}.{last}" + (str(cycle + 1) if cycle else ""))
        net = 20 if i % 5 else 30  # one in five on the VPN
        addresses.append(f"10.{net}.{(i // 250) % 250}.{i % 250 + 1}")
        agents.append(_BROWSERS[(i * 7) % len(_BROWSERS)])
    ranks = np.arange(1, count + 1, dtype=float)
    weight = 1 / ranks**0.8
    weight = weight[np.argsort((np.arange(count) * 7919) % count)]  # busy people spread over the alphabet
    people = People(
        names=names,
        addresses=addresses,
        agents=agents,
        sessions=[_token(i + 1) for i in range(count)],
        ldap=np.ones(count, dtype=bool),
        staff=count,
        home=np.arange(count) % nodes,
        weight=weight,
    )
    for i, name in enumerate(names):
        people.index[f"{name}@{addresses[i]}"] = i
    return people


@dataclass
class Requests:
    """Requests of one node in one minute, one entry per request (sorted by ``t`` once built)."""

    t: np.ndarray  # float64 epoch seconds when the request came in (what %t shows, to the second)
    who: np.ndarray  # int32 index into People
    ep: np.ndarray  # int16 index into ENDPOINTS
    status: np.ndarray  # int16
    ms: np.ndarray  # int64 duration, as %D writes it
    nbytes: np.ndarray  # int64 response size, 0 shows as "-"
    n: np.ndarray  # int64 the number in the endpoint's path
    login: np.ndarray  # int8 NO_LOGIN, LOGIN_PASSED or LOGIN_FAILED
    anon: np.ndarray  # bool: the access log shows "-" as the user (not logged in, or the login failed)
    reason: np.ndarray  # int16 0 for the baseline, else 1 + the index of the effect that set the status

    @staticmethod
    def empty() -> Requests:
        return Requests(*(np.zeros(0, dtype=d) for d in _DTYPES))

    def __len__(self) -> int:
        return len(self.t)

    def extend(self, other: Requests) -> None:
        for name in _FIELDS:
            setattr(self, name, np.concatenate((getattr(self, name), getattr(other, name))))

    def take(self, keep: np.ndarray) -> None:
        for name in _FIELDS:
            setattr(self, name, getattr(self, name)[keep])

    def sort(self) -> None:
        self.take(np.argsort(self.t, kind="stable"))


_FIELDS = ("t", "who", "ep", "status", "ms", "nbytes", "n", "login", "anon", "reason")
_DTYPES = (np.float64, np.int32, np.int16, np.int16, np.int64, np.int64, np.int64, np.int8, bool, np.int16)


def make_requests(
    rng: np.random.Generator,
    t: np.ndarray,
    who: np.ndarray,
    ep: np.ndarray,
    *,
    status: int | np.ndarray | None = None,
    login: int = NO_LOGIN,
    anon: bool | np.ndarray = False,
) -> Requests:
    """Requests with durations, sizes and statuses drawn as a healthy node serves them."""
    size = len(t)
    ep = np.asarray(ep, dtype=np.int16)
    ms = np.maximum(1, np.rint(MEDIAN_MS[ep] * rng.lognormal(0.0, 0.7, size))).astype(np.int64)
    nbytes = np.rint(MEDIAN_BYTES[ep] * rng.lognormal(0.0, 0.4, size)).astype(np.int64)
    if status is None:
        roll = rng.random(size)
        codes = np.where(IS_STATIC[ep] & (roll < 0.3), 304, 200)
        codes = np.where(~IS_STATIC[ep] & (roll > 0.988), 404, codes)
        codes = np.where(NEEDS_DB[ep] & (roll < 0.002), 500, codes)
        status = codes
    codes = np.broadcast_to(np.asarray(status, dtype=np.int16), (size,)).copy()
    nbytes = np.where(codes == 304, 0, nbytes)
    nbytes = np.where(codes >= 400, rng.integers(300, 2_000, size), nbytes)
    return Requests(
        t=np.asarray(t, dtype=np.float64),
        who=np.asarray(who, dtype=np.int32),
        ep=ep,
        status=codes,
        ms=ms,
        nbytes=nbytes,
        n=rng.integers(1, 9_999, size),
        login=np.full(size, login, dtype=np.int8),
        anon=np.broadcast_to(np.asarray(anon, dtype=bool), (size,)).copy(),
        reason=np.zeros(size, dtype=np.int16),
    )


def staff_rate(at: float, day_start: float) -> float:
    """Staff requests per minute per node at ``at``: the morning ramp (07:00 to 10:00 UTC) and a
    slow wobble."""
    hours = (at - day_start) / 3600
    ramp = 1 / (1 + math.exp(-(hours - 8.5) * 2.2))
    return 22 + 26 * ramp + 2.5 * math.sin(hours * 5.1)


Spans = list[tuple[float, float]]  # parts of a minute, as (from, to) epoch seconds


def _length(spans: Spans) -> float:
    return sum(b - a for a, b in spans)


def _times(rng: np.random.Generator, spans: Spans, count: int) -> np.ndarray:
    """``count`` instants spread at random over ``spans``."""
    total = _length(spans)
    if count <= 0 or total <= 0:
        return np.zeros(0)
    offsets = rng.random(count) * total
    out = np.empty(count)
    done = 0.0
    for a, b in spans:
        inside = (offsets >= done) & (offsets < done + (b - a))
        out[inside] = a + offsets[inside] - done
        done += b - a
    return out


class Traffic:
    """The load balancer's view: who sends what to which node, minute by minute."""

    PROBE_ADDRESS = "10.0.0.5"

    def __init__(self, people: People, nodes: int, scale: float, day_start: float, seed: int) -> None:
        self.people = people
        self.nodes = nodes
        self.scale = scale
        self.day_start = day_start
        self.rng = np.random.default_rng([seed, 101])
        self._cdfs: dict[tuple[int, frozenset[int]], np.ndarray] = {}
        self.jenkins = people.add("svc-jenkins", "10.0.7.21", "Jenkins/2.440.3 (jira-steps-plugin)", True)
        self.sync = people.add("svc-jira-sync", "10.0.8.15", "python-requests/2.31.0", False)
        self.confluence = people.add(
            "svc-confluence", "10.0.6.10", "Apache-HttpClient/4.5.14 (Java/17.0.10)", False
        )
        self.probe = people.add("-", self.PROBE_ADDRESS, "ELB-HealthChecker/2.0", False)

    def _cdf(self, node: int, up: frozenset[int]) -> np.ndarray:
        key = (node, up)
        if key not in self._cdfs:
            home = self.people.home
            mine = home == node
            orphaned = np.isin(home, list(set(range(self.nodes)) - up))
            w = self.people.weight * np.where(mine, 1.0, np.where(orphaned, 1.0 / max(len(up), 1), 0.05))
            self._cdfs[key] = np.cumsum(w) / w.sum()
        return self._cdfs[key]

    def minute(self, start: float, serving: list[Spans], alive: list[Spans]) -> list[Requests]:
        """Each node's requests in the minute from ``start``: ``serving`` are the parts of the minute in
        which the load balancer sends users to the node, ``alive`` those in which its JVM answers probes."""
        rng = self.rng
        middle = start + 30
        up = frozenset(i for i in range(self.nodes) if any(a <= middle < b for a, b in serving[i]))
        if not up:
            up = frozenset(i for i in range(self.nodes) if serving[i])
        per_node = self.scale * staff_rate(middle, self.day_start)
        out = []
        for i in range(self.nodes):
            share = _length(serving[i]) / 60 * self.nodes / max(len(up), 1)
            batch = Requests.empty()
            if share > 0:
                count = int(rng.poisson(per_node * share))
                who = np.searchsorted(self._cdf(i, up), rng.random(count)).astype(np.int32)
                ep = np.searchsorted(_STAFF_CDF, rng.random(count)).astype(np.int16)
                batch = make_requests(rng, _times(rng, serving[i], count), who, ep)
                logins = rng.random(count) < 0.025
                batch.ep[logins] = np.where(rng.random(int(logins.sum())) < 0.8, FORM, REST_SESSION)
                batch.status[logins] = np.where(batch.ep[logins] == FORM, 302, 200)
                batch.nbytes[logins] = np.where(batch.ep[logins] == FORM, 0, 300)
                batch.login[logins] = LOGIN_PASSED
                for who_, eps, rate in (
                    (self.jenkins, [SEARCH_GET, ISSUE_GET], 2.0),
                    (self.confluence, [ISSUE_GET], 3.0),
                ):
                    n = int(rng.poisson(rate / self.nodes * share))
                    extra = make_requests(
                        rng, _times(rng, serving[i], n), np.full(n, who_), rng.choice(eps, n)
                    )
                    if who_ == self.jenkins:
                        extra.login[:] = LOGIN_PASSED
                    batch.extend(extra)
            probes = np.array([start + 10 * k + 1.5 + 3 * i for k in range(6)])
            probes = probes[[any(a <= p < b for a, b in alive[i]) for p in probes]]
            batch.extend(
                make_requests(
                    rng,
                    probes,
                    np.full(len(probes), self.probe),
                    np.full(len(probes), STATUS),
                    status=200,
                    anon=True,
                )
            )
            out.append(batch)
        for k, offset in enumerate((5.0, 25.0, 45.0)):  # the sync integration, round robin over the nodes
            at = start + offset
            there = [i for i in range(self.nodes) if any(a <= at < b for a, b in serving[i])]
            if there:
                i = there[(int(start // 60) * 3 + k) % len(there)]
                call = make_requests(
                    rng,
                    np.array([at]),
                    np.array([self.sync]),
                    np.array([rng.choice([SEARCH_GET, ISSUE_GET])]),
                )
                call.login[:] = LOGIN_PASSED
                out[i].extend(call)
        for batch in out:
            batch.sort()
        return out
