"""Host benchmark: collecting 10 hosts over SSH against collecting one.

Starts N real OpenSSH servers on 127.0.0.1 (each its own sshd process, host key and port, as N
machines would be), points N hosts at them (each with a fake product installation, so product
paths, configuration files and log folders are read too), and times a full host collection of one
host, then of all N at once. Prints both times and the ratio; target: at most 2x. The median of
--repeat runs is reported; nothing is asserted (machines are noisy).

Two networks are measured:
- **direct**: straight to loopback, no latency at all. Here the N sshd, their commands and the agent
  share this machine's CPUs, so N hosts cost N times the CPU on the same cores: the ratio shows how
  many cores the machine has as much as how well the agent overlaps hosts.
- **--rtt-ms** (default 20): through a relay (its own process) that delays every packet by half a
  round trip each way, as the network between an agent and customer hosts does. Like
  benchmarks/fleet.py's answer delay, this is what the agent's concurrency exists to overlap.

    .venv/bin/python benchmarks/hosts.py [--hosts 10] [--repeat 3] [--rtt-ms 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the test helpers that start sshd

from benchmarks.latency_relay import relayed
from collectors.hosts.collect import collect_hosts
from collectors.hosts.target import HostCollectOptions, HostTarget, ProductDirs, SshEndpoint
from collectors.model import Product
from tests.collectors.hosts.fake_product import FakeInstall
from tests.collectors.hosts.sshd import Sshd, keygen, public_line

OPTIONS = HostCollectOptions(
    connect_timeout_s=10, command_timeout_s=20, host_budget_s=120, host_concurrency=64
)


def targets(ports: list[int], user: str, key: Path, known: Path, install: FakeInstall) -> list[HostTarget]:
    return [
        HostTarget(
            customer="bench",
            name=f"node{i}",
            ssh=SshEndpoint("127.0.0.1", port, user, key_file=key, known_hosts=known),
            product=Product.JIRA,
            dirs=ProductDirs(install=str(install.install), home=str(install.home)),
        )
        for i, port in enumerate(ports, 1)
    ]


def known_hosts(path: Path, servers: list[Sshd], ports: list[int]) -> Path:
    """known_hosts naming each server's key under the port the agent connects to."""
    lines = []
    for server, port in zip(servers, ports, strict=True):
        key_type, key = public_line(server.host_key).split()[:2]
        lines.append(f"[127.0.0.1]:{port} {key_type} {key}\n")
    path.write_text("".join(lines), encoding="utf-8")
    return path


def timed(hosts: list[HostTarget]) -> float:
    started = time.perf_counter()
    snapshots = collect_hosts(hosts, OPTIONS)
    elapsed = time.perf_counter() - started
    failed = [(s.name, e.call, e.message) for s in snapshots for e in s.errors]
    if failed or not all(s.connected for s in snapshots):
        raise SystemExit(f"collection failed: {failed}")
    return elapsed


def measure(
    label: str, servers: list[Sshd], rtt_ms: float, key: Path, install: FakeInstall, root: Path, repeat: int
) -> float:
    with relayed([s.port for s in servers], rtt_ms) as ports:
        known = known_hosts(root / f"known_hosts_{rtt_ms:g}", servers, ports)
        hosts = targets(ports, servers[0].user, key, known, install)
        timed(hosts[:1])  # warm up: imports, the first key exchange
        one = statistics.median(timed(hosts[:1]) for _ in range(repeat))
        many = statistics.median(timed(hosts) for _ in range(repeat))
    ratio = many / one
    verdict = "met" if ratio <= 2 else "NOT met"
    print(
        f"{label:<28} 1 host {one:6.2f} s   {len(servers)} hosts {many:6.2f} s   ratio {ratio:5.2f}x "
        f"(target at most 2x: {verdict})"
    )
    return ratio


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rtt-ms", type=float, default=20.0, help="round trip added by the relay")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="atlas-health-bench-") as tmp, ExitStack() as stack:
        root = Path(tmp)
        key = keygen(root / "client")
        install = FakeInstall(root / "product").create()
        servers = [stack.enter_context(Sshd(root / f"sshd{i}", key)) for i in range(args.hosts)]
        cpus = os.cpu_count()
        print(
            f"{args.hosts} sshd endpoints on 127.0.0.1, {cpus} CPUs shared by them and the agent, "
            f"median of {args.repeat} runs"
        )
        measure("direct (0 ms round trip)", servers, 0, key, install, root, args.repeat)
        measure(f"{args.rtt_ms:g} ms round trip", servers, args.rtt_ms, key, install, root, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
