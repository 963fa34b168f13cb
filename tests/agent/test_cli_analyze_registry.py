"""`atlas-health analyze --config` when the check registry cannot be loaded: its own error is shown."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import agent.cli
from agent.cli import main

CONFIG = textwrap.dedent(
    """\
    checks:
      disabled: [instance.apps.state]
    customers:
      - name: acme
        instances:
          - name: acme-jira
            product: jira
            url: https://jira.acme.example/
            deployment: datacenter
            auth: {type: token, token_env: ACME_JIRA_TOKEN}
    """
)


def test_a_registry_that_fails_to_load_is_reported_as_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken_registry() -> None:
        raise RuntimeError("a check module failed to import")

    monkeypatch.setattr(agent.cli, "_registry", broken_registry)
    config = tmp_path / "config.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    log = tmp_path / "atlassian-jira.log"
    log.write_text("2024-05-01 10:00:00,000 main INFO [c.a.jira] started\n", encoding="utf-8")

    code = main(["analyze", str(log), "--config", str(config), "--format", "json"])

    err = capsys.readouterr().err
    assert code == agent.cli.USAGE_ERROR
    assert "RuntimeError: a check module failed to import" in err
    assert "NoneType" not in err
