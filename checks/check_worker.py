"""Running a check within its time budget on a reused thread.

A check runs off the caller's thread so that one that hangs can be given up on (a thread cannot be
killed): the caller waits at most the budget, then leaves that thread to the hung check and takes
another for the next check. Threads are reused because a fleet's analysis runs thousands of checks,
and starting a thread for each was a large part of its time.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable


class _Worker:
    """One daemon thread running the functions it is given, one after the other."""

    def __init__(self) -> None:
        self._tasks: queue.SimpleQueue[tuple[Callable[[], None], threading.Event]] = queue.SimpleQueue()
        threading.Thread(target=self._loop, name="check-worker", daemon=True).start()

    def _loop(self) -> None:
        while True:
            work, done = self._tasks.get()
            try:
                work()
            except BaseException:  # the caller sees no result; the worker must live on
                pass
            finally:
                done.set()

    def start(self, work: Callable[[], None]) -> threading.Event:
        done = threading.Event()
        self._tasks.put((work, done))
        return done


class CheckThreads:
    """Idle workers to run checks on; safe to use from several threads at once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: list[_Worker] = []

    def run(self, work: Callable[[], None], budget_s: float) -> bool:
        """Run ``work`` on a worker thread; True when it finished within ``budget_s``, False when it
        overran (its worker is then left to it and never reused)."""
        with self._lock:
            worker = self._idle.pop() if self._idle else None
        worker = worker or _Worker()
        if not worker.start(work).wait(budget_s):
            return False
        with self._lock:
            self._idle.append(worker)
        return True


CHECK_THREADS = CheckThreads()
