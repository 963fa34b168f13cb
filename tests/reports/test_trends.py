"""Trend lines in the report: only with history; per host filesystem and per instance, this run's
figure last, a robust fitted line; in the JSON (schema-valid), charts in HTML, a table in Markdown."""

from __future__ import annotations

import json
import math
import re
from datetime import timedelta

import jsonschema
import pytest

from collectors.history_model import DISK_USED, RESPONSE_MS, SEATS_USED, History, MetricPoint, MetricSeries
from collectors.model import Snapshot
from reports.context import build_health_check
from reports.model import HealthCheckReport
from reports.render import render
from reports.schema import load_schema
from reports.trends import MAX_REPORT_POINTS
from tests.reports import estate, trends_estate
from tests.reports.hostile import SCRIPT
from tests.reports.trends_estate import GIB, SIZE

TREND_SVG = re.compile(r'<svg id="trend-chart-\d+"')


def _build(snapshot: Snapshot) -> HealthCheckReport:
    return build_health_check(
        snapshot,
        estate.analysis(),
        estate.CUSTOMER,
        generated_at=estate.GENERATED,
        tz="Europe/Berlin",
        tool_version=estate.TOOL_VERSION,
    )


@pytest.fixture(scope="module")
def report() -> HealthCheckReport:
    return _build(trends_estate.snapshot())


def test_without_history_there_are_no_trends_and_no_charts() -> None:
    plain = _build(trends_estate.snapshot(with_history=False))
    assert plain.trends is None
    assert json.loads(render(plain, "json").content)["trends"] is None
    html = render(plain, "html").content
    assert 'id="trends"' not in html and not TREND_SVG.search(html)
    assert "## Trends" not in render(plain, "md").content


def test_each_filesystem_and_instance_figure_with_history_is_a_series(report: HealthCheckReport) -> None:
    assert report.trends is not None
    assert [(s.subject, s.target, s.metric, s.key) for s in report.trends] == [
        ("host", "jira-host-1", DISK_USED, "/"),
        ("host", "jira-host-1", DISK_USED, "/data"),  # /boot has no earlier figure: nothing to draw
        ("instance", "jira-prod", RESPONSE_MS, ""),
        ("instance", "jira-prod", SEATS_USED, "jira-software"),
    ]
    root, data, response, seats = report.trends
    # the current value is the last point, at this run's start, in the report's zone
    assert [p.value for p in data.points][-3:] == [290 * GIB, 295 * GIB, 300 * GIB]
    assert len(data.points) == 15 and data.points[-1].at == estate.STARTED
    assert data.points[-1].at.utcoffset() == timedelta(hours=1)
    assert data.limit == SIZE and data.unit == "bytes"
    assert data.trend is not None
    assert data.trend.slope_per_day == pytest.approx(5 * GIB)
    assert data.trend.end_value == pytest.approx(300 * GIB) and data.trend.end_at == estate.STARTED
    assert data.trend.points_used == 15
    # two points are a line to draw but too few to fit
    assert [p.value for p in root.points] == [10 * GIB, 11 * GIB] and root.trend is None
    assert response.points[-1].value == 140.0  # the median of this run's successful calls
    assert response.trend is not None and response.trend.slope_per_day == pytest.approx(2.0)
    assert response.limit is None
    assert seats.points[-1].value == 480 and seats.limit == 500 and seats.unit == "seats"
    assert seats.trend is not None and seats.trend.slope_per_day == pytest.approx(3.0)


def test_the_json_carries_the_series_and_is_valid(report: HealthCheckReport) -> None:
    doc = json.loads(render(report, "json").content)
    jsonschema.validate(doc, load_schema())
    data = doc["trends"][1]
    assert set(data) == {"subject", "target", "metric", "key", "unit", "points", "limit", "trend"}
    assert data["points"][-1] == {"at": "2025-03-04T13:00:00+01:00", "value": 300 * GIB}
    assert data["trend"]["slope_per_day"] == pytest.approx(5 * GIB)


def test_html_draws_a_chart_per_series_with_its_trend_line(report: HealthCheckReport) -> None:
    html = render(report, "html").content
    section = html[html.index('<section aria-labelledby="trends"') :]
    section = section[: section.index("</section>")]
    assert html.index('id="hosts"') < html.index('id="trends"') < html.index('id="passed"')
    assert len(TREND_SVG.findall(section)) == 4
    assert "jira-host-1: used space on /data over time" in section
    assert "trend +5.0 GiB per day over 15 points since 2025-02-18 13:00 CET" in section
    assert "too few points over too short a time for a trend" in section
    data_chart = section[section.index('<svg id="trend-chart-2"') :]
    data_chart = data_chart[: data_chart.index("</svg>")]
    for legend in (">measured<", ">now<", ">trend<", ">size<"):
        assert legend in data_chart
    root_chart = section[section.index('<svg id="trend-chart-1"') : section.index('<svg id="trend-chart-2"')]
    assert ">trend<" not in root_chart  # no fitted line without a fit


def test_markdown_lists_the_trends_as_a_table(report: HealthCheckReport) -> None:
    md = render(report, "md").content
    section = md[md.index("## Trends") : md.index("## Passed checks")]
    assert "| Figure | Trend |" in section
    assert (
        "| jira-prod: jira-software licence seats used over time | Now 480 seats at 2025-03-04 13:00 CET of "
        "500 seats; first 438 seats at 2025-02-18 13:00 CET; trend +3.0 seats per day over 15 points since "
        "2025-02-18 13:00 CET. |"
    ) in section


def _with_host_history(series: list[MetricSeries], name: str = "jira-host-1") -> Snapshot:
    snapshot = trends_estate.snapshot()
    host = snapshot.hosts[0].model_copy(
        update={"name": name, "history": History(since=estate.STARTED - timedelta(days=400), series=series)}
    )
    return snapshot.model_copy(update={"hosts": [host]})


def test_a_long_history_is_thinned_on_the_report_but_fitted_whole() -> None:
    points = [
        MetricPoint(at=estate.STARTED - timedelta(hours=h), value=300 * GIB - h * GIB / 24)
        for h in range(3000, 0, -1)
    ]
    report = _build(_with_host_history([MetricSeries(metric=DISK_USED, key="/data", points=points)]))
    assert report.trends is not None
    [data] = [s for s in report.trends if s.key == "/data"]
    assert len(data.points) == MAX_REPORT_POINTS
    assert data.points[0].at == points[0].at and data.points[-1].at == estate.STARTED
    assert data.trend is not None and data.trend.points_used == 3001
    assert data.trend.slope_per_day == pytest.approx(GIB)


def test_odd_history_is_left_out_not_drawn() -> None:
    later = MetricPoint(at=estate.STARTED + timedelta(hours=1), value=1.0)  # not before this run
    nan = MetricPoint(at=estate.STARTED - timedelta(days=1), value=math.nan)
    good = MetricPoint(at=estate.STARTED - timedelta(days=2), value=299 * GIB)
    report = _build(
        _with_host_history([MetricSeries(metric=DISK_USED, key="/data", points=[later, nan, good])])
    )
    assert report.trends is not None
    [data] = [s for s in report.trends if s.key == "/data"]
    assert [p.value for p in data.points] == [299 * GIB, 300 * GIB]
    render(report, "html")  # draws


def test_names_in_trends_are_escaped() -> None:
    series = [
        MetricSeries(
            metric=DISK_USED,
            key=f"/{SCRIPT}",
            points=[MetricPoint(at=estate.STARTED - timedelta(days=1), value=1.0)],
        )
    ]
    snapshot = _with_host_history(series, name=f"host {SCRIPT}")
    host = snapshot.hosts[0]
    [fs] = [f for f in host.filesystems or [] if f.mount == "/"]
    host = host.model_copy(update={"filesystems": [fs.model_copy(update={"mount": f"/{SCRIPT}"})]})
    report = _build(snapshot.model_copy(update={"hosts": [host]}))
    html = render(report, "html").content
    section = html[html.index('<section aria-labelledby="trends"') :]
    assert "<script>" not in section
    assert "host &lt;script&gt;alert(1)&lt;/script&gt;: used space on /&lt;script&gt;" in section
    md = render(report, "md").content
    assert "<script>" not in md[md.index("## Trends") :]
