"""logs.gc.heap_floor_forecast: when each node's heap floor (what survives GC) reaches the heap size,
from its trend over the service's earlier runs.

logs.gc.heap_floor judges the rise within one GC log; this check follows the floor across runs and
days, where a slow leak shows. A robust fit (checks/forecasting/fit.py) of each run's floor, the
lowest heap occupancy after GC in its window, plus this run's; a restart empties the heap and starts a
new trend. The limit is ``limit_percent`` of the heap size: the JVM spends its time in Full GCs well
before the floor reaches the whole heap.
"""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import LogsCheck, collected
from checks.context import LogsContext
from checks.finding import Category, Finding, Severity
from checks.forecasting.explain import CRITICAL_DAYS, WARNING_DAYS, evidence, outlook, severity, soon, when
from checks.forecasting.series import Series, history_of, newest, require_a_forecast, series
from checks.logs._common import KB_HEAP_DUMP_BITBUCKET, KB_HEAP_DUMPS, KB_OOM, sources
from checks.metadata import CheckMeta
from collectors.history_model import HEAP_FLOOR_MB, HEAP_MAX_MB, History
from collectors.logs.model import GcSummary

LIMIT_PERCENT = "limit_percent"


def floor_mb(gc: GcSummary) -> float | None:
    """This run's floor: the lowest heap occupancy after GC in the window (as the service records it)."""
    return min((p.after_mb for p in gc.heap_after), default=None)


def heap_mb(gc: GcSummary, history: History) -> float | None:
    """The heap size the GC log reported last, else the last one the service recorded."""
    reported = next((p.total_mb for p in reversed(gc.heap_after) if p.total_mb), None)
    size = reported if reported is not None else newest(history.points(HEAP_MAX_MB, gc.node))
    return size if size is not None and size > 0 else None


class LogsGcHeapFloorForecast(LogsCheck):
    meta = CheckMeta(
        id="logs.gc.heap_floor_forecast",
        title="Heap floor forecast",
        description=(
            "Days until each node's heap floor (the occupancy left after GC) reaches limit_percent of the "
            "heap, from a robust trend of the floor over the service's earlier runs (a restart starts a new "
            "trend). Warns within warning_days, critical within critical_days. Needs the service's history."
        ),
        category=Category.CAPACITY,
        default_severity=Severity.WARNING,
        requires=("gc",),
        thresholds={WARNING_DAYS: 7, CRITICAL_DAYS: 2, LIMIT_PERCENT: 90},
        references=(KB_HEAP_DUMPS, KB_HEAP_DUMP_BITBUCKET, KB_OOM),
    )

    def run(self, ctx: LogsContext) -> Iterator[Finding]:
        history = history_of(ctx.logs.history)
        gcs = sorted(collected(ctx.logs.gc, "GC logs"), key=lambda g: g.node)
        share = ctx.threshold(LIMIT_PERCENT) / 100
        all_series = [
            series(history, HEAP_FLOOR_MB, gc.node, now=ctx.now, current=floor_mb(gc), limit=heap * share)
            for gc in gcs
            if (heap := heap_mb(gc, history)) is not None
        ]
        forecast = require_a_forecast(all_series, "node with a known heap size")
        files = {gc.node: gc.files for gc in gcs}
        problems = 0
        for item in forecast:
            assert item.forecast is not None
            level = severity(ctx, item.forecast)
            if level is Severity.OK:
                continue
            problems += 1
            yield self._filling(ctx, item, level, self._source(files[item.key], item.key))
        if not problems:
            yield ctx.ok(
                "No heap floor reaches the heap soon",
                f"Within {ctx.threshold(WARNING_DAYS):g} days no node's heap floor reaches "
                f"{ctx.threshold(LIMIT_PERCENT):g} % of its heap: "
                + "; ".join(outlook(s, "there") for s in all_series)
                + ".",
                evidence=[
                    e
                    for s in forecast
                    for e in evidence(s, source=self._source(files[s.key], s.key), unit="MB", named=True)
                ],
            )

    @staticmethod
    def _source(files: list[str], node: str) -> str:
        return f"service history and {sources(files) if files else f'the GC log of {node}'}"

    @staticmethod
    def _filling(ctx: LogsContext, item: Series, level: Severity, src: str) -> Finding:
        assert item.forecast is not None
        trend = item.forecast.trend
        floor = item.points[-1][1]
        percent = ctx.threshold(LIMIT_PERCENT)
        return ctx.finding(
            level,
            f"Heap floor on {item.key} reaches {percent:g} % of the heap {soon(item.forecast)}",
            f"What survives GC on {item.key} is {floor:,.0f} MB and grows {trend.slope:,.0f} MB a day over "
            f"the last {trend.end_x - trend.start_x:.1f} days: it reaches {item.limit:,.0f} MB "
            f"({percent:g} % of the heap) {when(item.forecast)}; warning within "
            f"{ctx.threshold(WARNING_DAYS):g} days, critical within {ctx.threshold(CRITICAL_DAYS):g}. "
            "A floor that rises across days and restarts is live data piling up: a memory leak.",
            evidence=evidence(item, source=src, unit="MB"),
            recommendation=(
                "Take two heap dumps a day apart (jmap -dump:live,format=b,file=heap.hprof <pid>) and "
                "compare the biggest retainers in Eclipse MAT: a growing cache or an app's classes point at "
                "the leak. Until it is fixed, plan a restart before the date, in a quiet hour."
            ),
            node=item.key,
        )
