"""The robust trend against series whose answer is known: exact growth, a cleanup, noise, outliers,
flat and falling series, too little data, and hostile input."""

from __future__ import annotations

import math
import random
import time

import pytest

from checks.forecasting.fit import MAX_FIT_POINTS, MAX_POINTS, _buckets, days_until, robust_trend


def line(start: float, per_day: float, days: range | list[float]) -> list[tuple[float, float]]:
    return [(float(x), start + per_day * x) for x in days]


def noisy(seed: int, n: int = 30, per_day: float = 2.0, sigma: float = 3.0) -> list[tuple[float, float]]:
    rng = random.Random(seed)
    return [(float(x), 100 + per_day * x + rng.gauss(0, sigma)) for x in range(n)]


def test_linear_growth_gives_the_exact_days_with_a_band_of_width_zero():
    forecast = days_until(line(100, 10, range(10)), 300)  # at 190 on day 9: 110 to go at 10 a day
    assert forecast is not None
    assert forecast.days == pytest.approx(11.0)
    assert forecast.days_low == pytest.approx(11.0)
    assert forecast.days_high == pytest.approx(11.0)
    assert forecast.level == pytest.approx(190.0)
    trend = forecast.trend
    assert (trend.slope, trend.points_used, trend.start_x, trend.end_x) == (pytest.approx(10.0), 10, 0.0, 9.0)
    assert trend.value_at(20) == pytest.approx(300.0)


def test_after_a_cleanup_only_the_segment_after_it_is_fitted():
    before = line(100, 10, range(10))  # up to 190
    after = [(float(x), 50 + 5 * (x - 10)) for x in range(10, 20)]  # cleaned to 50, then 5 a day
    forecast = days_until(before + after, 300)
    assert forecast is not None
    assert forecast.trend.start_x == 10.0
    assert forecast.trend.points_used == 10
    assert forecast.trend.slope == pytest.approx(5.0)
    assert forecast.days == pytest.approx((300 - 95) / 5)


def test_two_cleanups_fit_after_the_last():
    series = line(100, 10, range(8)) + line(-20, 10, range(8, 16)) + line(-140, 10, range(16, 24))
    trend = robust_trend(series)
    assert trend is not None
    assert trend.start_x == 16.0
    assert trend.slope == pytest.approx(10.0)


def test_a_cleanup_on_the_newest_point_leaves_too_little_to_forecast():
    assert days_until([*line(100, 10, range(10)), (10.0, 20.0)], 300) is None


def test_a_small_dip_is_not_a_cleanup():
    series = line(1000, 10, range(20))
    series[10] = (10.0, series[10][1] - 15)  # 1.5 % of the level: noise, not a cleanup
    trend = robust_trend(series)
    assert trend is not None and trend.start_x == 0.0


def test_noise_gives_an_answer_inside_its_band_and_the_band_holds_the_truth():
    truth = (400 - (100 + 2 * 29)) / 2  # the true line is at 158 on day 29, rising 2 a day
    forecast = days_until(noisy(7), 400)
    assert forecast is not None and forecast.days is not None
    assert forecast.days_low is not None and forecast.days_high is not None
    assert forecast.days_low <= forecast.days <= forecast.days_high
    assert forecast.days_low <= truth <= forecast.days_high
    assert forecast.days == pytest.approx(truth, rel=0.1)
    assert forecast.trend.start_x == 0.0  # noise is not a cleanup


def test_the_slope_band_holds_the_true_slope_about_95_times_in_100():
    covered = 0
    for seed in range(200):
        trend = robust_trend(noisy(seed))
        assert trend is not None
        covered += trend.slope_low <= 2.0 <= trend.slope_high
    assert 180 <= covered <= 200  # 95 % nominal; Sen's interval is close to it for n = 30


def test_a_few_spikes_do_not_move_the_trend():
    series = line(100, 10, range(30))
    for i, factor in ((5, 10.0), (12, 0.0), (20, 50.0)):
        series[i] = (series[i][0], series[i][1] * factor)
    forecast = days_until(series, 1000)
    assert forecast is not None
    assert forecast.trend.start_x == 0.0  # the spike down came back: not a cleanup
    assert forecast.trend.slope == pytest.approx(10.0)
    assert forecast.days == pytest.approx((1000 - 390) / 10)


def test_a_spike_on_the_newest_point_does_not_move_the_level():
    series = [*line(100, 10, range(10)), (10.0, 5000.0)]
    forecast = days_until(series, 300)
    assert forecast is not None
    assert forecast.level == pytest.approx(200.0)
    assert forecast.days == pytest.approx(10.0)


@pytest.mark.parametrize("per_day", [0.0, -5.0])
def test_a_flat_or_falling_series_has_no_full_date(per_day: float):
    forecast = days_until(line(100, per_day, range(10)), 300)
    assert forecast is not None
    assert forecast.trend.slope == pytest.approx(per_day)
    assert (forecast.days, forecast.days_low, forecast.days_high) == (None, None, None)


def test_a_flat_noisy_series_has_no_date_though_its_band_may_rise():
    rising_band = 0
    for seed in range(20):
        forecast = days_until(noisy(seed, per_day=0.0), 1000)
        assert forecast is not None
        trend = forecast.trend
        assert (forecast.days is None) == (trend.slope <= 0)
        assert (forecast.days_low is None) == (trend.slope_high <= 0)  # the band's steepest end
        assert (forecast.days_high is None) == (trend.slope_low <= 0)
        rising_band += forecast.days_low is not None
    assert 0 < rising_band < 20


def test_a_series_already_at_its_limit_is_full_now():
    forecast = days_until(line(100, 10, range(10)), 150)
    assert forecast is not None
    assert (forecast.days, forecast.days_low, forecast.days_high) == (0.0, 0.0, 0.0)


def test_too_few_points_or_too_short_a_span_give_no_trend():
    assert robust_trend([]) is None
    assert robust_trend(line(100, 10, range(4))) is None  # 4 points
    assert robust_trend(line(100, 10, [0, 0.5, 1, 1.5, 2.9])) is None  # 5 points over 2.9 days
    assert robust_trend(line(100, 10, [0, 0.5, 1, 1.5, 3])) is not None  # 5 points over 3 days
    assert days_until(line(100, 10, range(4)), 300) is None


def test_values_or_times_that_are_not_numbers_are_ignored():
    clean = line(100, 10, range(10))
    hostile = [
        *clean,
        (10.0, math.nan),
        (11.0, math.inf),
        (math.nan, 5.0),
        (-math.inf, 1.0),
        (12.0, -math.inf),
    ]
    assert days_until(hostile, 300) == days_until(clean, 300)
    assert robust_trend([(float(x), math.nan) for x in range(10)]) is None


def test_duplicate_times_are_merged_into_their_median():
    series = line(100, 10, range(10))
    duplicated = [*series, (5.0, 150.0), (5.0, 150.0), (5.0, 10_000.0)]  # the median at day 5 stays 150
    trend = robust_trend(duplicated)
    assert trend is not None
    assert trend.points_used == 10
    assert trend.slope == pytest.approx(10.0)
    assert robust_trend([(1.0, float(v)) for v in range(10)]) is None  # one time: no span


def test_unsorted_points_give_the_same_trend():
    series = line(100, 10, range(20))
    shuffled = series[:]
    random.Random(1).shuffle(shuffled)
    assert robust_trend(shuffled) == robust_trend(series)


def test_one_huge_value_does_not_overflow_or_move_the_trend():
    series = line(100, 10, range(20))
    series[7] = (7.0, 1e308)
    series[13] = (13.0, -1e308)
    forecast = days_until(series, 1000)
    assert forecast is not None
    assert forecast.trend.slope == pytest.approx(10.0)
    assert forecast.days == pytest.approx((1000 - 290) / 10)


@pytest.mark.parametrize("limit", [0.0, -1.0, math.nan, math.inf])
def test_a_limit_that_is_not_a_positive_number_gives_no_forecast(limit: float):
    assert days_until(line(100, 10, range(10)), limit) is None


def test_a_hundred_thousand_points_are_bucketed_and_fitted_quickly():
    rng = random.Random(5)
    series = [(x / 3333.0, 1000 + 4 * (x / 3333.0) + rng.gauss(0, 2)) for x in range(100_000)]
    started = time.perf_counter()
    forecast = days_until(series, 2000)
    elapsed = time.perf_counter() - started
    print(f"\n100,000 points: fitted in {elapsed:.3f} s")  # a figure to read, not a limit to assert
    assert forecast is not None and forecast.days is not None
    assert forecast.trend.points_used == 100_000
    assert forecast.trend.slope == pytest.approx(4.0, rel=0.02)
    assert forecast.days == pytest.approx((2000 - 1000 - 4 * 30.0) / 4, rel=0.02)
    assert MAX_FIT_POINTS < 100_000


def test_a_cleanup_in_a_bucketed_series_is_still_found():
    per_day = 1000  # points a day: 30,000 in all, reduced to buckets before looking for cleanups
    series = [(i / per_day, 500 + 10 * i / per_day) for i in range(15 * per_day)]
    series += [(i / per_day, 100 + 10 * (i / per_day - 15)) for i in range(15 * per_day, 30 * per_day)]
    trend = robust_trend(series)
    assert trend is not None
    assert 15.0 <= trend.start_x <= 15.1
    assert trend.slope == pytest.approx(10.0, rel=0.01)
    assert trend.points_used == pytest.approx(15 * per_day, rel=0.01)


def test_times_too_far_apart_to_bucket_are_thinned_instead():
    series = [(-1e308 + i * 1e304, 5.0) for i in range(2500)] + [
        (1e308 - i * 1e304, 5.0) for i in range(2500)
    ]
    trend = robust_trend(series)  # the span overflows: no equal-width buckets, every k-th point instead
    assert trend is not None
    assert trend.slope == 0.0
    assert trend.end_x == 1e308
    thinned = _buckets(sorted(series), MAX_POINTS)
    assert len(thinned) <= MAX_POINTS
    assert thinned[-1] == (1e308, 5.0)  # the newest point is kept


def test_a_cleanup_is_measured_against_the_level_not_only_a_large_limit():
    # 10,000 units of room, 100 used and growing 2 a day, half of it freed on day 10
    series = line(80, 2, range(11)) + [(float(x), 50 + 2 * (x - 11)) for x in range(11, 20)]
    forecast = days_until(series, 10_000)
    assert forecast is not None
    assert forecast.trend.start_x == 11.0
    assert forecast.days == pytest.approx((10_000 - 66) / 2)
