"""Running one instance's collection steps concurrently, at most ``workers`` at a time.

Not a ThreadPoolExecutor per instance: its ``submit`` starts worker threads while holding a lock
shared by every executor in the process, and a starting thread waits for the GIL, so across a fleet
of instances collected at once the thread start-ups queue behind one another (measured: seconds for
200 instances). Plain threads start in parallel, and the calling thread works too.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


def run_concurrently(
    items: Sequence[Item], work: Callable[[Item], Result], workers: int, *, name: str = "step"
) -> list[Result]:
    """``work(item)`` for every item, in at most ``workers`` threads (the caller's included); results in
    the items' order. ``work`` must not raise: an exception would leave its result missing."""
    results: dict[int, Result] = {}
    queue = iter(enumerate(items))
    lock = threading.Lock()

    def drain() -> None:
        while True:
            with lock:
                taken = next(queue, None)
            if taken is None:
                return
            index, item = taken
            results[index] = work(item)

    helpers = [
        threading.Thread(target=drain, name=f"{name}-{n + 1}", daemon=True)
        for n in range(max(0, min(workers, len(items)) - 1))
    ]
    for thread in helpers:
        thread.start()
    drain()
    for thread in helpers:
        thread.join()
    return [results[index] for index in range(len(items))]
