"""Quiet hours and maintenance windows, in the configured zone."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from agent.config.service_schema import CustomerService
from agent.service.quiet import muted

ZONE = "Europe/Berlin"  # UTC+2 in June, UTC+1 in January


def service(**values: Any) -> CustomerService:
    return CustomerService.model_validate(values)


def berlin(day: int, hour: int, minute: int = 0, month: int = 6) -> datetime:
    """A time given in Berlin, as the UTC instant the service's clock would hold."""
    return datetime(2026, month, day, hour, minute, tzinfo=ZoneInfo(ZONE)).astimezone(UTC)


NIGHTS = service(quiet_hours=[{"start": "22:00", "end": "06:00", "days": ["fri"]}])  # 2026-06-19 is a Friday


def test_no_service_section_or_nothing_configured_is_never_muted() -> None:
    assert muted(None, ZONE, berlin(19, 23)) is None
    assert muted(service(), ZONE, berlin(19, 23)) is None


@pytest.mark.parametrize(
    ("day", "hour", "minute", "expected"),
    [
        (19, 21, 59, None),  # Friday before the start
        (19, 22, 0, "quiet hours 22:00-06:00"),  # Friday at the start
        (20, 3, 0, "quiet hours 22:00-06:00"),  # Saturday morning: the Friday night's period
        (20, 6, 0, None),  # the end is not muted
        (20, 23, 0, None),  # Saturday night: the period does not start on Saturdays
        (21, 3, 0, None),  # nor does Saturday night's continue into Sunday morning
        (19, 3, 0, None),  # Friday morning belongs to Thursday night, not a quiet day
    ],
)
def test_quiet_hours_span_midnight_from_the_days_they_start_on(
    day: int, hour: int, minute: int, expected: str | None
) -> None:
    assert muted(NIGHTS, ZONE, berlin(day, hour, minute)) == expected


def test_daytime_quiet_hours_are_read_in_the_zone_not_in_utc() -> None:
    lunch = service(quiet_hours=[{"start": "12:00", "end": "13:00"}])
    assert muted(lunch, ZONE, berlin(16, 12, 30)) == "quiet hours 12:00-13:00"
    assert muted(lunch, ZONE, datetime(2026, 6, 16, 12, 30, tzinfo=UTC)) is None  # 14:30 in Berlin
    assert muted(lunch, ZONE, berlin(16, 12, 30, month=1)) == "quiet hours 12:00-13:00"


def test_maintenance_without_a_zone_is_in_the_configured_zone_and_names_its_reason() -> None:
    window = service(
        maintenance=[
            {"start": "2026-06-20T08:00:00", "end": "2026-06-20T12:00:00", "reason": "upgrade to 10.3"}
        ],
        quiet_hours=[{"start": "00:00", "end": "23:59"}],
    )
    assert muted(window, ZONE, berlin(20, 8)) == "maintenance until 2026-06-20 12:00: upgrade to 10.3"
    assert muted(window, ZONE, berlin(20, 12)) == "quiet hours 00:00-23:59"
    assert muted(window, ZONE, datetime(2026, 6, 20, 7, 0, tzinfo=UTC)) is not None  # 09:00 in Berlin
    assert muted(window, "UTC", datetime(2026, 6, 20, 7, 0, tzinfo=UTC)) == "quiet hours 00:00-23:59"


def test_maintenance_with_a_zone_and_no_reason() -> None:
    window = service(maintenance=[{"start": "2026-06-20T08:00:00Z", "end": "2026-06-20T09:00:00Z"}])
    assert (
        muted(window, ZONE, datetime(2026, 6, 20, 8, 30, tzinfo=UTC)) == "maintenance until 2026-06-20 11:00"
    )
    assert muted(window, ZONE, datetime(2026, 6, 20, 9, 0, tzinfo=UTC)) is None
