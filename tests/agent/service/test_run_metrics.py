"""The figures a run keeps for history: what is taken from a snapshot, stored with the run, read back
as series, attached to the next run's subjects, and pruned with the run."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from agent.service.history import claim_slot, finish_run, metric_series, prune
from agent.service.history_attach import attach_history
from agent.service.models import RunMetric
from agent.service.run_metrics import MAX_PER_SUBJECT, Sample, is_up, samples
from collectors import history_model as m
from collectors.hosts.model import Filesystem, HostSnapshot
from collectors.logs.model import GcSummary, HeapPoint, LogAnalysis
from collectors.model import CallRecord, InstanceSnapshot, License, ProductStatus, Snapshot
from tests.agent.service.alert_helpers import engine  # noqa: F401 - fixture

T0 = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
GIB = 1024**3


def host(name: str = "node1", *filesystems: Filesystem) -> HostSnapshot:
    return HostSnapshot(
        customer="acme",
        name=name,
        address="10.0.0.1:22",
        method="ssh",
        started_at=T0,
        finished_at=T0,
        filesystems=list(filesystems),
    )


def fs(mount: str, used_gib: float, size_gib: float = 100, roles: tuple[str, ...] = ()) -> Filesystem:
    return Filesystem(mount=mount, size=int(size_gib * GIB), used=int(used_gib * GIB), roles=list(roles))


def instance(state: str | None = "RUNNING", http: int | None = 200, **changes: object) -> InstanceSnapshot:
    calls = [
        CallRecord(call=c, url="https://jira/x", started_at=T0, elapsed_ms=ms, ok=ok)
        for c, ms, ok in (("status", 40.0, True), ("serverInfo", 120.0, True), ("license", 900.0, False))
    ]
    base = InstanceSnapshot(
        customer="acme",
        instance="jira",
        product="jira",
        deployment="server",
        url="https://jira.example.com",
        started_at=T0,
        finished_at=T0,
        calls=calls,
        status=ProductStatus(state=state, http_status=http) if state or http else None,
    )
    return base.model_copy(update=changes)


def snapshot(
    *,
    hosts: Sequence[HostSnapshot] = (),
    instances: Sequence[InstanceSnapshot] = (),
    logs: Sequence[LogAnalysis] = (),
) -> Snapshot:
    return Snapshot(
        tool_version="test",
        started_at=T0,
        finished_at=T0,
        hosts=list(hosts),
        instances=list(instances),
        logs=list(logs),
    )


def test_a_host_gives_the_filesystems_the_disk_checks_watch() -> None:
    shot = snapshot(hosts=[host("node1", fs("/", 10), fs("/var/atlassian", 61, roles=("home",)))])
    assert samples(shot, "acme") == [
        Sample("node1", m.DISK_USED, "/var/atlassian", 61 * GIB),
        Sample("node1", m.DISK_SIZE, "/var/atlassian", 100 * GIB),
    ]
    assert samples(shot, "globex") == []


def test_an_instance_gives_availability_median_response_and_licences() -> None:
    licences = [
        License(
            application="jira-software", seats_used=480, seats_allowed=500, expiry=T0 + timedelta(days=90)
        ),
        License(application="jira-servicedesk", seats_used=12, seats_allowed=-1, unlimited_seats=True),
    ]
    got = samples(snapshot(instances=[instance(licenses=licences)]), "acme")
    assert got == [
        Sample("jira", m.UP, "", 1.0),
        Sample("jira", m.RESPONSE_MS, "", 80.0),  # the median of the two calls that answered
        Sample("jira", m.SEATS_USED, "jira-software", 480.0),
        Sample("jira", m.SEATS_ALLOWED, "jira-software", 500.0),
        Sample("jira", m.LICENCE_EXPIRY, "jira-software", (T0 + timedelta(days=90)).timestamp()),
        Sample("jira", m.SEATS_USED, "jira-servicedesk", 12.0),
    ]


def test_up_means_running_with_a_good_answer_or_any_answer_without_a_state() -> None:
    assert is_up(instance())
    assert not is_up(instance(state="STARTING"))
    assert not is_up(instance(state="RUNNING", http=503))
    assert is_up(instance(state=None, http=None))  # no /status (Cloud): a call answered
    nothing = instance(state=None, http=None, calls=[])
    assert not is_up(nothing)


def test_logs_give_the_heap_floor_and_size_per_node() -> None:
    points = [
        HeapPoint(at=T0 + timedelta(minutes=i), after_mb=mb, total_mb=4096)
        for i, mb in enumerate((900, 700, 750))
    ]
    gc = GcSummary(node="node1", format="unified", heap_after=points)
    empty = GcSummary(node="node2", format="unified")
    logs = LogAnalysis(customer="acme", engine="re", gc=[gc, empty])
    assert samples(snapshot(logs=[logs]), "acme") == [
        Sample("logs", m.HEAP_FLOOR_MB, "node1", 700.0),
        Sample("logs", m.HEAP_MAX_MB, "node1", 4096.0),
    ]


def test_a_host_with_hundreds_of_mounts_is_bounded_and_odd_figures_are_left_out() -> None:
    many = host("node1", *(fs(f"/m{i}", 1) for i in range(500)))
    assert len(samples(snapshot(hosts=[many]), "acme")) == MAX_PER_SUBJECT
    odd = instance(
        licenses=[License(application="jira-software", seats_used=5, seats_allowed=10, expiry=None)]
    )
    odd_calls = odd.model_copy(
        update={"calls": [odd.calls[0].model_copy(update={"elapsed_ms": float("nan")})]}
    )
    assert all(s.metric != m.RESPONSE_MS for s in samples(snapshot(instances=[odd_calls]), "acme"))


def _run(engine: Engine, day: int, metrics: list[Sample]) -> int:  # noqa: F811
    at = T0 + timedelta(days=day)
    run_id = claim_slot(
        engine, job="nightly", schedule="nightly", customer="acme", scheduled_for=at, worker="w", now=at
    )
    assert run_id is not None
    finish_run(engine, run_id, status="done", findings=[], metrics=metrics, now=at + timedelta(minutes=1))
    return run_id


def test_series_are_stored_with_the_run_and_read_back_oldest_first(engine: Engine) -> None:  # noqa: F811
    for day in (2, 0, 1):  # recorded out of order: read back in time order
        _run(engine, day, [Sample("node1", m.DISK_USED, "/data", 10.0 + day), Sample("jira", m.UP, "", 1.0)])
    series = metric_series(engine, "acme", since=T0)
    assert [(s.target, s.metric, s.key) for s in series] == [
        ("jira", m.UP, ""),
        ("node1", m.DISK_USED, "/data"),
    ]
    disk = series[1]
    assert [p.value for p in disk.points] == [10.0, 11.0, 12.0]
    assert [p.at for p in disk.points] == [T0 + timedelta(days=d) for d in range(3)]
    window = metric_series(engine, "acme", since=T0 + timedelta(days=1), until=T0 + timedelta(days=2))
    assert [[p.value for p in s.points] for s in window] == [[1.0], [11.0]]
    assert [s.target for s in metric_series(engine, "acme", since=T0, target="node1")] == ["node1"]
    assert [s.metric for s in metric_series(engine, "acme", since=T0, metrics=[m.UP])] == [m.UP]
    assert metric_series(engine, "globex", since=T0) == []


def test_pruning_a_run_removes_its_figures(engine: Engine) -> None:  # noqa: F811
    _run(engine, 0, [Sample("jira", m.UP, "", 1.0)])
    _run(engine, 30, [Sample("jira", m.UP, "", 0.0)])
    prune(engine, now=T0 + timedelta(days=31), retention_days=10)
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(RunMetric)) == 1
    assert [p.value for s in metric_series(engine, "acme", since=T0) for p in s.points] == [0.0]


def test_the_next_run_sees_earlier_figures_on_its_subjects(engine: Engine) -> None:  # noqa: F811
    for day in range(3):
        _run(
            engine,
            day,
            [
                Sample("node1", m.DISK_USED, "/data", float(day)),
                Sample("jira", m.RESPONSE_MS, "", 100.0 + day),
                Sample("logs", m.HEAP_FLOOR_MB, "node1", 500.0),
            ],
        )
    later = T0 + timedelta(days=3)
    shot = snapshot(
        hosts=[host("node1"), host("node2")],
        instances=[instance()],
        logs=[LogAnalysis(customer="acme", engine="re")],
    ).model_copy(update={"started_at": later})
    attached = attach_history(shot, engine, since=T0 + timedelta(days=1))
    node1, node2 = attached.hosts
    assert node1.history is not None
    assert [p.value for p in node1.history.points(m.DISK_USED, "/data")] == [1.0, 2.0]
    assert node1.history.keys(m.DISK_USED) == ["/data"]
    assert node2.history is not None and node2.history.series == []  # the service has nothing on it yet
    jira = attached.instances[0].history
    assert jira is not None and [p.value for p in jira.points(m.RESPONSE_MS)] == [101.0, 102.0]
    logs = attached.logs[0].history
    assert logs is not None and len(logs.points(m.HEAP_FLOOR_MB, "node1")) == 2
    assert shot.hosts[0].history is None  # the collected snapshot is left as it was
