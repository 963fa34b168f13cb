"""Two services recording verdicts of one customer at once: one transaction each, no lost update."""

from __future__ import annotations

import threading

from sqlalchemy import Engine

from agent.config.service_schema import Alerts
from agent.service.alerts import record_verdict
from tests.agent.service.alert_helpers import (  # noqa: F401 - fixtures
    START,
    alert,
    engine,
    observation,
    outbox,
    verdict,
)

WORKERS = 4


def test_concurrent_verdicts_fire_once_and_count_every_run(engine: Engine) -> None:  # noqa: F811
    policy = Alerts()
    down = observation()
    record_verdict(engine, verdict(START, down), policy, channels=["hook", "mail"], muted=None, now=START)
    barrier = threading.Barrier(WORKERS)
    errors: list[BaseException] = []
    fired: list[int] = []

    def run() -> None:
        barrier.wait()
        try:
            counts = record_verdict(
                engine, verdict(START, down), policy, channels=["hook", "mail"], muted=None, now=START
            )
            fired.append(counts["fired"])
        except BaseException as exc:  # reported below, with the thread's error
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sorted(fired) == [0] * (WORKERS - 1) + [1]
    stored = alert(engine)
    assert stored is not None and stored.seen_runs == WORKERS + 1 and stored.sequence == 1
    assert [(channel, event) for channel, event, _ in outbox(engine)] == [
        ("hook", "firing"),
        ("mail", "firing"),
    ]


def test_concurrent_verdicts_of_a_new_problem_insert_its_alert_once(engine: Engine) -> None:  # noqa: F811
    policy = Alerts(confirm_runs=1)
    barrier = threading.Barrier(WORKERS)
    errors: list[BaseException] = []

    def run() -> None:
        barrier.wait()
        try:
            record_verdict(
                engine, verdict(START, observation()), policy, channels=["hook"], muted=None, now=START
            )
        except BaseException as exc:  # reported below, with the thread's error
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    stored = alert(engine)
    assert stored is not None and stored.seen_runs == WORKERS and stored.state == "firing"
    assert [(channel, event) for channel, event, _ in outbox(engine)] == [("hook", "firing")]
