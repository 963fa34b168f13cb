"""Times, spans and impact figures of a post-incident report, written for people.

An incident is told on two clocks: UTC, which every node's evidence was put on, and the customer's
zone, which the people who lived through it remember it in. Both are shown; UTC first.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from checks.incident.model import Figure

DASH = "\u2014"


def _aware(moment: datetime) -> datetime:
    return (
        moment if moment.tzinfo is not None and moment.utcoffset() is not None else moment.replace(tzinfo=UTC)
    )


def _zone_name(local: datetime) -> str:
    return local.tzname() or local.strftime("%z")


def utc_text(moment: datetime | None, seconds: bool = True) -> str:
    """2025-03-03 14:02:05 UTC."""
    if moment is None:
        return DASH
    pattern = "%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M"
    return f"{_aware(moment).astimezone(UTC):{pattern}} UTC"


def local_text(moment: datetime | None, zone: ZoneInfo, seconds: bool = True) -> str:
    """2025-03-03 15:02:05 CET: the same moment in the customer's zone."""
    if moment is None:
        return DASH
    local = _aware(moment).astimezone(zone)
    pattern = "%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M"
    return f"{local:{pattern}} {_zone_name(local)}"


def is_utc(zone: ZoneInfo) -> bool:
    return zone.key in ("UTC", "Etc/UTC", "Etc/Universal", "Universal", "Zulu", "Etc/Zulu")


def both_clocks(moment: datetime | None, zone: ZoneInfo, seconds: bool = False) -> str:
    """ "2025-03-03 14:02 UTC (15:02 CET)": the local time alone when it falls on the same day."""
    if moment is None:
        return "an unknown time"
    text = utc_text(moment, seconds)
    if is_utc(zone):
        return text
    utc, local = _aware(moment).astimezone(UTC), _aware(moment).astimezone(zone)
    pattern = "%H:%M:%S" if seconds else "%H:%M"
    if utc.date() != local.date():
        pattern = "%Y-%m-%d " + pattern
    return f"{text} ({local:{pattern}} {_zone_name(local)})"


def seconds_text(seconds: float | None) -> str:
    """A span for people: 42 s, 3 min 20 s, 45 min, 2 h 5 min, 3 d 4 h."""
    if seconds is None:
        return DASH
    sign = "-" if seconds < 0 else ""
    whole = round(abs(seconds))
    if whole < 60:
        return f"{sign}{whole} s"
    minutes, rest = divmod(whole, 60)
    if minutes < 60:
        return f"{sign}{minutes} min" + (f" {rest} s" if rest and minutes < 10 else "")
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{sign}{hours} h" + (f" {minutes} min" if minutes else "")
    days, hours = divmod(hours, 24)
    return f"{sign}{days} d" + (f" {hours} h" if hours else "")


def ms_text(value: float | None) -> str:
    if value is None:
        return DASH
    return f"{value / 1000:.1f} s" if value >= 1000 else f"{value:.0f} ms"


def count_text(value: float, unit: str) -> str:
    """1,234 requests; 1 user (a count of one takes the singular)."""
    number = round(value)
    word = unit[:-1] if number == 1 and unit.endswith("s") else unit
    return f"{number:,} {word}".rstrip()


def figure_text(figure: Figure | None, with_unit: bool = True) -> str:
    """An impact figure's value in its unit; "unknown" when it could not be obtained. ``with_unit``
    False leaves the unit off a count ("1,234 of 20,000 requests")."""
    if figure is None or figure.value is None:
        return "unknown"
    value, unit = figure.value, figure.unit
    if not with_unit and unit not in ("s", "ms", "%"):
        unit = ""
    if unit == "s":
        return seconds_text(value)
    if unit == "ms":
        return ms_text(value)
    if unit == "%":
        return f"{value:.1f} %"
    if value == round(value) or unit in ("", "requests", "users", "nodes", "addresses"):
        return count_text(value, unit)
    return f"{value:,.2f} {unit}".rstrip()


def about(figure: Figure, with_unit: bool = True) -> str:
    """The figure as a sentence says it: an estimate is "about" so much."""
    text = figure_text(figure, with_unit)
    return f"about {text}" if figure.basis == "estimated" and figure.value is not None else text


def percent_text(share: float) -> str:
    """A confidence of 0-1 as a whole percentage."""
    return f"{round(share * 100)} %"


def names_text(names: Sequence[str]) -> str:
    """a; a and b; a, b and c."""
    items = list(names)
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]
