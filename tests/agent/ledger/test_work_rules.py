"""Logging work: standard PAYG, the Administration add-on, rounding, and who and when."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from agent.ledger import InvalidInputError, Ledger, RefusedError
from agent.ledger.activities import ACTIVITIES, Package
from tests.agent.ledger.conftest import FULL, STANDARD, TODAY, Clock, entry_count, terms, year_addon

STANDARD_ACTIVITIES = [a.id for a in ACTIVITIES if a.package is Package.STANDARD]
ADMIN_ACTIVITIES = [a.id for a in ACTIVITIES if a.package is Package.ADMINISTRATION]


def buy(ledger: Ledger, hours: int = 20, contract=STANDARD, when: datetime | None = None) -> None:
    ledger.buy("acme", hours=hours, price="3500", currency="GBP", terms=contract, when=when)


def test_the_catalogue_follows_the_support_offering() -> None:
    assert STANDARD_ACTIVITIES == [
        "support",
        "incident",
        "marketplace_support",
        "post_incident",
        "remote",
        "major_incident",
        "report",
    ]
    assert ADMIN_ACTIVITIES == [
        "administration",
        "marketplace_maintenance",
        "vendor_escalation",
        "request_fulfilment",
    ]


@pytest.mark.parametrize("activity", STANDARD_ACTIVITIES)
def test_standard_work_draws_on_the_payg_balance(ledger: Ledger, activity: str) -> None:
    buy(ledger)
    recorded = ledger.log("acme", activity_id=activity, minutes=90, engineer="ana", terms=STANDARD)
    assert [(m.bucket, m.minutes) for m in recorded.entry.movements] == [("payg", -90)]
    assert recorded.balance.balance_minutes == 20 * 60 - 90
    assert recorded.balance.used_minutes == 90


@pytest.mark.parametrize(
    ("logged", "increment", "billed"),
    [(1, 15, 15), (7, 15, 15), (15, 15, 15), (16, 15, 30), (90, 15, 90), (91, 15, 105), (10, 6, 12),
     (59, 60, 60), (61, 60, 120), (13, 1, 13)],
)  # fmt: skip
def test_time_is_rounded_up_to_the_contract_increment(
    ledger: Ledger, logged: int, increment: int, billed: int
) -> None:
    contract = terms(rounding_minutes=increment)
    buy(ledger, contract=contract)
    recorded = ledger.log("acme", activity_id="incident", minutes=logged, engineer="ana", terms=contract)
    assert (recorded.entry.minutes_logged, recorded.entry.minutes) == (logged, billed)
    assert recorded.balance.balance_minutes == 20 * 60 - billed


@pytest.mark.parametrize("activity", ADMIN_ACTIVITIES)
def test_admin_work_without_the_add_on_is_refused_and_nothing_is_recorded(
    ledger: Ledger, activity: str
) -> None:
    buy(ledger)
    with pytest.raises(RefusedError) as refused:
        ledger.log("acme", activity_id=activity, minutes=30, engineer="ana", terms=STANDARD)
    message = str(refused.value)
    assert message.startswith(f"acme has no Administration add-on on 2026-06-15: {activity} (")
    assert "--outside-contract" in message and "support.addons" in message
    assert entry_count(ledger) == 1  # the purchase only
    assert ledger.balance("acme", STANDARD).balance_minutes == 20 * 60


@pytest.mark.parametrize("activity", ADMIN_ACTIVITIES)
def test_admin_work_with_the_add_on_draws_on_payg(ledger: Ledger, activity: str) -> None:
    buy(ledger, contract=FULL)
    recorded = ledger.log("acme", activity_id=activity, minutes=45, engineer="ana", terms=FULL)
    assert [(m.bucket, m.minutes) for m in recorded.entry.movements] == [("payg", -45)]


def test_admin_work_outside_the_add_on_period_is_refused(ledger: Ledger, clock: Clock) -> None:
    last_year = terms(year_addon("administration", year=2025))
    buy(ledger, contract=last_year, when=datetime(2025, 1, 1, tzinfo=UTC))  # before the work it pays for
    with pytest.raises(RefusedError, match="no Administration add-on on 2026-06-15"):
        ledger.log("acme", activity_id="administration", minutes=30, engineer="ana", terms=last_year)
    clock.now = datetime(2025, 12, 31, 23, 0, tzinfo=UTC)
    ledger.log("acme", activity_id="administration", minutes=30, engineer="ana", terms=last_year)


def test_admin_work_marked_outside_the_contract_is_billed_separately(ledger: Ledger) -> None:
    buy(ledger)
    recorded = ledger.log(
        "acme",
        activity_id="administration",
        minutes=50,
        engineer="ana",
        terms=STANDARD,
        outside_contract=True,
    )
    assert recorded.entry.outside_contract is True
    assert [(m.bucket, m.minutes) for m in recorded.entry.movements] == [("outside", -60)]
    assert recorded.balance.balance_minutes == 20 * 60  # PAYG untouched
    assert recorded.balance.outside_minutes == 60


def test_every_entry_records_who_and_when(ledger: Ledger, clock: Clock) -> None:
    buy(ledger, when=datetime(2026, 6, 1, tzinfo=UTC))  # bought before the work it pays for
    clock.now = TODAY + timedelta(hours=2)
    worked = datetime(2026, 6, 14, 9, 0, tzinfo=UTC)
    recorded = ledger.log(
        "acme", activity_id="remote", minutes=30, engineer="ana", note="VPN", terms=STANDARD, when=worked
    )
    stored = ledger.entry(recorded.entry.id)
    assert stored.recorded_by == "tester@host"
    assert stored.recorded_at == TODAY + timedelta(hours=2)
    assert stored.effective_at == worked
    assert (stored.engineer, stored.activity, stored.note) == ("ana", "remote", "VPN")
    purchase = next(e for e in ledger.entries("acme") if e.kind == "purchase")
    assert purchase.recorded_by == "tester@host" and purchase.recorded_at == TODAY


def test_default_recorder_is_the_user_and_host(ledger_url: str) -> None:
    with Ledger.open(ledger_url) as ledger:
        recorded = ledger.buy("acme", hours=1, price="175", currency="GBP")
    assert "@" in recorded.entry.recorded_by
    assert recorded.entry.recorded_at.tzinfo is not None


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"activity_id": "gardening"}, "unknown activity 'gardening'; use one of: support, incident"),
        ({"minutes": 0}, "minutes must be between 1 and"),
        ({"minutes": -5}, "minutes must be between 1 and"),
        ({"minutes": 1.5}, "minutes must be a whole number"),
        ({"minutes": True}, "minutes must be a whole number"),
        ({"engineer": "  "}, "engineer must not be empty"),
        ({"note": "x" * 2001}, "note is longer than 2000 characters"),
        ({"note": "bell\x07"}, "note holds control characters"),
    ],
)
def test_bad_work_input_is_refused_with_one_line(ledger: Ledger, options: dict, message: str) -> None:
    buy(ledger)
    arguments = {"activity_id": "incident", "minutes": 30, "engineer": "ana", **options}
    with pytest.raises((InvalidInputError, ValueError)) as refused:
        ledger.log("acme", terms=STANDARD, **arguments)
    assert message in str(refused.value)
    assert "\n" not in str(refused.value)
    assert entry_count(ledger) == 1
