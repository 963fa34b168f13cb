"""`atlas-health --help` stays fast because the CLI modules import nothing heavy at module level.

Structural, not timed: a fresh interpreter imports the CLI (and prints every command's help) and
reports which modules it loaded; the heavy ones must be absent. benchmarks/cli_help.py prints the time.
"""

from __future__ import annotations

import json
import subprocess
import sys

# Each loads a large dependency tree (REST client, SSH, pydantic models, Jinja, SQLAlchemy, plotting,
# regex engine, rich); the commands import them in their bodies.
HEAVY = (
    "agent.pipeline",
    "apscheduler",
    "atlassian",
    "checks.registry",
    "checks.runner",
    "collectors.model",
    "hyperscan",
    "jinja2",
    "matplotlib",
    "numpy",
    "paramiko",
    "prometheus_client",
    "pydantic",
    "reports.render",
    "requests",
    "rich",
    "sqlalchemy",
    "starlette",
    "uvicorn",
)

HELP_EVERY_COMMAND = """
import json
import click
from agent.cli import cli, main

def walk(group, path):
    yield path
    if isinstance(group, click.Group):
        for name, command in group.commands.items():
            yield from walk(command, [*path, name])

paths = list(walk(cli, []))
for path in paths:
    assert main([*path, "--help"]) == 0, path
print(json.dumps(paths))
"""


def probe(code: str) -> tuple[set[str], list[str]]:
    """The modules a fresh interpreter holds after running ``code``, and the lines ``code`` printed."""
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    *printed, modules = result.stdout.splitlines()
    return set(json.loads(modules)), printed


def loaded_modules(code: str) -> set[str]:
    return probe(code)[0]


def heavy_among(modules: set[str]) -> list[str]:
    return sorted(name for name in HEAVY if any(m == name or m.startswith(f"{name}.") for m in modules))


def test_importing_the_cli_loads_no_heavy_module():
    assert heavy_among(loaded_modules("import agent.cli")) == []


def test_help_of_every_command_loads_no_heavy_module():
    modules, printed = probe(HELP_EVERY_COMMAND)
    # every command's help was shown: the walk reached the subcommands (a lazy group would hide them)
    shown = {" ".join(path) for path in json.loads(printed[-1])}
    assert {
        "check",
        "collect",
        "analyze",
        "hours log",
        "signatures test",
        "config validate",
        "serve",
    } <= shown
    assert {"agent.cli", "agent.cli_hours"} <= modules
    assert heavy_among(modules) == []


def test_the_probe_sees_heavy_modules_when_they_are_imported():
    # The pipeline and the collectors pull in most of HEAVY; if this fails the probe above proves nothing.
    found = heavy_among(loaded_modules("import agent.pipeline, collectors.estate, collectors.hosts.collect"))
    assert {
        "agent.pipeline",
        "atlassian",
        "paramiko",
        "pydantic",
        "collectors.model",
        "checks.runner",
        "reports.render",
        "jinja2",
    } <= set(found)


def test_reading_logs_loads_no_pydantic_before_the_workers_fork(tmp_path):
    """`analyze` forks its log workers once the logs are found and planned; what that takes, and what the
    readers need in the workers, must not load pydantic (the report model loads at the end, in the main
    process, and the knowledge base while the workers already read)."""
    (tmp_path / "access_log.2024-05-01").write_bytes(
        b'10.0.0.1 1x1x1 jdoe [01/May/2024:10:00:00 +0000] "GET /x HTTP/1.1" 200 5 12 "-" "curl" "-"\n'
    )
    modules = loaded_modules(
        "import agent.log_analysis, collectors.logs.engine as engine\n"
        "import collectors.logs.access, collectors.logs.gc, collectors.logs.security\n"
        "from pathlib import Path\n"
        f"tasks, _ = engine.plan(engine.discover([Path({str(tmp_path)!r})]))\n"
        "assert [t.kind.family for t in tasks] == ['access']"
    )
    assert {"collectors.logs.engine", "collectors.logs.access", "numpy"} <= modules
    assert not any(m == "pydantic" or m.startswith("pydantic.") for m in modules)
