"""Access-log benchmark: how fast AccessAccumulator.feed reads a Jira Tomcat access log.

Generates (seeded) a realistic Jira ``access_log`` of about --mb megabytes (a day of traffic from a
few hundred users: issue views with many distinct keys, REST calls with query strings, static
resources under ``/s/``, attachments, a little 4xx/5xx, long browser user agents), then feeds it to
one accumulator in 4 MB chunks cut at line ends, as the engine does, on one core, and prints MB/s for
feed() alone (median and best of --repeat runs, in CPU time) and the time of summaries(). Nothing is
asserted (machines are noisy; on a shared VM the same loop can run at half speed for a while).

    .venv/bin/python benchmarks/accesslog.py [--mb 200] [--repeat 3] [--kind jira|confluence|bitbucket]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from collectors.logs.access import AccessAccumulator
from collectors.logs.context import FileContext
from collectors.logs.model import LogKind

CHUNK = 4 << 20
AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 "
    "Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 "
    "Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Apache-HttpClient/4.5.14 (Java/17.0.10)",
    "python-requests/2.31.0",
]
PROJECTS = ["PROJ", "OPS", "SUP", "DEV", "HR", "FIN", "ITSM", "WEB"]
STATIC = [
    "/s/d41d8cd98f00b204e9800998ecf8427e-CDN/-1h7a9b/910000/1s3wq7r/9.12.0/_/download/batch/"
    "com.atlassian.jira.jira-issue-nav-plugin:common/com.atlassian.jira.jira-issue-nav-plugin:common.css",
    "/s/d41d8cd98f00b204e9800998ecf8427e-CDN/-1h7a9b/910000/1s3wq7r/9.12.0/_/download/contextbatch/js/"
    "_super/batch.js?locale=en-GB",
    "/s/-1h7a9b/910000/1s3wq7r/_/images/icons/priorities/major.svg",
    "/download/resources/com.atlassian.jira.gadgets:common-lite/images/loading.gif",
    "/images/icons/issuetypes/bug.svg",
]


def _issue(rng: random.Random) -> str:
    # popular issues are viewed often, the long tail once: about half the keys are distinct
    project = rng.choice(PROJECTS)
    number = int(rng.paretovariate(0.6)) if rng.random() < 0.6 else rng.randrange(1, 60000)
    return f"{project}-{number}"


def _jira_request(rng: random.Random) -> tuple[str, str, int, int]:
    """(method, url, status, ms)."""
    r = rng.random()
    if r < 0.30:
        return "GET", rng.choice(STATIC), rng.choice((200, 304, 304)), rng.randrange(0, 6)
    if r < 0.45:
        return "GET", f"/browse/{_issue(rng)}", 200, int(rng.lognormvariate(5.5, 0.6))
    if r < 0.60:
        key = _issue(rng)
        return (
            "GET",
            f"/rest/api/2/issue/{key}?fields=summary,status&expand=renderedFields",
            200,
            int(rng.lognormvariate(4.5, 0.7)),
        )
    if r < 0.68:
        jql = f"project%20%3D%20{rng.choice(PROJECTS)}%20AND%20status%20%3D%20Open"
        return (
            "GET",
            f"/rest/api/2/search?jql={jql}&startAt={rng.randrange(0, 500, 50)}&maxResults=50",
            (500 if rng.random() < 0.01 else 200),
            int(rng.lognormvariate(6.2, 0.9)),
        )
    if r < 0.74:
        return "POST", "/rest/analytics/1.0/publish/bulk", 200, rng.randrange(1, 20)
    if r < 0.80:
        return (
            "GET",
            f"/secure/attachment/{rng.randrange(10000, 900000)}/screenshot.png",
            (404 if rng.random() < 0.05 else 200),
            int(rng.lognormvariate(3.5, 0.8)),
        )
    if r < 0.85:
        return (
            "GET",
            f"/rest/agile/1.0/board/{rng.randrange(1, 300)}/sprint?state=active",
            200,
            int(rng.lognormvariate(5, 0.5)),
        )
    if r < 0.90:
        token = f"{rng.getrandbits(64):x}"
        return (
            "POST",
            f"/secure/QuickCreateIssue.jspa?decorator=none&atl_token={token}",
            200,
            int(rng.lognormvariate(6, 0.5)),
        )
    if r < 0.95:
        return "GET", f"/rest/api/2/user?username=user{rng.randrange(500)}", 200, rng.randrange(2, 40)
    status = 200 if rng.random() < 0.98 else 503
    return "GET", "/secure/Dashboard.jspa", status, int(rng.lognormvariate(6.5, 0.6))


def _who(rng: random.Random) -> tuple[str, str]:
    """A user (a few heavy ones, a long tail, a tenth anonymous) and the address they work from."""
    if rng.random() < 0.1:
        return "-", f"192.168.{rng.randrange(8)}.{rng.randrange(1, 255)}"
    n = int(rng.paretovariate(1.2)) % 400
    return f"user{n}", f"10.{n % 4}.{n // 4}.{11 + n % 3}"


def jira_lines(rng: random.Random, start: datetime, per_second: float) -> Iterator[str]:
    """Endless Jira access-log lines from ``start`` at about ``per_second`` requests a second."""
    at = start
    counter = 100000
    step = 1 / per_second
    while True:
        at += timedelta(seconds=rng.expovariate(1 / step))
        counter += 1
        method, url, status, ms = _jira_request(rng)
        user, address = _who(rng)
        size = "-" if status == 304 else str(rng.randrange(200, 90000))
        stamp = at.strftime("%d/%b/%Y:%H:%M:%S +0000")
        referer = f"https://jira.example.com/browse/{_issue(rng)}" if rng.random() < 0.7 else ""
        session = f"{rng.getrandbits(30):x}" if user != "-" else "-"
        minute = at.hour * 60 + at.minute
        request_id = f"{minute}x{counter}x{rng.randrange(1, 40)}"
        yield (
            f'{address} {request_id} {user} [{stamp}] "{method} {url} HTTP/1.1" '
            f'{status} {size} {ms} "{referer}" "{rng.choice(AGENTS)}" "{session}"\n'
        )


def confluence_lines(rng: random.Random, start: datetime, per_second: float) -> Iterator[str]:
    """Confluence's default layout: ``%t %{X-AUSERNAME}o %I %h %r %s %Dms %b %{Referer}i %{User-Agent}i``."""
    at = start
    step = 1 / per_second
    while True:
        at += timedelta(seconds=rng.expovariate(1 / step))
        user, address = _who(rng)
        r = rng.random()
        if r < 0.4:
            path, ms = rng.choice(STATIC).replace("jira", "confluence"), rng.randrange(0, 8)
        elif r < 0.7:
            path = f"/display/{rng.choice(PROJECTS)}/Page+{rng.randrange(5000)}"
            ms = int(rng.lognormvariate(5.8, 0.7))
        else:
            path = f"/rest/api/content/{rng.randrange(10**6)}?expand=body.storage"
            ms = int(rng.lognormvariate(5, 0.7))
        stamp = at.strftime("%d/%b/%Y:%H:%M:%S +0000")
        thread = f"http-nio-8090-exec-{rng.randrange(1, 200)}"
        size = rng.randrange(100, 90000)
        yield (
            f"[{stamp}] {user} {thread} {address} GET {path} HTTP/1.1 200 {ms}ms {size} "
            f"https://wiki.example.com/ {rng.choice(AGENTS)}\n"
        )


def bitbucket_lines(rng: random.Random, start: datetime, per_second: float) -> Iterator[str]:
    """Pairs of ``i@``/``o@`` lines, a third of them git hosting operations."""
    at = start
    step = 1 / per_second
    counter = 0
    while True:
        at += timedelta(seconds=rng.expovariate(1 / step))
        counter += 1
        user, address = _who(rng)
        repo = f"/scm/{rng.choice(PROJECTS).lower()}/repo{rng.randrange(300)}.git"
        if rng.random() < 0.33:
            req = f"POST {repo}/git-upload-pack HTTP/1.1"
            labels = rng.choice(("fetch, protocol:2", "clone, cache:miss"))
            ms = int(rng.lognormvariate(7, 1))
        else:
            repo = f"{rng.choice(PROJECTS)}/repos/repo{rng.randrange(300)}"
            req = f"GET /rest/api/latest/projects/{repo} HTTP/1.1"
            labels, ms = "-", int(rng.lognormvariate(4, 0.8))
        stamp = at.strftime("%Y-%m-%d %H:%M:%S,") + f"{at.microsecond // 1000:03d}"
        rid = f"{at.hour * 60 + at.minute}x{counter}x{rng.randrange(1, 20)}"
        head = f'{address} | https | %s@{rid} | {user} | {stamp} | "{req}" | "" "git/2.43.0"'
        yield head % "i" + " | - | - | - | - | - | - |\n"
        yield head % "o" + f" | 200 | 512 | {rng.randrange(100, 10**6)} | {labels} | {ms} | - |\n"


GENERATORS = {
    LogKind.JIRA_ACCESS: jira_lines,
    LogKind.CONFLUENCE_ACCESS: confluence_lines,
    LogKind.BITBUCKET_ACCESS: bitbucket_lines,
}


def generate(path: Path, kind: LogKind, mb: int, seed: int = 5) -> int:
    rng = random.Random(seed)
    # about 180 bytes a line: --mb megabytes spread over one day
    lines = GENERATORS[kind](rng, datetime(2024, 5, 1, tzinfo=UTC), per_second=mb * 1e6 / 180 / 86400)
    written = 0
    with path.open("w") as out:
        while written < mb << 20:
            block = "".join(next(lines) for _ in range(10000))
            out.write(block)
            written += len(block)
    return path.stat().st_size


def chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as f:
        rest = b""
        while block := f.read(CHUNK):
            block = rest + block
            cut = block.rfind(b"\n") + 1
            rest = block[cut:]
            if cut:
                yield block[:cut]
        if rest:
            yield rest


def run_once(path: Path, kind: LogKind) -> tuple[float, float, AccessAccumulator]:
    blocks = list(chunks(path))  # read first: the figure is the parser's, not the disk's
    ctx = FileContext(path=path.name, node="node1", kind=kind, tz=UTC)
    acc = AccessAccumulator()
    start = time.process_time()  # CPU time: the figure is one core's, whatever else the machine runs
    for block in blocks:
        acc.feed(block, ctx)
    acc.end_file(ctx)
    fed = time.process_time() - start
    start = time.process_time()
    acc.summaries(60)
    return fed, time.process_time() - start, acc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--kind", choices=["jira", "confluence", "bitbucket"], default="jira")
    args = parser.parse_args()
    kind = {
        "jira": LogKind.JIRA_ACCESS,
        "confluence": LogKind.CONFLUENCE_ACCESS,
        "bitbucket": LogKind.BITBUCKET_ACCESS,
    }[args.kind]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "access_log.2024-05-01"
        size = generate(path, kind, args.mb)
        runs = [run_once(path, kind) for _ in range(args.repeat)]
    fed = statistics.median(r[0] for r in runs)
    best = min(r[0] for r in runs)
    summarised = statistics.median(r[1] for r in runs)
    summary = runs[0][2].summaries(60)[0]
    mb = size / 1e6
    print(
        f"{args.kind} access log: {mb:.0f} MB, {summary.requests} requests, {len(summary.per_minute)} minutes"
    )
    print(
        f"feed(): {fed:.2f} s = {mb / fed:.0f} MB/s on one core (median of {args.repeat}; "
        f"best {mb / best:.0f} MB/s); summaries(): {summarised * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
