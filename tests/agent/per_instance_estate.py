"""A sandbox estate where each instance has its own configuration file, so the agent's exit code
is that one instance's: shared by the per-product fault tests, which run the agent as a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from sandbox import InstanceSpec, Sandbox, sandbox_config


@dataclass(frozen=True)
class Estate:
    sandbox: Sandbox
    configs: dict[str, Path]  # instance name -> its own config file
    env: dict[str, str]


def per_instance_estate(
    specs: Sequence[InstanceSpec], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Estate]:
    """Serve the specs and write one config per instance; use with `yield from` in a fixture."""
    with Sandbox(specs) as sandbox:
        folder = tmp_path_factory.mktemp("config")
        configs: dict[str, Path] = {}
        env: dict[str, str] = {}
        for spec in specs:
            config, secrets = sandbox_config(sandbox, {"acme": [spec.name]})
            # Version support depends on today's date against the end-of-life table: tested on its own.
            config["checks"] = {"disabled": ["instance.version.support"]}
            config["settings"] = {"timeout_seconds": 5, "retry_after_cap_seconds": 2, "max_retries": 1}
            configs[spec.name] = folder / f"{spec.name}.yaml"
            configs[spec.name].write_text(yaml.safe_dump(config))
            env.update(secrets)
        yield Estate(sandbox, configs, env)


def atlas(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "agent.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
    )


def check_json(estate: Estate, name: str) -> tuple[int, dict]:
    result = atlas(["check", "--config", str(estate.configs[name]), "--format", "json"], estate.env)
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, json.loads(result.stdout)
