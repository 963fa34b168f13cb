"""Alert state with hysteresis, on SQLite and PostgreSQL, with a controlled clock."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine

from agent.config.service_schema import Alerts
from agent.service.alerts import record_verdict
from tests.agent.service.alert_helpers import (  # noqa: F401 - fixtures
    Clock,
    alert,
    engine,
    observation,
    outbox,
    payloads,
    verdict,
)

POLICY = Alerts()  # confirm 2, resolve 2, renotify 4h
CHANNELS = ("hook", "mail")
DOWN = observation()


def record(engine: Engine, clock: Clock, *seen, muted: str | None = None, **options) -> dict[str, int]:  # noqa: F811
    at = clock.tick()
    policy = options.pop("policy", POLICY)
    return record_verdict(
        engine, verdict(at, *seen, **options), policy, channels=CHANNELS, muted=muted, now=at
    )


def test_fires_on_the_second_consecutive_run_not_the_first(engine: Engine) -> None:  # noqa: F811
    clock = Clock()
    first = record(engine, clock, DOWN)
    assert (first["pending"], first["firing"], first["fired"], first["queued"]) == (1, 0, 0, 0)
    assert outbox(engine) == []
    second = record(engine, clock, DOWN)
    assert (second["pending"], second["firing"], second["fired"], second["queued"]) == (0, 1, 1, 2)
    key = "acme:fp-instance.status-jira:1"
    assert outbox(engine) == [("hook", "firing", f"hook:{key}"), ("mail", "firing", f"mail:{key}")]
    stored = alert(engine)
    assert stored is not None and stored.state == "firing" and stored.fired_at == clock.now
    assert stored.notified == "firing" and stored.sequence == 1
    third = record(engine, clock, DOWN)
    assert (third["firing"], third["fired"], third["queued"]) == (1, 0, 0)
    assert len(outbox(engine)) == 2  # exactly one row per channel per event


def test_a_gap_resets_the_count_and_a_blip_is_dropped(engine: Engine) -> None:  # noqa: F811
    clock = Clock()
    record(engine, clock, DOWN)
    gap = record(engine, clock)  # judged, not seen: the pending alert was a blip
    assert gap["pending"] == 0 and alert(engine) is None
    again = record(engine, clock, DOWN)
    assert (again["pending"], again["firing"]) == (1, 0)
    assert record(engine, clock, DOWN)["fired"] == 1
    assert [event for _, event, _ in outbox(engine)] == ["firing", "firing"]


def test_resolves_after_two_absent_runs_and_tells_the_channels(engine: Engine) -> None:  # noqa: F811
    clock = Clock()
    record(engine, clock, DOWN)
    record(engine, clock, DOWN)
    once = record(engine, clock)
    assert (once["firing"], once["resolved"], once["queued"]) == (1, 0, 0)
    twice = record(engine, clock)
    assert (twice["firing"], twice["resolved"], twice["queued"]) == (0, 1, 2)
    assert [event for _, event, _ in outbox(engine)] == ["firing", "firing", "resolved", "resolved"]
    resolved = payloads(engine)[-1]
    assert resolved["state"] == "resolved" and resolved["sequence"] == 2
    assert resolved["resolved_at"] == clock.now.isoformat() and resolved["fired_at"] is not None
    assert resolved["source"].startswith("atlas-health ")
    stored = alert(engine)
    assert stored is not None and stored.state == "resolved" and stored.notified == "resolved"
    assert record(engine, clock)["queued"] == 0  # nothing more to say


def test_a_run_that_could_not_judge_neither_fires_nor_resolves(engine: Engine) -> None:  # noqa: F811
    clock = Clock()
    record(engine, clock, DOWN)
    unjudged = record(engine, clock, judged=())  # skipped, crashed or unknown: not seen, not judged
    assert (unjudged["pending"], unjudged["fired"]) == (1, 0)
    stored = alert(engine)
    assert stored is not None and (stored.seen_runs, stored.absent_runs) == (1, 0)
    assert record(engine, clock, DOWN)["fired"] == 1  # still the second run that saw it
    record(engine, clock)  # absent once
    for _ in range(3):
        assert record(engine, clock, judged=())["resolved"] == 0
    assert record(engine, clock)["resolved"] == 1  # the second run that judged it absent


def test_a_node_alert_is_judged_by_its_instance_outcome(engine: Engine) -> None:  # noqa: F811
    node = observation(check="instance.cluster.nodes", target="jira/node2")
    judged = (("instance.cluster.nodes", "jira"),)
    clock = Clock()
    record(engine, clock, node, judged=judged)
    record(engine, clock, node, judged=judged)
    record(engine, clock, judged=judged)
    assert record(engine, clock, judged=judged)["resolved"] == 1


def test_a_reminder_after_the_renotify_interval(engine: Engine) -> None:  # noqa: F811
    clock = Clock()
    record(engine, clock, DOWN)
    record(engine, clock, DOWN)  # fired at this time
    fired_at = clock.now
    while clock.now + timedelta(minutes=15) < fired_at + timedelta(hours=4):
        assert record(engine, clock, DOWN)["queued"] == 0
    reminder = record(engine, clock, DOWN)
    assert clock.now - fired_at == timedelta(hours=4) and reminder["queued"] == 2
    assert [event for _, event, _ in outbox(engine)][-2:] == ["reminder", "reminder"]
    assert payloads(engine)[-1]["sequence"] == 2 and payloads(engine)[-1]["state"] == "firing"
    assert record(engine, clock, DOWN)["queued"] == 0  # the next one is 4 h later again


def test_no_reminder_when_renotify_is_off(engine: Engine) -> None:  # noqa: F811
    clock = Clock()
    policy = Alerts(renotify=None)
    record(engine, clock, DOWN, policy=policy)
    record(engine, clock, DOWN, policy=policy)
    assert record(engine, clock, DOWN, policy=policy, judged=())["queued"] == 0
    clock.tick(timedelta(days=2))
    assert record(engine, clock, DOWN, policy=policy)["queued"] == 0


def test_confirm_runs_one_fires_at_once_and_a_resolved_alert_comes_back(engine: Engine) -> None:  # noqa: F811
    clock = Clock()
    policy = Alerts(confirm_runs=1, resolve_runs=1)
    assert record(engine, clock, DOWN, policy=policy)["fired"] == 1
    assert record(engine, clock, policy=policy)["resolved"] == 1
    back = record(engine, clock, DOWN, policy=policy)
    assert (back["fired"], back["queued"]) == (1, 2)
    stored = alert(engine)
    assert stored is not None and stored.state == "firing" and stored.sequence == 3
    assert stored.first_seen == clock.now and stored.resolved_at is None
    assert outbox(engine)[-1] == ("mail", "firing", "mail:acme:fp-instance.status-jira:3")


def test_a_resolved_alert_seen_again_is_pending_anew(engine: Engine) -> None:  # noqa: F811
    clock = Clock()
    for seen in ([DOWN], [DOWN], [], []):
        record(engine, clock, *seen)
    again = record(engine, clock, DOWN)
    assert (again["pending"], again["firing"], again["queued"]) == (1, 0, 0)
    stored = alert(engine)
    assert stored is not None and stored.state == "pending" and stored.seen_runs == 1
    assert record(engine, clock, DOWN)["fired"] == 1
    assert [event for _, event, _ in outbox(engine)][-2:] == ["firing", "firing"]


def test_muted_then_unmuted_tells_the_firing_afterwards(engine: Engine) -> None:  # noqa: F811
    clock = Clock()
    quiet = "quiet hours 22:00-06:00"
    record(engine, clock, DOWN, muted=quiet)
    fired = record(engine, clock, DOWN, muted=quiet)
    assert (fired["fired"], fired["queued"], fired["muted"]) == (1, 0, 1)
    still = record(engine, clock, DOWN, muted=quiet)
    assert (still["firing"], still["queued"], still["muted"]) == (1, 0, 1)
    assert outbox(engine) == []
    after = record(engine, clock, judged=())  # the mute ended; this run could not judge it
    assert (after["queued"], after["muted"]) == (2, 0)
    assert [event for _, event, _ in outbox(engine)] == ["firing", "firing"]
    assert payloads(engine)[0]["sequence"] == 1


def test_a_resolution_while_muted_is_told_after_the_mute(engine: Engine) -> None:  # noqa: F811
    clock = Clock()
    record(engine, clock, DOWN)
    record(engine, clock, DOWN)  # told firing
    maintenance = "maintenance until 2026-06-16 08:00: upgrade"
    record(engine, clock, muted=maintenance)
    resolved = record(engine, clock, muted=maintenance)
    assert (resolved["resolved"], resolved["queued"], resolved["muted"]) == (1, 0, 1)
    after = record(engine, clock)
    assert (after["resolved"], after["queued"]) == (0, 2)
    assert [event for _, event, _ in outbox(engine)] == ["firing", "firing", "resolved", "resolved"]


def test_an_alert_that_fired_and_resolved_within_a_mute_is_never_told(engine: Engine) -> None:  # noqa: F811
    clock = Clock()
    for seen in ([DOWN], [DOWN], [], []):
        record(engine, clock, *seen, muted="quiet hours 22:00-06:00")
    assert record(engine, clock)["queued"] == 0
    assert outbox(engine) == []


def test_customers_and_alerts_are_kept_apart(engine: Engine) -> None:  # noqa: F811
    clock = Clock()
    other = observation(customer="globex")
    disk = observation(check="host.disk.free", target="db1", severity="warning")
    judged = (("instance.status", "jira"), ("host.disk.free", "db1"))
    record(engine, clock, DOWN, disk, judged=judged)
    both = record(engine, clock, DOWN, disk, judged=judged)
    assert (both["firing"], both["fired"], both["queued"]) == (2, 2, 4)
    globex = record(engine, clock, other, customer="globex")
    assert (globex["firing"], globex["pending"]) == (0, 1)
    stored = alert(engine, "fp-host.disk.free-db1")
    assert stored is not None and stored.severity == "warning" and stored.state == "firing"


def test_the_latest_severity_and_report_are_kept(engine: Engine) -> None:  # noqa: F811
    clock = Clock()
    record(engine, clock, observation(severity="warning", report="/r/1.html"))
    record(engine, clock, observation(severity="critical", title="Jira down again"))
    stored = alert(engine)
    assert stored is not None and (stored.severity, stored.title, stored.report) == (
        "critical",
        "Jira down again",
        "/r/1.html",
    )
    assert payloads(engine)[0]["severity"] == "critical"
