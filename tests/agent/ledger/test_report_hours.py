"""`check` and `analyze` log each report's time against its customer, once per report id, and the
report's footer shows what was logged and what is left."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from collectors.model import Deployment, Product
from sandbox import InstanceSpec, Sandbox, sandbox_config
from tests.agent.ledger.cli import atlas, support, write_config
from tests.packaging.helpers import write_recorded_bundle

pytestmark = [pytest.mark.server]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_recorded_bundle(tmp_path_factory.mktemp("bundle") / "bundle")  # customer acme, one Jira


def analyze(bundle: Path, config: Path, *extra: str) -> tuple[int, dict, str]:
    result = atlas(["analyze", str(bundle), "--config", str(config), "--format", "json", *extra])
    assert result.returncode in (0, 1, 2), result.stderr
    return result.returncode, json.loads(result.stdout), result.stderr


def buy(config: Path, hours: str = "20") -> None:
    result = atlas(
        [
            "hours",
            "buy",
            "acme",
            "--hours",
            hours,
            "--price",
            "3500",
            "--currency",
            "GBP",
            "--config",
            str(config),
        ]
    )
    assert result.returncode == 0, result.stderr


def test_analyzing_a_bundle_logs_its_report_once(bundle: Path, tmp_path: Path) -> None:
    config = write_config(tmp_path)
    buy(config)
    code, report, err = analyze(bundle, config)
    assert code == 2 and err == ""  # the bundle's offline node is critical; the hours are fine
    assert report["report_id"].startswith("hc-")
    assert report["hours"] == {"minutes_logged": 15, "entry_id": 2, "balance_minutes": 1185, "notice": None}
    # The same collection analysed again is the same report: it is not billed twice.
    _, again, _ = analyze(bundle, config)
    assert (again["report_id"], again["hours"]) == (report["report_id"], report["hours"])
    balance = atlas(["hours", "balance", "acme", "--format", "json", "--config", str(config)])
    assert json.loads(balance.stdout)["customers"][0]["payg"]["used_minutes"] == 15


def test_minutes_come_from_the_option_rounded_up(bundle: Path, tmp_path: Path) -> None:
    config = write_config(tmp_path)
    buy(config)
    _, report, _ = analyze(bundle, config, "--minutes", "40")
    assert report["hours"]["minutes_logged"] == 45
    out = tmp_path / "out"
    atlas(
        [
            "analyze",
            str(bundle),
            "--config",
            str(config),
            "--output",
            str(out),
            "--format",
            "html",
            "--format",
            "md",
        ]
    )
    html = next(out.glob("*.html")).read_text()
    assert (
        "Support hours: 45 min logged for this report (ledger entry #2); pay-as-you-go balance left: <strong>19 h 15 min</strong>."
        in html
    )
    assert "pay-as-you-go balance left: **19 h 15 min**" in next(out.glob("*.md")).read_text()


def test_nothing_is_logged_without_a_contract_or_with_zero_minutes(bundle: Path, tmp_path: Path) -> None:
    config = write_config(tmp_path, acme=None)
    _, report, _ = analyze(bundle, config)
    assert report["hours"] is None
    assert not (tmp_path / "ledger.sqlite").exists()  # not even opened
    (tmp_path / "zero").mkdir()
    contracted = write_config(tmp_path / "zero")
    _, report, _ = analyze(bundle, contracted, "--minutes", "0")
    assert report["hours"] is None
    without_config = atlas(["analyze", str(bundle), "--format", "json"])
    assert json.loads(without_config.stdout)["hours"] is None


def test_a_report_that_cannot_be_logged_still_comes_out_and_says_why(bundle: Path, tmp_path: Path) -> None:
    config = write_config(tmp_path)  # nothing bought, no overdraft
    code, report, err = analyze(bundle, config)
    assert code == 2
    assert err.startswith("warning: acme: report not logged: acme has 0 min of PAYG hours left")
    assert report["hours"]["entry_id"] is None and report["hours"]["balance_minutes"] == 0
    assert report["hours"]["notice"].startswith("Not logged: acme has 0 min of PAYG hours left")

    (tmp_path / "pg").mkdir()
    unreachable = write_config(tmp_path / "pg", ledger_url="postgresql://atlas@127.0.0.1:1/ledger")
    code, report, err = analyze(bundle, unreachable)
    assert (
        code == 2
        and "warning: hours not logged: cannot open the ledger at postgresql+psycopg://atlas@127.0.0.1:1"
        in err
    )
    assert report["hours"]["notice"].startswith("Not logged: cannot open the ledger")


def test_a_low_balance_is_a_warning_on_the_cli_and_in_the_report(bundle: Path, tmp_path: Path) -> None:
    config = write_config(tmp_path)  # low at 5 h
    buy(config, hours="5")
    _, report, err = analyze(bundle, config)
    assert err == "warning: acme: PAYG balance is low: 4 h 45 min left (threshold 5 h)\n"
    assert report["hours"]["notice"] == "acme: PAYG balance is low: 4 h 45 min left (threshold 5 h)"


def test_check_logs_its_report_against_the_customer(tmp_path: Path) -> None:
    spec = InstanceSpec("acme-jira", Product.JIRA, Deployment.SERVER, version="10.3.4")
    with Sandbox([spec]) as sandbox:
        config, env = sandbox_config(sandbox, {"acme": ["acme-jira"]})
        config["customers"][0]["support"] = support()
        config["ledger"] = {"url": "sqlite:///ledger.sqlite"}
        path = tmp_path / "config.yaml"
        path.write_text(yaml.safe_dump(config))
        buy(path)
        first = atlas(["check", "--config", str(path), "--format", "json", "--minutes", "30"], env)
        second = atlas(["check", "--config", str(path), "--format", "json", "--minutes", "30"], env)
    reports = [json.loads(r.stdout) for r in (first, second)]
    assert reports[0]["report_id"] != reports[1]["report_id"]  # two collections, two reports
    assert [r["hours"]["entry_id"] for r in reports] == [2, 3]
    assert [r["hours"]["balance_minutes"] for r in reports] == [1170, 1140]
