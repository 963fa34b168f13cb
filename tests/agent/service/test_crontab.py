"""Cron expressions mean what cron means: weekday 0 and 7 are Sunday, 1-5 Monday to Friday."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from agent.config.service_schema import check_cron
from agent.service.crontab import crontab_trigger

START = datetime(2026, 6, 1, tzinfo=UTC)  # a Monday


def cron_days(expression: str, weeks: int = 3) -> set[int]:
    """The cron weekday numbers (0 Sunday .. 6 Saturday) the trigger fires on over a few weeks."""
    trigger = crontab_trigger(expression, "UTC")
    fired: set[int] = set()
    previous = None
    now = START
    while True:
        at = trigger.get_next_fire_time(previous, now)
        if at is None or at > START + timedelta(weeks=weeks):
            return fired
        fired.add((at.weekday() + 1) % 7)  # Python: Monday 0; cron: Sunday 0
        previous, now = at, at + timedelta(seconds=1)


@pytest.mark.parametrize(
    ("weekday", "days"),
    [
        ("0", {0}),
        ("7", {0}),
        ("1", {1}),
        ("6", {6}),
        ("1-5", {1, 2, 3, 4, 5}),
        ("0-2", {0, 1, 2}),
        ("5-7", {5, 6, 0}),
        ("sun", {0}),
        ("SAT,sun", {6, 0}),
        ("mon-fri", {1, 2, 3, 4, 5}),
        ("fri-sun", {5, 6, 0}),
        ("0,3,7", {0, 3}),
        ("1,3-4", {1, 3, 4}),
        ("*/2", {0, 2, 4, 6}),
        ("1-5/2", {1, 3, 5}),
        ("*", {0, 1, 2, 3, 4, 5, 6}),
    ],
)
def test_weekdays_are_read_as_cron_reads_them(weekday, days):
    assert cron_days(f"0 2 * * {weekday}") == days


def test_other_fields_and_the_zone_are_kept():
    trigger = crontab_trigger("30 2 * * 1-5", "Europe/London")
    at = trigger.get_next_fire_time(None, datetime(2026, 6, 5, 12, 0, tzinfo=UTC))  # Friday noon
    assert at.isoformat() == "2026-06-08T02:30:00+01:00"  # Monday, summer time


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("0 2 * *", "cron '0 2 * *' has 4 field(s); it needs 5"),
        ("0 25 * * *", "cron '0 25 * * *' does not parse"),
        ("0 2 * * 8", "weekday 8 is out of range: use 0-7"),
        ("0 2 * * funday", "weekday 'funday' is not one of sun"),
        ("0 2 * * 5-1", "runs backwards"),
        ("0 2 1 * 1", "both day of month and weekday are restricted"),
    ],
)
def test_bad_expressions_are_one_line_errors(expression, message):
    with pytest.raises(ValueError) as caught:
        crontab_trigger(expression, "UTC")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_the_configuration_validates_through_it():
    assert check_cron("0 2 * * 7") == "0 2 * * 7"
    with pytest.raises(ValueError, match="out of range"):
        check_cron("0 2 * * 9")


def test_an_unknown_zone_is_an_error():
    with pytest.raises(ValueError, match="does not parse"):
        crontab_trigger("0 2 * * *", "Mars/Olympus")
