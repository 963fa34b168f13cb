"""Five-field cron expressions, read as cron reads them, turned into APScheduler 3 triggers.

APScheduler's own ``CronTrigger.from_crontab`` numbers weekdays from Monday = 0, where cron numbers
them from Sunday = 0 (and 7 is Sunday again): "0 2 * * 1-5" would run Tuesday to Saturday. So the
weekday field is translated here, number by number, into day names APScheduler reads the same way.
"""

from __future__ import annotations

import re

from apscheduler.triggers.cron import CronTrigger

# Cron's numbering: Sunday is 0 and 7. APScheduler's names mean the same day to both.
CRON_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_TERM = re.compile(r"^(?P<base>\*|[a-z0-9]+(?:-[a-z0-9]+)?)(?:/(?P<step>\d+))?$")


def crontab_trigger(expression: str, timezone: str) -> CronTrigger:
    """The trigger of a five-field cron expression (minute hour day month weekday) in ``timezone``.

    Raises ValueError with a one-line message naming the expression and what is wrong with it.
    """
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(
            f"cron {expression!r} has {len(fields)} field(s); it needs 5: minute hour day month weekday"
        )
    minute, hour, day, month, weekday = fields
    try:
        if day != "*" and weekday != "*":
            # cron runs when either matches; APScheduler only when both do. Refuse rather than differ.
            raise ValueError(
                "both day of month and weekday are restricted, which cron reads as either and "
                "this scheduler as both: keep one of them '*'"
            )
        return CronTrigger(
            minute=minute,
            hour=hour,
            day=day,
            month=month,
            day_of_week=cron_weekdays(weekday),
            timezone=timezone,
        )
    except (ValueError, LookupError) as exc:  # an unknown zone is a LookupError (ZoneInfoNotFoundError)
        raise ValueError(f"cron {expression!r} does not parse: {_one_line(exc)}") from None


def cron_weekdays(field: str) -> str:
    """A cron weekday field (numbers 0-7 with 0 and 7 Sunday, names, ranges, lists, steps) as a list
    of day names for APScheduler; ``*`` stays ``*``."""
    if field == "*":
        return field
    days: set[int] = set()
    for term in field.lower().split(","):
        days |= _term_days(term)
    return ",".join(CRON_DAYS[d] for d in sorted(days))


def _term_days(term: str) -> set[int]:
    match = _TERM.match(term)
    if not match:
        raise ValueError(f"weekday {term!r} is not a day (0-7 or sun-sat), a range or a step")
    base, step_text = match.group("base"), match.group("step")
    step = int(step_text) if step_text else 1
    if step < 1:
        raise ValueError(f"weekday step in {term!r} must be at least 1")
    if base == "*":
        first, last = 0, 6
    elif "-" in base:
        first_text, last_text = base.split("-")
        first, last = _day(first_text), _day(last_text)
        if last == 0 and last_text != "0" and first > 0:  # "5-7", "fri-sun": up to Sunday as 7
            last = 7
        if first > last:
            raise ValueError(f"weekday range {term!r} runs backwards")
    else:
        first = last = _day(base)
        if step_text:  # "1/2": from that day to the end of the week, as cron reads it
            last = 6
    return {d % 7 for d in range(first, last + 1, step)}


def _day(text: str) -> int:
    if text.isdigit():
        number = int(text)
        if not 0 <= number <= 7:
            raise ValueError(f"weekday {number} is out of range: use 0-7 (0 and 7 are Sunday)")
        return number
    if text in CRON_DAYS:
        return CRON_DAYS.index(text)
    raise ValueError(f"weekday {text!r} is not one of {', '.join(CRON_DAYS)}")


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
