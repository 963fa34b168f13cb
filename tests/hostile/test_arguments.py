"""Hostile command-line arguments: refused while the command line is read, before any work, in one
line naming the argument, with exit code 3; never "internal error", which stays a defect's message."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.agent.ledger.cli import write_config
from tests.hostile.limits import assert_clean_failure, atlas

pytestmark = [pytest.mark.server]  # subprocesses

HUGE = "99999999999999999999999"
CONFIG = ("--config", "{config}")


def _buy(hours: str, price: str, *more: str) -> list[str]:
    return ["hours", "buy", "acme", "--hours", hours, "--price", price, "--currency", "GBP", *more, *CONFIG]


# (arguments, what the one line must name); {log} and {config} are filled in per test.
CASES = [
    pytest.param(["analyze", "{log}", "--since", "9999999999d"], "--since", id="since-huge-span"),
    pytest.param(["analyze", "{log}", "--until", "9999999999999s"], "--until", id="until-huge-span"),
    pytest.param(
        ["analyze", "{log}", "--since", "9999-12-31T23:00-12:00"], "--since", id="since-end-of-time"
    ),
    pytest.param(["analyze", "{log}", "--until", "0001-01-01T00:00+05:00"], "--until", id="until-year-1"),
    pytest.param(
        ["incident", "{log}", "--since", "9999-12-31T23:00", "--log-timezone", "-1000"],
        "--since",
        id="incident-since-end",
    ),
    pytest.param(
        ["analyze", "{log}", "--timezone", "Mars/Olympus_Mons"], "--timezone", id="unknown-timezone"
    ),
    pytest.param(["analyze", "{log}", "--timezone", "../../etc/passwd"], "--timezone", id="timezone-path"),
    pytest.param(["analyze", "{log}", "--timezone", "x" * 5000], "--timezone", id="timezone-too-long"),
    pytest.param(["analyze", "{log}", "--log-timezone", "+9999"], "+9999", id="log-offset-out-of-range"),
    pytest.param(["analyze", "{log}", "--minutes", HUGE], "--minutes", id="report-minutes-huge"),
    pytest.param(["incident", "{log}", "--last", f"{HUGE}w"], "--last", id="incident-last-huge"),
    pytest.param(["hours", "void", HUGE, "--reason", "x", *CONFIG], "ENTRY", id="void-huge"),
    pytest.param(_buy("10", "1e28"), "--price", id="price-1e28"),
    pytest.param(_buy("10", "1e400000000"), "--price", id="price-huge-exponent"),
    pytest.param(_buy("1e999999", "1"), "--hours", id="hours-huge-exponent"),
    pytest.param(_buy("1e-99999999", "1"), "--hours", id="hours-rounds-to-nothing"),
    pytest.param(_buy("1", "1", "--date", "0001-01-01"), "--date", id="purchase-in-year-1"),
    pytest.param(
        ["hours", "log", "acme", "--activity", "support", "--minutes", HUGE, "--engineer", "e", *CONFIG],
        "--minutes",
        id="work-minutes-huge",
    ),
    pytest.param(
        ["hours", "statement", "acme", "--from", "2024-01-01", "--to", "9999-12-31", *CONFIG],
        "--to",
        id="statement-to-the-last-day",
    ),
]


@pytest.fixture
def places(tmp_path: Path) -> dict[str, str]:
    log = tmp_path / "atlassian-jira.log"
    log.write_text("2024-05-01 10:00:00,000+0000 http-nio-8080-exec-1 ERROR failed\n")
    return {"log": str(log), "config": str(write_config(tmp_path))}


@pytest.mark.parametrize(("args", "named"), CASES)
def test_hostile_argument_is_refused_in_one_line(
    args: list[str], named: str, places: dict[str, str], tmp_path: Path
) -> None:
    # ATLAS_HEALTH_DEBUG: were the catch-all reached, it would also print its traceback.
    result = atlas([a.format(**places) for a in args], env={"ATLAS_HEALTH_DEBUG": "1"}, cwd=tmp_path)
    err = assert_clean_failure(result, code=3)
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("error: ") and named in err, err
    assert not (tmp_path / "ledger.sqlite").exists(), "refused before the ledger was opened"


def test_unknown_timezone_is_refused_before_the_analysis(tmp_path: Path) -> None:
    """The zone is checked first: a missing input is not even looked at."""
    result = atlas(["analyze", str(tmp_path / "missing.log"), "--timezone", "Mars/Olympus_Mons"])
    err = assert_clean_failure(result, code=3)
    assert "--timezone" in err and "Mars/Olympus_Mons" in err, err


def test_hostile_number_is_refused_before_the_configuration_is_read(tmp_path: Path) -> None:
    result = atlas(
        ["hours", "buy", "acme", "--hours", "10", "--price", "1e28", "--currency", "GBP",
         "--config", str(tmp_path / "missing.yaml")]
    )  # fmt: skip
    err = assert_clean_failure(result, code=3)
    assert "--price" in err and "missing.yaml" not in err, err
