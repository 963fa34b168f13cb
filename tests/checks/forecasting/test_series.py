"""The points a forecast check fits: history before now plus this run's figure; and how it says so."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest

from atlas_health.testing.history import daily, history
from atlas_health.testing.hosts import host
from atlas_health.testing.instances import NOW
from checks.base import SkipCheck
from checks.context import HostContext
from checks.finding import Severity
from checks.forecasting.explain import evidence, outlook, severity, soon, when
from checks.forecasting.fit import Forecast, Trend
from checks.forecasting.series import NO_HISTORY, history_of, require_a_forecast, series
from checks.host.disk_forecast import HostDiskForecast
from collectors.history_model import DISK_USED, MetricPoint


def used(points):
    return history((DISK_USED, "/data", points))


def test_history_is_days_before_now_and_the_current_figure_is_day_0():
    item = series(used(daily(lambda d: 100.0 - d, 5)), DISK_USED, "/data", now=NOW, current=100.0, limit=200)
    assert item.points == [(-5.0, 95.0), (-4.0, 96.0), (-3.0, 97.0), (-2.0, 98.0), (-1.0, 99.0), (0.0, 100.0)]
    assert item.forecast is not None and item.forecast.days == pytest.approx(100.0)
    assert item.at(-2.0) == NOW - timedelta(days=2)
    assert item.coverage == "6 points over 5.0 days"


def test_points_later_than_now_not_numbers_or_naive_are_handled():
    naive = MetricPoint(at=(NOW - timedelta(days=2)).replace(tzinfo=None), value=7.0)  # taken as UTC
    odd = [
        MetricPoint(at=NOW + timedelta(days=1), value=1.0),  # later than this run
        MetricPoint(at=NOW, value=2.0),  # this run itself
        MetricPoint(at=NOW - timedelta(days=1), value=math.nan),
        naive,
    ]
    item = series(used(odd), DISK_USED, "/data", now=NOW, current=None, limit=10)
    assert item.points == [(-2.0, 7.0)]
    assert item.forecast is None
    assert item.coverage == "1 point over 0.0 days"
    empty = series(used([]), DISK_USED, "/elsewhere", now=NOW, current=math.inf, limit=10)
    assert (empty.points, empty.coverage) == ([], "no points")


def test_no_history_and_too_little_history_are_skips_with_their_reason():
    with pytest.raises(SkipCheck) as none:
        history_of(None)
    assert str(none.value) == NO_HISTORY
    short = series(used(daily(lambda d: 1.0, 2)), DISK_USED, "/data", now=NOW, current=1.0, limit=10)
    with pytest.raises(SkipCheck, match=r"5 points over 3 days .*\(had /data: 3 points over 2.0 days\)"):
        require_a_forecast([short], "filesystem")
    with pytest.raises(SkipCheck, match="nothing to forecast: no filesystem"):
        require_a_forecast([], "filesystem")


def forecast_of(days, low, high):
    trend = Trend(slope=1.0, intercept=0.0, slope_low=0.5, slope_high=2.0, points_used=9, start_x=-8, end_x=0)
    return Forecast(days=days, days_low=low, days_high=high, trend=trend, limit=100.0, level=50.0)


@pytest.mark.parametrize(
    ("days", "low", "high", "long", "short"),
    [
        (11.04, 9.2, 14.1, "in about 11.0 days (95 % range 9.2 to 14.1 days)", "in about 11 days"),
        (11.0, 9.2, None, "in about 11.0 days (95 % range 9.2 days or later)", "in about 11 days"),
        (0.4, 0.3, 0.9, "in about 0.4 days (95 % range 0.3 to 0.9 days)", "within a day"),
        (0.0, 0.0, 0.0, "now", "now"),
        (None, 30.0, None, "not rising", "never at this rate"),
    ],
)
def test_the_days_in_words(days, low, high, long, short):
    assert when(forecast_of(days, low, high)) == long
    assert soon(forecast_of(days, low, high)) == short


@pytest.mark.parametrize(
    ("days", "expected"),
    [(None, Severity.OK), (14.01, Severity.OK), (14.0, Severity.WARNING), (3.0, Severity.CRITICAL)],
)
def test_severity_from_the_central_days_against_the_thresholds(days, expected):
    ctx = HostContext(meta=HostDiskForecast.meta, host=host())
    assert severity(ctx, forecast_of(days, None, None)) is expected


def test_evidence_shows_the_work_and_can_be_named_per_subject():
    item = series(used(daily(lambda d: 100.0 - d, 5)), DISK_USED, "/data", now=NOW, current=100.0, limit=200)
    facts = {e.label: e.value for e in evidence(item, source="test", unit="bytes", named=True)}
    assert facts == {
        "/data: first point bytes": 95,
        "/data: last point bytes": 100,
        "/data: points": 6,
        "/data: limit bytes": 200,
        "/data: points fitted": 6,
        "/data: fitted from": "the first point",
        "/data: fitted to": "the newest point",
        "/data: slope bytes per day": 1,
        "/data: slope band (95 %) bytes per day": "1 to 1",
        "/data: fitted level bytes": 100,
        "/data: days until the limit": 100.0,
        "/data: days range (95 %)": "100.0 to 100.0",
    }
    assert outlook(item, "full") == "/data full in about 100.0 days (95 % range 100.0 to 100.0 days)"
    short = series(used([]), DISK_USED, "/data", now=NOW, current=100.0, limit=200)
    assert [e.label for e in evidence(short, source="test", unit="bytes")] == [
        "first point bytes",
        "last point bytes",
        "points",
        "limit bytes",
    ]
    assert outlook(short, "full") == "/data too little history (1 point over 0.0 days)"
