"""Text from outside (customer names, versions, log lines, server answers) printed as text: rich's
markup syntax in it never crashes the console output, and one instance's odd data never costs
another customer its report."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from collectors.model import Deployment, Product
from sandbox import InstanceSpec, Sandbox, sandbox_config
from tests.hostile.limits import atlas

MARKUP = "[/][bold]"  # a closing tag with nothing to close, then an opening one
CUSTOMER = f"acme {MARKUP}"
VERSION = f"10.3.4 {MARKUP}"
ODD_BASE_URL = "http://[jira.acme.example/"  # an unclosed IPv6 bracket: urlsplit raises


def _log(tmp_path: Path) -> Path:
    log = tmp_path / "atlassian-jira.log"
    log.write_text(f"2024-05-01 10:00:00,000+0000 http-nio-8080-exec-1 ERROR {MARKUP} failed [/]\n")
    return log


def test_markup_in_customer_name_prints_as_text(tmp_path: Path) -> None:
    result = atlas(["analyze", str(_log(tmp_path)), "--customer", CUSTOMER])
    assert "Traceback" not in result.stderr, result.stderr
    assert "internal error" not in result.stderr, result.stderr
    assert result.returncode == 0, result.stderr
    assert CUSTOMER in result.stdout


def test_markup_in_customer_name_prints_as_text_when_writing_reports(tmp_path: Path) -> None:
    result = atlas(["analyze", str(_log(tmp_path)), "--customer", CUSTOMER, "-o", str(tmp_path / "out")])
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 0, result.stderr
    assert CUSTOMER in result.stdout
    assert len(list((tmp_path / "out").glob("*.json"))) == 1


def test_markup_in_the_output_folder_prints_as_text(tmp_path: Path) -> None:
    output = tmp_path / MARKUP
    result = atlas(["analyze", str(_log(tmp_path)), "-o", str(output)])
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 0, result.stderr
    assert f"wrote {output}/" in result.stdout


def test_markup_in_log_lines_and_the_customer_prints_as_text_in_an_incident(tmp_path: Path) -> None:
    result = atlas(["incident", str(_log(tmp_path)), "--customer", CUSTOMER])
    assert "Traceback" not in result.stderr, result.stderr
    assert "internal error" not in result.stderr, result.stderr
    assert result.returncode == 0, result.stderr
    assert CUSTOMER in result.stdout


def test_markup_in_an_error_message_prints_as_text(tmp_path: Path) -> None:
    missing = tmp_path / f"{MARKUP}.log"
    result = atlas(["analyze", str(missing)])
    assert "Traceback" not in result.stderr, result.stderr
    assert "internal error" not in result.stderr, result.stderr
    assert result.returncode == 3, result.stderr
    assert MARKUP in result.stderr


def test_crash_handler_prints_markup_in_the_error_as_text(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A defect whose message quotes outside text: one line, exit 3, the text as it is."""
    from agent import cli

    def defect(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError(f"cannot handle {MARKUP}")

    monkeypatch.delenv("ATLAS_HEALTH_DEBUG", raising=False)
    monkeypatch.setattr(cli.cli, "main", defect)
    assert cli.main(["--help"]) == 3
    err = capsys.readouterr().err
    assert f"internal error: RuntimeError: cannot handle {MARKUP}" in err


def _config(sandbox: Sandbox, customers: dict[str, list[str]], path: Path) -> dict[str, str]:
    config, env = sandbox_config(sandbox, customers)
    # Version support depends on today's date: not what these tests are about.
    config["checks"] = {"disabled": ["instance.version.support"]}
    config["settings"] = {"timeout_seconds": 5, "max_retries": 0}
    path.write_text(yaml.safe_dump(config, allow_unicode=True))
    return env


@pytest.mark.server
def test_markup_in_a_version_from_a_server(tmp_path: Path) -> None:
    """The configuration allows only plain names; the server's answers can say anything."""
    spec = InstanceSpec(name="acme-jira", product=Product.JIRA, version=VERSION, nodes=1)
    with Sandbox([spec]) as sandbox:
        config = tmp_path / "config.yaml"
        env = _config(sandbox, {"acme": ["acme-jira"]}, config)
        result = atlas(["check", "--config", str(config), "-o", str(tmp_path / "out")], env=env)
    assert "Traceback" not in result.stderr, result.stderr
    assert "internal error" not in result.stderr, result.stderr
    assert result.returncode in (0, 1, 2), result.stderr
    assert "[/]" in result.stdout  # the summary's product column folds the version: one part of it


@pytest.mark.server
def test_odd_base_url_costs_no_customer_its_report(tmp_path: Path) -> None:
    specs = [
        InstanceSpec(name="acme-jira", product=Product.JIRA, deployment=Deployment.SERVER, nodes=1),
        InstanceSpec(
            name="globex-jira",
            product=Product.JIRA,
            deployment=Deployment.SERVER,
            nodes=1,
            base_url=ODD_BASE_URL,
        ),
    ]
    with Sandbox(specs) as sandbox:
        config = tmp_path / "config.yaml"
        env = _config(sandbox, {"acme": ["acme-jira"], "globex": ["globex-jira"]}, config)
        result = atlas(["check", "--config", str(config), "-o", str(tmp_path / "out")], env=env)
    assert "Traceback" not in result.stderr, result.stderr
    assert "internal error" not in result.stderr, result.stderr
    assert result.returncode in (0, 1, 2), result.stderr
    written = {p.name.split("-")[0]: p for p in (tmp_path / "out").glob("*.json")}
    assert set(written) == {"acme", "globex"}
    assert {p.suffix for p in (tmp_path / "out").iterdir()} == {".html", ".md", ".json"}
    assert ODD_BASE_URL in written["globex"].read_text()  # shown as the server said it, not dropped
