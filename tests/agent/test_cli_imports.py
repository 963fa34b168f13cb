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
    "atlassian",
    "checks.registry",
    "checks.runner",
    "collectors.model",
    "hyperscan",
    "jinja2",
    "matplotlib",
    "paramiko",
    "pydantic",
    "reports.render",
    "requests",
    "rich",
    "sqlalchemy",
)

HELP_EVERY_COMMAND = """
import click
from agent.cli import cli, main

def walk(group, path):
    yield path
    if isinstance(group, click.Group):
        for name, command in group.commands.items():
            yield from walk(command, [*path, name])

for path in list(walk(cli, [])):
    assert main([*path, "--help"]) == 0, path
"""


def loaded_modules(code: str) -> set[str]:
    """The modules a fresh interpreter holds after running ``code``."""
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout.splitlines()[-1]))


def heavy_among(modules: set[str]) -> list[str]:
    return sorted(name for name in HEAVY if any(m == name or m.startswith(f"{name}.") for m in modules))


def test_importing_the_cli_loads_no_heavy_module():
    assert heavy_among(loaded_modules("import agent.cli")) == []


def test_help_of_every_command_loads_no_heavy_module():
    modules = loaded_modules(HELP_EVERY_COMMAND)
    assert {"agent.cli", "agent.cli_hours"} <= modules
    assert heavy_among(modules) == []


def test_the_probe_sees_heavy_modules_when_they_are_imported():
    # The pipeline and the collectors pull in most of HEAVY; if this fails the probe above proves nothing.
    found = heavy_among(loaded_modules("import agent.pipeline, collectors.estate, collectors.hosts.collect"))
    assert {"agent.pipeline", "atlassian", "paramiko", "pydantic", "collectors.model", "checks.runner",
            "reports.render", "jinja2"} <= set(found)
