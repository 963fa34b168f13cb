"""Trends on a health-check report: each host filesystem's used space, each instance's response time
and licence seats, from the history the service attached to the snapshot, this run's figure last,
with a robust fitted line (``checks.forecasting.fit.robust_trend``).

A snapshot without history (a one-off ``check``) gives None: the report draws no trend charts.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from statistics import median
from zoneinfo import ZoneInfo

from checks.forecasting.fit import robust_trend
from collectors.history_model import (
    DISK_SIZE,
    DISK_USED,
    RESPONSE_MS,
    SEATS_ALLOWED,
    SEATS_USED,
    History,
    MetricPoint,
)
from collectors.hosts.model import HostSnapshot
from collectors.model import InstanceSnapshot, Snapshot
from reports.trends_model import TrendLine, TrendPoint, TrendSeries, TrendUnit

MAX_REPORT_POINTS = 500  # points of one series written on the report; the fit reads all of them
MAX_SERIES_KEYS = 50  # mounts or applications of one subject: a host with 300 bind mounts is cut
_DAY_S = 86400.0


def _aware(moment: datetime) -> datetime:
    return (
        moment if moment.tzinfo is not None and moment.utcoffset() is not None else moment.replace(tzinfo=UTC)
    )


def _earlier(points: Sequence[MetricPoint], now: datetime) -> list[tuple[datetime, float]]:
    """History strictly before this run (it should hold nothing else), finite values, oldest first."""
    found = [(_aware(p.at), p.value) for p in points if math.isfinite(p.value)]
    return sorted(p for p in found if p[0] < now)


def _thin(
    points: list[tuple[datetime, float]], limit: int = MAX_REPORT_POINTS
) -> list[tuple[datetime, float]]:
    """At most ``limit`` points evenly spread over the list, the first and last always kept."""
    if len(points) <= limit:
        return points
    step = (len(points) - 1) / (limit - 1)
    return [points[round(i * step)] for i in range(limit)]


def _line(points: list[tuple[datetime, float]], scale: float | None, zone: ZoneInfo) -> TrendLine | None:
    origin = points[0][0].timestamp()
    trend = robust_trend([((at.timestamp() - origin) / _DAY_S, v) for at, v in points], scale=scale)
    if trend is None:
        return None

    def moment(x: float) -> datetime:
        return datetime.fromtimestamp(origin + x * _DAY_S, tz=UTC).astimezone(zone)

    return TrendLine(
        slope_per_day=trend.slope,
        slope_low=trend.slope_low,
        slope_high=trend.slope_high,
        start_at=moment(trend.start_x),
        start_value=trend.value_at(trend.start_x),
        end_at=moment(trend.end_x),
        end_value=trend.value_at(trend.end_x),
        points_used=trend.points_used,
    )


def _series(
    subject: str,
    target: str,
    metric: str,
    key: str,
    unit: TrendUnit,
    points: list[tuple[datetime, float]],
    limit: float | None,
    zone: ZoneInfo,
) -> TrendSeries | None:
    """The series, or None when it has fewer than two points (nothing to draw a change with)."""
    if len(points) < 2:
        return None
    scale = limit if limit is not None and limit > 0 else None
    return TrendSeries(
        subject=subject,  # type: ignore[arg-type]  # "host" or "instance", from the two callers below
        target=target,
        metric=metric,
        key=key,
        unit=unit,
        points=[TrendPoint(at=at.astimezone(zone), value=v) for at, v in _thin(points)],
        limit=limit,
        trend=_line(points, scale, zone),
    )


def _last(history: History, metric: str, key: str, now: datetime) -> float | None:
    earlier = _earlier(history.points(metric, key), now)
    return earlier[-1][1] if earlier else None


def _host_series(host: HostSnapshot, now: datetime, zone: ZoneInfo) -> list[TrendSeries]:
    history = host.history
    if history is None:
        return []
    current = {fs.mount: fs for fs in host.filesystems or []}
    mounts = sorted(set(history.keys(DISK_USED)) | set(current))[:MAX_SERIES_KEYS]
    found = []
    for mount in mounts:
        points = _earlier(history.points(DISK_USED, mount), now)
        fs = current.get(mount)
        if fs is not None and fs.used is not None:
            points.append((now, float(fs.used)))
        size = float(fs.size) if fs is not None and fs.size else _last(history, DISK_SIZE, mount, now)
        series = _series("host", host.name, DISK_USED, mount, "bytes", points, size, zone)
        if series is not None:
            found.append(series)
    return found


def _response_ms(inst: InstanceSnapshot) -> float | None:
    """This run's figure as the service records it: the median time of the successful REST calls."""
    times = [c.elapsed_ms for c in inst.calls if c.ok and math.isfinite(c.elapsed_ms)]
    return median(times) if times else None


def _instance_series(inst: InstanceSnapshot, now: datetime, zone: ZoneInfo) -> list[TrendSeries]:
    history = inst.history
    if history is None:
        return []
    found = []
    response = _earlier(history.points(RESPONSE_MS, ""), now)
    current_ms = _response_ms(inst)
    if current_ms is not None:
        response.append((now, current_ms))
    series = _series("instance", inst.instance, RESPONSE_MS, "", "ms", response, None, zone)
    if series is not None:
        found.append(series)
    licences = {lic.application: lic for lic in inst.licenses or []}
    for application in sorted(set(history.keys(SEATS_USED)) | set(licences))[:MAX_SERIES_KEYS]:
        points = _earlier(history.points(SEATS_USED, application), now)
        lic = licences.get(application)
        if lic is not None and lic.seats_used is not None:
            points.append((now, float(lic.seats_used)))
        if lic is not None:
            allowed = None if lic.unlimited_seats or lic.seats_allowed is None else float(lic.seats_allowed)
        else:
            allowed = _last(history, SEATS_ALLOWED, application, now)
        series = _series("instance", inst.instance, SEATS_USED, application, "seats", points, allowed, zone)
        if series is not None:
            found.append(series)
    return found


def build_trends(snapshot: Snapshot, customer: str, zone: ZoneInfo) -> list[TrendSeries] | None:
    """``customer``'s trend series, hosts first then instances; None when no host or instance of the
    customer carries history."""
    hosts = [h for h in snapshot.hosts if h.customer == customer]
    instances = snapshot.for_customer(customer)
    if all(h.history is None for h in hosts) and all(i.history is None for i in instances):
        return None
    now = _aware(snapshot.started_at)
    found: list[TrendSeries] = []
    for host in hosts:
        found += _host_series(host, now, zone)
    for inst in instances:
        found += _instance_series(inst, now, zone)
    return found
