"""The charts on their own: inline SVG fit for a shared page, in the report's zone, deterministic, thread-safe."""

from __future__ import annotations

import math
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from collectors.logs.model import AccessSummary, LevelMinute, SecuritySummary
from reports import charts
from tests.reports import logs_estate

START = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)
SPAN = (START, START + timedelta(minutes=179))


def _levels(minutes: int = 180) -> list[LevelMinute]:
    return [
        LevelMinute(at=START + timedelta(minutes=m), total=100 + m % 7, warn=3, error=m % 2)
        for m in range(minutes)
    ]


def _texts(svg: str) -> list[str]:
    return re.findall(r"<text\b[^>]*>([^<]*)</text>", svg)


def _events(zone: str = "UTC", key: str = "k") -> charts.Chart:
    return charts.events_chart(key, _levels(), [], zone=ZoneInfo(zone), bucket_s=60, span=SPAN)


def test_bucket_label() -> None:
    assert [charts.bucket_label(s) for s in (60, 300, 3600, 10800, 86400, 45)] == [
        "1 min",
        "5 min",
        "1 h",
        "3 h",
        "1 d",
        "45 s",
    ]


def test_inline_svg_cleans_what_matplotlib_writes() -> None:
    raw = (
        '<?xml version="1.0" encoding="utf-8" standalone="no"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN"\n'
        '  "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
        '<svg xmlns:xlink="http://www.w3.org/1999/xlink" width="540pt" height="165.6pt" viewBox="0 0 540 165.6" '
        'xmlns="http://www.w3.org/2000/svg" version="1.1">\n'
        ' <metadata><rdf:RDF><dc:type rdf:resource="http://purl.org/dc/dcmitype/StillImage"/></rdf:RDF></metadata>\n'
        ' <defs>\n  <style type="text/css">*{stroke-linejoin: round; stroke-linecap: butt}</style>\n </defs>\n'
        ' <g id="figure_1"><path id="m1" d="M 0.123456 1.987654 \nL 2 3 \nz\n"/>'
        '<use xlink:href="#m1" x="1"/><g clip-path="url(#p2)"/></g>\n'
        ' <defs><clipPath id="p2"><rect x="0"/></clipPath></defs>\n</svg>\n'
    )
    svg = charts.inline_svg(raw, "c<1>", 'Title "&" <b>', "caption <i>")
    assert svg.startswith(
        '<svg id="c&lt;1&gt;" class="chart" viewBox="0 0 540 165.6" width="100%" role="img"'
    )
    assert '<title id="c&lt;1&gt;-title">Title &#34;&amp;&#34; &lt;b&gt;</title>' in svg
    assert '<desc id="c&lt;1&gt;-desc">caption &lt;i&gt;</desc>' in svg
    for gone in ("<?xml", "DOCTYPE", "http", "<metadata", "<style", "xlink", 'id="figure_1"'):
        assert gone not in svg, gone
    assert '<path id="c<1>-m1" d="M 0.1 1.9 L 2 3 z"/>' in svg  # referenced ids kept and prefixed
    assert '<use href="#c<1>-m1"' in svg and 'clip-path="url(#c<1>-p2)"' in svg and 'id="c<1>-p2"' in svg
    with pytest.raises(ValueError, match="no <svg> root"):
        charts.inline_svg("<html/>", "k", "t", "c")


def test_times_are_labelled_in_the_report_zone() -> None:
    utc, berlin = _texts(_events("UTC").svg), _texts(_events("Europe/Berlin").svg)
    assert "12:00" in utc and "15:00" in utc and "16:00" not in utc
    assert "13:00" in berlin and "16:00" in berlin and "12:00" not in berlin
    assert "2025-03-03 CET" in berlin  # the axis says the date and the zone
    assert "at 2025-03-03 13:06 CET" in _events("Europe/Berlin").caption  # the busiest minute, local


def test_signature_hits_are_marked_along_the_top() -> None:
    hits = [h for h in logs_estate.analysis(minutes=180).signatures if h.severity == "critical"]
    chart = charts.events_chart("k", _levels(), [], hits, zone=ZoneInfo("UTC"), bucket_s=60, span=SPAN)
    assert "known problems matched in 15 bucket(s) (critical) and 0 (warning)" in chart.caption
    assert "critical problem" in _texts(chart.svg) and "warning problem" not in _texts(chart.svg)
    assert "known problems" not in _events().caption


def test_the_chart_describes_itself() -> None:
    chart = _events("UTC")
    assert chart.title == "Application log events per 1 min, by level"
    assert chart.caption.startswith(
        "18,535 events; 90 errors or fatal, 540 warnings; busiest 1 min: 106 events"
    )
    assert {"INFO and below", "WARN", "ERROR and FATAL", "events per 1 min"} <= set(_texts(chart.svg))


def test_same_input_same_bytes_and_threads_do_not_mix() -> None:
    first = _events("Europe/Berlin", "a")
    assert _events("Europe/Berlin", "a").svg == first.svg
    keys = [f"chart-{i}" for i in range(8)]
    alone = {key: _events("Europe/Berlin", key).svg for key in keys}
    with ThreadPoolExecutor(4) as pool:
        together = dict(zip(keys, pool.map(lambda k: _events("Europe/Berlin", k).svg, keys), strict=True))
    assert together == alone
    # the ids differ only by the key, so several charts share a page
    assert alone["chart-1"].replace("chart-1", "chart-0") == alone["chart-0"]


def test_matplotlib_settings_are_left_as_they_were() -> None:
    import matplotlib

    before = {
        k: matplotlib.rcParams[k] for k in ("svg.fonttype", "svg.hashsalt", "text.parse_math", "font.size")
    }
    _events()
    assert {k: matplotlib.rcParams[k] for k in before} == before


def test_empty_series_draw_nothing() -> None:
    zone = ZoneInfo("UTC")
    options = {"zone": zone, "bucket_s": 60, "span": (None, None)}
    assert charts.gc_share_chart("k", [], **options) is None
    assert charts.heap_chart("k", [], **options) is None
    assert charts.traffic_chart("k", AccessSummary(), "Jira", **options) is None
    assert charts.latency_chart("k", AccessSummary(), "Jira", **options) is None
    assert charts.failed_logins_chart("k", SecuritySummary(), **options) is None


def test_skipped_buckets_are_zero_for_counts_and_gaps_for_percentiles() -> None:
    points = [(0.0, 5.0), (180.0, 7.0)]
    assert charts._dense(points, 60, 0.0) == ([0.0, 60.0, 120.0, 180.0], [5.0, 0.0, 0.0, 7.0])
    times, values = charts._dense(points, 60, math.nan)
    assert times == [0.0, 60.0, 120.0, 180.0] and math.isnan(values[1]) and values[3] == 7.0
    assert charts._dense([], 60, 0.0) == ([], [])


def test_a_burst_all_day_is_not_shaded() -> None:
    security = logs_estate.analysis(minutes=180).security
    assert security is not None
    chart = charts.failed_logins_chart("k", security, zone=ZoneInfo("UTC"), bucket_s=60, span=SPAN)
    assert chart is not None
    assert "2 burst(s), 1 shaded" in chart.caption
