"""A throwaway PostgreSQL cluster on 127.0.0.1 for the ledger's tests: initdb, pg_ctl, stop at the end.

PostgreSQL refuses to run as root, so as root (CI) the cluster belongs to the `postgres` system user
(or `nobody`) and its commands run through runuser; as anyone else they run as that user.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


class PostgresUnavailable(RuntimeError):
    pass


def _bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
    if not found:
        raise PostgresUnavailable(
            "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/pg_ctl): run ./scripts/setup.sh --test"
        )
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _owner() -> str | None:
    """The system user to run PostgreSQL as when we are root; None: run as ourselves."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise PostgresUnavailable(
        "running as root and there is no 'postgres' or 'nobody' user to run PostgreSQL as"
    )


@dataclass
class Cluster:
    root: Path
    port: int
    owner: str | None
    bin_dir: Path

    @property
    def data(self) -> Path:
        return self.root / "data"

    def _run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if self.owner is not None:
            command = ["runuser", "-u", self.owner, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=self.root)
        if result.returncode != 0:
            raise PostgresUnavailable(f"{args[0]} failed ({result.returncode}): {result.stderr.strip()}")
        return result

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        self._run(
            "psql",
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            f'CREATE DATABASE "{name}"',
        )
        return self.url(name)

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", timeout=60)
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def start_cluster() -> Cluster:
    bin_dir = _bin_dir()
    owner = _owner()
    root = Path(tempfile.mkdtemp(prefix="atlas-health-pg-"))
    cluster = Cluster(root=root, port=_free_port(), owner=owner, bin_dir=bin_dir)
    if owner is not None:
        entry = pwd.getpwnam(owner)
        os.chown(root, entry.pw_uid, entry.pw_gid)
    cluster._run(
        "initdb",
        "-D",
        str(cluster.data),
        "-U",
        "postgres",
        "--auth=trust",
        "-E",
        "UTF8",
        "--no-sync",
        "--locale=C",
    )
    # Throwaway: no fsync, as the cluster never outlives the test session (a client killed mid-entry is
    # what the crash tests exercise, not a server losing power).
    options = f"-h 127.0.0.1 -p {cluster.port} -k {root} -c fsync=off -c synchronous_commit=off -c max_connections=60"
    try:
        cluster._run(
            "pg_ctl",
            "-D",
            str(cluster.data),
            "-l",
            str(root / "server.log"),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        )
    except PostgresUnavailable as exc:
        log = (root / "server.log").read_text(errors="replace") if (root / "server.log").exists() else ""
        shutil.rmtree(root, ignore_errors=True)
        raise PostgresUnavailable(f"{exc}\n{log[-2000:]}") from None
    return cluster
