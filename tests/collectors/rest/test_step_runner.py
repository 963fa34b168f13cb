"""Running one instance's steps concurrently: every result, in order, with at most `workers` at once."""

from __future__ import annotations

import threading

from collectors.rest.step_runner import run_concurrently

BARRIER_TIMEOUT_S = 30  # only bounds a broken run; the test never waits on it when things work


def test_results_come_back_in_the_items_order() -> None:
    assert run_concurrently(list(range(20)), lambda n: n * n, 4) == [n * n for n in range(20)]
    assert run_concurrently([], lambda n: n, 4) == []


def test_workers_run_at_once_and_the_caller_is_one_of_them() -> None:
    workers = 3
    together = threading.Barrier(workers, timeout=BARRIER_TIMEOUT_S)  # breaks unless 3 run at once
    lock = threading.Lock()
    active, most = 0, 0
    threads: set[int] = set()

    def work(n: int) -> int:
        nonlocal active, most
        with lock:
            active += 1
            most = max(most, active)
            threads.add(threading.get_ident())
        if n < workers:
            together.wait()
        with lock:
            active -= 1
        return n

    assert run_concurrently(list(range(12)), work, workers) == list(range(12))
    assert most == workers  # never more than asked for
    assert threading.get_ident() in threads and len(threads) == workers


def test_one_worker_is_the_caller_alone() -> None:
    seen = run_concurrently(list(range(5)), lambda _: threading.get_ident(), 1)
    assert set(seen) == {threading.get_ident()}
