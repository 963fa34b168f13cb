"""`atlas-health hours ...` end to end in a subprocess: output, JSON, statements and one-line errors."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.agent.ledger.cli import YEAR, atlas, support, write_config
from tests.agent.ledger.postgres import Cluster

pytestmark = [pytest.mark.server]


def hours(config: Path, *args: str) -> tuple[int, str, str]:
    result = atlas(["hours", *args, "--config", str(config)])
    return result.returncode, result.stdout, result.stderr


def test_buy_log_balance_void_and_statement(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    code, out, err = hours(config, "buy", "acme", "--hours", "20", "--price", "3500", "--currency", "gbp",
                           "--reference", "INV-1")  # fmt: skip
    assert (code, out, err) == (
        0,
        "recorded #1: acme bought 20 h for GBP 3,500.00 (reference INV-1); PAYG balance 20 h\n",
        "",
    )
    assert (tmp_path / "ledger.sqlite").is_file()  # a relative sqlite URL is taken from the config's folder
    code, out, _ = hours(config, "buy", "acme", "--hours", "20", "--price", "3500", "--currency", "GBP",
                         "--reference", "INV-1")  # fmt: skip
    assert (code, out) == (
        0,
        "already recorded as #1: acme bought 20 h for GBP 3,500.00 (reference INV-1); PAYG balance 20 h\n",
    )

    code, out, _ = hours(config, "log", "acme", "--activity", "incident", "--minutes", "80", "--engineer", "ana",
                         "--note", "Jira down")  # fmt: skip
    assert (code, out) == (
        0,
        "recorded #2: acme incident 1 h 30 min (logged 1 h 20 min, rounded up) from PAYG 1 h 30 min; PAYG balance 18 h 30 min\n",
    )
    for expected in ("recorded #3", "already recorded as #3 for report hc-1: 15 min"):
        code, out, _ = hours(config, "log", "acme", "--activity", "report", "--minutes", "15", "--engineer",
                             "atlas-health", "--report", "hc-1")  # fmt: skip
        assert code == 0 and out.startswith(expected), out
    code, out, _ = hours(
        config, "log", "acme", "--activity", "upgrade", "--minutes", "1500", "--engineer", "bo"
    )
    assert (
        out
        == "recorded #4: acme upgrade 25 h from Annual Upgrades 24 h and PAYG 1 h; PAYG balance 17 h 15 min\n"
    )

    code, out, err = hours(config, "balance", "--format", "json")
    assert code == 0 and err == ""
    (acme,) = json.loads(out)["customers"]  # beta has no contract and no entries
    assert acme["payg"] == {"purchased_minutes": 1200, "used_minutes": 165, "balance_minutes": 1035,
                            "balance": "17 h 15 min", "last_purchase_minutes": 1200}  # fmt: skip
    assert acme["addons"] == [{"addon": "upgrades", "start": f"{YEAR}-01-01", "end": f"{YEAR}-12-31",
                               "granted_minutes": 1440, "used_minutes": 1440, "left_minutes": 0}]  # fmt: skip
    assert (acme["currency"], acme["low"], acme["warning"]) == ("GBP", False, None)
    code, out, _ = hours(config, "balance", "acme")
    assert code == 0 and "17 h 15 min" in out and "acme" in out

    code, out, _ = hours(config, "void", "2", "--reason", "duplicate of a ticket")
    assert (code, out) == (0, "recorded #5: void of #2 for acme; PAYG balance 18 h 45 min\n")

    today = datetime.now(UTC).date().isoformat()
    code, out, _ = hours(
        config, "statement", "acme", "--from", f"{YEAR}-01-01", "--to", today, "--format", "csv"
    )
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and [r["kind"] for r in rows] == [
        "opening",
        "purchase",
        "work",
        "work",
        "work",
        "void",
        "closing",
    ]
    assert rows[-1]["payg_balance_minutes"] == "1125"
    code, out, err = hours(config, "statement", "acme", "--from", f"{YEAR}-01-01", "--to", today,
                           "--format", "html", "--output", str(tmp_path))  # fmt: skip
    written = tmp_path / f"acme-hours-statement-{YEAR}0101-{today.replace('-', '')}.html"
    assert code == 0 and out == "" and err.strip() == f"wrote {written}"
    assert "Hours statement: acme" in written.read_text()
    code, out, _ = hours(config, "statement", "acme", "--from", f"{YEAR}-01-01", "--to", today)
    assert code == 0 and out.startswith("# Hours statement: acme") and "duplicate of a ticket" in out


def test_low_and_negative_balances_are_warnings_on_stderr(tmp_path: Path) -> None:
    config = write_config(tmp_path, acme=support(overdraft=True))
    hours(config, "buy", "acme", "--hours", "6", "--price", "1050", "--currency", "GBP")
    code, _, err = hours(
        config, "log", "acme", "--activity", "support", "--minutes", "60", "--engineer", "ana"
    )
    assert (code, err) == (0, "warning: acme: PAYG balance is low: 5 h left (threshold 5 h)\n")
    code, out, err = hours(
        config, "log", "acme", "--activity", "support", "--minutes", "360", "--engineer", "ana"
    )
    assert code == 0 and out.endswith("PAYG balance -1 h\n")
    assert err == "warning: acme: PAYG balance is negative: -1 h (overdraft)\n"
    code, out, err = hours(config, "balance", "--format", "json")
    assert json.loads(out)["customers"][0]["negative"] is True
    assert err == "warning: acme: PAYG balance is negative: -1 h (overdraft)\n"


def test_the_config_can_come_from_the_environment(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    env = {"ATLAS_HEALTH_CONFIG": str(config), "ATLAS_HEALTH_ENGINEER": "ana"}
    result = atlas(["hours", "buy", "acme", "--hours", "1", "--price", "175", "--currency", "GBP"], env)
    assert result.returncode == 0, result.stderr
    result = atlas(["hours", "log", "acme", "--activity", "remote", "--minutes", "30"], env)
    assert result.returncode == 0 and result.stdout.startswith("recorded #2: acme remote 30 min"), (
        result.stderr
    )


def test_activities_list_the_package_that_covers_each(tmp_path: Path) -> None:
    result = atlas(["hours", "activities", "--format", "json"])
    rows = {r["activity"]: r["package"] for r in json.loads(result.stdout)}
    assert result.returncode == 0 and len(rows) == 13
    assert (rows["incident"], rows["administration"], rows["upgrade"], rows["health_check"]) == (
        "standard", "administration", "upgrades", "health_check",
    )  # fmt: skip
    table = atlas(["hours", "activities"])
    assert "vendor_escalation" in table.stdout and "Administration add-on" in table.stdout


@pytest.fixture(scope="module")
def funded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    config = write_config(tmp_path_factory.mktemp("funded"))
    assert hours(config, "buy", "acme", "--hours", "2", "--price", "350", "--currency", "GBP")[0] == 0
    return config


TOMORROW = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["log", "gamma", "--activity", "incident", "--minutes", "5", "--engineer", "a"],
         "unknown customer 'gamma'; the configuration has: acme, beta"),
        (["log", "beta", "--activity", "incident", "--minutes", "5", "--engineer", "a"],
         "customer 'beta' has no support contract in"),
        (["log", "acme", "--activity", "administration", "--minutes", "5", "--engineer", "a"],
         "acme has no Administration add-on on"),
        (["log", "acme", "--activity", "gardening", "--minutes", "5", "--engineer", "a"],
         "unknown activity 'gardening'; use one of: support, incident"),
        (["log", "acme", "--activity", "incident", "--minutes", "600", "--engineer", "a"],
         "acme has 2 h of PAYG hours left and this entry needs 10 h"),
        (["log", "acme", "--activity", "incident", "--minutes", "5", "--engineer", "a", "--date", TOMORROW],
         f"--date {TOMORROW} is in the future"),
        (["buy", "acme", "--hours", "0.01", "--price", "1", "--currency", "GBP"],
         "0.01 hours is not a whole number of minutes"),
        (["buy", "acme", "--hours", "20", "--price", "5500", "--currency", "USD"],
         "acme's support contract is in GBP; this purchase is in USD"),
        (["void", "999", "--reason", "x"], "no ledger entry #999"),
        (["statement", "acme", "--from", "2026-06-01", "--to", "2026-05-01"],
         "the period ends (2026-05-01) before it starts (2026-06-01)"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_and_exit_3(funded: Path, args: list[str], message: str) -> None:
    code, out, err = hours(funded, *args)
    assert code == 3 and out == ""
    assert err.startswith("error: ") and message in err and err.count("\n") == 1, err


def test_refused_admin_work_can_be_billed_outside_the_contract(funded: Path) -> None:
    code, out, _ = hours(funded, "log", "acme", "--activity", "administration", "--minutes", "20", "--engineer",
                         "a", "--outside-contract")  # fmt: skip
    assert code == 0 and "from billed outside the contract; PAYG balance 2 h" in out


def test_missing_or_broken_config_exits_3(tmp_path: Path) -> None:
    result = atlas(["hours", "balance"])
    assert result.returncode == 3 and "Missing option '--config'" in result.stderr
    broken = tmp_path / "c.yaml"
    broken.write_text("customers:\n  - name: acme\n    instances: []\n    support: {currency: pounds}\n")
    result = atlas(["hours", "balance", "--config", str(broken)])
    assert result.returncode == 3
    assert "customers[0].support.currency: currency 'pounds' must be an ISO 4217 code" in result.stderr
    assert result.stderr.strip().endswith("configuration error(s)")


def test_voiding_twice_is_refused(funded: Path) -> None:
    code, out, _ = hours(funded, "log", "acme", "--activity", "remote", "--minutes", "15", "--engineer", "a")
    entry = out.split()[1].strip("#:")
    assert hours(funded, "void", entry, "--reason", "mistake")[0] == 0
    code, _, err = hours(funded, "void", entry, "--reason", "again")
    assert code == 3 and f"#{entry} was already voided by #" in err


def test_the_cli_on_a_postgresql_ledger(tmp_path: Path, pg_cluster: Cluster) -> None:
    url = pg_cluster.create_database("ledger_cli").replace("+psycopg", "")
    config = write_config(tmp_path, ledger_url=url)
    assert hours(config, "buy", "acme", "--hours", "20", "--price", "3500", "--currency", "GBP")[0] == 0
    code, out, _ = hours(
        config, "log", "acme", "--activity", "incident", "--minutes", "20", "--engineer", "a"
    )
    assert (code, out) == (
        0,
        "recorded #2: acme incident 30 min (logged 20 min, rounded up) from PAYG 30 min; PAYG balance 19 h 30 min\n",
    )
    code, out, _ = hours(config, "balance", "acme", "--format", "json")
    assert json.loads(out)["customers"][0]["payg"]["balance_minutes"] == 1170
