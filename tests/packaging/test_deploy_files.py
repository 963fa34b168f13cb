"""deploy/: the systemd unit, its sysusers and tmpfiles entries, the environment file and the container
file say what the README says, and systemd's own tools accept them where they are installed."""

from __future__ import annotations

import configparser
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from agent.config.loader import load_config
from agent.config.service_schema import ServiceConfig, parse_duration
from checks.registry import load_registry

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
UNIT = DEPLOY / "atlas-health.service"
CONTAINERFILE = DEPLOY / "Containerfile"
SERVE_ARGS = ["serve", "--config", "/etc/atlas-health/config.yaml", "--log-format", "json"]
HARDENING = {
    "NoNewPrivileges": "yes",
    "ProtectSystem": "strict",
    "ProtectHome": "yes",
    "PrivateTmp": "yes",
    "PrivateDevices": "yes",
    "ProtectKernelTunables": "yes",
    "ProtectKernelModules": "yes",
    "ProtectKernelLogs": "yes",
    "ProtectControlGroups": "yes",
    "RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
    "RestrictNamespaces": "yes",
    "LockPersonality": "yes",
    "MemoryDenyWriteExecute": "yes",
    "SystemCallFilter": "@system-service",
    "CapabilityBoundingSet": "",
    "UMask": "0077",
}


def unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True, empty_lines_in_values=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # systemd keys are case-sensitive
    parser.read_string(UNIT.read_text())
    return parser


def test_the_unit_runs_serve_as_its_own_user_and_restarts_on_failure() -> None:
    service = unit()["Service"]
    command = shlex.split(service["ExecStart"])
    assert Path(command[0]).is_absolute() and command[0].endswith("/atlas-health")
    assert command[1:] == SERVE_ARGS
    assert (service["User"], service["Group"], service["DynamicUser"]) == ("atlas-health",) * 2 + ("no",)
    assert service["Restart"] == "on-failure" and parse_duration(service["RestartSec"] + "s") > 0
    assert service["KillSignal"] == "SIGTERM"
    assert service["ExecReload"] == "/bin/kill -HUP $MAINPID"
    assert service["EnvironmentFile"] == "-/etc/atlas-health/atlas-health.env"
    assert unit()["Install"]["WantedBy"] == "multi-user.target"


def test_the_unit_keeps_its_state_where_the_ledger_looks() -> None:
    service = unit()["Service"]
    assert service["StateDirectory"] == "atlas-health"
    assert service["Environment"] == "ATLAS_HEALTH_DATA_DIR=/var/lib/atlas-health"
    assert service["ReadWritePaths"] == "/var/lib/atlas-health"


def test_the_unit_is_hardened() -> None:
    service = unit()["Service"]
    assert {key: service.get(key) for key in HARDENING} == HARDENING


def test_systemd_waits_longer_than_the_shutdown_grace() -> None:
    stop = float(unit()["Service"]["TimeoutStopSec"])
    example = load_config(
        REPO / "config.example.yaml", registry=load_registry(include_plugins=False), resolve_secrets=False
    )
    assert example.config.service is not None
    graces = [ServiceConfig().shutdown_grace_seconds, example.config.service.shutdown_grace_seconds]
    assert all(stop > grace for grace in graces), (stop, graces)


def _verifiable_unit(tmp_path: Path) -> Path:
    """The unit with ExecStart pointing at this environment's atlas-health, so verify finds it."""
    script = Path(sys.executable).parent / "atlas-health"
    if not script.exists():
        pytest.skip("this environment has no atlas-health console script")
    text = UNIT.read_text().replace("/opt/atlas-health/bin/atlas-health", str(script))
    path = tmp_path / "atlas-health.service"
    path.write_text(text)
    return path


@pytest.mark.server
@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_analyze_verify_accepts_the_unit(tmp_path: Path) -> None:
    path = _verifiable_unit(tmp_path)
    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    # Unknown keys and bad values are only warnings ("..., ignoring"): any line about the unit fails.
    about_unit = [line for line in done.stderr.splitlines() if "atlas-health.service" in line]
    assert done.returncode == 0 and not about_unit, done.stderr


@pytest.mark.server
@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_rates_the_units_exposure_low(tmp_path: Path) -> None:
    path = _verifiable_unit(tmp_path)
    done = subprocess.run(
        ["systemd-analyze", "security", "--offline=yes", "--threshold=30", "--no-pager", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if "--offline" in done.stderr or "--threshold" in done.stderr:
        pytest.skip(f"this systemd-analyze cannot rate a unit file offline: {done.stderr.strip()}")
    match = re.search(r"Overall exposure level for \S+: (\d+\.\d)", done.stdout)
    assert match and float(match.group(1)) <= 3.0 and done.returncode == 0, done.stdout[-2000:]


@pytest.mark.server
@pytest.mark.skipif(shutil.which("systemd-sysusers") is None, reason="systemd-sysusers is not installed")
def test_sysusers_creates_the_user_and_tmpfiles_its_config_folder(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    sysusers = (DEPLOY / "atlas-health.sysusers").read_text()
    subprocess.run(
        ["systemd-sysusers", f"--root={tmp_path}", "-"], input=sysusers, text=True, check=True, timeout=60
    )
    passwd = (tmp_path / "etc" / "passwd").read_text().splitlines()
    user = next(line.split(":") for line in passwd if line.startswith("atlas-health:"))
    assert user[5] == "/var/lib/atlas-health" and user[6] == "/usr/sbin/nologin"
    assert int(user[2]) != 0
    if shutil.which("systemd-tmpfiles") is None or os.geteuid() != 0:
        pytest.skip("creating the config folder with its group needs systemd-tmpfiles and root")
    tmpfiles = (DEPLOY / "atlas-health.tmpfiles").read_text()
    subprocess.run(
        ["systemd-tmpfiles", f"--root={tmp_path}", "--create", "-"],
        input=tmpfiles,
        text=True,
        check=True,
        timeout=60,
    )
    folder = (tmp_path / "etc" / "atlas-health").stat()
    assert oct(folder.st_mode & 0o777) == "0o750"
    assert (folder.st_uid, folder.st_gid) == (0, int(user[3]))


def test_the_environment_file_names_every_secret_of_the_example() -> None:
    names = set()
    for line in (REPO / "config.example.yaml").read_text().splitlines():
        if not line.strip().startswith("#"):
            names.update(re.findall(r"\b\w+_env:\s*([A-Z_][A-Z0-9_]*)", line))
    assigned = set(
        re.findall(r"^#?\s*([A-Z_][A-Z0-9_]*)=", (DEPLOY / "atlas-health.env.example").read_text(), re.M)
    )
    assert names and names <= assigned, names - assigned


def instructions() -> list[tuple[str, str]]:
    """The Containerfile's instructions, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n\s*", " ", CONTAINERFILE.read_text())
    out = []
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            keyword, _, rest = line.strip().partition(" ")
            out.append((keyword.upper(), rest.strip()))
    return out


def test_the_container_runs_serve_unprivileged_with_a_health_check() -> None:
    steps = instructions()
    by = {keyword: rest for keyword, rest in steps}  # the last of each keyword, as the builder takes it
    assert steps[0] == ("FROM", "python:3.11-slim")
    assert json.loads(by["CMD"]) == [
        "atlas-health",
        "serve",
        "--config",
        "/config/config.yaml",
        "--log-format",
        "json",
    ]
    assert by["USER"] not in ("root", "0", "")
    assert [k for k, _ in steps].index("USER") > max(i for i, (k, _) in enumerate(steps) if k == "RUN")
    assert "ATLAS_HEALTH_DATA_DIR=/data" in by["ENV"]
    assert json.loads(by["VOLUME"]) == ["/data"]
    assert by["EXPOSE"] == "9464"
    health = by["HEALTHCHECK"]
    assert "CMD" in health and "python" in health and "http://127.0.0.1:9464/healthz" in health
    assert "curl" not in health and "wget" not in health
    assert by["STOPSIGNAL"] == "SIGTERM"


def test_the_container_copies_every_package_the_wheel_needs() -> None:
    copied = {rest.split()[0] for keyword, rest in instructions() if keyword == "COPY"}
    for source in copied:
        assert (REPO / source).exists(), source
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    packages = {p.rstrip("*") for p in pyproject["tool"]["setuptools"]["packages"]["find"]["include"]}
    assert packages <= copied, packages - copied
    assert {"pyproject.toml", "README.md"} <= {
        word for keyword, rest in instructions() if keyword == "COPY" for word in rest.split()[:-1]
    }


def readme_section() -> str:
    text = (REPO / "README.md").read_text()
    start = text.index("\n## Running the service\n")
    end = text.index("\n## ", start + 1)
    assert start < text.index("\n## Configure it\n"), "the section comes before configuring"
    return text[start:end]


def test_the_readme_documents_the_commands_the_unit_and_the_container_run() -> None:
    # `atlas-health serve --help` would prove the command exists; serve is built beside this file, so
    # the commands are held to what the README documents instead.
    section = readme_section()
    assert "atlas-health serve --config" in section and "--log-format json" in section
    unit_command = " ".join(shlex.split(unit()["Service"]["ExecStart"])[1:])
    container_command = " ".join(json.loads(dict(instructions())["CMD"])[1:])
    for command in (unit_command, container_command):
        assert command.startswith("serve --config ") and command.endswith(" --log-format json")
    for name in ("atlas-health.service", "atlas-health.sysusers", "atlas-health.env", "Containerfile"):
        assert name in section, name
    assert "0.0.0.0:9464" in section and "/healthz" in section and "/metrics" in section
