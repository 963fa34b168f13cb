"""`--log-level` and `-v` on every command: log lines on stderr, never on stdout, never a secret.

The agent runs as a subprocess, as a user runs it, so that the logging set up by the command line is
the one tested (the test process keeps its own).
"""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
import yaml

from agent.cli import cli
from agent.logging_setup import ENV_VAR, effective_level
from collectors.model import Deployment, Product
from sandbox import Fault, InstanceSpec, Sandbox, sandbox_config
from tests.agent.ledger.cli import support, write_config

# 14:03:07.412Z DEBUG collectors.rest.http: ...
LOG_LINE = re.compile(r"^\d\d:\d\d:\d\d\.\d{3}Z (DEBUG|INFO|WARNING|ERROR|CRITICAL) [\w.]+: ", re.M)


def atlas(args: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in (ENV_VAR, "ATLAS_HEALTH_CONFIG")}
    return subprocess.run(
        [sys.executable, "-m", "agent.cli", *args],
        capture_output=True,
        text=True,
        env={**environment, "COLUMNS": "200", **(env or {})},
        timeout=120,
    )


def levels(stderr: str) -> set[str]:
    return set(LOG_LINE.findall(stderr))


def json_lines(stdout: str) -> list[dict]:
    """stdout as JSON Lines; fails on anything else, a log line included."""
    assert not LOG_LINE.search(stdout), stdout
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with an access log and a binary file that the analysis skips."""
    folder = tmp_path_factory.mktemp("logs")
    (folder / "access_log.2024-05-01").write_text(
        '10.0.0.1 1x1x1 jdoe [01/May/2024:10:00:00 +0000] "GET /rest/api/2/search HTTP/1.1" 200 5 12 "-" "curl" "-"\n'
    )
    (folder / "heap.log").write_bytes(b"\x00\x01binary\x00" * 100)
    return folder


# --- the options ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "verbosity", "env", "expected"),
    [
        ([], 0, None, logging.WARNING),
        ([], 1, None, logging.INFO),
        ([], 2, None, logging.DEBUG),
        ([], 3, None, logging.DEBUG),
        ([logging.ERROR], 0, None, logging.ERROR),
        ([logging.ERROR], 1, None, logging.INFO),  # the most verbose wins
        ([logging.ERROR, logging.DEBUG], 0, None, logging.DEBUG),
        ([], 0, "Info", logging.INFO),
        ([logging.WARNING], 0, "debug", logging.WARNING),  # the option over the environment
    ],
)
def test_effective_level(given: list[int], verbosity: int, env: str | None, expected: int) -> None:
    assert effective_level(given, verbosity, env) == expected


def test_every_command_has_the_options() -> None:
    def walk(command: click.Command, path: str) -> list[tuple[str, click.Command]]:
        found = [(path, command)]
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                found += walk(sub, f"{path} {name}")
        return found

    commands = walk(cli, "atlas-health")
    assert len(commands) > 15
    for path, command in commands:
        names = {opt for param in command.params for opt in param.opts}
        assert {"--log-level", "-v", "--verbose"} <= names, path


def test_an_unknown_level_is_one_line_and_exit_3() -> None:
    result = atlas(["checks", "list", "--log-level", "loud"])
    assert result.returncode == 3
    assert result.stderr.strip().splitlines() == [
        "error: --log-level: 'loud' is not one of debug, info, warning, error"
    ]
    assert result.stdout == ""


def test_an_unknown_level_in_the_environment_is_one_line_and_exit_3() -> None:
    result = atlas(["checks", "list"], {ENV_VAR: "chatty"})
    assert result.returncode == 3
    assert result.stderr.strip().splitlines() == [
        f"error: {ENV_VAR}: 'chatty' is not one of debug, info, warning, error"
    ]


# --- analyze ----------------------------------------------------------------------------------------


def test_analyze_quiet_by_default(logs: Path) -> None:
    result = atlas(["analyze", str(logs), "--format", "json"])
    assert result.returncode in (0, 1, 2), result.stderr
    assert levels(result.stderr) == set()
    assert len(json_lines(result.stdout)) == 1


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["analyze", "{logs}", "--format", "json", "-vv"], id="-vv after"),
        pytest.param(["-vv", "analyze", "{logs}", "--format", "json"], id="-vv before"),
        pytest.param(["analyze", "{logs}", "--format", "json", "--log-level", "debug"], id="--log-level"),
        pytest.param(["--log-level=info", "analyze", "-v", "{logs}", "--format", "json", "-v"], id="mixed"),
    ],
)
def test_analyze_logs_what_it_does_on_stderr_and_keeps_stdout_json(logs: Path, args: list[str]) -> None:
    result = atlas([a.replace("{logs}", str(logs)) for a in args])
    assert result.returncode in (0, 1, 2), result.stderr
    assert levels(result.stderr) == {"DEBUG", "INFO"}
    assert re.search(
        r"DEBUG collectors\.logs\.engine: read \S+access_log\.2024-05-01 \(\S+\): \d+ bytes in", result.stderr
    )
    assert re.search(r"INFO collectors\.logs\.engine: \S+heap\.log: skipped \(binary\)", result.stderr)
    assert re.search(r"INFO agent\.pipeline: checks done in [\d.]+ s: \d+ ran", result.stderr)
    assert "DEBUG agent.pipeline: check logs.gc.pauses on logs skipped: no GC log" in result.stderr
    assert json_lines(result.stdout)[0]["customer"] == "logs"


def test_one_v_is_info_without_debug(logs: Path) -> None:
    result = atlas(["-v", "analyze", str(logs), "--format", "json"])
    assert levels(result.stderr) == {"INFO"}
    json_lines(result.stdout)


def test_the_environment_sets_the_default_and_the_option_wins(logs: Path) -> None:
    chatty = atlas(["analyze", str(logs), "--format", "json"], {ENV_VAR: "debug"})
    assert "DEBUG" in levels(chatty.stderr)
    quiet = atlas(["analyze", str(logs), "--format", "json", "--log-level", "warning"], {ENV_VAR: "debug"})
    assert levels(quiet.stderr) == set()


def test_logs_go_to_stderr_with_the_markdown_report_too(logs: Path) -> None:
    result = atlas(["analyze", str(logs), "--format", "md", "-vv"])
    assert "DEBUG" in levels(result.stderr)
    assert not LOG_LINE.search(result.stdout)
    assert result.stdout.startswith("#")


# --- hours ------------------------------------------------------------------------------------------


def test_hours_commands_log_the_ledger_and_each_entry(tmp_path: Path) -> None:
    config = write_config(tmp_path, acme=support())
    bought = atlas(["hours", "buy", "acme", "--hours", "10", "--price", "1000", "--currency", "GBP",
                    "--config", str(config), "-v"])  # fmt: skip
    assert bought.returncode == 0, bought.stderr
    assert re.search(
        r"INFO agent\.ledger\.storage: migrating the ledger at sqlite:///\S+ledger\.sqlite", bought.stderr
    )
    assert "INFO agent.ledger.service: recorded #1: purchase for acme, 600 min" in bought.stderr

    logged = atlas(["-v", "hours", "log", "acme", "--activity", "support", "--minutes", "45",
                    "--engineer", "ann", "--config", str(config)])  # fmt: skip
    assert logged.returncode == 0, logged.stderr
    assert "INFO agent.ledger.service: recorded #2: work for acme (support), 45 min" in logged.stderr

    balance = atlas(["hours", "balance", "acme", "--format", "json", "--config", str(config), "-vv"])
    assert balance.returncode == 0, balance.stderr
    assert re.search(r"DEBUG agent\.ledger\.service: opening the ledger at sqlite:///", balance.stderr)
    assert "schema revision" in balance.stderr and "migrating" not in balance.stderr
    assert json.loads(balance.stdout)


def test_a_refused_entry_is_one_error_line_and_logged_with_v(tmp_path: Path) -> None:
    config = write_config(tmp_path, acme=support())
    args = ["hours", "log", "acme", "--activity", "support", "--minutes", "45", "--engineer", "ann",
            "--config", str(config)]  # fmt: skip
    refused = atlas(args)
    assert refused.returncode == 3
    assert refused.stderr.count("\n") == 1 and refused.stderr.startswith("error: acme has 0 min of PAYG")
    told = atlas([*args, "-v"])
    assert told.returncode == 3
    assert re.search(
        r"INFO agent\.ledger\.service: work for acme not recorded: acme has 0 min of PAYG", told.stderr
    )


def test_the_ledger_password_never_shows(tmp_path: Path) -> None:
    secret = "s3cret-ledger-pw"
    config = write_config(tmp_path, "postgresql://atlas@127.0.0.1:9/ledger", acme=support())
    result = atlas(
        ["hours", "balance", "--config", str(config), "--log-level", "debug"], {"PGPASSWORD": secret}
    )
    assert result.returncode == 3  # nothing listens on port 9
    assert "opening the ledger at postgresql+psycopg://atlas@127.0.0.1:9/ledger" in result.stderr
    assert secret not in result.stderr + result.stdout


# --- check against the sandbox ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory):
    specs = [
        InstanceSpec(
            name="acme-jira",
            product=Product.JIRA,
            deployment=Deployment.DATACENTER,
            version="9.12.2",
            nodes=2,
            faults={Fault.RATE_LIMITED},
            rate_limit_count=1,
            retry_after_s=1,
            token="tok-9f8e7d6c5b4a-secret",
        ),
        InstanceSpec("acme-crowd", Product.CROWD, Deployment.SERVER, version="7.2.3", context_path="/crowd"),
        InstanceSpec("beta-jira", Product.JIRA, Deployment.SERVER, version="10.3.4", faults={Fault.DOWN}),
    ]
    with Sandbox(specs) as sandbox:
        config, env = sandbox_config(sandbox, {"acme": ["acme-jira", "acme-crowd"], "beta": ["beta-jira"]})
        config["settings"] = {"timeout_seconds": 5, "retry_after_cap_seconds": 2, "max_retries": 1}
        path = tmp_path_factory.mktemp("config") / "config.yaml"
        path.write_text(yaml.safe_dump(config))
        yield path, env


@pytest.mark.server
def test_check_logs_each_call_retry_and_instance_without_secrets(estate) -> None:
    path, env = estate
    result = atlas(["check", "--config", str(path), "--format", "json", "-vv"], env)
    assert result.returncode in (1, 2), result.stderr
    reports = json_lines(result.stdout)
    assert sorted(r["customer"] for r in reports) == ["acme", "beta"]

    err = result.stderr
    assert re.search(
        r"DEBUG collectors\.rest\.http: server_info: GET http://127\.0\.0\.1:\d+/rest/api/2/serverInfo\S* -> 200 in \d+ ms, \d+ bytes",
        err,
    )
    assert re.search(
        r"INFO collectors\.rest\.http: \w+: GET \S+ rate limited \(HTTP 429\); retry 1 in 1 s", err
    )
    assert re.search(r"INFO collectors\.rest\.http: status: GET \S+ failed \(connection_refused\)", err)
    assert re.search(
        r"INFO collectors\.rest\.instance: beta/beta-jira: unreachable \(connection_refused\)", err
    )
    assert re.search(
        r"INFO collectors\.rest\.instance: acme/acme-jira: collected in [\d.]+ s: \d+ call\(s\)", err
    )
    assert re.search(r"INFO agent\.pipeline: collection done in [\d.]+ s", err)
    for name, secret in env.items():
        assert secret not in err, name
    assert "tok-9f8e7d6c5b4a-secret" in env.values()  # the probe looks for something that is there


@pytest.mark.server
def test_check_at_the_default_level_logs_nothing(estate) -> None:
    path, env = estate
    result = atlas(["check", "--config", str(path), "--format", "json"], env)
    assert levels(result.stderr) == set()
    json_lines(result.stdout)
