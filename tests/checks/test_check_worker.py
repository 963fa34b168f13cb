"""Checks run on reused threads; one that overruns keeps its thread and the next check gets another."""

from __future__ import annotations

import threading

from checks.check_worker import CheckThreads

GENEROUS_S = 30.0  # a budget nothing here comes near: only a hung check would reach it


def test_a_thread_is_reused_from_check_to_check() -> None:
    threads = CheckThreads()
    seen: list[int] = []
    for _ in range(5):
        assert threads.run(lambda: seen.append(threading.get_ident()), GENEROUS_S)
    assert len(set(seen)) == 1 and seen[0] != threading.get_ident()


def test_an_overrun_keeps_its_thread_and_the_next_check_runs_on_another() -> None:
    threads = CheckThreads()
    release = threading.Event()
    hung: list[int] = []
    after: list[int] = []

    def hangs() -> None:
        hung.append(threading.get_ident())
        release.wait(GENEROUS_S)

    try:
        assert threads.run(hangs, 0.05) is False
        assert threads.run(lambda: after.append(threading.get_ident()), GENEROUS_S)
        assert after[0] != hung[0]
    finally:
        release.set()


def test_a_check_raising_anything_leaves_the_worker_alive() -> None:
    threads = CheckThreads()

    def exits() -> None:
        raise SystemExit(1)

    assert threads.run(exits, GENEROUS_S)  # finished (with nothing), not hung
    ran = []
    assert threads.run(lambda: ran.append(True), GENEROUS_S) and ran == [True]
