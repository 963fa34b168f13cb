"""`atlas-health serve` in a subprocess with the recording Work, for the tests of the service."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from tests.agent.service.fake_work import read_log

ROOT = Path(__file__).resolve().parents[3]
CUSTOMER = """\
customers:
  - name: acme
    instances:
      - {name: acme-jira, product: jira, url: "https://jira.acme.example", deployment: datacenter, auth: {type: token, token_env: ACME_TOKEN}}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_config(path: Path, ledger_url: str, port: int, schedules: str, grace: str = "2s") -> Path:
    path.write_text(
        CUSTOMER
        + f"ledger: {{url: {json.dumps(ledger_url)}}}\n"
        + f"service:\n  listen: 127.0.0.1:{port}\n  shutdown_grace: {grace}\n  schedules:\n{schedules}"
    )
    return path


class Serve:
    def __init__(
        self,
        config: Path,
        work_log: Path,
        port: int,
        stderr: Path,
        *,
        real_work: bool = False,
        secrets: dict[str, str] | None = None,
    ) -> None:
        """``real_work``: the service's own Work (collects from the configured estate) instead of
        the recording one; ``secrets``: the environment variables the configuration names."""
        self.port = port
        self.work_log = work_log
        self.stderr_path = stderr
        env = {**os.environ, "PYTHONPATH": str(ROOT), "ACME_TOKEN": "t0ken", **(secrets or {})}
        env.pop("ATLAS_HEALTH_WORK_FACTORY", None)
        if not real_work:
            env["FAKE_WORK_LOG"] = str(work_log)
            env["ATLAS_HEALTH_WORK_FACTORY"] = "tests.agent.service.fake_work:make_work"
        env.pop("ATLAS_HEALTH_LOG_LEVEL", None)
        self._stderr = stderr.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "agent.cli", "serve", "--config", str(config), "--log-format", "json"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=self._stderr,
        )

    def get(self, path: str) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=5) as answer:
                return answer.status, answer.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=body, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=5) as answer:
                return answer.status, answer.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def health(self) -> dict[str, Any]:
        status, body = self.get("/healthz")
        return {"http": status, **json.loads(body)}

    def wait_for(self, what: str, condition: Any, timeout: float = 40.0) -> Any:
        """Poll ``condition()`` until it is truthy (its value is returned); fail naming ``what``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                value = condition()
            except (OSError, ValueError):
                value = None
            if value:
                return value
            if self.process.poll() is not None and what != "exit":
                raise AssertionError(
                    f"serve exited ({self.process.returncode}) waiting for {what}:\n{self.log_text()}"
                )
            time.sleep(0.2)
        raise AssertionError(f"no {what} within {timeout:.0f}s:\n{self.log_text()[-4000:]}")

    def log_text(self) -> str:
        return self.stderr_path.read_text()

    def log_lines(self) -> list[dict[str, Any]]:
        lines = []
        for line in self.log_text().splitlines():
            try:
                lines.append(json.loads(line))
            except ValueError:
                lines.append({"message": line, "level": "raw"})
        return lines

    def work(self) -> list[dict[str, Any]]:
        return [e for e in read_log(self.work_log) if e["pid"] == self.process.pid]

    def signal(self, number: int) -> None:
        self.process.send_signal(number)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)
        self._stderr.close()
