"""A real OpenSSH sshd on 127.0.0.1 for tests and the host benchmark (key auth, no PAM, no passwords).

Each server gets its own host key, port and config; the client key and the known_hosts file the
agent is given are written next to them. As root, sshd needs its privilege-separation folder.
"""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

SSHD = "/usr/sbin/sshd"


def available() -> bool:
    return os.access(SSHD, os.X_OK) and shutil.which("ssh-keygen") is not None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def keygen(path: Path, comment: str = "atlas-health-test") -> Path:
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)],
        check=True,
        stdin=subprocess.DEVNULL,
    )
    return path


def public_line(key: Path) -> str:
    return Path(f"{key}.pub").read_text(encoding="utf-8").strip()


@dataclass
class Sshd:
    """One running sshd; ``host_key`` is the server's private key file (``.pub`` beside it)."""

    directory: Path
    client_key: Path
    sftp: bool = True
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def host_key(self) -> Path:
        return self.directory / "host_key"

    @property
    def user(self) -> str:
        return getpass.getuser()

    def known_hosts_line(self, host: str = "127.0.0.1") -> str:
        key_type, key_b64 = public_line(self.host_key).split()[:2]
        return f"[{host}]:{self.port} {key_type} {key_b64}"

    def fingerprint(self) -> str:
        out = subprocess.run(
            ["ssh-keygen", "-l", "-E", "sha256", "-f", f"{self.host_key}.pub"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        return out.split()[1]

    def start(self) -> Sshd:
        self.directory.mkdir(parents=True, exist_ok=True)
        if not self.host_key.exists():
            keygen(self.host_key, "test-host")
        authorized = self.directory / "authorized_keys"
        authorized.write_text(public_line(self.client_key) + "\n", encoding="utf-8")
        authorized.chmod(0o600)
        lines = [
            "ListenAddress 127.0.0.1",
            f"Port {self.port}",
            f"HostKey {self.host_key}",
            f"AuthorizedKeysFile {authorized}",
            f"PidFile {self.directory / 'sshd.pid'}",
            "UsePAM no",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "StrictModes no",
            "PermitRootLogin prohibit-password",
            "AllowTcpForwarding yes",
            "MaxSessions 64",
            "MaxStartups 100:30:200",
            "LogLevel ERROR",
            # Debian's bash sources ~/.bashrc for commands run by sshd unless SHLVL says it is nested;
            # this machine's root .bashrc (pyenv init) costs ~100 ms a command, which is not ours to time
            "SetEnv SHLVL=1",
        ]
        if self.sftp:
            lines.append("Subsystem sftp internal-sftp")
        config = self.directory / "sshd_config"
        config.write_text("\n".join(lines) + "\n", encoding="utf-8")
        if os.geteuid() == 0:
            Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # privilege separation, needed as root
        self.process = subprocess.Popen(
            [SSHD, "-D", "-e", "-f", str(config)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=(self.directory / "sshd.log").open("wb"),
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = (self.directory / "sshd.log").read_text(errors="replace")
                raise RuntimeError(f"sshd exited with {self.process.returncode}: {log}")
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"sshd did not listen on 127.0.0.1:{self.port} within 15 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def __enter__(self) -> Sshd:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def write_known_hosts(path: Path, *servers: Sshd) -> Path:
    path.write_text("".join(s.known_hosts_line() + "\n" for s in servers), encoding="utf-8")
    return path
