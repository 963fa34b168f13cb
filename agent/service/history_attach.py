"""Before a run's checks: each host, instance and log analysis of the snapshot gets the figures the
earlier runs recorded for it (``history``), so forecast checks stay pure functions of the snapshot."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import Engine

from agent.service.history import StoredSeries, metric_series
from checks.context import LOGS_SUBJECT
from collectors.history_model import History, MetricSeries
from collectors.model import Snapshot


def attach_history(snapshot: Snapshot, engine: Engine, *, since: datetime) -> Snapshot:
    """A copy of ``snapshot`` whose subjects carry their series from ``since`` up to the snapshot's
    start. A subject without earlier figures gets an empty history: the service has none yet."""
    customers = {i.customer for i in snapshot.instances} | {h.customer for h in snapshot.hosts}
    customers |= {logs.customer for logs in snapshot.logs}
    stored: dict[tuple[str, str], list[StoredSeries]] = defaultdict(list)
    for customer in sorted(customers):
        for series in metric_series(engine, customer, since=since, until=snapshot.started_at):
            stored[(customer, series.target)].append(series)

    def history(customer: str, target: str) -> History:
        return History(
            since=since,
            series=[
                MetricSeries(metric=s.metric, key=s.key, points=s.points) for s in stored[(customer, target)]
            ],
        )

    return snapshot.model_copy(
        update={
            "hosts": [h.model_copy(update={"history": history(h.customer, h.name)}) for h in snapshot.hosts],
            "instances": [
                i.model_copy(update={"history": history(i.customer, i.instance)}) for i in snapshot.instances
            ],
            "logs": [
                logs.model_copy(update={"history": history(logs.customer, LOGS_SUBJECT)})
                for logs in snapshot.logs
            ],
        }
    )
