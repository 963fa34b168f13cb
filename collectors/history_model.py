"""What the service's history says about a subject before this run: series of figures it recorded.

The service (`atlas-health serve`) records a few figures of every run (agent/service/run_metrics.py)
and, before the checks of the next run, attaches the last days of them to each host, instance and log
analysis as ``history``. Checks stay pure: a forecast reads ``ctx.host.history`` like any other
collected field, and a saved snapshot gives the same findings when analysed again.

``None`` means no history was attached (a one-off `check`, or a service with no earlier run); the
series exclude the current run, whose figures are in the snapshot itself.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

# The figures recorded, by subject. ``key`` tells apart several series of one metric on a subject.
DISK_USED = "disk.used_bytes"  # host, key: mount point
# host, key: mount point; the space the product can fill: used + available (root's reserve is out of
# its reach) when the host said what is available, else the filesystem's size
DISK_SIZE = "disk.size_bytes"
UP = "up"  # instance: 1.0 when the product answered and said it is running, else 0.0
RESPONSE_MS = "response_ms"  # instance: median time of the run's successful REST calls
SEATS_USED = "licence.seats_used"  # instance, key: licensed application ("jira-software")
SEATS_ALLOWED = "licence.seats_allowed"  # instance, key: licensed application
LICENCE_EXPIRY = "licence.expiry_epoch"  # instance, key: licensed application; seconds since 1970
HEAP_FLOOR_MB = "heap.floor_mb"  # logs, key: node; the lowest heap occupancy after GC in the run's window
HEAP_MAX_MB = "heap.max_mb"  # logs, key: node; the heap size the GC log reported

METRICS = (
    DISK_USED,
    DISK_SIZE,
    UP,
    RESPONSE_MS,
    SEATS_USED,
    SEATS_ALLOWED,
    LICENCE_EXPIRY,
    HEAP_FLOOR_MB,
    HEAP_MAX_MB,
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MetricPoint(_Model):
    at: datetime  # when the run that measured it started
    value: float


class MetricSeries(_Model):
    metric: str  # one of METRICS
    key: str = ""
    points: list[MetricPoint] = Field(default_factory=list)  # oldest first


class History(_Model):
    since: datetime  # the start of the window that was read
    series: list[MetricSeries] = Field(default_factory=list)

    def points(self, metric: str, key: str = "") -> list[MetricPoint]:
        """The series of ``metric`` (and ``key``), oldest first; empty when none was recorded."""
        return next((s.points for s in self.series if s.metric == metric and s.key == key), [])

    def keys(self, metric: str) -> list[str]:
        """The keys ``metric`` was recorded under, sorted."""
        return sorted({s.key for s in self.series if s.metric == metric})
