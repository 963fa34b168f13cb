"""The Annual Upgrades bucket (drawn on before PAYG) and the Annual Health Check day."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from agent.ledger import Ledger, RefusedError
from tests.agent.ledger.conftest import FULL, STANDARD, YEAR, Clock, terms, year_addon

UPGRADES = terms(year_addon("upgrades", minutes=24 * 60))
HEALTH = terms(year_addon("health_check", days=1))


def buy(ledger: Ledger, contract) -> None:
    ledger.buy("acme", hours=20, price="3500", currency="GBP", terms=contract)


def moves(recorded) -> list[tuple[str, int, int]]:
    return [(m.bucket, m.minutes, m.days) for m in recorded.entry.movements]


def test_upgrade_work_draws_on_its_bucket_before_payg(ledger: Ledger) -> None:
    buy(ledger, UPGRADES)
    first = ledger.log("acme", activity_id="upgrade", minutes=600, engineer="ana", terms=UPGRADES)
    assert moves(first) == [("upgrades", -600, 0)]
    assert first.balance.balance_minutes == 20 * 60  # PAYG untouched
    (bucket,) = first.balance.addons
    assert (bucket.granted_minutes, bucket.used_minutes, bucket.left_minutes) == (1440, 600, 840)


def test_upgrade_work_beyond_the_bucket_splits_onto_payg(ledger: Ledger) -> None:
    buy(ledger, UPGRADES)
    ledger.log("acme", activity_id="upgrade", minutes=1200, engineer="ana", terms=UPGRADES)
    split = ledger.log("acme", activity_id="upgrade", minutes=360, engineer="ana", terms=UPGRADES)
    assert moves(split) == [("upgrades", -240, 0), ("payg", -120, 0)]
    assert split.entry.minutes == 360
    assert split.balance.balance_minutes == 20 * 60 - 120
    after = ledger.log("acme", activity_id="upgrade", minutes=60, engineer="ana", terms=UPGRADES)
    assert moves(after) == [("payg", -60, 0)]  # the bucket is empty
    assert after.balance.addons[0].left_minutes == 0


def test_an_upgrade_that_payg_cannot_cover_is_refused_whole(ledger: Ledger) -> None:
    small = terms(year_addon("upgrades", minutes=60))
    ledger.buy("acme", hours=1, price="175", currency="GBP", terms=small)
    with pytest.raises(RefusedError, match="has 1 h of PAYG hours left and this entry needs 1 h 30 min"):
        ledger.log("acme", activity_id="upgrade", minutes=150, engineer="ana", terms=small)
    balance = ledger.balance("acme", small)
    assert (balance.balance_minutes, balance.addons[0].used_minutes) == (60, 0)  # nothing half-drawn


def test_upgrade_work_without_the_add_on_is_payg(ledger: Ledger) -> None:
    buy(ledger, STANDARD)
    recorded = ledger.log("acme", activity_id="upgrade", minutes=60, engineer="ana", terms=STANDARD)
    assert moves(recorded) == [("payg", -60, 0)]


def test_each_year_has_its_own_upgrade_bucket(ledger: Ledger, clock: Clock) -> None:
    two_years = terms(
        year_addon("upgrades", minutes=1440), year_addon("upgrades", year=YEAR + 1, minutes=1440)
    )
    buy(ledger, two_years)
    ledger.log("acme", activity_id="upgrade", minutes=1440, engineer="ana", terms=two_years)
    clock.now = datetime(YEAR + 1, 2, 1, 9, 0, tzinfo=UTC)
    next_year = ledger.log("acme", activity_id="upgrade", minutes=60, engineer="ana", terms=two_years)
    assert moves(next_year) == [("upgrades", -60, 0)]
    assert [a.left_minutes for a in next_year.balance.addons] == [0, 1380]


def test_a_health_check_uses_the_annual_day_not_payg(ledger: Ledger) -> None:
    buy(ledger, HEALTH)
    on_site = ledger.log("acme", activity_id="health_check", minutes=450, engineer="ana", terms=HEALTH)
    assert moves(on_site) == [("health_check", -450, -1)]
    assert on_site.balance.balance_minutes == 20 * 60
    (day,) = on_site.balance.addons
    assert (day.granted_days, day.used_days, day.left_days) == (1, 1, 0)
    second = ledger.log("acme", activity_id="health_check", minutes=120, engineer="ana", terms=HEALTH)
    assert moves(second) == [("payg", -120, 0)]  # the year's day is used: PAYG from now on
    assert second.balance.balance_minutes == 20 * 60 - 120


def test_a_health_check_without_the_add_on_is_payg(ledger: Ledger) -> None:
    buy(ledger, STANDARD)
    recorded = ledger.log("acme", activity_id="health_check", minutes=120, engineer="ana", terms=STANDARD)
    assert moves(recorded) == [("payg", -120, 0)]


def test_two_on_site_days_cover_two_health_checks(ledger: Ledger) -> None:
    two = terms(year_addon("health_check", days=2))
    buy(ledger, two)
    for _ in range(2):
        assert moves(ledger.log("acme", activity_id="health_check", minutes=60, engineer="a", terms=two))[0][
            0
        ] == ("health_check")
    assert ledger.balance("acme", two).addons[0].left_days == 0


def test_automated_reports_never_use_the_on_site_day(ledger: Ledger) -> None:
    buy(ledger, FULL)
    recorded = ledger.log("acme", activity_id="report", minutes=15, engineer="atlas-health", terms=FULL)
    assert moves(recorded) == [("payg", -15, 0)]


def test_a_recorded_add_on_period_does_not_change(ledger: Ledger) -> None:
    buy(ledger, UPGRADES)
    ledger.log("acme", activity_id="upgrade", minutes=60, engineer="ana", terms=UPGRADES)
    (period,) = UPGRADES.addons
    more = terms(replace(period, minutes=30 * 60))
    with pytest.raises(RefusedError) as refused:
        ledger.log("acme", activity_id="upgrade", minutes=60, engineer="ana", terms=more)
    assert str(refused.value) == (
        "acme's upgrades add-on from 2026-01-01 is recorded as until 2026-12-31 with 24 h; the configuration "
        "now says until 2026-12-31 with 30 h: a recorded period does not change, so start a new period instead"
    )
