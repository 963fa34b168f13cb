"""What a forecast finding says and shows: its severity, its days in words, and its work as evidence."""

from __future__ import annotations

from collections.abc import Callable

from checks.context import CheckContext
from checks.finding import Evidence, Severity
from checks.forecasting.fit import Forecast
from checks.forecasting.series import Series

# The thresholds every forecast check declares: days until the limit at which it warns and alarms.
WARNING_DAYS = "warning_days"
CRITICAL_DAYS = "critical_days"


def severity(ctx: CheckContext, forecast: Forecast) -> Severity:
    """Judged on the central estimate: critical within ``critical_days``, warning within ``warning_days``."""
    if forecast.days is None:
        return Severity.OK
    if forecast.days <= ctx.threshold(CRITICAL_DAYS):
        return Severity.CRITICAL
    if forecast.days <= ctx.threshold(WARNING_DAYS):
        return Severity.WARNING
    return Severity.OK


def when(forecast: Forecast) -> str:
    """The days in words with their range: "in about 11.0 days (95 % range 9.2 to 14.1 days)"."""
    days, low, high = forecast.days, forecast.days_low, forecast.days_high
    if days is None:
        return "not rising"
    if days <= 0:
        return "now"
    if low is None:  # cannot happen while the central slope rises: the steepest one rises more
        return f"in about {days:,.1f} days"
    band = f"{low:,.1f} days or later" if high is None else f"{low:,.1f} to {high:,.1f} days"
    return f"in about {days:,.1f} days (95 % range {band})"


def outlook(item: Series, reached: str) -> str:
    """One subject's forecast in a summary: "/data full in about 40.0 days (...)", "/data not rising"."""
    if item.forecast is None:
        return f"{item.key} too little history ({item.coverage})"
    if item.forecast.days is None:
        return f"{item.key} not rising"
    return f"{item.key} {reached} {when(item.forecast)}"


def soon(forecast: Forecast) -> str:
    """The central estimate alone, for a title: "in about 11 days", "within a day", "now"."""
    if forecast.days is None:
        return "never at this rate"
    if forecast.days <= 0:
        return "now"
    return "within a day" if forecast.days < 1 else f"in about {forecast.days:,.0f} days"


def evidence(
    item: Series,
    *,
    source: str,
    unit: str,
    show: Callable[[float], float | int] = round,
    named: bool = False,
) -> list[Evidence]:
    """The forecast's work: the series' ends, its size, the fitted window, the slope, the days, the limit.

    ``unit`` names the values' unit in the labels; ``show`` rounds a value for display; ``named``
    starts every label with the subject's key, for a finding that shows several subjects.
    """
    forecast = item.forecast
    first, last = item.points[0], item.points[-1]
    facts = [
        Evidence(label=f"first point {unit}", value=show(first[1]), source=source, time=item.at(first[0])),
        Evidence(label=f"last point {unit}", value=show(last[1]), source=source, time=item.at(last[0])),
        Evidence(label="points", value=len(item.points), source=source),
        Evidence(label=f"limit {unit}", value=show(item.limit), source=source, time=item.now),
    ]
    if forecast is None:
        return _named(facts, item.key) if named else facts
    trend = forecast.trend
    facts += [
        Evidence(label="points fitted", value=trend.points_used, source=source),
        Evidence(
            label="fitted from",
            value="after a cleanup" if trend.start_x > first[0] else "the first point",
            source=source,
            time=item.at(trend.start_x),
        ),
        Evidence(label="fitted to", value="the newest point", source=source, time=item.at(trend.end_x)),
        Evidence(label=f"slope {unit} per day", value=show(trend.slope), source=source),
        Evidence(
            label=f"slope band (95 %) {unit} per day",
            value=f"{show(trend.slope_low)} to {show(trend.slope_high)}",
            source=source,
        ),
        Evidence(label=f"fitted level {unit}", value=show(forecast.level), source=source, time=item.now),
        Evidence(
            label="days until the limit",
            value=None if forecast.days is None else round(forecast.days, 1),
            source=source,
        ),
        Evidence(
            label="days range (95 %)",
            value=f"{_bound(forecast.days_low)} to {_bound(forecast.days_high)}",
            source=source,
        ),
    ]
    return _named(facts, item.key) if named else facts


def _named(facts: list[Evidence], key: str) -> list[Evidence]:
    return [e.model_copy(update={"label": f"{key}: {e.label}"}) for e in facts]


def _bound(days: float | None) -> str:
    return "not reached" if days is None else f"{days:.1f}"
