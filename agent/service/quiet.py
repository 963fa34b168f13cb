"""Quiet hours and maintenance windows: when a customer's notifications are held back.

Alert state is still tracked while muted; the alerts part queues what is still due once the mute ends.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from agent.config.service_schema import WEEKDAYS, CustomerService, MaintenanceWindow, QuietHours


def muted(service: CustomerService | None, zone: str, now: datetime) -> str | None:
    """Why the customer's notifications are held back at ``now``, or None when they are not.

    Maintenance wins over quiet hours (its reason says more). ``zone`` is settings.timezone.
    """
    if service is None:
        return None
    tz = ZoneInfo(zone)
    local = now.astimezone(tz)
    for window in service.maintenance:
        if _in_maintenance(window, tz, local):
            until = window.end if window.end.tzinfo else window.end.replace(tzinfo=tz)
            reason = f"maintenance until {until.astimezone(tz):%Y-%m-%d %H:%M}"
            return f"{reason}: {window.reason}" if window.reason else reason
    for period in service.quiet_hours:
        if _in_quiet_hours(period, local):
            return f"quiet hours {_hhmm(period.start)}-{_hhmm(period.end)}"
    return None


def _in_maintenance(window: MaintenanceWindow, tz: ZoneInfo, local: datetime) -> bool:
    start = window.start if window.start.tzinfo else window.start.replace(tzinfo=tz)
    end = window.end if window.end.tzinfo else window.end.replace(tzinfo=tz)
    return start <= local < end


def _in_quiet_hours(period: QuietHours, local: datetime) -> bool:
    """``days`` are the days a period starts on: one spanning midnight also covers the next morning."""
    now = local.time().replace(tzinfo=None)
    today = WEEKDAYS[local.weekday()]
    if period.start < period.end:
        return today in period.days and period.start <= now < period.end
    yesterday = WEEKDAYS[(local - timedelta(days=1)).weekday()]
    return (today in period.days and now >= period.start) or (yesterday in period.days and now < period.end)


def _hhmm(value: time) -> str:
    return f"{value:%H:%M}"
