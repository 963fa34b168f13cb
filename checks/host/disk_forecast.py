"""host.disk.forecast: when each watched filesystem fills, from the trend of its use over earlier runs.

The trend is a robust fit (checks/forecasting/fit.py) of the used bytes the service recorded in the
last days plus this run's own figure, fitted after the last cleanup. Full means no space left for the
product: used reaching used + available (root's reserve is out of its reach).
"""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import HostCheck, collected
from checks.context import HostContext
from checks.finding import Category, Finding, Severity
from checks.forecasting.explain import CRITICAL_DAYS, WARNING_DAYS, evidence, outlook, severity, soon, when
from checks.forecasting.series import Series, history_of, require_a_forecast, series
from checks.host._facts import size, source
from checks.host.disk_free import watched, where
from checks.metadata import CheckMeta
from collectors.history_model import DISK_USED
from collectors.hosts.model import Filesystem


def usable(fs: Filesystem) -> float | None:
    """The bytes the product can fill: used + available, else the size; None when unknown or empty."""
    limit = fs.used + fs.available if fs.used is not None and fs.available is not None else fs.size
    return float(limit) if limit else None


class HostDiskForecast(HostCheck):
    meta = CheckMeta(
        id="host.disk.forecast",
        title="Disk full forecast",
        description=(
            "Days until each filesystem holding the product's paths is full, from a robust trend of its use "
            "over the service's earlier runs (the last cleanup starts a new trend). Warns when it fills "
            "within warning_days, critical within critical_days. Needs the service's history."
        ),
        category=Category.CAPACITY,
        default_severity=Severity.WARNING,
        requires=("filesystems",),
        thresholds={WARNING_DAYS: 14, CRITICAL_DAYS: 3},
    )

    def run(self, ctx: HostContext) -> Iterator[Finding]:
        host = ctx.host
        history = history_of(host.history)
        filesystems = collected(host.filesystems, "filesystems")
        all_series = [
            series(history, DISK_USED, fs.mount, now=ctx.now, current=fs.used, limit=limit)
            for fs in watched(filesystems)
            if (limit := usable(fs)) is not None
        ]
        forecast = require_a_forecast(all_series, "filesystem")
        src = f"service history and {source(host, 'filesystems')}"
        by_mount = {fs.mount: fs for fs in filesystems}
        problems = 0
        for item in forecast:
            assert item.forecast is not None
            level = severity(ctx, item.forecast)
            if level is Severity.OK:
                continue
            problems += 1
            yield self._filling(ctx, item, by_mount[item.key], level, src)
        if not problems:
            yield ctx.ok(
                "No filesystem fills soon",
                f"Within {ctx.threshold(WARNING_DAYS):g} days no filesystem fills: "
                + "; ".join(outlook(s, "full") for s in all_series)
                + ".",
                evidence=[e for s in forecast for e in evidence(s, source=src, unit="bytes", named=True)],
            )

    @staticmethod
    def _filling(ctx: HostContext, item: Series, fs: Filesystem, level: Severity, src: str) -> Finding:
        assert item.forecast is not None
        trend = item.forecast.trend
        used = item.points[-1][1]
        return ctx.finding(
            level,
            f"{item.key} fills {soon(item.forecast)}",
            f"{where(fs)} has {size(used)} used of {size(item.limit)} it can fill and grows "
            f"{size(trend.slope)} a day over the last {trend.end_x - trend.start_x:.1f} days: full "
            f"{when(item.forecast)}; warning within {ctx.threshold(WARNING_DAYS):g} days, critical within "
            f"{ctx.threshold(CRITICAL_DAYS):g}.",
            evidence=evidence(item, source=src, unit="bytes"),
            recommendation=(
                "Find what grows (du -xh --max-depth=2 on the filesystem: logs, exports, backups, the "
                "attachments or the index) and clear it, rotate it or move it away, or grow the filesystem "
                "before the date; a full home or index stops indexing, attachments and logins."
            ),
            key=item.key,
        )
