"""instance.license.seats_forecast: when each licence runs out of user seats, from the trend of the
seats in use over the service's earlier runs.

A robust fit (checks/forecasting/fit.py) of the seats used plus this run's count; users deactivated
in bulk start a new trend. Licences with unlimited seats or no reported limit have nothing to reach.
"""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import InstanceCheck, collected
from checks.context import InstanceContext
from checks.finding import Category, Finding, Severity
from checks.forecasting.explain import CRITICAL_DAYS, WARNING_DAYS, evidence, outlook, severity, soon, when
from checks.forecasting.series import Series, history_of, newest, require_a_forecast, series
from checks.instance._calls import source
from checks.instance.license_expiry import licence_name
from checks.instance.license_seats import LICENSE_LIMIT_KB
from checks.metadata import CheckMeta
from collectors.history_model import SEATS_ALLOWED, SEATS_USED, History
from collectors.model import License


def seat_limit(lic: License, history: History) -> float | None:
    """The seats allowed now, else the last count the service recorded; None for unlimited seats."""
    if lic.unlimited_seats:
        return None
    allowed = lic.seats_allowed
    if allowed is None:
        allowed_then = newest(history.points(SEATS_ALLOWED, lic.application))
        return allowed_then if allowed_then is not None and allowed_then > 0 else None
    return float(allowed) if allowed > 0 else None


def _one_decimal(value: float) -> float:
    return round(value, 1)


class InstanceLicenseSeatsForecast(InstanceCheck):
    meta = CheckMeta(
        id="instance.license.seats_forecast",
        title="Licence seats forecast",
        description=(
            "Days until each licence's user seats run out, from a robust trend of the seats in use over the "
            "service's earlier runs (a bulk deactivation starts a new trend). Warns when the seats run out "
            "within warning_days, critical within critical_days. Needs the service's history."
        ),
        category=Category.LICENSING,
        default_severity=Severity.WARNING,
        requires=("licenses",),
        thresholds={WARNING_DAYS: 30, CRITICAL_DAYS: 7},
        references=(LICENSE_LIMIT_KB,),
    )

    def run(self, ctx: InstanceContext) -> Iterator[Finding]:
        inst = ctx.instance
        history = history_of(inst.history)
        licenses = collected(inst.licenses, "licenses")
        names = {lic.application: licence_name(lic) for lic in licenses}
        all_series = [
            series(history, SEATS_USED, lic.application, now=ctx.now, current=lic.seats_used, limit=limit)
            for lic in licenses
            if (limit := seat_limit(lic, history)) is not None
        ]
        forecast = require_a_forecast(all_series, "licence with a user limit")
        src = f"service history and {source(inst, 'licenses')}"
        problems = 0
        for item in forecast:
            assert item.forecast is not None
            level = severity(ctx, item.forecast)
            if level is Severity.OK:
                continue
            problems += 1
            yield self._filling(ctx, item, names[item.key], level, src)
        if not problems:
            yield ctx.ok(
                "No licence runs out of seats soon",
                f"Within {ctx.threshold(WARNING_DAYS):g} days no licence runs out of seats: "
                + "; ".join(outlook(s, "full") for s in all_series)
                + ".",
                evidence=[
                    e
                    for s in forecast
                    for e in evidence(s, source=src, unit="seats", show=_one_decimal, named=True)
                ],
            )

    @staticmethod
    def _filling(ctx: InstanceContext, item: Series, name: str, level: Severity, src: str) -> Finding:
        assert item.forecast is not None
        trend = item.forecast.trend
        used = item.points[-1][1]
        return ctx.finding(
            level,
            f"{name} licence runs out of seats {soon(item.forecast)}",
            f"The {name} licence has {used:,.0f} of {item.limit:,.0f} seats in use and gains "
            f"{trend.slope:,.1f} a day over the last {trend.end_x - trend.start_x:.1f} days: full "
            f"{when(item.forecast)}; warning within {ctx.threshold(WARNING_DAYS):g} days, critical within "
            f"{ctx.threshold(CRITICAL_DAYS):g}.",
            evidence=evidence(item, source=src, unit="seats", show=_one_decimal),
            recommendation=(
                "Order the next user tier now (a purchase takes time), or free seats before the date: "
                "deactivate users who left or no longer need access, and check which groups grant the "
                "application's access."
            ),
            key=item.key,
        )
